/**
 * One replica of the host for the `replicas` bench, forked by `bench/replicas.ts`: the real
 * `AppModule` as `main.ts` builds it, set up by its environment (`DATABASE_URL`,
 * `DATABASE_SCHEMA`, `REDIS_URL`, `REDIS_KEY_PREFIX`, gateway tokens), on a free loopback port.
 *
 * Answers `{ type: 'cpu' }` with its `process.cpuUsage()` (the expiry suite's sweeper cost).
 *
 * Sends `{ type: 'up', port, connected }` once it serves (after its replica link is up, when
 * `BENCH_EXPECT_CONNECTED=1`), then `{ type: 'read', approvalId, status }` after every store
 * read, so the bench knows when a long-poll has read `pending` and how many reads a wake took.
 *
 * With `DATABASE_URL` the host also LISTENs for the store's decision announcements
 * (`PostgresNotifyLink`). `BENCH_STORE_LINK=off` replaces that link with nothing, for the
 * polling baseline: a replica that hears neither Redis nor the store, as before either link.
 */
import { ApprovalEventManager, type Approval } from '@app/approval-events';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { firstValueFrom, filter, timeout, of } from 'rxjs';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { ApprovalsRepository } from '../src/approvals/approvals.repository';
import { PostgresNotifyLink } from '../libs/approval-events/src/links/postgres-notify.link';
import { serveParent } from './child-process';

const LINK_TIMEOUT_MS = 20_000;

async function createApp(): Promise<INestApplication> {
  if (process.env.BENCH_STORE_LINK !== 'off') {
    return NestFactory.create(AppModule, { logger: ['error'] });
  }
  // An inert link never reports itself, so coverage rests on Redis alone (down here).
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(PostgresNotifyLink)
    .useValue({})
    .compile();
  return moduleRef.createNestApplication({ logger: ['error'] });
}

async function main(): Promise<void> {
  const app = await createApp();
  configureApp(app);
  await app.listen(0, '127.0.0.1');

  const repository = app.get<ApprovalsRepository>(ApprovalsRepository);
  const findOne = repository.findOne.bind(repository);
  repository.findOne = async (workspaceId: string, approvalId: string) => {
    const approval: Approval | undefined = await findOne(workspaceId, approvalId);
    process.send?.({ type: 'read', approvalId, status: approval?.status });
    return approval;
  };

  const manager = app.get(ApprovalEventManager);
  const connected =
    process.env.BENCH_EXPECT_CONNECTED === '1'
      ? await firstValueFrom(
          manager.connected$.pipe(
            filter(Boolean),
            timeout({ first: LINK_TIMEOUT_MS, with: () => of(false) }),
          ),
        )
      : manager.isConnected;

  serveParent(
    async (message) => {
      if (message.type === 'status') return { connected: manager.isConnected };
      // The process's CPU time so far, for the expiry suite's sweeper cost.
      if (message.type === 'cpu') return { ...process.cpuUsage() };
      throw new Error(`unknown request ${message.type}`);
    },
    () => app.close(),
  );
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ type: 'up', port, connected });
}

main().catch((error: Error) => {
  process.send?.({ type: 'error', message: error.stack ?? error.message });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
