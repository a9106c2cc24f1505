import * as fc from 'fast-check';

/**
 * Building blocks for hostile input: strings, JSON-like data with own `__proto__` keys,
 * deep nesting and non-JSON JavaScript values. Big or deep values are built once and picked
 * from, so generating them costs nothing per run.
 */

/** The statuses a resolution may carry (contract). */
export const RESOLVED_STATUSES = [
  'approved',
  'rejected',
  'auto_approved',
  'cancelled',
  'expired',
] as const;

/** The fields of an `ApprovalResult` (contract). */
export const RESULT_KEYS: ReadonlySet<string> = new Set([
  'approvalId',
  'workspaceId',
  'status',
  'resolution',
  'resolvedBy',
  'resolvedAt',
]);

/** Keys that pollute a prototype when a careless merge assigns them. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** A printable-ASCII id the library accepts: 1 to 128 of `\x21-\x7e`. */
export const libraryId = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 128,
});

export const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

/** Strings that break naive code: control characters, lone surrogates, RTL marks, BOMs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.oneof(
      loneSurrogate,
      fc.constantFrom('\u0000', '\n', '\r', ' ', '\t', '\u202e', '\ufeff', '\u2028', '\ufe0f'),
      // C1 controls, the other bidi controls and marks, a zero-width joiner
      fc.constantFrom('\u0085', '\u009b', '\u2066', '\u2069', '\u200e', '\u061c', '\u200d'),
      fc.constantFrom('%', '/', '"', '\\', '<', '{', '$', '😀', 'é', 'e\u0301'),
    ),
    maxLength: 30,
  }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'null',
    'undefined',
    'NaN',
    '{}',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE approvals;--",
    '\u0000workspace',
    '${jndi:ldap://x}',
  ),
);

/** Strings far over every limit (129 characters up to 1 MiB). */
export const hugeString: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 129, max: 20_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(65_537, 1_048_576).map((length) => 'y'.repeat(length)),
);

/** Defines own properties, so a `__proto__` key becomes data, exactly as `JSON.parse` makes it. */
export function ownObject(
  entries: readonly (readonly [string, unknown])[],
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

const jsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  nastyString,
);

/**
 * JSON-like data (what a socket or HTTP body can carry) and JSON-like objects, with
 * `protoKeys` among the keys as own properties.
 */
export function jsonishOf(protoKeys: readonly string[]) {
  const key = fc.oneof(
    { weight: 5, arbitrary: fc.string({ maxLength: 10 }) },
    { weight: 1, arbitrary: fc.constantFrom(...protoKeys) },
    { weight: 1, arbitrary: nastyString },
  );
  const tree = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>(
    (tie) => ({
      value: fc.oneof({ depthSize: 'small' }, jsonLeaf, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map(ownObject),
    }),
  );
  const object: fc.Arbitrary<Record<string, unknown>> = fc
    .array(fc.tuple(key, tree.value), { maxLength: 6 })
    .map(ownObject);
  return { value: tree.value, object };
}

const everyProtoKey = jsonishOf(PROTO_KEYS);
/** JSON-like data with `__proto__`, `constructor` and `prototype` keys anywhere. */
export const jsonish = everyProtoKey.value;
/** A JSON-like object (never an array or null), proto keys included. */
export const jsonishObject = everyProtoKey.object;

/** Nests `leaf` `depth` times, iteratively, so building it cannot overflow the stack. */
export function nest(depth: number, kind: 'object' | 'array', leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = kind === 'object' ? { n: value } : [value];
  return value;
}

/**
 * Deep nesting written directly as JSON text: building the value and stringifying it would
 * recurse as deep. An object level (`{"n":` and `}`) is three times as long as an array
 * level, so objects get `depth / 3` levels and both kinds come out about the same size.
 */
export function nestedJsonText(
  depth: number,
  kind: 'object' | 'array',
): { levels: number; text: string } {
  const levels = kind === 'object' ? Math.floor(depth / 3) : depth;
  const text =
    kind === 'object'
      ? `${'{"n":'.repeat(levels)}1${'}'.repeat(levels)}`
      : `${'['.repeat(levels)}${']'.repeat(levels)}`;
  return { levels, text };
}

/** Built once: 10 000 and 100 000 levels of objects and arrays. */
const DEEP_VALUES: readonly unknown[] = [
  nest(10_000, 'object'),
  nest(10_000, 'array'),
  nest(100_000, 'object'),
  nest(100_000, 'array'),
];
export const deepValue = fc.constantFrom(...DEEP_VALUES);

/** `JSON.parse` output with an own `__proto__` (and friends) that tries to pollute. */
export const protoPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom(
    '{"__proto__":{"polluted":"yes","isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"prototype":{"polluted":"yes"}}',
    '{"a":{"__proto__":{"polluted":"yes"}}}',
    '{"__proto__":[1,2,3]}',
    '{"__proto__":null}',
  )
  .map((json) => JSON.parse(json) as Record<string, unknown>);

function cyclic(): Record<string, unknown> {
  const object: Record<string, unknown> = { a: 1 };
  object.self = object;
  object.list = [object];
  return object;
}

class Opaque {
  hidden = 'x';
  get computed() {
    return 'y';
  }
}

/**
 * JavaScript values no wire format carries but an in-process caller can pass: BigInt,
 * symbols, functions, valid Dates, collections, boxed-free class instances, cycles,
 * null-prototype objects, transparent Proxies, getters that throw inside a nested value.
 */
export const jsValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.bigInt(),
  fc.string({ maxLength: 5 }).map((description) => Symbol(description)),
  fc.constantFrom(
    () => 'approved',
    function named() {},
    class Klass {},
    async () => undefined,
    function* generator() {},
  ),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom(
    new Map([['approvalId', 'a1']]),
    new Set(['a']),
    /approved/g,
    new Uint8Array([1, 2, 3]),
    Buffer.from('ws1'),
    new Error('boom'),
    Promise.resolve('approved'),
    new WeakMap(),
    new Opaque(),
    Object.create(null) as unknown,
    Object.freeze({ frozen: true }),
    new ArrayBuffer(8),
    new Array<unknown>(3).fill(1, 2), // sparse: two holes, then 1
    Object.assign([1], { extra: 'prop' }),
    Math,
    JSON,
  ),
  fc.constant(null).map(() => cyclic()),
  jsonishObject.map((target) => new Proxy(target, {})),
  fc.constant(null).map(() =>
    Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter inside a nested value');
      },
    }),
  ),
  deepValue,
  protoPayload,
);

/** Anything at all: primitives, JSON data, huge and nasty strings, JavaScript oddities. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: jsonish },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: jsValue },
  {
    weight: 1,
    arbitrary: fc.constantFrom(undefined, null, 0, -0, NaN, Infinity, -1, 1.5, true, false, '', []),
  },
);

/** An ISO-8601 instant as `toISOString` writes it (years 1970 to 2100). */
export const isoInstant = fc
  .integer({ min: 0, max: 4_102_444_800_000 })
  .map((ms) => new Date(ms).toISOString());
