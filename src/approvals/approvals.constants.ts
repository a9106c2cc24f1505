import { type ApprovalStatus, MAX_RESOLVED_BY_LENGTH } from '@app/approval-events';

/**
 * Workspace and approval ids in paths: 1 to 128 characters of `[A-Za-z0-9_.:-]`. Stricter
 * than the library's "printable ASCII", so an id is always safe in a URL, a log line and a
 * Socket.io room name without escaping.
 */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Longest `action` name. */
export const MAX_ACTION_LENGTH = 128;

/**
 * Longest `requestedBy` / `resolvedBy`: the library's limit on `resolvedBy` in an event, so
 * a decision the API accepts is never refused on the bus.
 */
export const MAX_ACTOR_LENGTH = MAX_RESOLVED_BY_LENGTH;

/** Longest `reason` of a rejection or cancellation. */
export const MAX_REASON_LENGTH = 500;

/** Longest `notes` of a decision. */
export const MAX_NOTES_LENGTH = 2_000;

/**
 * Largest `payload`, as serialised JSON in UTF-8 bytes. Bounds the memory one approval can
 * hold in the embedded store.
 */
export const MAX_PAYLOAD_BYTES = 8 * 1024;

/** Page size of `GET …/approvals`. */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;

/** Time limit of `GET …/wait`: long enough to save round trips, short enough for proxies. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const MAX_WAIT_TIMEOUT_MS = 120_000;

/** Every status a stored approval can have, in the order the API documents them. */
export const APPROVAL_STATUS_VALUES: readonly ApprovalStatus[] = [
  'pending',
  'approved',
  'rejected',
  'auto_approved',
  'cancelled',
  'expired',
];
