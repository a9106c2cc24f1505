import {
  type Approval,
  type ApprovalStatus,
  type ResolvedApprovalStatus,
} from '@app/approval-events';

/**
 * A new approval as the service hands it to the store. The service picks the id and the
 * creation time, so every implementation stores the same record and tests can fix both.
 */
export interface NewApproval {
  id: string;
  workspaceId: string;
  action: string;
  payload?: Record<string, unknown>;
  /** The creating principal's id. */
  requestedBy?: string;
  /** The requester's label of whom it asks for (see `CreateApprovalDto.requestedFor`). */
  requestedFor?: string;
  /** ISO-8601. */
  createdAt: string;
}

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
  | { outcome: 'decided'; approval: Approval }
  | { outcome: 'conflict'; approval: Approval }
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
 *
 * @example
 * constructor(@Inject(ApprovalsRepository) private readonly repository: ApprovalsRepository) {}
 */
export interface ApprovalsRepository {
  /**
   * Stores a new approval with status `pending`.
   *
   * @throws DuplicateApprovalError when the workspace already holds that id.
   * @throws ApprovalsStoreFullError when the store cannot take more.
   */
  create(input: NewApproval): Promise<Approval>;

  /** The approval, or `undefined` if absent or in another workspace. */
  findOne(workspaceId: string, approvalId: string): Promise<Approval | undefined>;

  /** A workspace's approvals, newest first, optionally of one status. */
  list(workspaceId: string, options: ListApprovalsOptions): Promise<Approval[]>;

  /** Atomically moves a `pending` approval to the decision's terminal status. */
  decide(
    workspaceId: string,
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<DecideOutcome>;
}

/**
 * Injection token of the {@link ApprovalsRepository}: a `Symbol` of the same name, as
 * `ThrottlerStorage` does, so tests and other stores override it with `overrideProvider`.
 */
export const ApprovalsRepository = Symbol('ApprovalsRepository');

/**
 * Refuses a "decision" that would move an approval back to `pending`: every repository
 * calls this first, so no implementation can be talked into it.
 */
export function assertTerminalDecision(decision: ApprovalDecision): void {
  if ((decision.status as string) === 'pending') {
    throw new TypeError('A decision must move an approval to a terminal status, not pending');
  }
}
