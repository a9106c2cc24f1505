import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { quoteSchemaName } from '../schema-name';

/** The database of the service suites; `scripts/test.js` sets `TEST_DATABASE_URL`. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema name no other run uses, so suites running at once (or a crashed run's leftovers)
 * never see each other's rows.
 */
export function temporarySchemaName(): string {
  return `test_approvals_${randomBytes(8).toString('hex')}`;
}

/** A pool on the test database, small, named in `pg_stat_activity`. */
export function testPool(max = 5): Pool {
  return new Pool({
    connectionString: TEST_DATABASE_URL,
    max,
    application_name: 'approval-events-tests',
  });
}

/** Drops the schema and everything in it; absent is fine. */
export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteSchemaName(schema)} CASCADE`);
}
