import { getUnsafeNumberReason, parse } from 'lossless-json';

/**
 * Why a body was refused by {@link parseStrictJson}; its message is the 400's.
 */
export class StrictJsonError extends Error {
  override readonly name = 'StrictJsonError';
}

/**
 * The JSON body as data, refusing what `JSON.parse` would rewrite in silence (RFC 7493,
 * I-JSON, is the standard for each rule):
 *
 * - a duplicate key: `JSON.parse` keeps the last, so `{"action":"a","action":"b"}` would be
 *   read as something the client may not have meant;
 * - a number a double cannot hold as written: `1e400` (Infinity, then `null` when stored),
 *   `1e-400` (0), `0.12345678901234567890` (digits dropped), and any integer beyond
 *   ±(2^53 − 1) however it is written (`9007199254740993` is read as `…992`, and `1e20`
 *   cannot be told from its neighbours);
 * - anything but an object or an array at the top, and trailing text, as body-parser's
 *   strict mode did.
 *
 * `__proto__` keys become plain own properties (the request-shape pipe then refuses them
 * by name). Parsed with `lossless-json`, which sees each key and each number's text:
 * Node 20's `JSON.parse` reviver sees neither.
 *
 * @example
 * parseStrictJson('{"a":1,"a":2}'); // throws StrictJsonError: duplicate key 'a' ...
 */
export function parseStrictJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') {
    throw new StrictJsonError('Request body must be a JSON object or array');
  }
  try {
    return parse(text, null, readNumber);
  } catch (error) {
    if (error instanceof StrictJsonError) throw error;
    // lossless-json's messages name the problem and its position, never more of the body.
    throw new StrictJsonError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A JSON number's text as a number, when the number reads back exactly as written. */
function readNumber(text: string): number {
  const lossy = getUnsafeNumberReason(text);
  if (lossy === undefined) return Number(text);
  throw new StrictJsonError(
    `Request body holds the number ${shortened(text)}, ${LOSSES[lossy]}: send it as a string`,
  );
}

/** lossless-json's reasons, as a client can act on them. */
const LOSSES: Record<string, string> = {
  overflow: 'beyond the largest double (JSON.parse reads Infinity)',
  underflow: 'too small for a double (JSON.parse reads 0)',
  truncate_integer: 'an integer beyond ±(2^53 - 1), which a double cannot hold exactly',
  // Also an integer beyond 2^53 written with a fraction or an exponent (1e20).
  truncate_float:
    'which a double cannot hold as written (digits lost, or an integer beyond ±(2^53 - 1))',
};

const shortened = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
