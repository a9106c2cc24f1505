import { ApprovalEventManager, type Approval } from '@app/approval-events';
import { PostgresNotifyLink } from '@app/approval-events/links/postgres-notify.link';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import request from 'supertest';
import { quoteSchemaName } from '../src/approvals/postgres/schema-name';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../src/approvals/postgres/testing/temporary-schema';
import {
  authAs,
  approvalsPath,
  countStoreReads,
  createApproval,
  decide,
  delay,
  eventually,
  hostMetric,
  type RunningHost,
  startHost,
  startKillableReplica,
  type TestEnvironment,
} from './support';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Far above every bound below: a wait answered within them was woken by an event. */
const SLOW_POLL_MS = '60000';
const WAKE_BOUND_MS = 500;

/**
 * Replicas sharing one PostgreSQL store hear every committed decision from the store itself
 * (the trigger's NOTIFY, the library's LISTEN), whoever wrote it and whatever became of the
 * writer. Each test has its own schema, hence its own channel.
 */
describe('replicas woken by the PostgreSQL store', () => {
  let pool: Pool;
  let schema: string;

  beforeAll(() => {
    pool = testPool(2);
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(() => {
    schema = temporarySchemaName();
  });

  const teardowns: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const teardown of teardowns.splice(0)) await teardown();
  });

  const storeEnv = (env: TestEnvironment = {}): TestEnvironment => ({
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    APPROVAL_POLL_INTERVAL_MS: SLOW_POLL_MS,
    ...env,
  });

  async function replicas(count: number, env: TestEnvironment = {}): Promise<RunningHost[]> {
    const hosts: RunningHost[] = [];
    // One at a time: the first runs the migrations, the others find them applied.
    for (let i = 0; i < count; i++) hosts.push(await startHost({ env: storeEnv(env) }));
    const own = schema;
    teardowns.push(async () => {
      for (const host of hosts) await host.close();
      await dropSchema(pool, own);
    });
    for (const host of hosts) {
      await eventually('the store link', () => host.app.get(ApprovalEventManager).isConnected);
    }
    return hosts;
  }

  /** Starts a long-poll and returns its answer with the time it came. */
  function longPoll(host: RunningHost, approval: Approval, timeoutMs = 10_000) {
    return request(host.url)
      .get(`${approvalsPath(approval.workspaceId, approval.id, 'wait')}?timeoutMs=${timeoutMs}`)
      .set(authAs('agent'))
      .then((response) => ({ body: response.body as Approval, at: Date.now() }));
  }

  const waiting = (host: RunningHost, count = 1) =>
    eventually('the waits', () => host.app.get(ApprovalEventManager).pendingCount === count);

  /** An operator's decision: plain SQL, no REST, no event, no publish. */
  async function decideBySql(approval: Approval, status = 'approved'): Promise<number> {
    await pool.query(
      `UPDATE ${quoteSchemaName(schema)}.approvals
       SET status = $3, resolved_by = 'operator', resolved_at = now()
       WHERE workspace_id = $1 AND id = $2 AND status = 'pending'`,
      [approval.workspaceId, approval.id, status],
    );
    return Date.now();
  }

  it.each<[string, TestEnvironment]>([
    ['without Redis', {}],
    ['with Redis', { REDIS_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}` }],
  ])(
    'wakes a long-poll on each of two replicas within milliseconds of a plain SQL decision (%s)',
    async (_, env) => {
      const [a, b] = await replicas(2, env);
      const approval = await createApproval(a.url, 'ws1');
      const answers = [longPoll(a, approval), longPoll(b, approval)];
      await waiting(a);
      await waiting(b);
      const decidedAt = await decideBySql(approval);
      for (const answer of await Promise.all(answers)) {
        expect(answer.body).toMatchObject({ status: 'approved', resolvedBy: 'operator' });
        expect(answer.at - decidedAt).toBeLessThan(WAKE_BOUND_MS);
      }
      for (const host of [a, b]) {
        expect(
          await hostMetric(host.url, 'approval_events_received_total', { source: 'store' }),
        ).toBe(1);
      }
    },
  );

  it('wakes a long-poll on replica B within milliseconds of a REST decision on A, without Redis', async () => {
    const [a, b] = await replicas(2);
    const approval = await createApproval(a.url, 'ws1');
    const answer = longPoll(b, approval);
    await waiting(b);
    const decidedAt = Date.now();
    await decide(a.url, 'ws1', approval.id, 'reject');
    expect((await answer).body.status).toBe('rejected');
    expect((await answer).at - decidedAt).toBeLessThan(WAKE_BOUND_MS);
  });

  it('wakes the other replica within milliseconds when the deciding one is SIGKILLed right after its commit', async () => {
    const [b] = await replicas(1);
    const a = await startKillableReplica(storeEnv());
    const approval = await createApproval(a.url, 'ws1');
    const answer = longPoll(b, approval);
    await waiting(b);

    const decidedAt = Date.now();
    const refused = await request(a.url)
      .post(approvalsPath('ws1', approval.id, 'approve'))
      .set(authAs('approver'))
      .send({ resolvedBy: 'alice' })
      .then(
        () => false,
        () => true, // A died before it could answer
      );
    expect(refused).toBe(true);
    await expect(a.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect((await answer).body).toMatchObject({ status: 'approved', resolvedBy: 'alice' });
    expect((await answer).at - decidedAt).toBeLessThan(WAKE_BOUND_MS);
  }, 90_000);

  it('polls while its LISTEN connection is terminated, loses no wait, and stops polling after the reconcile', async () => {
    const pollMs = 50;
    const [b] = await replicas(1, { APPROVAL_POLL_INTERVAL_MS: String(pollMs) });
    const manager = b.app.get(ApprovalEventManager);
    const states: boolean[] = [];
    manager.connected$.subscribe((up) => states.push(up));
    const approvals = await Promise.all([1, 2, 3].map(() => createApproval(b.url, 'ws1')));
    const answers = approvals.map((approval) => longPoll(b, approval));
    await waiting(b, 3);
    const readsOfLast = countStoreReads(b, approvals[2].id);

    await pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [b.app.get(PostgresNotifyLink).applicationName],
    );
    await eventually('B noticing its LISTEN is gone', () => !manager.isConnected);
    await decideBySql(approvals[0]); // nobody hears this one: only a read can find it
    expect((await answers[0]).body.status).toBe('approved');

    await eventually('B listening again', () => manager.isConnected);
    expect(states).toEqual([true, false, true]);
    expect(readsOfLast()).toBeGreaterThanOrEqual(2); // its first read, then polls
    await delay(pollMs); // the reconcile read
    const readsAfterReconcile = readsOfLast();
    await delay(5 * pollMs);
    expect(readsOfLast()).toBe(readsAfterReconcile);

    const decidedAt = await decideBySql(approvals[1], 'cancelled');
    await decide(b.url, 'ws1', approvals[2].id, 'approve');
    const [cancelled, approved] = await Promise.all(answers.slice(1));
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.at - decidedAt).toBeLessThan(WAKE_BOUND_MS);
    expect(approved.body.status).toBe('approved');
    expect(manager.pendingCount).toBe(0);
    expect(await hostMetric(b.url, 'approval_wait_fallback_total')).toBe(3);
  });
});
