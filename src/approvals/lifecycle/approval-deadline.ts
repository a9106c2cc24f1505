import type { ResolvedApprovalStatus } from '@app/approval-events';

/** Shortest deadline or reminder delay a create may ask for (`expiresInMs`, `remindAfterMs`). */
export const MIN_LIFECYCLE_DELAY_MS = 1_000;

/**
 * Longest one: 30 days. Past Node's longest timer (~24.8 days), which is why the in-memory
 * store arms its timers in steps.
 */
export const MAX_LIFECYCLE_DELAY_MS = 30 * 24 * 3_600_000;

/**
 * What the store does with an approval nobody decided by its `expiresAt`:
 * - `expire`: ends it as `expired` (the bridge rejects its waits with `ApprovalExpiredError`);
 * - `reject`: ends it as `rejected`, as a human "no" would, but told apart by its actor;
 * - `approve`: ends it as `auto_approved`.
 */
export const EXPIRY_POLICIES = ['expire', 'reject', 'approve'] as const;
export type ExpiryPolicy = (typeof EXPIRY_POLICIES)[number];

/** The policy of a deadline given without one. @default 'expire' */
export const DEFAULT_EXPIRY_POLICY: ExpiryPolicy = 'expire';

/** The status each policy ends an approval with. */
export const EXPIRY_OUTCOMES: Readonly<Record<ExpiryPolicy, ResolvedApprovalStatus>> = {
  expire: 'expired',
  reject: 'rejected',
  approve: 'auto_approved',
};

/**
 * `resolvedBy` of every approval the store ended at its deadline. No principal has this id
 * (principal ids never take the `system:` prefix), so "nobody answered" is never mistaken for
 * somebody's decision.
 */
export const EXPIRY_ACTOR = 'system:expiry';

/**
 * `resolution` of an approval the store ended at its deadline. `cause: 'expired'` is what
 * tells a timeout-deny (`onExpiry: 'reject'`) from a human one: a human decision's
 * `resolution` holds only `reason` and `notes`.
 *
 * @example
 * { cause: 'expired', expiresAt: '2026-11-24T10:05:00.000Z', onExpiry: 'reject' }
 */
export interface ExpiryResolution {
  cause: 'expired';
  /** The deadline that passed, ISO-8601. */
  expiresAt: string;
  onExpiry: ExpiryPolicy;
}

/** The `resolution` the store writes when it ends an approval at `expiresAt`. */
export function expiryResolution(expiresAt: string, onExpiry: ExpiryPolicy): ExpiryResolution {
  return { cause: 'expired', expiresAt, onExpiry };
}

/** The deadline and reminder of a new approval, resolved to absolute times. */
export interface ApprovalSchedule {
  /** ISO-8601 deadline. */
  expiresAt?: string;
  /** Set with `expiresAt` only. */
  onExpiry?: ExpiryPolicy;
  /** ISO-8601 time of the one reminder. */
  remindAt?: string;
}

/** What a create asks for, as the DTO holds it once validated. */
export interface ScheduleRequest {
  expiresInMs?: number;
  expiresAt?: string;
  onExpiry?: ExpiryPolicy;
  remindAfterMs?: number;
}

/**
 * Turns a validated request's relative times into absolute ones from `createdAt` (the app's
 * clock, which also stamps `createdAt`). Which clock then decides that a deadline has
 * passed is each store's: the database's `now()` for PostgreSQL, so replicas with skewed
 * clocks still agree.
 */
export function scheduleOf(request: ScheduleRequest, createdAt: Date): ApprovalSchedule {
  const schedule: ApprovalSchedule = {};
  const expiresAtMs =
    request.expiresInMs !== undefined
      ? createdAt.getTime() + request.expiresInMs
      : request.expiresAt !== undefined
        ? Date.parse(request.expiresAt)
        : undefined;
  if (expiresAtMs !== undefined) {
    schedule.expiresAt = new Date(expiresAtMs).toISOString();
    schedule.onExpiry = request.onExpiry ?? DEFAULT_EXPIRY_POLICY;
  }
  if (request.remindAfterMs !== undefined) {
    schedule.remindAt = new Date(createdAt.getTime() + request.remindAfterMs).toISOString();
  }
  return schedule;
}
