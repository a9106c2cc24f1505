import {
  MAX_ID_LENGTH,
  MAX_RESOLUTION_BYTES,
  RESOLVED_STATUSES,
} from './approval-events.constants';
import type { ApprovalResult, ResolvedApprovalStatus } from './interfaces/approval.interface';

/** Printable, no whitespace: ids end up in map keys, room names and URL paths. */
const ID_PATTERN = /^[\x21-\x7e]+$/;
const MAX_RESOLVED_BY_LENGTH = 256;
const MAX_TIMESTAMP_LENGTH = 64;

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

function copyResolution(value: unknown): Record<string, unknown> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'resolution must be an object';
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return 'resolution must be JSON-serialisable';
  }
  if (json.length > MAX_RESOLUTION_BYTES) {
    return `resolution must serialise to at most ${MAX_RESOLUTION_BYTES} bytes`;
  }
  // A JSON round trip leaves plain data only: no prototypes, getters or shared references,
  // and a `__proto__` key becomes an ordinary own property.
  return JSON.parse(json) as Record<string, unknown>;
}

/**
 * Checks an untrusted resolution and returns a fresh copy holding only the known fields,
 * or a sentence saying what is wrong. Hand-written rather than class-validator because it
 * runs on every event in the hot path; the gateway's DTO validates at the edge as well.
 */
export function parseApprovalResult(value: unknown): ApprovalResult | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'the event must be an object';
  }
  const event = value as Record<string, unknown>;
  const problem =
    idProblem('approvalId', event.approvalId) ?? idProblem('workspaceId', event.workspaceId);
  if (problem) return problem;
  if (
    typeof event.status !== 'string' ||
    !RESOLVED_STATUSES.has(event.status as ResolvedApprovalStatus)
  ) {
    return `status must be one of ${[...RESOLVED_STATUSES].join(', ')}`;
  }
  let resolvedAt = event.resolvedAt;
  if (resolvedAt instanceof Date) resolvedAt = resolvedAt.toISOString();
  if (
    typeof resolvedAt !== 'string' ||
    resolvedAt.length > MAX_TIMESTAMP_LENGTH ||
    Number.isNaN(Date.parse(resolvedAt))
  ) {
    return 'resolvedAt must be an ISO-8601 date string';
  }
  const result: ApprovalResult = {
    approvalId: event.approvalId as string,
    workspaceId: event.workspaceId as string,
    status: event.status as ResolvedApprovalStatus,
    resolvedAt,
  };
  if (event.resolvedBy !== undefined && event.resolvedBy !== null) {
    if (typeof event.resolvedBy !== 'string' || event.resolvedBy.length > MAX_RESOLVED_BY_LENGTH) {
      return `resolvedBy must be a string of at most ${MAX_RESOLVED_BY_LENGTH} characters`;
    }
    result.resolvedBy = event.resolvedBy;
  }
  if (event.resolution !== undefined && event.resolution !== null) {
    const resolution = copyResolution(event.resolution);
    if (typeof resolution === 'string') return resolution;
    result.resolution = resolution;
  }
  return result;
}

/** Two resolutions describe the same decision (a duplicate delivery, not a new fact). */
export function isSameResolution(a: ApprovalResult, b: ApprovalResult): boolean {
  return a.status === b.status && a.resolvedAt === b.resolvedAt && a.resolvedBy === b.resolvedBy;
}
