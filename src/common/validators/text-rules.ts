/**
 * The host's one home for what characters a text field may hold, by kind of field
 * (SECURITY.md, "Strings", has the table). Every DTO uses these through the decorators in
 * `text.validators.ts`; the fuzz model in `test/fuzz/support/rest-model.ts` restates them
 * from the documentation, independently.
 *
 * - Everywhere, `payload` keys and values included: no lone UTF-16 surrogate. Such a string
 *   has no UTF-8 form: PostgreSQL refuses it (a 500 before these rules), and the driver
 *   stores a lone one in a text column as U+FFFD, a silent rewrite.
 * - `single-line` (names, labels, reasons, mail header fields): no C0 control (tab, LF and
 *   CR included), DEL, C1 control, Unicode line or paragraph separator, and no bidi control
 *   (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make text read
 *   differently on the approver's screen than what was stored.
 * - `multi-line` (notes, a mail body): the same, except that LF and tab are allowed.
 * - `payload` (free-form JSON): any valid Unicode but NUL (PostgreSQL's jsonb cannot hold
 *   `\u0000`); the inbox shows its bidi controls as visible escapes instead.
 */
export type TextKind = 'single-line' | 'multi-line';

/** Every character a single-line field refuses, lone surrogates aside. */
const SINGLE_LINE_REFUSED =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;
/** The same, with LF and tab allowed. */
const MULTI_LINE_REFUSED =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;
/** A high surrogate with no low one after it, or a low one with no high one before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `U+202E`: how a refused character is named in an error. */
const codePoint = (character: string) =>
  `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong with `text` as a field of `kind`, for a 400 message; undefined when nothing. */
export function textProblem(text: string, kind: TextKind): string | undefined {
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    return `a lone UTF-16 surrogate (${codePoint(surrogate[0])}) at index ${surrogate.index}`;
  }
  const refused = (kind === 'single-line' ? SINGLE_LINE_REFUSED : MULTI_LINE_REFUSED).exec(text);
  if (refused) {
    const what = kind === 'single-line' ? 'a control, line break or bidi' : 'a control or bidi';
    return `${what} character (${codePoint(refused[0])}) at index ${refused.index}`;
  }
  return undefined;
}

/** What is wrong with one string (key or value) of a JSON value. */
function jsonStringProblem(text: string): string | undefined {
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) return `a lone UTF-16 surrogate (${codePoint(surrogate[0])})`;
  return text.includes('\0') ? 'a NUL character (U+0000)' : undefined;
}

/**
 * The first string, key or value, anywhere in `value` that breaks the `payload` rule, with
 * where it is (`payload.to`, `payload.list[2]`, `payload` for a key). Iterative, so no
 * depth the request-shape pipe lets through can overflow the stack.
 */
export function jsonTextProblem(
  value: unknown,
  path: string,
): { path: string; problem: string } | undefined {
  const pending: [unknown, string][] = [[value, path]];
  while (pending.length > 0) {
    const [current, at] = pending.pop()!;
    if (typeof current === 'string') {
      const problem = jsonStringProblem(current);
      if (problem) return { path: at, problem };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const isArray = Array.isArray(current);
    for (const [key, child] of Object.entries(current)) {
      const keyProblem = isArray ? undefined : jsonStringProblem(key);
      if (keyProblem) return { path: at, problem: `a key with ${keyProblem}` };
      pending.push([child, isArray ? `${at}[${key}]` : `${at}.${printableKey(key)}`]);
    }
  }
  return undefined;
}

/** Every character {@link printableKey} escapes: what a single line refuses, and lone surrogates. */
const UNPRINTABLE = new RegExp(`${SINGLE_LINE_REFUSED.source}|${LONE_SURROGATE.source}`, 'g');

/** A key as an error names it: at most 40 characters, control, bidi and surrogates escaped. */
function printableKey(key: string): string {
  const cut = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return cut.replace(UNPRINTABLE, (character) => `\\u${codePoint(character).slice(2)}`);
}
