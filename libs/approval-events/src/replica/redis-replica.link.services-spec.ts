import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../approval-queue.bridge';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** Resolves once `manager.connected$` reports `up`. */
const until = (manager: ApprovalEventManager, up: boolean) =>
  new Promise<void>((resolve) => {
    const subscription = manager.connected$.subscribe((connected) => {
      if (connected !== up) return;
      queueMicrotask(() => subscription.unsubscribe());
      resolve();
    });
  });

describe('RedisReplicaLink (real Redis)', () => {
  const apps: INestApplication[] = [];
  const proxies: TcpProxy[] = [];
  const source = new FakeStatusSource(); // the shared store both replicas read
  let prefix: string;

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const proxy of proxies.splice(0)) await proxy.down();
  });

  async function replica(redisUrl: string): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ApprovalEventsModule.forRoot({
          statusSource: source,
          redisUrl,
          redisKeyPrefix: prefix,
          pollIntervalMs: 100,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    apps.push(app);
    await until(app.get(ApprovalEventManager), true);
    return app;
  }

  it('wakes a wait on replica B with a decision learnt on replica A', async () => {
    const a = await replica(REDIS.href);
    const b = await replica(REDIS.href);
    source.add('ws1', 'x1');
    const wait = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'x1', { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const decided = source.decide('ws1', 'x1', 'approved');
    const started = Date.now();
    a.get(ApprovalEventManager).onApprovalResponse({
      approvalId: 'x1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedAt: decided.resolvedAt!,
    });
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(Date.now() - started).toBeLessThan(1_000); // polling is off: only the event can do this
    const received = (await b.get(ApprovalEventsMetrics).registry.getMetricsAsJSON())
      .find((m) => m.name === 'approval_events_received_total')!
      .values.find((v) => v.labels.source === 'replica');
    expect(received?.value).toBe(1);
  });

  it('does not echo what it heard from another replica, nor hear another prefix', async () => {
    const a = await replica(REDIS.href);
    const b = await replica(REDIS.href);
    const seenOnA: string[] = [];
    a.get(ApprovalEventManager).received$.subscribe(({ result, source: from }) =>
      seenOnA.push(`${result.approvalId}:${from}`),
    );
    prefix = `test-${randomUUID()}`;
    const other = await replica(REDIS.href);
    const seenOnOther: string[] = [];
    other
      .get(ApprovalEventManager)
      .received$.subscribe(({ result }) => seenOnOther.push(result.approvalId));
    b.get(ApprovalEventManager).onApprovalResponse({
      approvalId: 'y1',
      workspaceId: 'ws1',
      status: 'rejected',
      resolvedAt: new Date().toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenOnA).toEqual(['y1:replica']);
    expect(seenOnOther).toEqual([]);
  });

  it('polls while Redis is unreachable, then reads once and trusts events again', async () => {
    const proxy = await startTcpProxy(Number(REDIS.port || 6379));
    proxies.push(proxy);
    const b = await replica(proxy.url.replace('http:', 'redis:'));
    const manager = b.get(ApprovalEventManager);
    source.add('ws1', 'z1');
    source.add('ws1', 'z2');

    await proxy.down();
    await until(manager, false);
    const first = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'z1', { timeoutMs: 10_000 });
    const second = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'z2', { timeoutMs: 10_000 });
    source.decide('ws1', 'z1', 'approved'); // nobody publishes it: only polling can find it
    await expect(first).resolves.toMatchObject({ status: 'approved' });

    await proxy.up();
    await until(manager, true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const readsAfterReconnect = source.readsOf('z2');
    await new Promise((resolve) => setTimeout(resolve, 350)); // 3+ poll intervals
    expect(source.readsOf('z2')).toBe(readsAfterReconnect);
    source.decide('ws1', 'z2', 'rejected');
    b.get(ApprovalEventManager).onApprovalResponse({
      approvalId: 'z2',
      workspaceId: 'ws1',
      status: 'rejected',
      resolvedAt: new Date().toISOString(),
    });
    await expect(second).resolves.toMatchObject({ status: 'rejected' });
  });
});
