import { Matches, validateSync } from 'class-validator';
import { type Principal, principalFrom } from './principal';
import {
  describeProblems,
  PRINCIPAL_ID_PATTERN,
  PrincipalId,
  PrincipalRoles,
  PrincipalWorkspaces,
} from './principal.rules';
import type { Role } from './roles';

/** Shortest key an `API_KEYS` entry may have: 32 characters, like the JWT secrets. */
export const MIN_API_KEY_LENGTH = 32;
/** Longest: keys travel in a header. */
export const MAX_API_KEY_LENGTH = 512;
/** Most entries `API_KEYS` may hold (each request compares against all of them). */
export const MAX_API_KEYS = 100;

/** A key: printable ASCII without spaces, which HTTP would trim and the key never match. */
const KEY_PATTERN = new RegExp(`^[\\x21-\\x7E]{${MIN_API_KEY_LENGTH},${MAX_API_KEY_LENGTH}}$`);
const ENTRY_FIELDS: ReadonlySet<string> = new Set(['id', 'key', 'roles', 'workspaces']);

/** One `API_KEYS` entry, with the rules of a principal plus the key's own. */
class ApiKeyEntry {
  @PrincipalId('id')
  id: unknown;

  @Matches(KEY_PATTERN, {
    message: `key must be ${MIN_API_KEY_LENGTH} to ${MAX_API_KEY_LENGTH} printable ASCII characters, no spaces`,
  })
  key: unknown;

  @PrincipalRoles()
  roles: unknown;

  @PrincipalWorkspaces()
  workspaces: unknown;
}

/** A principal and the key that proves it. */
export interface KeyedPrincipal {
  readonly principal: Principal;
  readonly key: string;
}

/**
 * `API_KEYS` (JSON `[{ "id", "key", "roles", "workspaces" }]`) as principals, or every
 * problem found, each naming its entry by position and, when it is a valid id, by id. No
 * message ever holds a key, nor any value but an id.
 *
 * @example
 * parseApiKeys('[{"id":"billing","key":"…32+ chars…","roles":["agent"],"workspaces":["ws1"]}]');
 */
export function parseApiKeys(json: string): KeyedPrincipal[] | string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return ['API_KEYS must be JSON: [{ "id", "key", "roles", "workspaces" }]'];
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > MAX_API_KEYS) {
    return [`API_KEYS must be a JSON array of 1 to ${MAX_API_KEYS} entries`];
  }
  const problems = parsed.flatMap((entry, index) => entryProblems(entry, index));
  if (problems.length > 0) return problems;
  const entries = parsed as { id: string; key: string; roles: Role[]; workspaces: string[] }[];
  const duplicates = duplicateProblems(entries);
  if (duplicates.length > 0) return duplicates;
  return entries.map((entry): KeyedPrincipal => ({
    key: entry.key,
    principal: principalFrom('api_key', entry),
  }));
}

function entryProblems(entry: unknown, index: number): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return [`API_KEYS[${index}] must be an object { id, key, roles, workspaces }`];
  }
  const name = entryName(entry as Record<string, unknown>, index);
  const unknown = Object.keys(entry).filter((field) => !ENTRY_FIELDS.has(field));
  const source = entry as Record<string, unknown>;
  const candidate = Object.assign(new ApiKeyEntry(), {
    id: source.id,
    key: source.key,
    roles: source.roles,
    workspaces: source.workspaces,
  });
  return [
    ...unknown.map((field) => `${name}: unknown field ${fieldName(field)}`),
    ...describeProblems(validateSync(candidate)).map((problem) => `${name}: ${problem}`),
  ];
}

/**
 * `API_KEYS[2] (id "ops")`. The id is named only when it is a valid id shorter than any key
 * may be, so a key pasted into the wrong field is never echoed.
 */
function entryName(entry: Record<string, unknown>, index: number): string {
  const id = entry.id;
  const named =
    typeof id === 'string' && PRINCIPAL_ID_PATTERN.test(id) && id.length < MIN_API_KEY_LENGTH;
  return named ? `API_KEYS[${index}] (id "${id}")` : `API_KEYS[${index}]`;
}

/** A field's name when it is short and plain; anything longer could be a key put there. */
function fieldName(field: string): string {
  return /^\w+$/.test(field) && field.length < MIN_API_KEY_LENGTH
    ? JSON.stringify(field)
    : '(name not shown)';
}

/**
 * A key is one entry's only. An id may repeat, so that a principal can hold an old and a new
 * key while callers move over, but only with the same roles and workspaces: one id is one
 * principal, whichever of its keys is sent.
 */
function duplicateProblems(
  entries: readonly { id: string; key: string; roles: string[]; workspaces: string[] }[],
): string[] {
  const problems: string[] = [];
  const scope = (entry: { roles: string[]; workspaces: string[] }) =>
    JSON.stringify([[...entry.roles].sort(), [...entry.workspaces].sort()]);
  entries.forEach((entry, index) => {
    const name = entryName(entry, index);
    const sameId = entries.findIndex((other) => other.id === entry.id);
    if (sameId !== index && scope(entries[sameId]) !== scope(entry)) {
      problems.push(
        `${name}: id already used by API_KEYS[${sameId}] with other roles or workspaces (one id is one principal)`,
      );
    }
    const sameKey = entries.findIndex((other) => other.key === entry.key);
    if (sameKey !== index) problems.push(`${name}: key already used by API_KEYS[${sameKey}]`);
  });
  return problems;
}
