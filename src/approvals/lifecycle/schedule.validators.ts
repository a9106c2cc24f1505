import { isISO8601, registerDecorator, type ValidationArguments } from 'class-validator';
import { MAX_LIFECYCLE_DELAY_MS, type ScheduleRequest } from './approval-deadline';

/** Longest `expiresAt` string: an ISO-8601 time with nanoseconds and an offset fits easily. */
export const MAX_DEADLINE_LENGTH = 64;

/** A date, a time and a zone (`Z` or `±hh:mm`): a deadline without a zone means nothing. */
const DATE_TIME_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** One cross-field rule of the schedule, as a class-validator decorator with its message. */
function scheduleRule(
  name: string,
  message: string,
  validate: (value: unknown, request: ScheduleRequest) => boolean,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property ${message}` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => validate(value, args.object),
      },
    });
}

/** Milliseconds from now to the request's deadline, however it was given; undefined without one. */
export function deadlineDelayMs(request: ScheduleRequest, now = Date.now()): number | undefined {
  if (typeof request.expiresInMs === 'number') return request.expiresInMs;
  if (typeof request.expiresAt === 'string') return Date.parse(request.expiresAt) - now;
  return undefined;
}

/**
 * `expiresAt`: an ISO-8601 date-time with a zone, in the future but no further than
 * `MAX_LIFECYCLE_DELAY_MS`, and never beside `expiresInMs` (which of two deadlines would
 * count?). Each broken rule has its own message naming the field.
 *
 * @example
 * @IsOptional() @IsString() @IsDeadline() expiresAt?: string;
 */
export function IsDeadline(): PropertyDecorator {
  const rules = [
    scheduleRule(
      'isDeadlineFormat',
      `must be an ISO-8601 date-time with a zone (Z or ±hh:mm), at most ${MAX_DEADLINE_LENGTH} characters`,
      (value) =>
        typeof value === 'string' &&
        value.length <= MAX_DEADLINE_LENGTH &&
        DATE_TIME_WITH_ZONE.test(value) &&
        isISO8601(value, { strict: true }),
    ),
    scheduleRule(
      'isDeadlineInRange',
      `must be in the future and at most ${MAX_LIFECYCLE_DELAY_MS} ms (30 days) from now`,
      (value) => {
        if (typeof value !== 'string') return true; // the format rule says why
        const delay = Date.parse(value) - Date.now();
        return Number.isNaN(delay) || (delay > 0 && delay <= MAX_LIFECYCLE_DELAY_MS);
      },
    ),
    scheduleRule(
      'isOnlyDeadline',
      'cannot be given with expiresInMs: give one deadline',
      (_, request) => request.expiresInMs === undefined,
    ),
  ];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}

/**
 * `onExpiry` says what happens at a deadline, so it needs one.
 *
 * @example
 * @IsOptional() @IsIn(EXPIRY_POLICIES) @NeedsDeadline() onExpiry?: ExpiryPolicy;
 */
export const NeedsDeadline = (): PropertyDecorator =>
  scheduleRule(
    'needsDeadline',
    'needs a deadline: give expiresInMs or expiresAt',
    (_, request) => request.expiresInMs !== undefined || request.expiresAt !== undefined,
  );

/**
 * `remindAfterMs` must come before the deadline, if there is one: a reminder of an approval
 * that already expired reminds nobody.
 *
 * @example
 * @IsOptional() @IsInt() @RemindsBeforeDeadline() remindAfterMs?: number;
 */
export const RemindsBeforeDeadline = (): PropertyDecorator =>
  scheduleRule('remindsBeforeDeadline', 'must be less than the deadline', (value, request) => {
    const deadline = deadlineDelayMs(request);
    return (
      typeof value !== 'number' ||
      deadline === undefined ||
      Number.isNaN(deadline) ||
      value < deadline
    );
  });
