import {
  APPROVAL_STATUSES,
  MAX_APPROVERS,
  MAX_REQUIRED_APPROVALS,
  MAX_RESOLVED_BY_LENGTH,
  MAX_TIMESTAMP_LENGTH,
} from '../approval-events.constants';
import { idProblem, isIsoDateTime } from '../validation/approval-result.validation';
import type { Approval, ApprovalStatus, ApprovalVote } from '../interfaces/approval.interface';
import { MAX_NESTING_DEPTH } from '../validation/nesting-depth';
import { plainJsonCopy } from '../validation/plain-json-copy';
import { GATEWAY_MAX_REQUESTED_BYTES } from './gateway.constants';

/** The fields of an approval that travel; anything else the emitter attached stays home. */
const APPROVAL_KEYS = [
  'id',
  'workspaceId',
  'action',
  'payload',
  'requestedBy',
  'requestedFor',
  'status',
  'createdAt',
  'resolution',
  'resolvedBy',
  'resolvedAt',
  'expiresAt',
  'approvers',
  'requiredApprovals',
  'votes',
] as const satisfies readonly (keyof Approval)[];

/** The fields of a vote that travel. */
const VOTE_KEYS = [
  'by',
  'decision',
  'at',
  'notes',
] as const satisfies readonly (keyof ApprovalVote)[];

/**
 * What the gateway sends as `approval:requested`, `approval:voted` or `approval:reminder`
 * for the in-process event's payload: a plain JSON copy of the approval's own fields (its
 * votes' own fields too), or a sentence saying why it cannot be sent. The payload comes
 * from the host, but whatever it is (a class instance, a getter that throws, a cycle,
 * something huge), it must neither reach a client as anything but data nor throw back into
 * the code that created or changed the approval.
 *
 * @internal
 */
export function approvalPayload(value: unknown): Approval | string {
  try {
    return copyApproval(value);
  } catch {
    return 'the approval could not be read';
  }
}

/** `keys` of `source`, each read once, the absent ones left out. */
function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    keys.map((key) => [key, source[key]]).filter(([, field]) => field !== undefined),
  ) as Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isTime = (value: unknown) =>
  typeof value === 'string' && value.length <= MAX_TIMESTAMP_LENGTH && isIsoDateTime(value);

const isPrincipal = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_RESOLVED_BY_LENGTH;

function copyApproval(value: unknown): Approval | string {
  if (!isObject(value)) return 'the approval must be an object';
  // Each field read once, so a getter cannot pass the check with one value and send another.
  const picked = pick(value, APPROVAL_KEYS);
  const problem = idProblem('id', picked.id) ?? idProblem('workspaceId', picked.workspaceId);
  if (problem) return problem;
  if (typeof picked.action !== 'string' || picked.action.length === 0) {
    return 'action must be a non-empty string';
  }
  if (!APPROVAL_STATUSES.has(picked.status as ApprovalStatus)) {
    return `status must be one of ${[...APPROVAL_STATUSES].join(', ')}`;
  }
  if (typeof picked.createdAt !== 'string') return 'createdAt must be a string';
  const lifecycle = lifecycleProblem(picked);
  if (lifecycle) return lifecycle;
  // Its `payload` and `resolution` nest MAX_NESTING_DEPTH levels below the approval.
  return plainJsonCopy(picked, {
    name: 'the approval',
    maxDepth: MAX_NESTING_DEPTH + 1,
    maxLength: GATEWAY_MAX_REQUESTED_BYTES,
  }) as Approval | string;
}

/** Checks the deadline and quorum fields in place; each vote is cut to its own fields. */
function lifecycleProblem(picked: Record<string, unknown>): string | undefined {
  const { expiresAt, approvers, requiredApprovals, votes } = picked;
  if (expiresAt !== undefined && !isTime(expiresAt)) {
    return 'expiresAt must be an ISO-8601 date-time string';
  }
  if (
    approvers !== undefined &&
    (!Array.isArray(approvers) || approvers.length > MAX_APPROVERS || !approvers.every(isPrincipal))
  ) {
    return `approvers must be at most ${MAX_APPROVERS} principal ids of 1 to ${MAX_RESOLVED_BY_LENGTH} characters`;
  }
  if (
    requiredApprovals !== undefined &&
    (!Number.isInteger(requiredApprovals) ||
      (requiredApprovals as number) < 1 ||
      (requiredApprovals as number) > MAX_REQUIRED_APPROVALS)
  ) {
    return `requiredApprovals must be an integer from 1 to ${MAX_REQUIRED_APPROVALS}`;
  }
  if (votes === undefined) return undefined;
  if (!Array.isArray(votes) || votes.length > MAX_REQUIRED_APPROVALS) {
    return `votes must be an array of at most ${MAX_REQUIRED_APPROVALS}`;
  }
  const copies: Record<string, unknown>[] = [];
  for (const vote of votes as unknown[]) {
    if (!isObject(vote)) return 'each vote must be an object';
    const copy = pick(vote, VOTE_KEYS);
    if (
      !isPrincipal(copy.by) ||
      (copy.decision !== 'approved' && copy.decision !== 'rejected') ||
      !isTime(copy.at) ||
      (copy.notes !== undefined && typeof copy.notes !== 'string')
    ) {
      return 'each vote must be { by, decision: approved | rejected, at, notes? }';
    }
    copies.push(copy);
  }
  picked.votes = copies;
  return undefined;
}
