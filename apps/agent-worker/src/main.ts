import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { listFrom, logLevelsFrom } from '@app/config';
import { validateWorkerEnvironment } from './config/worker-environment';
import { AgentWorkerModule } from './agent-worker.module';
import { RemoteAgent } from './remote-agent.service';

/**
 * Starts the worker. With `--demo` it requests one `send_email` approval in the first of
 * `EVENT_BUS_WORKSPACES`, waits for a human, logs the outcome and exits.
 */
async function bootstrap(): Promise<void> {
  const environment = validateWorkerEnvironment(process.env);
  const logger = new ConsoleLogger({ json: true, logLevels: logLevelsFrom(environment.LOG_LEVEL) });
  const app = await NestFactory.createApplicationContext(AgentWorkerModule, { logger });
  app.enableShutdownHooks();
  logger.log('Agent worker started', 'Bootstrap');
  if (!process.argv.includes('--demo')) return;

  const [workspaceId] = listFrom(environment.EVENT_BUS_WORKSPACES);
  if (!workspaceId) throw new Error('--demo needs EVENT_BUS_WORKSPACES');
  try {
    const approval = await app
      .get(RemoteAgent)
      .requestAndWait(workspaceId, 'send_email', { to: 'bob@example.com' }, { timeoutMs: 300_000 });
    logger.log(`Approval ${approval.id} ended ${approval.status}`, 'Demo');
  } catch (error) {
    logger.warn(`The wait ended without approval: ${(error as Error).message}`, 'Demo');
  } finally {
    await app.close();
  }
}

void bootstrap();
