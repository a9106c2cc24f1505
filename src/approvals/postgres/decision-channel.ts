import { createHash } from 'node:crypto';
import { quoteSchemaName } from './schema-name';

/** Every channel name starts with this, so an operator can tell it apart in `LISTEN` lists. */
const CHANNEL_PREFIX = 'approvals_decided_';

/** PostgreSQL truncates identifiers, LISTEN channels included, to 63 bytes. */
const MAX_CHANNEL_LENGTH = 63;

/** Characters of the schema kept in front of the hash when the whole name does not fit. */
const HASHED_SCHEMA_CHARS = MAX_CHANNEL_LENGTH - CHANNEL_PREFIX.length - 1 - 8;

/**
 * The `LISTEN`/`NOTIFY` channel on which the approvals table of `schema` announces every
 * committed decision (migration 2's trigger; the host's `PostgresNotifyLink` listens on it).
 * One channel per schema: NOTIFY reaches every session of the database, so deployments and
 * parallel test runs that share a database but not a schema must never hear each other.
 *
 * The name is `approvals_decided_<schema>`; a schema too long for that keeps its first 36
 * characters and adds 8 hex characters of its SHA-256, so the name stays within
 * PostgreSQL's 63-byte identifier limit and still differs between schemas. It is made only
 * of `[a-z0-9_]`, so it can be written into SQL as a literal or a quoted identifier.
 *
 * @throws RangeError when `schema` is not a valid schema name (see `quoteSchemaName`).
 * @example
 * decisionChannelFor('public'); // 'approvals_decided_public'
 */
export function decisionChannelFor(schema: string): string {
  quoteSchemaName(schema);
  const whole = `${CHANNEL_PREFIX}${schema}`;
  if (whole.length <= MAX_CHANNEL_LENGTH) return whole;
  const hash = createHash('sha256').update(schema).digest('hex').slice(0, 8);
  return `${CHANNEL_PREFIX}${schema.slice(0, HASHED_SCHEMA_CHARS)}_${hash}`;
}
