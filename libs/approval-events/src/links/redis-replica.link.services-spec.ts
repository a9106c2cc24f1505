import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { registryMetric } from '../../test/metrics';
import { delay, eventually } from '../../test/polling';
import { startTcpProxy } from '../../test/tcp-proxy';
import { decideAndPublish, untilConnected, untilDisconnected } from '../../test/events';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../bridge/approval-queue.bridge';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('RedisReplicaLink (real Redis)', () => {
  const apps: INestApplication[] = [];
  const source = new FakeStatusSource(); // the shared store both replicas read
  let prefix: string;

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
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
    await untilConnected(app.get(ApprovalEventManager));
    return app;
  }

  it('wakes a wait on replica B with a decision learnt on replica A', async () => {
    const a = await replica(REDIS.href);
    const b = await replica(REDIS.href);
    source.add('ws1', 'x1');
    const wait = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'x1', { timeoutMs: 10_000 });
    await eventually('the first read of x1', () => source.readsOf('x1') > 0);
    const started = Date.now();
    decideAndPublish(source, a.get(ApprovalEventManager), 'ws1', 'x1');
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(Date.now() - started).toBeLessThan(1_000); // polling is off: only the event can do this
    const { registry } = b.get(ApprovalEventsMetrics);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'replica' }),
    ).toBe(1);
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
    await delay(200);
    expect(seenOnA).toEqual(['y1:replica']);
    expect(seenOnOther).toEqual([]);
  });

  it('counts what is not a JSON object on the channel as invalid_payload, and goes on', async () => {
    const b = await replica(REDIS.href);
    const publisher = new Redis(REDIS.href);
    try {
      for (const garbage of ['not json', '[1]', 'x'.repeat(70_000)]) {
        await publisher.publish(`${prefix}:resolved`, garbage);
      }
      const { registry } = b.get(ApprovalEventsMetrics);
      await eventually('three refusals counted', async () => {
        const refused = await registryMetric(registry, 'approval_events_rejected_total', {
          reason: 'invalid_payload',
        });
        return refused === 3;
      });
    } finally {
      publisher.disconnect();
    }
    const a = await replica(REDIS.href);
    source.add('ws1', 'g1');
    const wait = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'g1', { timeoutMs: 10_000 });
    await eventually('the first read of g1', () => source.readsOf('g1') > 0);
    decideAndPublish(source, a.get(ApprovalEventManager), 'ws1', 'g1');
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
  });

  it('polls while Redis is unreachable, then stops polling and trusts events again', async () => {
    const proxy = await startTcpProxy(Number(REDIS.port || 6379));
    const b = await replica(proxy.url.replace('http:', 'redis:'));
    const manager = b.get(ApprovalEventManager);
    source.add('ws1', 'z1');
    source.add('ws1', 'z2');

    await proxy.down();
    await untilDisconnected(manager);
    const first = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'z1', { timeoutMs: 10_000 });
    const second = b.get(ApprovalQueueBridge).waitForApproval('ws1', 'z2', { timeoutMs: 10_000 });
    source.decide('ws1', 'z1', 'approved'); // nobody publishes it: only polling can find it
    await expect(first).resolves.toMatchObject({ status: 'approved' });

    await proxy.up();
    await untilConnected(manager);
    await delay(50);
    const readsAfterReconnect = source.readsOf('z2');
    await delay(350); // 3+ poll intervals
    expect(source.readsOf('z2')).toBe(readsAfterReconnect);
    decideAndPublish(source, manager, 'ws1', 'z2', 'rejected');
    await expect(second).resolves.toMatchObject({ status: 'rejected' });
  });
});
