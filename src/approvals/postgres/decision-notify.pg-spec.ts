import { randomUUID } from 'node:crypto';
import { Client, type Notification, type Pool } from 'pg';
import { decisionChannelFor } from './decision-channel';
import { runMigrations } from './migration-runner';
import { PostgresApprovalsRepository } from './postgres-approvals.repository';
import { quoteSchemaName } from './schema-name';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from './testing/temporary-schema';

/** Long enough for a notification that was sent to arrive on the loopback. */
const QUIET_MS = 150;

/**
 * Migration 2: the approvals table announces every committed pending→decided transition on
 * its schema's channel, whoever writes it, and nothing else.
 */
describe('the decision trigger (migration 2)', () => {
  const schema = temporarySchemaName();
  const otherSchema = temporarySchemaName();
  const table = `${quoteSchemaName(schema)}.approvals`;
  let pool: Pool;
  let listener: Client;
  const heard: Notification[] = [];

  beforeAll(async () => {
    pool = testPool(3);
    await runMigrations(pool, { schema });
    await runMigrations(pool, { schema: otherSchema });
    listener = new Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    listener.on('notification', (message) => heard.push(message));
    await listener.query(`LISTEN "${decisionChannelFor(schema)}"`);
  });

  afterEach(() => {
    heard.length = 0;
  });

  afterAll(async () => {
    await listener.end();
    await dropSchema(pool, schema);
    await dropSchema(pool, otherSchema);
    await pool.end();
  });

  const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

  async function heardOne(): Promise<Record<string, unknown>> {
    for (let waited = 0; heard.length === 0 && waited < 2_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(heard).toHaveLength(1);
    expect(heard[0].channel).toBe(decisionChannelFor(schema));
    return JSON.parse(heard[0].payload!) as Record<string, unknown>;
  }

  async function pending(repository = new PostgresApprovalsRepository(pool, schema), id?: string) {
    return repository.create({
      id: id ?? randomUUID(),
      workspaceId: 'ws1',
      action: 'send_email',
      requester: 'agent-7',
      createdAt: new Date().toISOString(),
    });
  }

  it('announces a decision in the shape of the in-process event, so the two are one', async () => {
    const repository = new PostgresApprovalsRepository(pool, schema);
    const approval = await pending(repository);
    const outcome = await repository.decide('ws1', approval.id, {
      status: 'rejected',
      resolvedBy: 'alice',
      resolution: { reason: 'not now' },
      resolvedAt: '2026-12-01T20:01:18.123Z',
    });
    expect(outcome.outcome).toBe('decided');
    expect(await heardOne()).toEqual({
      approvalId: approval.id,
      workspaceId: 'ws1',
      status: 'rejected',
      resolvedBy: 'alice',
      resolvedAt: '2026-12-01T20:01:18.123Z',
    });
  });

  it('announces a decision written by plain SQL, with the time as toISOString() gives it', async () => {
    const approval = await pending();
    await pool.query(
      `UPDATE ${table} SET status = 'approved', resolved_at = $2 WHERE workspace_id = 'ws1' AND id = $1`,
      [approval.id, '2026-12-01 20:01:18.123999+00'],
    );
    expect(await heardOne()).toEqual({
      approvalId: approval.id,
      workspaceId: 'ws1',
      status: 'approved',
      resolvedBy: null,
      resolvedAt: '2026-12-01T20:01:18.123Z',
    });
  });

  it('announces nothing for a decision that is rolled back, nor before its commit', async () => {
    const approval = await pending();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE ${table} SET status = 'cancelled', resolved_at = now() WHERE workspace_id = 'ws1' AND id = $1`,
        [approval.id],
      );
      await quiet();
      expect(heard).toEqual([]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await quiet();
    expect(heard).toEqual([]);
  });

  it('announces only the transition out of pending, once', async () => {
    const approval = await pending();
    await pool.query(
      `UPDATE ${table} SET action = 'renamed' WHERE workspace_id = 'ws1' AND id = $1`,
      [approval.id],
    );
    await pool.query(
      `UPDATE ${table} SET status = 'approved', resolved_at = now() WHERE workspace_id = 'ws1' AND id = $1`,
      [approval.id],
    );
    await heardOne();
    heard.length = 0;
    await pool.query(
      `UPDATE ${table} SET status = 'rejected', resolved_by = 'bob' WHERE workspace_id = 'ws1' AND id = $1`,
      [approval.id],
    );
    await quiet();
    expect(heard).toEqual([]);
  });

  it('keeps another schema on its own channel', async () => {
    const other = new PostgresApprovalsRepository(pool, otherSchema);
    const approval = await pending(other);
    await other.decide('ws1', approval.id, {
      status: 'approved',
      resolvedAt: new Date().toISOString(),
    });
    await quiet();
    expect(heard).toEqual([]);
  });

  it('never fails a decision over its announcement: over-long fields are left out', async () => {
    const repository = new PostgresApprovalsRepository(pool, schema);
    const longId = await pending(repository, 'x'.repeat(5_000));
    // 5 000 characters of id would be fine for pg_notify; 9 000 of resolved_by would not.
    await expect(
      repository.decide('ws1', longId.id, {
        status: 'approved',
        resolvedBy: 'y'.repeat(9_000),
        resolvedAt: new Date().toISOString(),
      }),
    ).resolves.toMatchObject({ outcome: 'decided' });
    await quiet();
    expect(heard).toEqual([]); // no waiter can use an id over 128 characters

    const approval = await pending(repository);
    await repository.decide('ws1', approval.id, {
      status: 'approved',
      resolvedBy: 'y'.repeat(9_000),
      resolvedAt: new Date().toISOString(),
    });
    const payload = await heardOne();
    expect(payload).toMatchObject({ approvalId: approval.id, resolvedBy: null });
    expect(heard[0].payload!.length).toBeLessThan(1_000);
  });
});
