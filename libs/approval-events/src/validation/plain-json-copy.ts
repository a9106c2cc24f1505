import { exceedsNestingDepth } from './nesting-depth';

/** How large and how deep a value may be to be copied. */
export interface PlainJsonBounds {
  /** What the value is, named in the problem sentence (`resolution`, `the approval`). */
  readonly name: string;
  /** Levels of nested objects and arrays, the value itself counting as one. */
  readonly maxDepth: number;
  /** Longest JSON text of the copy, in UTF-16 code units. */
  readonly maxLength: number;
}

/**
 * A plain-data copy of an untrusted object, or a sentence saying why there is none: nested
 * too deeply (checked first, as `JSON.stringify` recurses and a hostile depth would overflow
 * the stack), not serialisable (a cycle, a BigInt, a throwing getter or `toJSON`), not an
 * object once serialised (`toJSON` may turn it into anything), or too large. A JSON round trip
 * leaves plain data only: no prototypes, getters or shared references, and a `__proto__` key
 * becomes an ordinary own property. The one copier for what the library passes on.
 *
 * @internal
 * @example
 * const copy = plainJsonCopy(event.resolution, { name: 'resolution', maxDepth: 32, maxLength: 16_384 });
 * if (typeof copy === 'string') return copy; // the problem
 */
export function plainJsonCopy(
  value: object,
  { name, maxDepth, maxLength }: PlainJsonBounds,
): Record<string, unknown> | string {
  if (exceedsNestingDepth(value, maxDepth)) return `${name} must nest at most ${maxDepth} levels`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return `${name} must be JSON-serialisable`;
  }
  if (json === undefined || !json.startsWith('{')) return `${name} must be an object`;
  if (json.length > maxLength) return `${name} must serialise to at most ${maxLength} bytes`;
  return JSON.parse(json) as Record<string, unknown>;
}
