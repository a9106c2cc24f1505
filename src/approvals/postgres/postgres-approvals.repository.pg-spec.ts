// Jest's globals are imported: tsconfig.build.json compiles this file (it excludes only
// `*.spec.ts`), and the build has no jest types.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type Approval } from '@app/approval-events';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { MAX_LIST_LIMIT } from '../approvals.constants';
import { describeApprovalsRepositoryContract } from '../approvals.repository.contract-spec';
import type { ApprovalDecision, NewApproval } from '../approvals.repository';
import { runMigrations } from './migration-runner';
import { quoteSchemaName } from './schema-name';
import { PostgresApprovalsRepository } from './postgres-approvals.repository';
import { dropSchema, temporarySchemaName, testPool } from './testing/temporary-schema';

const RACE_ROUNDS = 50;
const DECISIONS_PER_ROUND = 10;

// The whole file works in one schema of its own, dropped afterwards; every test also uses
// fresh random workspaces, so tests within it never see each other's rows either.
const schema = temporarySchemaName();
let pool: Pool;

beforeAll(async () => {
  pool = testPool();
  await runMigrations(pool, { schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describeApprovalsRepositoryContract(
  'PostgresApprovalsRepository',
  () => new PostgresApprovalsRepository(pool, schema),
  (repository) => (repository as PostgresApprovalsRepository).sweep(),
);

const newApproval = (workspaceId: string, overrides: Partial<NewApproval> = {}): NewApproval => ({
  id: randomUUID(),
  workspaceId,
  action: 'send_email',
  requester: 'agent-7',
  createdAt: new Date().toISOString(),
  ...overrides,
});

const decision = (overrides: Partial<ApprovalDecision> = {}): ApprovalDecision => ({
  status: 'approved',
  resolvedBy: 'alice',
  resolvedAt: new Date().toISOString(),
  ...overrides,
});

describe('PostgresApprovalsRepository across replicas (two pools, one schema)', () => {
  let otherPool: Pool;

  beforeAll(() => {
    otherPool = testPool();
  });

  afterAll(async () => {
    await otherPool.end();
  });

  it(`lets exactly one of ${DECISIONS_PER_ROUND} racing decisions win, ${RACE_ROUNDS} rounds in a row`, async () => {
    const replicas = [
      new PostgresApprovalsRepository(pool, schema),
      new PostgresApprovalsRepository(otherPool, schema),
    ];
    const workspaceId = `ws-${randomUUID()}`;

    for (let round = 0; round < RACE_ROUNDS; round++) {
      const { id } = await replicas[round % 2].create(newApproval(workspaceId));
      const outcomes = await Promise.all(
        Array.from({ length: DECISIONS_PER_ROUND }, (_, index) =>
          replicas[index % 2].decide(
            workspaceId,
            id,
            decision({
              status: index % 3 === 0 ? 'rejected' : 'approved',
              resolvedBy: `reviewer-${index}`,
            }),
          ),
        ),
      );

      const winners = outcomes.flatMap((outcome) =>
        outcome.outcome === 'decided' ? [outcome.approval] : [],
      );
      const conflicts = outcomes.flatMap((outcome) =>
        outcome.outcome === 'conflict' ? [outcome.approval] : [],
      );
      expect({ round, decided: winners.length, conflicts: conflicts.length }).toEqual({
        round,
        decided: 1,
        conflicts: DECISIONS_PER_ROUND - 1,
      });
      for (const conflict of conflicts) expect(conflict).toEqual(winners[0]);
      for (const replica of replicas) {
        await expect(replica.findOne(workspaceId, id)).resolves.toEqual(winners[0]);
      }
    }
  });

  it('makes one approval of 20 parallel creates with one key spread over two replicas', async () => {
    const replicas = [
      new PostgresApprovalsRepository(pool, schema),
      new PostgresApprovalsRepository(otherPool, schema),
    ];
    const workspaceId = `ws-${randomUUID()}`;
    const idempotency = { key: 'retry-1', fingerprint: 'f', ttlMs: 60_000 };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        replicas[index % 2].create(newApproval(workspaceId), {
          idempotency,
          maxOpenPerRequester: 100,
        }),
      ),
    );
    expect(new Set(results.map((approval) => approval.id)).size).toBe(1);
    await expect(replicas[0].list(workspaceId, { limit: 100 })).resolves.toHaveLength(1);
  });

  it('never passes the open-approvals cap with creates spread over two replicas', async () => {
    const replicas = [
      new PostgresApprovalsRepository(pool, schema),
      new PostgresApprovalsRepository(otherPool, schema),
    ];
    const workspaceId = `ws-${randomUUID()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) =>
        replicas[index % 2].create(newApproval(workspaceId), { maxOpenPerRequester: 7 }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(7);
    await expect(
      replicas[1].list(workspaceId, { status: 'pending', limit: 100 }),
    ).resolves.toHaveLength(7);
  });

  it('ends each due approval once when two replicas sweep at the same time', async () => {
    const replicas = [
      new PostgresApprovalsRepository(pool, schema),
      new PostgresApprovalsRepository(otherPool, schema),
    ];
    const ended: string[] = [];
    const subscriptions = replicas.map((replica) =>
      replica.lifecycle$.subscribe(({ kind, approval }) => {
        if (kind === 'expired') ended.push(approval.id);
      }),
    );
    const workspaceId = `ws-${randomUUID()}`;
    const expiresAt = new Date(Date.now() - 1_000).toISOString();
    const ids = new Set<string>();
    for (let index = 0; index < 120; index++) {
      const created = await replicas[0].create(
        newApproval(workspaceId, { expiresAt, onExpiry: 'expire' }),
      );
      ids.add(created.id);
    }
    // Batches of 10, so each sweep takes several statements and the two interleave.
    const reports = await Promise.all(replicas.map((replica) => replica.sweep(10)));
    subscriptions.forEach((subscription) => subscription.unsubscribe());

    const mine = ended.filter((id) => ids.has(id));
    expect(mine).toHaveLength(120);
    expect(new Set(mine).size).toBe(120);
    expect(reports[0].expired + reports[1].expired).toBeGreaterThanOrEqual(120);
    await expect(
      replicas[1].list(workspaceId, { status: 'expired', limit: 100 }),
    ).resolves.toHaveLength(100);
  });

  it('shows each replica what the other wrote, as soon as it is committed', async () => {
    const [first, second] = [
      new PostgresApprovalsRepository(pool, schema),
      new PostgresApprovalsRepository(otherPool, schema),
    ];
    const workspaceId = `ws-${randomUUID()}`;
    const created = await first.create(newApproval(workspaceId, { payload: { n: 1 } }));
    await expect(second.findOne(workspaceId, created.id)).resolves.toEqual(created);
    const outcome = await second.decide(workspaceId, created.id, decision());
    expect(outcome.outcome).toBe('decided');
    await expect(first.list(workspaceId, { status: 'approved', limit: 10 })).resolves.toEqual([
      (outcome as { approval: Approval }).approval,
    ]);
  });
});

describe('PostgresApprovalsRepository specifics', () => {
  let repository: PostgresApprovalsRepository;
  let workspaceId: string;

  beforeAll(() => {
    repository = new PostgresApprovalsRepository(pool, schema);
  });

  beforeEach(() => {
    workspaceId = `ws-${randomUUID()}`;
  });

  it('refuses a schema name that is not a plain identifier', () => {
    for (const bad of ['Public', 'a-b', 'x"; DROP TABLE approvals; --', '', 'pg_catalog']) {
      expect(() => new PostgresApprovalsRepository(pool, bad)).toThrow(RangeError);
    }
  });

  it(`never lists more than ${MAX_LIST_LIMIT} approvals, whatever the limit`, async () => {
    for (let index = 0; index <= MAX_LIST_LIMIT; index++) {
      await repository.create(newApproval(workspaceId));
    }
    await expect(repository.list(workspaceId, { limit: 1_000 })).resolves.toHaveLength(
      MAX_LIST_LIMIT,
    );
    await expect(repository.list(workspaceId, { limit: 0 })).resolves.toEqual([]);
    await expect(repository.list(workspaceId, { limit: -1 })).resolves.toEqual([]);
  });

  it('lists approvals created in the same millisecond newest-inserted first', async () => {
    const createdAt = '2026-11-24T10:00:00.000Z';
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await repository.create(newApproval(workspaceId, { createdAt }))).id);
    }
    const listed = await repository.list(workspaceId, { limit: 10 });
    expect(listed.map((approval) => approval.id)).toEqual([...ids].reverse());
  });

  it('refuses pending as a decision and leaves the approval pending', async () => {
    const { id } = await repository.create(newApproval(workspaceId));
    await expect(
      repository.decide(workspaceId, id, decision({ status: 'pending' as never })),
    ).rejects.toThrow(TypeError);
    await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
      status: 'pending',
    });
  });

  it('keeps times as timestamptz and documents as jsonb', async () => {
    const { rows } = await pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'approvals'
         AND column_name IN ('created_at', 'resolved_at', 'payload', 'resolution')
       ORDER BY column_name`,
      [schema],
    );
    expect(rows).toEqual([
      { column_name: 'created_at', data_type: 'timestamp with time zone' },
      { column_name: 'payload', data_type: 'jsonb' },
      { column_name: 'resolution', data_type: 'jsonb' },
      { column_name: 'resolved_at', data_type: 'timestamp with time zone' },
    ]);
  });

  it('never ends a decided approval, even one whose deadline an operator moved into the past', async () => {
    const { id } = await repository.create(
      newApproval(workspaceId, {
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        onExpiry: 'expire',
      }),
    );
    await repository.decide(workspaceId, id, decision());
    await pool.query(
      `UPDATE ${quoteSchemaName(schema)}.approvals SET expires_at = now() - interval '1 hour'
       WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    await repository.sweep();
    await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
      status: 'approved',
    });
  });

  it('refuses a deadline without its policy, and an unknown status, in the table itself', async () => {
    const table = `${quoteSchemaName(schema)}.approvals`;
    await expect(
      pool.query(
        `INSERT INTO ${table} (workspace_id, id, action, created_at, expires_at)
         VALUES ($1, 'x', 'a', now(), now())`,
        [workspaceId],
      ),
    ).rejects.toThrow(/approvals_deadline_check/);
    await expect(
      pool.query(
        `INSERT INTO ${table} (workspace_id, id, action, created_at, status, resolved_at)
         VALUES ($1, 'y', 'a', now(), 'timed_out', now())`,
        [workspaceId],
      ),
    ).rejects.toThrow(/approvals_status_check/);
  });

  it('sweeps due approvals by the partial index, not the whole table', async () => {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT workspace_id, id FROM ${quoteSchemaName(schema)}.approvals
       WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= now()
       ORDER BY expires_at LIMIT 500`,
    );
    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('approvals_due_idx');
  });

  it('normalises a creation time with an offset to UTC', async () => {
    const created = await repository.create(
      newApproval(workspaceId, { createdAt: '2026-11-24T12:00:00.000+02:00' }),
    );
    expect(created.createdAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('rejects the NUL character, which PostgreSQL cannot store, and stores nothing', async () => {
    const input = newApproval(workspaceId, { action: 'send\u0000email' });
    await expect(repository.create(input)).rejects.toThrow();
    await expect(repository.findOne(workspaceId, input.id)).resolves.toBeUndefined();
  });
});
