// Jest's globals are imported: tsconfig.build.json compiles this file (it excludes only
// `*.spec.ts`), and the build has no jest types.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Pool } from 'pg';
import { runMigrations } from './migration-runner';
import { APPROVALS_MIGRATIONS, type Migration } from './migrations';
import { quoteSchemaName } from './schema-name';
import { dropSchema, temporarySchemaName, testPool } from './testing/temporary-schema';

const LATEST = APPROVALS_MIGRATIONS.map((migration) => migration.version);
const RACING_RUNNERS = 6;

describe('runMigrations', () => {
  let pool: Pool;
  let otherPool: Pool;
  const schemas: string[] = [];

  /** A schema of this test's own, dropped after it. */
  const freshSchema = () => {
    const schema = temporarySchemaName();
    schemas.push(schema);
    return schema;
  };

  const recordedVersions = async (schema: string) =>
    (
      await pool.query<{ version: number; applied_at: Date }>(
        `SELECT version, applied_at FROM ${quoteSchemaName(schema)}.schema_migrations ORDER BY version`,
      )
    ).rows;

  const tableExists = async (schema: string, table: string) =>
    (
      await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
        `${quoteSchemaName(schema)}.${table}`,
      ])
    ).rows[0].exists;

  beforeAll(() => {
    pool = testPool(RACING_RUNNERS);
    otherPool = testPool(RACING_RUNNERS);
  });

  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(pool, schema);
  });

  afterAll(async () => {
    await Promise.all([pool.end(), otherPool.end()]);
  });

  it('creates the schema and applies every migration, recording each', async () => {
    const schema = freshSchema();
    await expect(runMigrations(pool, { schema })).resolves.toEqual({
      applied: LATEST,
      current: LATEST,
    });
    expect(await tableExists(schema, 'approvals')).toBe(true);
    expect((await recordedVersions(schema)).map((row) => row.version)).toEqual(LATEST);
  });

  it('is a no-op the second time: nothing applied, rows and records untouched', async () => {
    const schema = freshSchema();
    await runMigrations(pool, { schema });
    const recordedBefore = await recordedVersions(schema);
    await pool.query(
      `INSERT INTO ${quoteSchemaName(schema)}.approvals (workspace_id, id, action, created_at)
       VALUES ('ws1', 'a1', 'send_email', now())`,
    );

    await expect(runMigrations(pool, { schema })).resolves.toEqual({
      applied: [],
      current: LATEST,
    });
    expect(await recordedVersions(schema)).toEqual(recordedBefore);
    const { rowCount } = await pool.query(
      `SELECT 1 FROM ${quoteSchemaName(schema)}.approvals WHERE id = 'a1'`,
    );
    expect(rowCount).toBe(1);
  });

  it.each([
    ['a schema that does not exist yet', false],
    ['an existing, empty schema (as public is)', true],
  ])(
    `applies each migration once when ${RACING_RUNNERS} runners on two pools race, in %s`,
    async (_, preexisting) => {
      const schema = freshSchema();
      if (preexisting) await pool.query(`CREATE SCHEMA ${quoteSchemaName(schema)}`);
      // allSettled: a runner that fails must not leave the others running past the cleanup.
      const settled = await Promise.allSettled(
        Array.from({ length: RACING_RUNNERS }, (_, index) =>
          runMigrations(index % 2 === 0 ? pool : otherPool, { schema }),
        ),
      );
      const failures = settled.flatMap((result) =>
        result.status === 'rejected' ? [String(result.reason)] : [],
      );
      expect(failures).toEqual([]);
      const reports = settled.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      const applied = reports.flatMap((report) => report.applied).sort((a, b) => a - b);
      expect(applied).toEqual(LATEST);
      for (const report of reports) expect(report.current).toEqual(LATEST);
      expect((await recordedVersions(schema)).map((row) => row.version)).toEqual(LATEST);
    },
  );

  it('rolls a failing migration back whole and keeps the ones before it', async () => {
    const schema = freshSchema();
    const migrations: Migration[] = [
      { version: 1, name: 'first', up: (quoted) => `CREATE TABLE ${quoted}.first (id int)` },
      {
        version: 2,
        name: 'broken',
        up: (quoted) => `CREATE TABLE ${quoted}.second (id int); SELECT 1 / 0;`,
      },
    ];
    await expect(runMigrations(pool, { schema, migrations })).rejects.toThrow('division by zero');
    expect((await recordedVersions(schema)).map((row) => row.version)).toEqual([1]);
    expect(await tableExists(schema, 'first')).toBe(true);
    expect(await tableExists(schema, 'second')).toBe(false);
  });

  it('applies only what is missing and leaves versions it does not know alone', async () => {
    const schema = freshSchema();
    const first: Migration = {
      version: 1,
      name: 'first',
      up: (quoted) => `CREATE TABLE ${quoted}.first (id int)`,
    };
    const second: Migration = {
      version: 2,
      name: 'second',
      up: (quoted) => `CREATE TABLE ${quoted}.second (id int)`,
    };
    await runMigrations(pool, { schema, migrations: [first] });
    // A newer replica already ran a version this code has never heard of.
    await pool.query(
      `INSERT INTO ${quoteSchemaName(schema)}.schema_migrations (version, name) VALUES (99, 'newer')`,
    );
    await expect(runMigrations(pool, { schema, migrations: [second, first] })).resolves.toEqual({
      applied: [2],
      current: [1, 2, 99],
    });
  });

  it('refuses an invalid schema name or duplicate versions before touching the database', async () => {
    await expect(runMigrations(pool, { schema: 'Bad-Name' })).rejects.toThrow(RangeError);
    const schema = freshSchema();
    const twice: Migration = { version: 1, name: 'x', up: () => 'SELECT 1' };
    await expect(runMigrations(pool, { schema, migrations: [twice, twice] })).rejects.toThrow(
      'Migration version 1 is used twice',
    );
    expect(await tableExists(schema, 'schema_migrations')).toBe(false);
  });
});
