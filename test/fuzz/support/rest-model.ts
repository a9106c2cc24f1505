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

/**
 * SECURITY.md's "Strings" table, restated from the documentation: a single-line field
 * refuses every C0 control (tab, CR and LF included), DEL, C1, U+2028/U+2029 and the bidi
 * controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069); a multi-line one the
 * same but LF and tab; every string, `payload` keys and values included, refuses a lone
 * UTF-16 surrogate.
 */
const BIDI = [
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];
const isRefusedOnOneLine = (code: number) =>
  code <= 0x1f ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x2028 ||
  code === 0x2029 ||
  BIDI.includes(code);

/** Whether every UTF-16 surrogate in `text` is half of a pair. */
export function isWellFormed(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xdc00 && code <= 0xdfff) return false;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index++;
    }
  }
  return true;
}

type Lines = 'single' | 'multi';

function charactersFit(text: string, lines: Lines): boolean {
  if (!isWellFormed(text)) return false;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (lines === 'multi' && (code === 0x0a || code === 0x09)) continue;
    if (isRefusedOnOneLine(code)) return false;
  }
  return true;
}

const textOf = (value: unknown, min: number, max: number, lines: Lines = 'single') =>
  typeof value === 'string' &&
  charactersFit(value, lines) &&
  characterCount(value) >= min &&
  characterCount(value) <= max;

const optionalText = (value: unknown, min: number, max: number, lines: Lines = 'single') =>
  isAbsent(value) || textOf(value, min, max, lines);

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

/**
 * Has a key or a string anywhere that the store could not keep as sent: NUL (PostgreSQL
 * cannot store one) or a lone surrogate (no UTF-8 form).
 */
function containsUnstorable(value: unknown): boolean {
  const bad = (text: string) => text.includes('\u0000') || !isWellFormed(text);
  if (typeof value === 'string') return bad(value);
  if (Array.isArray(value)) return value.some(containsUnstorable);
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([key, inner]) => bad(key) || containsUnstorable(inner));
}

function payloadFits(payload: unknown): boolean {
  if (isAbsent(payload)) return true;
  if (!isRecord(payload)) return false;
  if (containsUnstorable(payload)) return false;
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
    optionalText(body.notes, 0, MAX_NOTES_LENGTH, 'multi')
  );
}

export function isValidReject(raw: unknown): boolean {
  const body = bodyRecord(raw);
  return (
    isRecord(body) &&
    onlyKeys(body, ['resolvedBy', 'notes', 'reason']) &&
    optionalText(body.resolvedBy, 1, MAX_ACTOR_LENGTH) &&
    optionalText(body.notes, 0, MAX_NOTES_LENGTH, 'multi') &&
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

/**
 * Whether a body, as a JS value about to be sent with `JSON.stringify`, holds a number the
 * host's strict JSON parser refuses (SECURITY.md, JSON bodies): `JSON.stringify` writes
 * every double so it reads back exactly, so of those only an integer beyond ±(2^53 − 1)
 * remains (`1.7976931348623157e308` is one). Over HTTP only: the pipe never parses JSON.
 */
export function holdsInexactNumber(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(holdsInexactNumber);
  return isRecord(value) && Object.values(value).some(holdsInexactNumber);
}
