import {
  ID_PATTERN,
  MAX_ID_LENGTH,
  MAX_RESOLUTION_BYTES,
  MAX_RESOLVED_BY_LENGTH,
  MAX_TIMESTAMP_LENGTH,
  RESOLVED_STATUSES,
} from '../approval-events.constants';
import type {
  Approval,
  ApprovalResult,
  ResolvedApprovalStatus,
} from '../interfaces/approval.interface';
import { MAX_NESTING_DEPTH } from './nesting-depth';
import { plainJsonCopy } from './plain-json-copy';

/** Why `value` is not a usable id, or `undefined` if it is. */
export function idProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${name} must be a string`;
  if (value.length === 0 || value.length > MAX_ID_LENGTH) {
    return `${name} must be 1 to ${MAX_ID_LENGTH} characters`;
  }
  if (!ID_PATTERN.test(value)) return `${name} must be printable ASCII without spaces`;
  return undefined;
}

/** Throws a `TypeError` naming the argument when an id given to a wait is unusable. */
export function assertIds(workspaceId: unknown, approvalId: unknown): void {
  const problem = idProblem('workspaceId', workspaceId) ?? idProblem('approvalId', approvalId);
  if (problem) throw new TypeError(problem);
}

/** Strict ISO-8601 date-time (what `IsISO8601({ strict: true })` accepts): the one rule for every edge. */
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * A strict ISO-8601 date-time that names a real day: `Date.parse` would read 2026-02-30 as
 * 2 March, so the day is checked against its month.
 */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `value` is a strict ISO-8601 date-time of a real day: the one rule for every time field. */
export function isIsoDateTime(value: string): boolean {
  if (!ISO_DATE_TIME.test(value)) return false;
  // Digits read in place, no match array or Date per event: this runs on every resolution.
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]);
}

/** The decimal number of `length` ASCII digits at `start` (already checked by the pattern). */
function digits(value: string, start: number, length: number): number {
  let number = 0;
  for (let i = start; i < start + length; i++) number = number * 10 + value.charCodeAt(i) - 48;
  return number;
}

function copyResolution(value: unknown): Record<string, unknown> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'resolution must be an object';
  }
  return plainJsonCopy(value, {
    name: 'resolution',
    maxDepth: MAX_NESTING_DEPTH,
    maxLength: MAX_RESOLUTION_BYTES,
  });
}

function parseFields(value: unknown): ApprovalResult | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'the event must be an object';
  }
  // Every field is read exactly once: a getter must not answer the check one way and the
  // copy another.
  const { approvalId, workspaceId, status, resolution, resolvedBy } = value as Record<
    string,
    unknown
  >;
  let { resolvedAt } = value as Record<string, unknown>;
  const problem = idProblem('approvalId', approvalId) ?? idProblem('workspaceId', workspaceId);
  if (problem) return problem;
  if (typeof status !== 'string' || !RESOLVED_STATUSES.has(status as ResolvedApprovalStatus)) {
    return `status must be one of ${[...RESOLVED_STATUSES].join(', ')}`;
  }
  if (resolvedAt instanceof Date && !Number.isNaN(resolvedAt.getTime())) {
    resolvedAt = resolvedAt.toISOString();
  }
  if (
    typeof resolvedAt !== 'string' ||
    resolvedAt.length > MAX_TIMESTAMP_LENGTH ||
    !isIsoDateTime(resolvedAt)
  ) {
    return 'resolvedAt must be an ISO-8601 date-time string';
  }
  const result: ApprovalResult = {
    approvalId: approvalId as string,
    workspaceId: workspaceId as string,
    status: status as ResolvedApprovalStatus,
    resolvedAt,
  };
  if (resolvedBy !== undefined && resolvedBy !== null) {
    if (typeof resolvedBy !== 'string' || resolvedBy.length > MAX_RESOLVED_BY_LENGTH) {
      return `resolvedBy must be a string of at most ${MAX_RESOLVED_BY_LENGTH} characters`;
    }
    result.resolvedBy = resolvedBy;
  }
  if (resolution !== undefined && resolution !== null) {
    const copy = copyResolution(resolution);
    if (typeof copy === 'string') return copy;
    result.resolution = copy;
  }
  return result;
}

/**
 * Checks an untrusted resolution and returns a fresh copy holding only the known fields,
 * or a sentence saying what is wrong. Hand-written rather than class-validator because it
 * runs on every event in the hot path; the gateway's DTO validates at the edge as well.
 * Whatever the value does while being read (a throwing getter, a revoked Proxy) is a
 * refusal, never an escape.
 */
export function parseApprovalResult(value: unknown): ApprovalResult | string {
  try {
    return parseFields(value);
  } catch {
    return 'the event could not be read';
  }
}

/** Two resolutions describe the same decision (a duplicate delivery, not a new fact). */
export function isSameResolution(a: ApprovalResult, b: ApprovalResult): boolean {
  return a.status === b.status && a.resolvedAt === b.resolvedAt && a.resolvedBy === b.resolvedBy;
}

/**
 * The resolution event that describes a decided approval: what the host publishes after a
 * decision and what a poll that found one republishes. The one place this mapping lives.
 *
 * @throws TypeError when the approval is still pending.
 * @example
 * eventEmitter.emit(APPROVAL_RESOLVED_EVENT, toApprovalResult(decided));
 */
export function toApprovalResult(approval: Approval): ApprovalResult {
  if (approval.status === 'pending') {
    throw new TypeError(`Approval ${approval.id} is still pending: it has no resolution`);
  }
  const result: ApprovalResult = {
    approvalId: approval.id,
    workspaceId: approval.workspaceId,
    status: approval.status,
    resolvedAt: approval.resolvedAt ?? new Date().toISOString(),
  };
  if (approval.resolution !== undefined) result.resolution = approval.resolution;
  if (approval.resolvedBy !== undefined) result.resolvedBy = approval.resolvedBy;
  return result;
}
