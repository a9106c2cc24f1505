/**
 * What the REST contract (and the DTOs' documented limits) accept, written independently
 * of the DTO classes. Applied to bodies and queries as the server receives them.
 *
 * Keys the pipeline would drop without a word are refused instead, at any depth: Nest's
 * ValidationPipe deletes every `__proto__`, `prototype` and `constructor` key, and
 * class-transformer skips every key that names a method the target inherits (`toString`,
 * `valueOf`, ...), so the host's RequestShapePipe answers 400 for them first.
 */

const REST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const STATUSES: ReadonlySet<unknown> = new Set([
  'pending',
  'approved',
  'rejected',
  'auto_approved',
  'cancelled',
]);

export const MAX_ACTION_LENGTH = 128;
export const MAX_ACTOR_LENGTH = 256;
export const MAX_REASON_LENGTH = 500;
export const MAX_NOTES_LENGTH = 2_000;
export const MAX_PAYLOAD_BYTES = 8 * 1024;

/**
 * Length as class-validator's `Length` / `MaxLength` count it (validator.js `isLength`):
 * a surrogate pair is one character, and so is a character followed by a presentation
 * selector (U+FE0E / U+FE0F).
 */
export function characterCount(text: string): number {
  const selectors = text.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g)?.length ?? 0;
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return text.length - selectors - pairs;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isAbsent = (value: unknown) => value === undefined || value === null;

/** C0 controls and DEL, except tab, line feed and carriage return (`NoControlCharacters`). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const textOf = (value: unknown, min: number, max: number) =>
  typeof value === 'string' &&
  !CONTROL_CHARACTERS.test(value) &&
  characterCount(value) >= min &&
  characterCount(value) <= max;

const optionalText = (value: unknown, min: number, max: number) =>
  isAbsent(value) || textOf(value, min, max);

/** Keys the pipeline would drop: the prototype keys, and names of methods every object inherits. */
const isDroppedKey = (key: string) =>
  key === '__proto__' ||
  key === 'prototype' ||
  typeof (Object.prototype as unknown as Record<string, unknown>)[key] === 'function';

/** Whether a dropped key appears anywhere in `value` (object keys, not array indexes). */
function hasDroppedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDroppedKey);
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([key, inner]) => isDroppedKey(key) || hasDroppedKey(inner));
}

const onlyKeys = (record: Record<string, unknown>, allowed: readonly string[]) =>
  !hasDroppedKey(record) && Object.keys(record).every((key) => allowed.includes(key));

/** Has a NUL character in a key or a string anywhere (PostgreSQL cannot store one). */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner));
}

function payloadFits(payload: unknown): boolean {
  if (isAbsent(payload)) return true;
  if (!isRecord(payload)) return false;
  if (containsNul(payload)) return false;
  return Buffer.byteLength(JSON.stringify(payload), 'utf8') <= MAX_PAYLOAD_BYTES;
}

/** A body the pipe receives: a missing body is `{}` (Nest's `toEmptyIfNil`). */
const bodyRecord = (body: unknown) => (isAbsent(body) ? {} : body);

export function isValidCreate(raw: unknown): boolean {
  const body = bodyRecord(raw);
  return (
    isRecord(body) &&
    onlyKeys(body, ['action', 'payload', 'requestedBy', 'requestedFor']) &&
    textOf(body.action, 1, MAX_ACTION_LENGTH) &&
    payloadFits(body.payload) &&
    optionalText(body.requestedBy, 1, MAX_ACTOR_LENGTH) &&
    optionalText(body.requestedFor, 1, MAX_ACTOR_LENGTH)
  );
}

/**
 * What the host adds to a valid body, given the caller's principal id: a decision's
 * `resolvedBy` must be absent or that id; a create's `requestedBy` other than that id is
 * read as `requestedFor`, so it may not come with one.
 */
export function actorFieldsAccepted(raw: unknown, principalId: string): boolean {
  const body = bodyRecord(raw) as Record<string, unknown>;
  if ('action' in body) {
    return (
      body.requestedBy === undefined ||
      body.requestedBy === principalId ||
      body.requestedFor === undefined
    );
  }
  return body.resolvedBy === undefined || body.resolvedBy === principalId;
}

export function isValidApprove(raw: unknown): boolean {
  const body = bodyRecord(raw);
  return (
    isRecord(body) &&
    onlyKeys(body, ['resolvedBy', 'notes']) &&
    optionalText(body.resolvedBy, 1, MAX_ACTOR_LENGTH) &&
    optionalText(body.notes, 0, MAX_NOTES_LENGTH)
  );
}

export function isValidReject(raw: unknown): boolean {
  const body = bodyRecord(raw);
  return (
    isRecord(body) &&
    onlyKeys(body, ['resolvedBy', 'notes', 'reason']) &&
    optionalText(body.resolvedBy, 1, MAX_ACTOR_LENGTH) &&
    optionalText(body.notes, 0, MAX_NOTES_LENGTH) &&
    optionalText(body.reason, 0, MAX_REASON_LENGTH)
  );
}

export function isValidCancel(raw: unknown): boolean {
  const body = bodyRecord(raw);
  return (
    isRecord(body) &&
    onlyKeys(body, ['resolvedBy', 'reason']) &&
    optionalText(body.resolvedBy, 1, MAX_ACTOR_LENGTH) &&
    optionalText(body.reason, 0, MAX_REASON_LENGTH)
  );
}

/** A query integer: plain decimal digits (an optional minus) in range; a list is refused. */
function queryInteger(value: unknown, min: number, max: number): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) return false;
  const number = Number(value);
  return Number.isInteger(number) && number >= min && number <= max;
}

export function isValidListQuery(query: Record<string, unknown>): boolean {
  return (
    onlyKeys(query, ['status', 'limit']) &&
    (query.status === undefined || STATUSES.has(query.status)) &&
    queryInteger(query.limit, 1, 100)
  );
}

export function isValidWaitQuery(query: Record<string, unknown>): boolean {
  return onlyKeys(query, ['timeoutMs']) && queryInteger(query.timeoutMs, 0, 120_000);
}

export const isRestId = (value: unknown) => typeof value === 'string' && REST_ID.test(value);
