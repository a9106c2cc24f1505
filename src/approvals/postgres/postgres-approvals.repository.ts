import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { Subject } from 'rxjs';
import { MAX_LIST_LIMIT } from '../approvals.constants';
import {
  assertTerminalDecision,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalsRepository,
  type CreateOptions,
  type DecideOutcome,
  type LifecycleTransition,
  type ListApprovalsOptions,
  type NewApproval,
} from '../approvals.repository';
import { DuplicateApprovalError } from '../errors/duplicate-approval.error';
import type { AfterDecisionCommitHook } from './after-decision-commit.hook';
import { type ApprovalRow, toApproval } from './approval-row';
import {
  type ApprovalStatements,
  OPEN_APPROVALS_LOCK_NAMESPACE,
  statementsFor,
} from './approval-statements';
import { checkOpenApprovals, claimIdempotencyKey } from './create-guards';
import { StoreOutageLog } from './store-outage.log';
import { StorePool } from './store-pool';

/** Rows one sweep statement takes at most: bounds each statement's locks and its time. */
export const SWEEP_BATCH_SIZE = 500;

/** What one {@link PostgresApprovalsRepository.sweep} did. */
export interface SweepReport {
  expired: number;
  reminded: number;
  keysPurged: number;
}

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
 * condition against the winner's committed row, so exactly one wins. Expiry is the same
 * kind of update ({@link expire}, the one place an approval is ended at its deadline), so
 * a decision racing it is one of those racers.
 *
 * A create is one transaction: the idempotency key first (racing creates with one key queue
 * on its unique index, and all but the first find it), then a transaction-scoped advisory
 * lock on (workspace, requester) so the cap's count and the insert are one step for every
 * replica, then the insert.
 *
 * Deviations from the in-memory store, on purpose:
 * - no bounds and no eviction: the database is durable history, sized by its operator
 *   (`ApprovalsStoreFullError` is never thrown);
 * - `list` never returns more than `MAX_LIST_LIMIT` rows, whatever `limit` asks;
 * - PostgreSQL refuses the NUL character in `text` and `jsonb`;
 * - deadlines are reached by {@link sweep}, which `ApprovalsExpirySweeper` runs on every
 *   replica (so up to its period late), but a decision after the deadline loses to it all
 *   the same;
 * - a database that cannot be reached is an `ApprovalsStoreUnavailableError`, never the
 *   driver's own error, and each outage is logged once ({@link StoreOutageLog}).
 *
 * @example
 * await runMigrations(pool, { schema: 'public' });
 * const repository = new PostgresApprovalsRepository(pool, 'public');
 */
export class PostgresApprovalsRepository implements ApprovalsRepository {
  private readonly sql: ApprovalStatements;
  private readonly db: StorePool;
  private readonly transitions = new Subject<LifecycleTransition>();

  readonly lifecycle$ = this.transitions.asObservable();
  /** Migration 2's trigger NOTIFYs every committed decision, expiries included. */
  readonly announcesDecisions = true;

  /**
   * @param pool Shared, owned by the caller: this class never ends it.
   * @param schema Where the migrated `approvals` table lives; validated here.
   * @param afterCommit TEST ONLY fault injection (see `AFTER_DECISION_COMMIT_HOOK`): called
   *   right after a decision commits. Production passes nothing.
   * @param outages Shared with the pool's error listener when the module builds both.
   */
  constructor(
    pool: Pool,
    readonly schema: string,
    private readonly afterCommit?: AfterDecisionCommitHook,
    outages = new StoreOutageLog(new Logger('ApprovalsDatabase')),
  ) {
    this.sql = statementsFor(schema);
    this.db = new StorePool(pool, outages);
  }

  /** Inserts a pending approval in one transaction with its key and the cap's count. */
  async create(input: NewApproval, options: CreateOptions = {}): Promise<ApprovalRecord> {
    const outcome = await this.db.transaction(async (client) => {
      const replayOf = await claimIdempotencyKey(client, this.sql, input, options.idempotency);
      if (replayOf !== undefined) return { replayOf };
      if (options.maxOpenPerRequester !== undefined) {
        const scope = `${OPEN_APPROVALS_LOCK_NAMESPACE}:${this.schema}`;
        await checkOpenApprovals(client, this.sql, scope, input, options.maxOpenPerRequester);
      }
      const { rows } = await client.query<ApprovalRow>(this.sql.insert, [
        input.workspaceId,
        input.id,
        input.action,
        input.payload === undefined ? null : JSON.stringify(input.payload),
        input.requestedBy ?? null,
        input.createdAt,
        input.requester,
        input.expiresAt ?? null,
        input.expiresAt === undefined ? null : input.onExpiry,
        input.remindAt ?? null,
        input.requestedFor ?? null,
      ]);
      if (rows.length === 0) throw new DuplicateApprovalError(input.workspaceId, input.id);
      return { created: toApproval(rows[0]) };
    });
    if (outcome.created) return outcome.created;
    // Nothing was written: the key's approval was committed by the create that made it.
    const replayed = await this.findOne(input.workspaceId, outcome.replayOf);
    if (!replayed)
      throw new Error(`Idempotency key points at missing approval ${outcome.replayOf}`);
    return replayed;
  }

  /** The approval, or `undefined` if this workspace does not hold it. */
  async findOne(workspaceId: string, approvalId: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.db.query<ApprovalRow>(this.sql.findOne, [workspaceId, approvalId]);
    return rows.length === 0 ? undefined : toApproval(rows[0]);
  }

  /** The workspace's newest approvals, one index range scan. */
  async list(workspaceId: string, options: ListApprovalsOptions): Promise<ApprovalRecord[]> {
    const limit = Math.min(Math.floor(options.limit), MAX_LIST_LIMIT);
    if (!(limit > 0)) return [];
    const { rows } =
      options.status === undefined
        ? await this.db.query<ApprovalRow>(this.sql.list, [workspaceId, limit])
        : await this.db.query<ApprovalRow>(this.sql.listByStatus, [
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
   * CTE in the same statement (same snapshot) would still see as pending. A pending row it
   * finds is past its deadline (the sweeper has not reached it yet): it is expired here,
   * and the decision loses to that.
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
    // Two attempts: besides an overdue row, the only way the UPDATE misses and the SELECT
    // then finds a pending row is an insert of that id in between; the retry decides it like
    // any other. Rows are never deleted and never return to pending.
    for (let attempt = 0; ; attempt++) {
      const updated = await this.db.query<ApprovalRow>(this.sql.decide, parameters);
      if (updated.rows.length > 0) {
        const approval = toApproval(updated.rows[0]);
        this.afterCommit?.(approval);
        return { outcome: 'decided', approval };
      }
      const current = await this.findOne(workspaceId, approvalId);
      if (!current) return { outcome: 'not_found' };
      if (current.status === 'pending' && current.expiresAt !== undefined) {
        const [expired] = await this.expire(this.sql.expireOne, [workspaceId, approvalId]);
        if (expired) return { outcome: 'conflict', approval: expired };
        continue; // not overdue after all, or ended meanwhile: read again
      }
      if (current.status !== 'pending' || attempt > 0) {
        return { outcome: 'conflict', approval: current };
      }
    }
  }

  /**
   * One pass of the store's own work, in batches of at most `batchSize` rows, until a batch
   * comes back short: ends every approval past its deadline, claims every due reminder, and
   * forgets expired idempotency keys. Any number of replicas may run it at once: each row is
   * taken by exactly one (`FOR UPDATE SKIP LOCKED`), and every ending and claim is announced
   * on {@link lifecycle$}.
   */
  async sweep(batchSize = SWEEP_BATCH_SIZE): Promise<SweepReport> {
    const report: SweepReport = { expired: 0, reminded: 0, keysPurged: 0 };
    for (let count = batchSize; count === batchSize; report.expired += count) {
      count = (await this.expire(this.sql.expireDue, [batchSize])).length;
    }
    for (let count = batchSize; count === batchSize; report.reminded += count) {
      const { rows } = await this.db.query<ApprovalRow>(this.sql.claimReminders, [batchSize]);
      for (const row of rows)
        this.transitions.next({ kind: 'reminded', approval: toApproval(row) });
      count = rows.length;
    }
    for (let count = batchSize; count === batchSize; report.keysPurged += count) {
      count = (await this.db.query(this.sql.purgeKeys, [batchSize])).rowCount ?? 0;
    }
    return report;
  }

  /**
   * The one place an approval is ended at its deadline (by the sweeper's batch or by a
   * decision that found it overdue), so whatever must go with an expiry goes here. Each row
   * it ends is announced on {@link lifecycle$}; migration 2's trigger announces it to
   * every replica as it commits.
   */
  private async expire(statement: string, values: unknown[]): Promise<ApprovalRecord[]> {
    const { rows } = await this.db.query<ApprovalRow>(statement, values);
    const expired = rows.map(toApproval);
    for (const approval of expired) this.transitions.next({ kind: 'expired', approval });
    return expired;
  }
}
