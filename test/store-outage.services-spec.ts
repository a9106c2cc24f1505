import { ApprovalEventManager, ApprovalQueueBridge, type Approval } from '@app/approval-events';
import type { Pool } from 'pg';
import request from 'supertest';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../src/approvals/postgres/testing/temporary-schema';
import {
  authAs,
  approvalsPath,
  createApproval,
  decide,
  eventually,
  handled,
  type RunningHost,
  startHost,
} from './support';
import { RecordingLogger } from './support/recording-logger';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const WS = 'ws-outage';
const PG_PORT = Number(new URL(TEST_DATABASE_URL).port || 5432);

/** Nest's usual body for the store being down. */
const UNAVAILABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'approvals store unavailable',
};

/**
 * The host on the PostgreSQL store, with a TCP relay between them that the test cuts and
 * restores: the shared database itself is never touched.
 */
describe('PostgreSQL store outage', () => {
  let pool: Pool;
  let schema: string;
  let proxy: TcpProxy;
  let host: RunningHost;
  let logger: RecordingLogger;

  beforeAll(() => {
    pool = testPool(1);
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(async () => {
    schema = temporarySchemaName();
    proxy = await startTcpProxy(PG_PORT);
    const url = new URL(TEST_DATABASE_URL);
    url.host = new URL(proxy.url).host;
    logger = new RecordingLogger();
    host = await startHost({
      logger,
      env: {
        DATABASE_URL: url.toString(),
        DATABASE_SCHEMA: schema,
        APPROVAL_POLL_INTERVAL_MS: '200',
        LOG_LEVEL: 'verbose',
      },
    });
  });

  afterEach(async () => {
    await host.close();
    await proxy.down();
    await dropSchema(pool, schema);
  });

  const longPoll = (approval: Approval) =>
    handled(
      request(host.url)
        .get(`${approvalsPath(WS, approval.id, 'wait')}?timeoutMs=20000`)
        .set(authAs('agent'))
        .then((response) => ({ status: response.status, body: response.body as Approval })),
    );

  it('answers 503 with Retry-After while cut, 200 once back, and waits resolve', async () => {
    const manager = host.app.get(ApprovalEventManager);
    const bridge = host.app.get(ApprovalQueueBridge);
    const before = await createApproval(host.url, WS);
    const during = await createApproval(host.url, WS);
    const waitFromBefore = longPoll(before);
    await eventually('the first wait', () => manager.pendingCount === 1);

    await proxy.down();
    const refused = [
      await request(host.url)
        .post(approvalsPath(WS))
        .set(authAs('agent'))
        .send({ action: 'send_email' }),
      await request(host.url)
        .post(approvalsPath(WS, before.id, 'approve'))
        .set(authAs('approver'))
        .send({ resolvedBy: 'alice' }),
      await request(host.url).get(approvalsPath(WS, before.id)).set(authAs('agent')),
      await request(host.url).get(approvalsPath(WS)).set(authAs('agent')),
    ];
    for (const response of refused) {
      expect({ status: response.status, body: response.body }).toEqual({
        status: 503,
        body: UNAVAILABLE,
      });
      expect(response.headers['retry-after']).toBe('5');
    }
    // Waits that start during the outage cannot read yet: they keep retrying.
    const longPollDuring = longPoll(during);
    const bridgeDuring = handled(bridge.waitForApproval(WS, during.id, { timeoutMs: 20_000 }));
    await eventually('both new waits', () => manager.pendingCount === 3);
    const health = await request(host.url).get('/health');
    expect(health.status).toBe(503);
    expect(health.body.error).toHaveProperty('database.status', 'down');

    await proxy.up();
    await decide(host.url, WS, before.id, 'approve');
    await decide(host.url, WS, during.id, 'reject');
    await expect(waitFromBefore).resolves.toMatchObject({
      status: 200,
      body: { id: before.id, status: 'approved' },
    });
    await expect(longPollDuring).resolves.toMatchObject({
      status: 200,
      body: { id: during.id, status: 'rejected' },
    });
    await expect(bridgeDuring).resolves.toMatchObject({ id: during.id, status: 'rejected' });
    // The database is up at once; the store's LISTEN link comes back on its own backoff.
    await eventually(
      'a healthy report',
      async () => (await request(host.url).get('/health')).status === 200,
      { timeoutMs: 10_000 },
    );

    // One line when it broke, with its cause, and one when it came back; no stacks.
    // (The bridge's own retry lines, one per attempt of each wait, are its business.)
    const store = logger.entries.filter((entry) => entry.params.at(-1) === 'ApprovalsDatabase');
    const outage = store.filter((entry) => /store unavailable/.test(entry.message));
    expect(outage).toHaveLength(1);
    expect(outage[0].level).toBe('error');
    expect(outage[0].message).toMatch(/ECONNREFUSED|ECONNRESET|Connection terminated/);
    const recovery = store.filter((entry) => /reachable again/.test(entry.message));
    expect(recovery).toHaveLength(1);
    expect(recovery[0].level).toBe('log');
    expect(logger.at('error', 'ExceptionsHandler')).toEqual([]);
    expect(logger.entries.filter((entry) => /\n\s+at /.test(entry.message))).toEqual([]);
  });
});
