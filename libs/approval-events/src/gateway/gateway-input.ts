import { validate } from 'class-validator';
import type { RateLimiterMemory } from 'rate-limiter-flexible';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '../nesting-depth';
import { ApprovalResolvedEventDto, WorkspaceSubscriptionDto } from './approval-resolved-event.dto';

/** The keys each client message may hold; any other key refuses the message. */
const KNOWN_KEYS = new Map<new () => object, ReadonlySet<string>>([
  [
    ApprovalResolvedEventDto,
    new Set(['approvalId', 'workspaceId', 'status', 'resolution', 'resolvedBy', 'resolvedAt']),
  ],
  [WorkspaceSubscriptionDto, new Set(['workspaceId', 'channel'])],
]);

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
  const known =
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    Object.keys(body).every((key) => allowed.has(key)) &&
    !exceedsNestingDepth(body, MAX_NESTING_DEPTH + 1);
  // Only known keys remain, so a shallow copy onto the DTO cannot set a prototype, and
  // unlike class-transformer it never walks (or chokes on) the nested values.
  const instance = known ? Object.assign(new dto(), body) : undefined;
  const options = { whitelist: true, forbidNonWhitelisted: true };
  if (instance && (await validate(instance, options)).length === 0) return instance;
  return undefined;
}

/**
 * Takes one point from `key`'s budget; false when it is spent.
 *
 * @internal
 */
export async function consumed(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch {
    return false;
  }
}
