/**
 * Schema names this store accepts: 1 to 63 characters (PostgreSQL's identifier limit) of
 * lowercase letters, digits and `_`, not starting with a digit. Narrower than PostgreSQL
 * allows on purpose: such a name needs no case folding, means the same quoted or not, and
 * can be interpolated into SQL once validated (identifiers cannot be bind parameters).
 */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema used when none is configured. */
export const DEFAULT_SCHEMA = 'public';

/**
 * The schema name, validated and double-quoted, ready to qualify a table in SQL.
 *
 * @throws RangeError when the name does not match {@link SCHEMA_NAME_PATTERN} or is reserved
 *   (`pg_*`, which PostgreSQL keeps for system schemas).
 * @example
 * const table = `${quoteSchemaName('tenant_a')}.approvals`; // "tenant_a".approvals
 */
export function quoteSchemaName(schema: string): string {
  if (!SCHEMA_NAME_PATTERN.test(schema) || schema.startsWith('pg_')) {
    throw new RangeError(
      `Invalid schema name ${JSON.stringify(schema)}: use 1 to 63 of [a-z0-9_], not starting with a digit or pg_`,
    );
  }
  return `"${schema}"`;
}
