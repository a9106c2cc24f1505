import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { logLevelsFrom } from '@app/config';
import { configureApp, HOST_APPLICATION_OPTIONS } from './app.setup';
import { validateEnvironment } from './config/environment';

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  const logger = new ConsoleLogger({ json: true, logLevels: logLevelsFrom(environment.LOG_LEVEL) });
  const app = await NestFactory.create(AppModule, {
    ...HOST_APPLICATION_OPTIONS,
    logger,
    bufferLogs: true,
  });
  configureApp(app);
  await app.listen(environment.PORT);
  logger.log(`Host listening on ${await app.getUrl()}`, 'Bootstrap');
}

void bootstrap();
