import { validate } from 'class-validator';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '../validation/nesting-depth';
import { WorkspaceSubscriptionDto } from './workspace-subscription.dto';

/** The keys each client message may hold; any other key refuses the message. */
const KNOWN_KEYS = new Map<new () => object, ReadonlySet<string>>([
  [WorkspaceSubscriptionDto, new Set(['workspaceId', 'channel'])],
]);

/** The keys of a published resolution (the rest of its rules are the manager's). */
const RESULT_KEYS: ReadonlySet<string> = new Set([
  'approvalId',
  'workspaceId',
  'status',
  'resolution',
  'resolvedBy',
  'resolvedAt',
]);

/**
 * Whether a published body may go on to the manager's validation: a plain object of the
 * result's keys only (an extra key is refused rather than dropped), nested within bounds.
 *
 * @internal
 */
export function isResolutionShaped(body: unknown): boolean {
  return hasOnlyKeys(body, RESULT_KEYS) && !exceedsNestingDepth(body, MAX_NESTING_DEPTH + 1);
}

function hasOnlyKeys(body: unknown, allowed: ReadonlySet<string>): body is object {
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    Object.keys(body).every((key) => allowed.has(key))
  );
}

/**
 * A client message as a validated DTO, or undefined. Unknown keys are refused before the
 * body is copied onto the DTO, so a `__proto__` key can never reach an assignment.
 *
 * @internal
 */
export async function validatedBody<T extends object>(
  dto: new () => T,
  body: unknown,
): Promise<T | undefined> {
  const allowed = KNOWN_KEYS.get(dto)!;
  const known = hasOnlyKeys(body, allowed) && !exceedsNestingDepth(body, MAX_NESTING_DEPTH + 1);
  // Only known keys remain, so a shallow copy onto the DTO cannot set a prototype, and
  // unlike class-transformer it never walks (or chokes on) the nested values.
  const instance = known ? Object.assign(new dto(), body) : undefined;
  const options = { whitelist: true, forbidNonWhitelisted: true };
  if (instance && (await validate(instance, options)).length === 0) return instance;
  return undefined;
}
