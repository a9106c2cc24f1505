import type { ApprovalStatus, ResolvedApprovalStatus } from './interfaces/approval.interface';

/** The `EventEmitter2` event a module in the same process emits when it decides an approval. */
export const APPROVAL_RESOLVED_EVENT = 'approval.resolved';

/**
 * The `EventEmitter2` event a module in the same process emits when it creates an approval
 * (payload: the new `Approval`). The gateway sends it to subscribers as `approval:requested`.
 */
export const APPROVAL_REQUESTED_EVENT = 'approval.requested';

/**
 * The `EventEmitter2` event a module in the same process emits when a vote is cast on an
 * approval that needs several (payload: the approval, still pending, with its `votes`). The
 * gateway sends it to subscribers as `approval:voted`. A hint for inboxes: a wait ends only
 * with the decision.
 */
export const APPROVAL_VOTED_EVENT = 'approval.voted';

/**
 * The `EventEmitter2` event a module in the same process emits when a pending approval is
 * past its `remindAfterMs` (payload: the approval). The gateway sends it to subscribers as
 * `approval:reminder`, so an inbox can show it as overdue.
 */
export const APPROVAL_REMINDER_EVENT = 'approval.reminder';

/** Every status a resolution can carry. */
export const RESOLVED_STATUSES: ReadonlySet<ResolvedApprovalStatus> =
  new Set<ResolvedApprovalStatus>([
    'approved',
    'rejected',
    'auto_approved',
    'cancelled',
    'expired',
  ]);

/** Every status an approval record can have. */
export const APPROVAL_STATUSES: ReadonlySet<ApprovalStatus> = new Set<ApprovalStatus>([
  'pending',
  ...RESOLVED_STATUSES,
]);

/** Where a resolution came from, as counted in `approval_events_received_total{source}`. */
export type ResolutionSource =
  'gateway' | 'in_process' | 'remote_bus' | 'replica' | 'store' | 'poll';

/** Why an event was refused, as counted in `approval_events_rejected_total{reason}`. */
export type RejectionReason = 'invalid_payload' | 'forbidden' | 'unauthorized';

/** Identifiers (workspace and approval ids) are 1 to 128 printable characters. */
export const MAX_ID_LENGTH = 128;

/** Printable ASCII without spaces: ids end up in map keys, room names and URL paths. */
export const ID_PATTERN = /^[\x21-\x7e]+$/;

/** Longest `resolvedBy` an event may carry. */
export const MAX_RESOLVED_BY_LENGTH = 256;

/** Most approving votes an approval may need (`requiredApprovals`), and so most votes it holds. */
export const MAX_REQUIRED_APPROVALS = 10;

/** Most entries of an approval's `approvers` the gateway relays. */
export const MAX_APPROVERS = 100;

/** Longest `resolvedAt` string an event may carry. */
export const MAX_TIMESTAMP_LENGTH = 64;

/** What a `redisKeyPrefix` may be: it names Redis channels shared by every replica. */
export const REDIS_KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Shortest poll interval, for the module option and for a single wait. */
export const MIN_POLL_INTERVAL_MS = 10;

/** A `resolution` object serialises to at most this many bytes. */
export const MAX_RESOLUTION_BYTES = 16 * 1024;

/**
 * Longest accepted timeout: the largest delay a Node.js timer holds (2^31 - 1 ms, ~24.8
 * days). Node turns a longer one into 1 ms, so no delay the library arms exceeds it.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;
