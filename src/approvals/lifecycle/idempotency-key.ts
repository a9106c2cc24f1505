import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import stableStringify from 'fast-json-stable-stringify';
import { createHash } from 'node:crypto';

/** The request header that makes a create idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The answer header that says a create was a replay (its value is `true`). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Longest key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** 1 to 200 printable ASCII characters (space to `~`): safe in a log line and an index. */
const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[\\x20-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

/** How long a key is remembered unless `IDEMPOTENCY_KEY_TTL_MS` says otherwise: 24 h. */
export const DEFAULT_IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

/**
 * The header's value as a key, `undefined` when absent, or a 400 naming the header. The one
 * home of the rule: the pipe below and any other edge call it.
 *
 * @throws BadRequestException when present but empty, too long, or not printable ASCII.
 */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && IDEMPOTENCY_KEY_PATTERN.test(value)) return value;
  throw new BadRequestException(
    `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
  );
}

/**
 * The request's validated `Idempotency-Key`, or `undefined` without one: a 400 naming the
 * header before the handler runs when it is malformed.
 *
 * @example
 * create(@IdempotencyKey() key: string | undefined) {}
 */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseIdempotencyKey(
    context.switchToHttp().getRequest<IncomingMessage>().headers[
      IDEMPOTENCY_KEY_HEADER.toLowerCase()
    ],
  ),
);

/**
 * SHA-256 of the validated body as canonical JSON (keys sorted at every depth), so the same
 * request sent with its keys in another order is the same request, and any other value is not.
 *
 * @example
 * requestFingerprint({ b: 1, a: { d: 2, c: 3 } }) === requestFingerprint({ a: { c: 3, d: 2 }, b: 1 })
 */
export function requestFingerprint(body: object): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

/** Shortest `IDEMPOTENCY_KEY_TTL_MS`: a minute. */
export const MIN_IDEMPOTENCY_KEY_TTL_MS = 60_000;

/** Longest `IDEMPOTENCY_KEY_TTL_MS`: 30 days. */
export const MAX_IDEMPOTENCY_KEY_TTL_MS = 30 * 24 * 3_600_000;
