import { type Approval, type ApprovalStatus } from '@app/approval-events';
import { Logger } from '@nestjs/common';
import type { Pool, QueryResult, QueryResultRow } from 'pg';
import { MAX_LIST_LIMIT } from '../approvals.constants';
import {
  assertTerminalDecision,
  type ApprovalDecision,
  type ApprovalsRepository,
  type DecideOutcome,
  type ListApprovalsOptions,
  type NewApproval,
} from '../approvals.repository';
import { DuplicateApprovalError } from '../errors/duplicate-approval.error';
import type { AfterDecisionCommitHook } from './after-decision-commit.hook';
import { isConnectionFailure } from './connection-failure';
import { quoteSchemaName } from './schema-name';
import { StoreOutageLog } from './store-outage.log';

/** One `approvals` row as `pg` returns it (jsonb parsed, timestamptz as `Date`). */
interface ApprovalRow {
  id: string;
  workspace_id: string;
  action: string;
  payload: Record<string, unknown> | null;
  requested_by: string | null;
  requested_for: string | null;
  status: ApprovalStatus;
  created_at: Date | string;
  resolution: Record<string, unknown> | null;
  resolved_by: string | null;
  resolved_at: Date | string | null;
}

const COLUMNS =
  'id, workspace_id, action, payload, requested_by, requested_for, status, created_at, resolution, resolved_by, resolved_at';

/**
 * The durable approvals store: one `approvals` table in PostgreSQL, shared by every replica.
 * The schema comes from `runMigrations`, which must have run on `schema` first.
 *
 * Every query names the workspace in its `WHERE`, so one tenant's id never reaches another's
 * row, and every query qualifies the table with the validated schema (rather than relying on
 * `search_path`), so it means the same through any pooler, including PgBouncer in transaction
 * mode, which does not keep per-connection settings.
 *
 * A decision is one conditional `UPDATE … WHERE status = 'pending'`: PostgreSQL's row lock
 * serialises racing decisions from any number of processes, and each loser re-checks the
 * condition against the winner's committed row, so exactly one wins.
 *
 * Deviations from the in-memory store, on purpose:
 * - no bounds and no eviction: the database is durable history, sized by its operator
 *   (`ApprovalsStoreFullError` is never thrown);
 * - `list` never returns more than `MAX_LIST_LIMIT` rows, whatever `limit` asks (the API
 *   caps it there too), so one call cannot read a whole workspace;
 * - PostgreSQL refuses the NUL character in `text` and `jsonb`, so a string holding `\u0000`
 *   is an error here where memory would keep it;
 * - a database that cannot be reached (refused, dropped, timed out, no free connection) is
 *   an `ApprovalsStoreUnavailableError`, never the driver's own error, and each outage is
 *   logged once when it starts and once when it ends ({@link StoreOutageLog}).
 *
 * @example
 * await runMigrations(pool, { schema: 'public' });
 * const repository = new PostgresApprovalsRepository(pool, 'public');
 */
export class PostgresApprovalsRepository implements ApprovalsRepository {
  private readonly sql: ReturnType<typeof statementsFor>;

  /**
   * @param pool Shared, owned by the caller: this class never ends it.
   * @param schema Where the migrated `approvals` table lives; validated here.
   * @param afterCommit TEST ONLY fault injection (see `AFTER_DECISION_COMMIT_HOOK`): called
   *   right after a decision commits. Production passes nothing.
   * @param outages Shared with the pool's error listener when the module builds both.
   */
  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    private readonly afterCommit?: AfterDecisionCommitHook,
    private readonly outages = new StoreOutageLog(new Logger('ApprovalsDatabase')),
  ) {
    this.sql = statementsFor(`${quoteSchemaName(schema)}.approvals`);
  }

  /** Inserts a pending approval; a second insert of the same id is refused, not overwritten. */
  async create(input: NewApproval): Promise<Approval> {
    const { rows } = await this.query<ApprovalRow>(this.sql.insert, [
      input.workspaceId,
      input.id,
      input.action,
      input.payload === undefined ? null : JSON.stringify(input.payload),
      input.requestedBy ?? null,
      input.createdAt,
      input.requestedFor ?? null,
    ]);
    if (rows.length === 0) throw new DuplicateApprovalError(input.workspaceId, input.id);
    return toApproval(rows[0]);
  }

  /** The approval, or `undefined` if this workspace does not hold it. */
  async findOne(workspaceId: string, approvalId: string): Promise<Approval | undefined> {
    const { rows } = await this.query<ApprovalRow>(this.sql.findOne, [workspaceId, approvalId]);
    return rows.length === 0 ? undefined : toApproval(rows[0]);
  }

  /** The workspace's newest approvals, one index range scan. */
  async list(workspaceId: string, options: ListApprovalsOptions): Promise<Approval[]> {
    const limit = Math.min(Math.floor(options.limit), MAX_LIST_LIMIT);
    if (!(limit > 0)) return [];
    const { rows } =
      options.status === undefined
        ? await this.query<ApprovalRow>(this.sql.list, [workspaceId, limit])
        : await this.query<ApprovalRow>(this.sql.listByStatus, [
            workspaceId,
            limit,
            options.status,
          ]);
    return rows.map(toApproval);
  }

  /**
   * The conditional `UPDATE` decides; only when it matched nothing does a `SELECT` tell a
   * conflict from an absent approval. The `SELECT` is a separate statement on purpose: under
   * READ COMMITTED it takes a fresh snapshot and so sees the winner's committed row, which a
   * CTE in the same statement (same snapshot) would still see as pending.
   */
  async decide(
    workspaceId: string,
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<DecideOutcome> {
    assertTerminalDecision(decision);
    const parameters = [
      workspaceId,
      approvalId,
      decision.status,
      decision.resolvedBy ?? null,
      decision.resolution === undefined ? null : JSON.stringify(decision.resolution),
      decision.resolvedAt,
    ];
    // Two attempts: the only way the UPDATE misses and the SELECT then finds a pending row
    // is an insert of that id in between; the retry decides it like any other. Rows are
    // never deleted and never return to pending, so a second miss is a real conflict.
    for (let attempt = 0; ; attempt++) {
      const updated = await this.query<ApprovalRow>(this.sql.decide, parameters);
      if (updated.rows.length > 0) {
        const approval = toApproval(updated.rows[0]);
        this.afterCommit?.(approval);
        return { outcome: 'decided', approval };
      }
      const current = await this.findOne(workspaceId, approvalId);
      if (!current) return { outcome: 'not_found' };
      if (current.status !== 'pending' || attempt > 0) {
        return { outcome: 'conflict', approval: current };
      }
    }
  }

  /** Every statement goes through here, so no driver error about reachability escapes. */
  private async query<Row extends QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<QueryResult<Row>> {
    try {
      const result = await this.pool.query<Row>(text, values);
      this.outages.succeeded();
      return result;
    } catch (error) {
      if (isConnectionFailure(error)) throw this.outages.failed(error);
      // The database answered, so it is reachable, even if this statement was refused.
      if (typeof (error as { code?: unknown }).code === 'string') this.outages.succeeded();
      throw error;
    }
  }
}

/** Every statement, built once per repository with the qualified table name. */
function statementsFor(table: string) {
  const newestFirst = 'ORDER BY created_at DESC, seq DESC';
  return {
    insert: `
      INSERT INTO ${table} (workspace_id, id, action, payload, requested_by, created_at, requested_for)
      VALUES ($1, $2, $3, $4::jsonb, $5, $6::timestamptz, $7)
      ON CONFLICT (workspace_id, id) DO NOTHING
      RETURNING ${COLUMNS}`,
    findOne: `SELECT ${COLUMNS} FROM ${table} WHERE workspace_id = $1 AND id = $2`,
    list: `SELECT ${COLUMNS} FROM ${table} WHERE workspace_id = $1 ${newestFirst} LIMIT $2`,
    listByStatus: `
      SELECT ${COLUMNS} FROM ${table}
      WHERE workspace_id = $1 AND status = $3 ${newestFirst} LIMIT $2`,
    decide: `
      UPDATE ${table}
      SET status = $3, resolved_by = $4, resolution = $5::jsonb, resolved_at = $6::timestamptz
      WHERE workspace_id = $1 AND id = $2 AND status = 'pending'
      RETURNING ${COLUMNS}`,
  };
}

/** The row as the API's approval: absent optional fields left out, times as ISO-8601. */
function toApproval(row: ApprovalRow): Approval {
  const approval: Approval = {
    id: row.id,
    workspaceId: row.workspace_id,
    action: row.action,
    status: row.status,
    createdAt: isoString(row.created_at),
  };
  if (row.payload !== null) approval.payload = row.payload;
  if (row.requested_by !== null) approval.requestedBy = row.requested_by;
  if (row.requested_for !== null) approval.requestedFor = row.requested_for;
  if (row.resolution !== null) approval.resolution = row.resolution;
  if (row.resolved_by !== null) approval.resolvedBy = row.resolved_by;
  if (row.resolved_at !== null) approval.resolvedAt = isoString(row.resolved_at);
  return approval;
}

/** Accepts a string too, in case the pool was given custom type parsers. */
function isoString(value: Date | string): string {
  return new Date(value).toISOString();
}
