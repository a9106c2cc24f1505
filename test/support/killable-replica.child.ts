/**
 * A host replica in a process of its own, forked by `startKillableReplica` (see
 * `replica-process.ts`): the real `AppModule`, set up by its environment as `main.ts` sets
 * it up, with the test-only `AFTER_DECISION_COMMIT_HOOK` bound to SIGKILL. So the first
 * decision it commits kills it before anything else runs: no in-process event, no Redis
 * publish, no HTTP answer. Sends `{ type: 'up', port }` once it serves with its event links
 * up; closes itself when the test process goes away.
 */
import { ApprovalEventManager } from '@app/approval-events';
import { Test } from '@nestjs/testing';
import { filter, firstValueFrom } from 'rxjs';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AFTER_DECISION_COMMIT_HOOK } from '../../src/approvals/postgres/after-decision-commit.hook';

async function main(): Promise<void> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AFTER_DECISION_COMMIT_HOOK)
    .useValue(() => process.kill(process.pid, 'SIGKILL'))
    .compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  process.once('disconnect', () => void app.close());
  await firstValueFrom(app.get(ApprovalEventManager).connected$.pipe(filter(Boolean)));
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ type: 'up', port });
}

main().catch((error: Error) => {
  process.send?.({ type: 'error', message: error.stack ?? error.message });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
