import { ApprovalEventManager, type Approval } from '@app/approval-events';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import request from 'supertest';
import { ApprovalsRepository } from '../src/approvals/approvals.repository';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../src/approvals/postgres/testing/temporary-schema';
import {
  authAs,
  authToDecide,
  approvalsPath,
  connectSocket,
  createApproval,
  decide,
  eventually,
  readApproval,
  type RunningHost,
  SUBSCRIBER_TOKEN,
  startHost,
  type TestEnvironment,
} from './support';
import { startTcpProxy } from './support/tcp-proxy';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PORT = Number(new URL(REDIS_URL).port || 6379);

/**
 * Several replicas of the host, as deployed: each test gets its own PostgreSQL schema and
 * Redis prefix, so runs never see each other's data.
 */
const DECISIONS = ['approve', 'reject', 'cancel'] as const;

describe('replicas sharing PostgreSQL and Redis', () => {
  let pool: Pool;
  let shared: TestEnvironment;

  beforeAll(() => {
    pool = testPool(2);
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(() => {
    shared = {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: temporarySchemaName(),
      REDIS_URL,
      REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}`,
      APPROVAL_POLL_INTERVAL_MS: '200',
    };
  });

  /** Closes each test's replicas, then drops their schema. */
  const teardowns: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const teardown of teardowns.splice(0)) await teardown();
  });

  async function replicas(count: number, env: TestEnvironment = {}): Promise<RunningHost[]> {
    const hosts: RunningHost[] = [];
    // One at a time: the first runs the migrations, the others find them applied.
    for (let i = 0; i < count; i++) hosts.push(await startHost({ env: { ...shared, ...env } }));
    const schema = shared.DATABASE_SCHEMA!;
    teardowns.push(async () => {
      for (const host of hosts) await host.close();
      await dropSchema(pool, schema);
    });
    for (const host of hosts) {
      await eventually('the replica link', () => host.app.get(ApprovalEventManager).isConnected);
    }
    return hosts;
  }

  /** Starts a long-poll and returns its answer with the time it took. */
  function longPoll(host: RunningHost, approval: Approval, timeoutMs = 10_000) {
    return request(host.url)
      .get(`${approvalsPath(approval.workspaceId, approval.id, 'wait')}?timeoutMs=${timeoutMs}`)
      .set(authAs('agent'))
      .then((response) => ({
        status: response.status,
        body: response.body as Approval,
        at: Date.now(),
      }));
  }

  it('wakes a long-poll on replica B within milliseconds of a decision on replica A', async () => {
    // Polling every 5 s: only the event can answer within the bound below.
    const [a, b] = await replicas(2, { APPROVAL_POLL_INTERVAL_MS: '5000' });
    const approval = await createApproval(a.url, 'ws1');
    const waiting = longPoll(b, approval);
    await eventually('the wait on B', () => b.app.get(ApprovalEventManager).pendingCount === 1);
    const decidedAt = Date.now();
    await decide(a.url, 'ws1', approval.id, 'approve');
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('approved');
    expect(answer.at - decidedAt).toBeLessThan(1_000);
  });

  it('sends a decision made on A to a subscriber connected to B, once', async () => {
    const [a, b] = await replicas(2);
    const subscriber = await connectSocket(b.url, SUBSCRIBER_TOKEN);
    await subscriber.emitWithAck('subscribe', { workspaceId: 'ws1' });
    const received: string[] = [];
    subscriber.on('approval:resolved', (result) =>
      received.push(`${result.approvalId}:${result.status}`),
    );
    const approval = await createApproval(a.url, 'ws1');
    await decide(a.url, 'ws1', approval.id, 'reject');
    await eventually('the broadcast on B', () => received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([`${approval.id}:rejected`]);
  });

  it('lets exactly one of racing decisions split across replicas win, 50 rounds', async () => {
    const [a, b] = await replicas(2);
    for (let round = 0; round < 50; round++) {
      const approval = await createApproval(round % 2 ? a.url : b.url, 'ws1');
      const answers = await Promise.all(
        [a, b, a, b, a, b].map((host, i) =>
          request(host.url)
            .post(approvalsPath('ws1', approval.id, DECISIONS[i % 3]))
            .set(authToDecide(DECISIONS[i % 3]))
            .send(i % 3 === 2 ? {} : { notes: `racer ${i}` }),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
      const winner = answers.find((answer) => answer.status === 200)!.body as Approval;
      for (const loser of answers.filter((answer) => answer.status === 409)) {
        expect((loser.body as Approval).status).toBe(winner.status);
      }
    }
  });

  it('keeps waits event-driven while Redis is cut: the store announces every decision', async () => {
    // Polling every 5 s: only an event can answer within the bound below.
    const [a] = await replicas(1, { APPROVAL_POLL_INTERVAL_MS: '5000' });
    const proxy = await startTcpProxy(REDIS_PORT);
    const [b] = await replicas(1, {
      APPROVAL_POLL_INTERVAL_MS: '5000',
      REDIS_URL: proxy.url.replace('http:', 'redis:'),
    });
    const managerB = b.app.get(ApprovalEventManager);
    const approvals = await Promise.all([1, 2, 3, 4].map(() => createApproval(a.url, 'ws1')));
    const waits = approvals.map((approval) => longPoll(b, approval));
    await eventually('the waits on B', () => managerB.pendingCount === 4);
    const repository = b.app.get<ApprovalsRepository>(ApprovalsRepository);
    const findOne = jest.spyOn(repository, 'findOne');

    await proxy.down();
    await eventually('B noticing Redis is gone', () => managerB.links.replica === false);
    expect(managerB.isConnected).toBe(true);
    const health = await request(b.url).get('/health').expect(200);
    expect(health.body.info.event_bus).toMatchObject({
      mode: 'events',
      links: { replica: 'down', store: 'up' },
    });
    const decidedAt = Date.now();
    await decide(a.url, 'ws1', approvals[0].id, 'approve');
    await decide(a.url, 'ws1', approvals[1].id, 'reject');
    const duringOutage = await Promise.all(waits.slice(0, 2));
    expect(duringOutage.map((answer) => answer.body.status)).toEqual(['approved', 'rejected']);
    expect(Math.max(...duringOutage.map((answer) => answer.at)) - decidedAt).toBeLessThan(1_000);
    // One read per decision, after its announcement; none for the waits still pending.
    expect(findOne).toHaveBeenCalledTimes(2);

    await proxy.up();
    await eventually('B hearing Redis again', () => managerB.links.replica === true);
    await decide(a.url, 'ws1', approvals[2].id, 'cancel');
    await decide(a.url, 'ws1', approvals[3].id, 'approve');
    const afterwards = await Promise.all(waits.slice(2));
    expect(afterwards.map((answer) => answer.body.status)).toEqual(['cancelled', 'approved']);
    expect(findOne).toHaveBeenCalledTimes(4);
    expect(managerB.pendingCount).toBe(0);
  });

  it('loses no decision when the deciding replica dies between commit and publish', async () => {
    const [a, b] = await replicas(2);
    const approval = await createApproval(a.url, 'ws1');
    const waiting = longPoll(b, approval, 1_500);
    await eventually('the wait on B', () => b.app.get(ApprovalEventManager).pendingCount === 1);
    // A commits the decision and dies before anything is published.
    const committedAt = Date.now();
    const committed = await a.app
      .get<ApprovalsRepository>(ApprovalsRepository)
      .decide('ws1', approval.id, {
        status: 'approved',
        resolvedBy: 'alice',
        resolvedAt: new Date().toISOString(),
      });
    expect(committed.outcome).toBe('decided');
    await a.close();
    const answer = await waiting;
    expect(answer.body.status).toBe('approved');
    // Nothing was published: the store's own announcement woke B, long before its timeout.
    expect(answer.at - committedAt).toBeLessThan(500);
    await expect(readApproval(b.url, 'ws1', approval.id)).resolves.toMatchObject({
      status: 'approved',
    });
  });
});
