import {
  ApprovalEventManager,
  ApprovalExpiredError,
  ApprovalQueueBridge,
  type Approval,
} from '@app/approval-events';
import { randomBytes } from 'node:crypto';
import { Client, type Notification, type Pool } from 'pg';
import request from 'supertest';
import {
  ApprovalsRepository,
  type LifecycleTransition,
} from '../src/approvals/approvals.repository';
import { decisionChannelFor } from '../src/approvals/postgres/decision-channel';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../src/approvals/postgres/testing/temporary-schema';
import {
  approvalsPath,
  authAs,
  createApproval,
  eventually,
  type RunningHost,
  startHost,
  type TestEnvironment,
} from './support';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SWEEP_MS = 200;
/** The sweep period, plus what a loaded 2-core machine adds to a wake. */
const WAKE_BOUND_MS = SWEEP_MS + 400;
const WAITS_PER_REPLICA = 5;

/**
 * Two replicas on one PostgreSQL schema: each runs the sweeper, exactly one ends a due
 * approval, and the store's NOTIFY wakes every waiter on both within the sweep period.
 */
describe('approval deadlines across two replicas (PostgreSQL)', () => {
  let pool: Pool;
  let schema: string;
  const teardowns: (() => Promise<void>)[] = [];

  beforeAll(() => {
    pool = testPool(2);
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(() => {
    schema = temporarySchemaName();
  });

  afterEach(async () => {
    for (const teardown of teardowns.splice(0)) await teardown();
  });

  async function replicas(env: TestEnvironment = {}): Promise<RunningHost[]> {
    const hosts: RunningHost[] = [];
    for (let i = 0; i < 2; i++) {
      hosts.push(
        await startHost({
          env: {
            DATABASE_URL: TEST_DATABASE_URL,
            DATABASE_SCHEMA: schema,
            APPROVAL_POLL_INTERVAL_MS: '60000',
            APPROVAL_EXPIRY_SWEEP_INTERVAL_MS: String(SWEEP_MS),
            ...env,
          },
        }),
      );
    }
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

  /** Every expiry either replica's store announced in-process. */
  function transitionsOf(hosts: RunningHost[]): LifecycleTransition[] {
    const seen: LifecycleTransition[] = [];
    for (const host of hosts) {
      host.app
        .get<ApprovalsRepository>(ApprovalsRepository)
        .lifecycle$.subscribe((t) => seen.push(t));
    }
    return seen;
  }

  async function listen(): Promise<Notification[]> {
    const heard: Notification[] = [];
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    client.on('notification', (message) => heard.push(message));
    await client.query(`LISTEN "${decisionChannelFor(schema)}"`);
    teardowns.unshift(() => client.end());
    return heard;
  }

  it.each<[string, TestEnvironment]>([
    ['without Redis', {}],
    ['with Redis', { REDIS_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}` }],
  ])(
    'ends a due approval once and wakes every waiter on both replicas with ApprovalExpiredError (%s)',
    async (_, env) => {
      const hosts = await replicas(env);
      const transitions = transitionsOf(hosts);
      const heard = await listen();
      const approval = await createApproval(hosts[0].url, 'ws1', {
        action: 'deploy',
        expiresInMs: 1_500,
      });
      const deadline = Date.parse(approval.expiresAt!);
      const waits = hosts.flatMap((host) =>
        Array.from({ length: WAITS_PER_REPLICA }, () =>
          host.app
            .get(ApprovalQueueBridge)
            .waitForApproval('ws1', approval.id, { timeoutMs: 30_000 })
            .then(
              () => ({ error: new Error('resolved'), at: Date.now() }),
              (error: unknown) => ({ error, at: Date.now() }),
            ),
        ),
      );
      const longPolls = hosts.map((host) =>
        request(host.url)
          .get(`${approvalsPath('ws1', approval.id, 'wait')}?timeoutMs=30000`)
          .set(authAs('agent'))
          .then((response) => ({ body: response.body as Approval, at: Date.now() })),
      );

      for (const { error, at } of await Promise.all(waits)) {
        expect(error).toBeInstanceOf(ApprovalExpiredError);
        expect(error).toMatchObject({ approvalId: approval.id, expiredAt: approval.expiresAt });
        expect(at - deadline).toBeLessThan(WAKE_BOUND_MS);
      }
      for (const { body, at } of await Promise.all(longPolls)) {
        expect(body).toMatchObject({ status: 'expired', resolvedBy: 'system:expiry' });
        expect(at - deadline).toBeLessThan(WAKE_BOUND_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_MS));
      expect(transitions.filter((t) => t.kind === 'expired')).toHaveLength(1);
      expect(heard.map((message) => JSON.parse(message.payload!).status)).toEqual(['expired']);
      for (const host of hosts) expect(host.app.get(ApprovalEventManager).pendingCount).toBe(0);
    },
  );

  it('makes one approval of 20 parallel creates with one Idempotency-Key over two replicas', async () => {
    const hosts = await replicas();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        request(hosts[index % 2].url)
          .post(approvalsPath('ws1'))
          .set(authAs('agent'))
          .set('Idempotency-Key', 'retry-me')
          .send({ action: 'deploy', payload: { n: 1 } }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([
      ...Array<number>(19).fill(200),
      201,
    ]);
    expect(new Set(responses.map((response) => (response.body as Approval).id)).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    const list = await request(hosts[1].url).get(approvalsPath('ws1')).set(authAs('agent'));
    expect(list.body).toHaveLength(1);
  });

  it('never passes MAX_OPEN_APPROVALS_PER_REQUESTER with creates spread over two replicas', async () => {
    const hosts = await replicas({ MAX_OPEN_APPROVALS_PER_REQUESTER: '5' });
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        request(hosts[index % 2].url)
          .post(approvalsPath('ws1'))
          .set(authAs('agent'))
          .send({ action: 'deploy' }),
      ),
    );
    expect(responses.filter((response) => response.status === 201)).toHaveLength(5);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('60');
    }
  });
});
