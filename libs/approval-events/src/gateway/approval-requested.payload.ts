import { APPROVAL_STATUSES } from '../approval-events.constants';
import { idProblem } from '../approval-result.validation';
import type { Approval, ApprovalStatus } from '../interfaces/approval.interface';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '../nesting-depth';
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
] as const satisfies readonly (keyof Approval)[];

/**
 * What the gateway sends as `approval:requested` for an `approval.requested` payload: a
 * plain JSON copy of the approval's own fields, or a sentence saying why it cannot be sent.
 * The payload comes from the host, but whatever it is (a class instance, a getter that
 * throws, a cycle, something huge), it must neither reach a client as anything but data nor
 * throw back into the code that created the approval.
 *
 * @internal
 */
export function requestedApprovalPayload(value: unknown): Approval | string {
  try {
    return copyApproval(value);
  } catch {
    return 'the approval could not be read';
  }
}

function copyApproval(value: unknown): Approval | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'the approval must be an object';
  }
  const source = value as Record<string, unknown>;
  // Each field read once, so a getter cannot pass the check with one value and send another.
  const picked = Object.fromEntries(
    APPROVAL_KEYS.map((key) => [key, source[key]]).filter(([, field]) => field !== undefined),
  ) as Record<string, unknown>;
  const problem = idProblem('id', picked.id) ?? idProblem('workspaceId', picked.workspaceId);
  if (problem) return problem;
  if (typeof picked.action !== 'string' || picked.action.length === 0) {
    return 'action must be a non-empty string';
  }
  if (!APPROVAL_STATUSES.has(picked.status as ApprovalStatus)) {
    return `status must be one of ${[...APPROVAL_STATUSES].join(', ')}`;
  }
  if (typeof picked.createdAt !== 'string') return 'createdAt must be a string';
  // Checked before JSON.stringify, which recurses and would overflow on a hostile depth.
  if (exceedsNestingDepth(picked, MAX_NESTING_DEPTH + 1)) {
    return `the approval must nest at most ${MAX_NESTING_DEPTH} levels`;
  }
  const json = JSON.stringify(picked);
  if (json.length > GATEWAY_MAX_REQUESTED_BYTES) {
    return `the approval must serialise to at most ${GATEWAY_MAX_REQUESTED_BYTES} bytes`;
  }
  return JSON.parse(json) as Approval;
}
