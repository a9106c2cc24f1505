import type { Pool, PoolClient } from 'pg';
import { APPROVALS_MIGRATIONS, type Migration } from './migrations';
import { quoteSchemaName } from './schema-name';

/** Where and what {@link runMigrations} applies. */
export interface RunMigrationsOptions {
  /** Target schema, created if absent. */
  schema: string;
  /** @default APPROVALS_MIGRATIONS */
  migrations?: readonly Migration[];
}

/** What one {@link runMigrations} call did. */
export interface MigrationReport {
  /** Versions this call applied, in order; empty when the schema was already current. */
  applied: number[];
  /** Every version recorded in the schema afterwards, including ones this code does not know. */
  current: number[];
}

/**
 * Namespace of the advisory lock (first key); the second key is the schema's hash, so
 * replicas migrating the same schema queue up while other schemas (parallel test runs,
 * other tenants) do not wait on them.
 */
const MIGRATION_LOCK_NAMESPACE = 'approvals.migrations';

/**
 * Brings `schema` up to date: every migration not yet recorded in its `schema_migrations`
 * table is applied, oldest first, each in its own transaction together with its record.
 *
 * Safe to call from every replica at boot: each transaction first takes
 * `pg_advisory_xact_lock` on the schema, then reads what is applied, so replicas booting
 * together apply each migration once, and the others find nothing left to do. A failing
 * migration rolls back whole (PostgreSQL DDL is transactional) and rejects the call; the
 * versions before it stay applied. Versions in the database that this code does not know
 * (a newer replica ran them) are left alone, so a rolling deploy of additive migrations works.
 *
 * @example
 * const { applied } = await runMigrations(pool, { schema: 'public' });
 */
export async function runMigrations(
  pool: Pool,
  options: RunMigrationsOptions,
): Promise<MigrationReport> {
  const quoted = quoteSchemaName(options.schema);
  const migrations = inVersionOrder(options.migrations ?? APPROVALS_MIGRATIONS);
  const applied: number[] = [];
  for (;;) {
    const step = await inTransaction(pool, async (client) => {
      const current = await lockAndReadVersions(client, options.schema, quoted);
      const next = migrations.find((migration) => !current.includes(migration.version));
      if (!next) return { done: true as const, current };
      await client.query(next.up(quoted, options.schema));
      await client.query(
        `INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`,
        [next.version, next.name],
      );
      return { done: false as const, version: next.version };
    });
    if (step.done) return { applied, current: step.current };
    applied.push(step.version);
  }
}

/**
 * Takes the schema's migration lock for the rest of the transaction, creates the schema and
 * its bookkeeping table if absent, and returns the recorded versions. Existence is checked
 * before any `CREATE … IF NOT EXISTS`, because PostgreSQL checks the CREATE privilege even
 * when the object exists: a least-privilege role can then boot against a migrated schema.
 */
async function lockAndReadVersions(
  client: PoolClient,
  schema: string,
  quoted: string,
): Promise<number[]> {
  // DDL on a large table may legitimately outlast the pool's statement timeout.
  await client.query('SET LOCAL statement_timeout = 0');
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
    MIGRATION_LOCK_NAMESPACE,
    schema,
  ]);
  const { rowCount: schemaExists } = await client.query(
    'SELECT 1 FROM pg_namespace WHERE nspname = $1',
    [schema],
  );
  if (!schemaExists) await client.query(`CREATE SCHEMA ${quoted}`);
  const { rows } = await client.query<{ existing: string | null }>(
    'SELECT to_regclass($1)::text AS existing',
    [`${quoted}.schema_migrations`],
  );
  if (rows[0].existing === null) {
    await client.query(`
      CREATE TABLE ${quoted}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  }
  const versions = await client.query<{ version: number }>(
    `SELECT version FROM ${quoted}.schema_migrations ORDER BY version`,
  );
  return versions.rows.map((row) => row.version);
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      // A connection that cannot roll back is not reused.
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

function inVersionOrder(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((migration, index) => {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new RangeError(`Migration version ${migration.version} is not a positive integer`);
    }
    if (index > 0 && sorted[index - 1].version === migration.version) {
      throw new RangeError(`Migration version ${migration.version} is used twice`);
    }
  });
  return sorted;
}
