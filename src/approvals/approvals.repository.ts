import {
  type Approval,
  type ApprovalStatus,
  type ResolvedApprovalStatus,
} from '@app/approval-events';
import type { Observable } from 'rxjs';
import type { ApprovalSchedule, ExpiryPolicy } from './lifecycle/approval-deadline';

/**
 * An approval as the host's stores keep it: the library's {@link Approval} plus what only
 * the host's lifecycle needs. Every field is also in the REST answer.
 */
export interface ApprovalRecord extends Approval {
  /** What happens at `expiresAt`; set with `expiresAt` only. */
  onExpiry?: ExpiryPolicy;
  /** When the one `approval:reminder` is due, ISO-8601. */
  remindAt?: string;
  /** When the store claimed that reminder (it was announced then, best effort), ISO-8601. */
  remindedAt?: string;
}

/**
 * A new approval as the service hands it to the store. The service picks the id, the
 * creation time and the absolute deadline, so every implementation stores the same record
 * and tests can fix all three.
 */
export interface NewApproval extends ApprovalSchedule {
  id: string;
  workspaceId: string;
  action: string;
  payload?: Record<string, unknown>;
  /** The creating principal's id. */
  requestedBy?: string;
  /**
   * Who creates it: the creating principal's id. The scope of the open-approvals cap and of
   * idempotency keys; stored, not shown.
   */
  requester: string;
  /** The requester's label of whom it asks for (see `CreateApprovalDto.requestedFor`). */
  requestedFor?: string;
  /** ISO-8601. */
  createdAt: string;
}

/** An `Idempotency-Key` of a create, with the fingerprint of the request it came with. */
export interface IdempotencyClaim {
  /** The header's value, already validated (`parseIdempotencyKey`). */
  key: string;
  /** `requestFingerprint` of the validated body. */
  fingerprint: string;
  /** How long the key is remembered from this create, ms. */
  ttlMs: number;
}

/** What a create must respect beyond the record itself. */
export interface CreateOptions {
  /**
   * Most pending approvals one (workspace, requester) may hold; the create that would pass
   * it throws `OpenApprovalsLimitError`. No cap without it.
   */
  maxOpenPerRequester?: number;
  /**
   * Scoped to (workspace, requester): a key seen before with the same fingerprint returns
   * the approval it made instead of a new one; with another fingerprint it throws
   * `IdempotencyKeyReusedError`. Kept `ttlMs`.
   */
  idempotency?: IdempotencyClaim;
}

/**
 * Something the store did by itself, to be announced: an approval it ended at its deadline
 * (`expired`: `approval` is the decided record, status `expired`, `rejected` or
 * `auto_approved`), or one whose reminder it claimed (`reminded`: still pending).
 */
export type LifecycleTransition =
  { kind: 'expired'; approval: ApprovalRecord } | { kind: 'reminded'; approval: ApprovalRecord };

/** The terminal state a pending approval moves to. */
export interface ApprovalDecision {
  status: ResolvedApprovalStatus;
  resolvedBy?: string;
  /** Free-form details of the decision, for example `{ reason, notes }`. */
  resolution?: Record<string, unknown>;
  /** ISO-8601. */
  resolvedAt: string;
}

/** Filter and page size of a listing. */
export interface ListApprovalsOptions {
  status?: ApprovalStatus;
  /** At most this many approvals, newest first. */
  limit: number;
}

/**
 * What {@link ApprovalsRepository.decide} did. `conflict` carries the record as it is now,
 * so the API can answer 409 with it without a second read that could race another write.
 */
export type DecideOutcome =
  | { outcome: 'decided'; approval: ApprovalRecord }
  | { outcome: 'conflict'; approval: ApprovalRecord }
  | { outcome: 'not_found' };

/**
 * Where approvals are kept. The embedded default is {@link InMemoryApprovalsRepository};
 * a durable one (PostgreSQL) binds the same token. Every implementation must pass
 * `describeApprovalsRepositoryContract`.
 *
 * Rules every implementation keeps, so callers never depend on one of them:
 * - Records in and out are copies: mutating a returned approval changes nothing stored.
 * - Times are ISO-8601 strings, never `Date`s.
 * - A workspace sees only its own approvals: an id from another workspace is "absent".
 * - `decide` is atomic: of many concurrent decisions on one pending approval exactly one
 *   returns `decided`; the others return `conflict` with the winner's record.
 * - Deadlines are the store's: an approval still pending at its `expiresAt` is ended by the
 *   store exactly once (across replicas), as its `onExpiry` says, and announced on
 *   `lifecycle$`. A decision that arrives after the deadline loses to it (`conflict`, with
 *   the expired record), even if the store had not got round to it yet.
 * - A reminder (`remindAt`) is claimed exactly once, and announced on `lifecycle$`.
 *
 * @example
 * constructor(@Inject(ApprovalsRepository) private readonly repository: ApprovalsRepository) {}
 */
export interface ApprovalsRepository {
  /**
   * Stores a new approval with status `pending`, unless `options.idempotency` names a key
   * this (workspace, requester) already used with the same fingerprint: then it stores
   * nothing and returns the approval that key made, whose `id` is not `input.id` (which is
   * how a caller tells a replay, see `isReplayOf`). A replay never counts against the cap.
   *
   * @throws DuplicateApprovalError when the workspace already holds that id.
   * @throws ApprovalsStoreFullError when the store cannot take more.
   * @throws OpenApprovalsLimitError when the requester holds `maxOpenPerRequester` pending.
   * @throws IdempotencyKeyReusedError when the key came with another fingerprint.
   */
  create(input: NewApproval, options?: CreateOptions): Promise<ApprovalRecord>;

  /** The approval, or `undefined` if absent or in another workspace. */
  findOne(workspaceId: string, approvalId: string): Promise<ApprovalRecord | undefined>;

  /** A workspace's approvals, newest first, optionally of one status. */
  list(workspaceId: string, options: ListApprovalsOptions): Promise<ApprovalRecord[]>;

  /** Atomically moves a `pending` approval to the decision's terminal status. */
  decide(
    workspaceId: string,
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<DecideOutcome>;

  /**
   * Every approval the store ended at its deadline or reminded of, once each, on the replica
   * that did it (hot; the service announces them as events). In memory its timers drive it;
   * in PostgreSQL the sweeper (`ApprovalsExpirySweeper`) does.
   */
  readonly lifecycle$: Observable<LifecycleTransition>;

  /**
   * Whether the store itself announces every committed pending→decided transition to every
   * replica (PostgreSQL: migration 2's trigger and `NOTIFY`, which the library LISTENs to).
   * Then an expiry needs no in-process event of its own: each replica, the sweeping one
   * included, hears it from the store.
   */
  readonly announcesDecisions: boolean;
}

/**
 * Injection token of the {@link ApprovalsRepository}: a `Symbol` of the same name, as
 * `ThrottlerStorage` does, so tests and other stores override it with `overrideProvider`.
 */
export const ApprovalsRepository = Symbol('ApprovalsRepository');

/** Whether `approval`, returned by `create(input, …)`, is a replay of an earlier create. */
export function isReplayOf(input: NewApproval, approval: Approval): boolean {
  return approval.id !== input.id;
}

/**
 * Refuses a "decision" that would move an approval back to `pending`: every repository
 * calls this first, so no implementation can be talked into it.
 */
export function assertTerminalDecision(decision: ApprovalDecision): void {
  if ((decision.status as string) === 'pending') {
    throw new TypeError('A decision must move an approval to a terminal status, not pending');
  }
}
