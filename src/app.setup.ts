import { RequestMethod, ValidationPipe, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  API_KEY_HEADER,
  API_KEY_SCHEME,
  API_PREFIX,
  UNPREFIXED_ROUTES,
} from './common/api.constants';
import { RequestShapePipe } from './common/pipes/request-shape.pipe';

/** Largest JSON body the REST API accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Everything `main.ts` does to the app beyond creating it, shared with the e2e tests so they
 * exercise the same prefix, validation, limits and docs as production.
 */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: MAX_BODY_BYTES });
  express.disable('x-powered-by');
  app.setGlobalPrefix(API_PREFIX, {
    exclude: UNPREFIXED_ROUTES.map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.useGlobalPipes(
    new RequestShapePipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Approvals')
      .setDescription('Approvals REST API with event-driven waits')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
