import type { ApprovalStatus, ResolvedApprovalStatus } from './interfaces/approval.interface';

/** The `EventEmitter2` event a module in the same process emits when it decides an approval. */
export const APPROVAL_RESOLVED_EVENT = 'approval.resolved';

/** Statuses that end a wait successfully. */
export const SUCCESSFUL_STATUSES: ReadonlySet<ApprovalStatus> = new Set([
  'approved',
  'rejected',
  'auto_approved',
]);

/** Every status a resolution can carry. */
export const RESOLVED_STATUSES: ReadonlySet<ResolvedApprovalStatus> =
  new Set<ResolvedApprovalStatus>(['approved', 'rejected', 'auto_approved', 'cancelled']);

/** Every status an approval record can have. */
export const APPROVAL_STATUSES: ReadonlySet<ApprovalStatus> = new Set<ApprovalStatus>([
  'pending',
  ...RESOLVED_STATUSES,
]);

/** Where a resolution came from, as counted in `approval_events_received_total{source}`. */
export type ResolutionSource = 'gateway' | 'in_process' | 'remote_bus' | 'replica' | 'poll';

/** Why an event was refused, as counted in `approval_events_rejected_total{reason}`. */
export type RejectionReason = 'invalid_payload' | 'forbidden' | 'unauthorized';

/** Identifiers (workspace and approval ids) are 1 to 128 printable characters. */
export const MAX_ID_LENGTH = 128;

/** A `resolution` object serialises to at most this many bytes. */
export const MAX_RESOLUTION_BYTES = 16 * 1024;

/** Longest accepted timeout: the largest delay a Node.js timer can hold. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
