import { Logger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { registryMetric } from '../../test/metrics';
import { delay, eventually } from '../../test/polling';
import { startTcpProxy } from '../../test/tcp-proxy';
import { untilConnected, untilDisconnected } from '../../test/events';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../bridge/approval-queue.bridge';
import type { ApprovalResult } from '../interfaces/approval.interface';
import { PostgresNotifyLink } from './postgres-notify.link';

const DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const POLL_INTERVAL_MS = 30;

describe('PostgresNotifyLink (real PostgreSQL)', () => {
  const apps: INestApplication[] = [];
  let pool: Pool;
  let source: FakeStatusSource;
  let channel: string;

  beforeAll(() => {
    pool = new Pool({ connectionString: DATABASE_URL, max: 2, application_name: 'link-tests' });
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(() => {
    source = new FakeStatusSource();
    channel = `test_notify_${randomBytes(8).toString('hex')}`;
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    jest.restoreAllMocks();
  });

  async function replica(
    options: { url?: string; channel?: string; connected?: boolean } = {},
  ): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ApprovalEventsModule.forRoot({
          statusSource: source,
          storeNotifyUrl: options.url ?? DATABASE_URL,
          storeNotifyChannel: options.channel ?? channel,
          pollIntervalMs: POLL_INTERVAL_MS,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    apps.push(app);
    if (options.connected ?? true) await untilConnected(app.get(ApprovalEventManager));
    return app;
  }

  const notify = (payload: string, on = channel) =>
    pool.query('SELECT pg_notify($1, $2)', [on, payload]);

  const announce = (result: Partial<ApprovalResult>, on = channel) =>
    notify(
      JSON.stringify({ workspaceId: 'ws1', resolvedAt: new Date().toISOString(), ...result }),
      on,
    );

  /** The LISTEN connection's backend, found by the name the link gives it. */
  const listenerPids = async (app: INestApplication) => {
    const { rows } = await pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [app.get(PostgresNotifyLink).applicationName],
    );
    return rows.map((row) => row.pid);
  };

  const metric = (app: INestApplication, name: string, labels: Record<string, string>) =>
    registryMetric(app.get(ApprovalEventsMetrics).registry, name, labels);

  it('is down until LISTEN is acknowledged, then wakes a wait with what the store announces', async () => {
    const app = await replica({ connected: false });
    const manager = app.get(ApprovalEventManager);
    expect(manager.isConnected).toBe(false);
    await untilConnected(manager);

    source.add('ws1', 'a1');
    const wait = app.get(ApprovalQueueBridge).waitForApproval('ws1', 'a1', { timeoutMs: 10_000 });
    await eventually('the first read of a1', () => source.readsOf('a1') > 0);
    await delay(3 * POLL_INTERVAL_MS);
    expect(source.readsOf('a1')).toBe(1); // connected: no polling
    source.decide('ws1', 'a1', 'approved');
    const started = Date.now();
    await announce({ approvalId: 'a1', status: 'approved' });
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(source.readsOf('a1')).toBe(2);
    expect(await metric(app, 'approval_events_received_total', { source: 'store' })).toBe(1);
  });

  it('counts bad notifications as invalid_payload and keeps listening', async () => {
    const app = await replica();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    source.add('ws1', 'b1');
    const wait = app.get(ApprovalQueueBridge).waitForApproval('ws1', 'b1', { timeoutMs: 10_000 });
    await eventually('the first read of b1', () => source.readsOf('b1') > 0);

    await notify('b1 approved'); // not JSON
    await notify('[{"approvalId":"b1"}]'); // not an object
    await notify(JSON.stringify({ approvalId: 'b1', workspaceId: 'ws1' })); // no status
    await announce({ approvalId: 'b1', status: 'approved', workspaceId: 'ws 1' }); // bad id
    await eventually(
      'the four refusals',
      async () =>
        (await metric(app, 'approval_events_rejected_total', { reason: 'invalid_payload' })) === 4,
    );
    expect(app.get(ApprovalEventManager).isConnected).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ignored a notification'));

    source.decide('ws1', 'b1', 'rejected');
    await announce({ approvalId: 'b1', status: 'rejected' });
    await expect(wait).resolves.toMatchObject({ status: 'rejected' });
    expect(await metric(app, 'approval_events_received_total', { source: 'store' })).toBe(1);
  });

  it('hears only its own channel', async () => {
    const mine = await replica();
    const otherChannel = channel.replace('test_notify_', 'test_other_');
    const other = await replica({ channel: otherChannel });
    const heard = (app: INestApplication) => {
      const ids: string[] = [];
      app
        .get(ApprovalEventManager)
        .received$.subscribe(({ result }) => ids.push(result.approvalId));
      return ids;
    };
    const heardByMine = heard(mine);
    const heardByOther = heard(other);
    await announce({ approvalId: 'c1', status: 'approved' });
    await announce({ approvalId: 'c2', status: 'cancelled' }, otherChannel);
    await eventually('both notifications', () => heardByMine.length + heardByOther.length === 2);
    await delay(100);
    expect(heardByMine).toEqual(['c1']);
    expect(heardByOther).toEqual(['c2']);
  });

  it('polls while its connection is terminated, reconciles on LISTEN, then stops polling', async () => {
    const app = await replica();
    const manager = app.get(ApprovalEventManager);
    const bridge = app.get(ApprovalQueueBridge);
    const states: boolean[] = [];
    manager.connected$.subscribe((up) => states.push(up));
    source.add('ws1', 'd1');
    source.add('ws1', 'd2');
    const first = bridge.waitForApproval('ws1', 'd1', { timeoutMs: 10_000 });
    const second = bridge.waitForApproval('ws1', 'd2', { timeoutMs: 10_000 });
    await eventually('both first reads', () => source.readsOf('d1') + source.readsOf('d2') === 2);

    const [pid] = await listenerPids(app);
    expect(pid).toBeDefined();
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await untilDisconnected(manager);
    source.decide('ws1', 'd1', 'approved'); // announced to nobody: only a read can find it
    await expect(first).resolves.toMatchObject({ status: 'approved' });

    await untilConnected(manager);
    const [newPid] = await listenerPids(app);
    expect(newPid).not.toBe(pid);
    expect(states).toEqual([true, false, true]);
    await delay(POLL_INTERVAL_MS); // the reconcile read
    const readsAfterReconcile = source.readsOf('d2');
    await delay(5 * POLL_INTERVAL_MS);
    expect(source.readsOf('d2')).toBe(readsAfterReconcile);

    source.decide('ws1', 'd2', 'rejected');
    await announce({ approvalId: 'd2', status: 'rejected' });
    await expect(second).resolves.toMatchObject({ status: 'rejected' });
    expect(manager.pendingCount).toBe(0);
    expect(await metric(app, 'approval_wait_fallback_total', {})).toBe(2);
  });

  it('logs an outage once, however many reconnections fail, and its end once', async () => {
    const target = new URL(DATABASE_URL);
    const proxy = await startTcpProxy(Number(target.port || 5432));
    const viaProxy = new URL(DATABASE_URL);
    viaProxy.host = new URL(proxy.url).host;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const app = await replica({ url: viaProxy.href });
    const manager = app.get(ApprovalEventManager);
    const said = (spy: jest.SpyInstance, pattern: RegExp): number =>
      (spy.mock.calls as unknown[][]).filter(([text]) => pattern.test(String(text))).length;
    const outages = () => said(warn, /notifications unavailable/);
    const returns = () => said(log, /notifications are back/);

    await proxy.down();
    await untilDisconnected(manager);
    await delay(800); // refused at 100, 200 and 400 ms
    expect(outages()).toBe(1);
    expect(returns()).toBe(0);

    await proxy.up();
    await untilConnected(manager);
    expect(outages()).toBe(1);
    expect(returns()).toBe(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(viaProxy.href);
  });

  it('ends its connection on shutdown', async () => {
    const app = await replica();
    expect(await listenerPids(app)).toHaveLength(1);
    const name = app.get(PostgresNotifyLink).applicationName;
    await apps.pop()!.close();
    await eventually('the backend to go', async () => {
      const { rowCount } = await pool.query(
        'SELECT 1 FROM pg_stat_activity WHERE application_name = $1',
        [name],
      );
      return rowCount === 0;
    });
  });
});
