import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import type { Environment } from '../../config/environment';
import { isConnectionFailure } from './connection-failure';
import { runMigrations } from './migration-runner';
import {
  type ApprovalsDatabase,
  DATABASE_APPLICATION_NAME,
  DATABASE_CONNECTION_TIMEOUT_MS,
  DATABASE_IDLE_TIMEOUT_MS,
  DATABASE_POOL_MAX,
  DATABASE_STATEMENT_TIMEOUT_MS,
} from './postgres.constants';
import { DEFAULT_SCHEMA, quoteSchemaName } from './schema-name';
import { StoreOutageLog } from './store-outage.log';

const logger = new Logger('ApprovalsDatabase');

/**
 * The pool this service uses: bounded, with a server-side statement timeout and its name in
 * `pg_stat_activity`. An idle connection that dies (database restart, failover) makes the
 * pool emit `error`; it is logged here, because an unhandled `error` event would end the
 * process, and the pool replaces the connection on the next checkout. Given `outages`, a
 * connection lost to an outage is reported there instead, so ten dying connections make one
 * line, not ten.
 */
export function createApprovalsPool(connectionString: string, outages?: StoreOutageLog): Pool {
  const pool = new Pool({
    connectionString,
    max: DATABASE_POOL_MAX,
    statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: DATABASE_CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: DATABASE_IDLE_TIMEOUT_MS,
    application_name: DATABASE_APPLICATION_NAME,
    keepAlive: true,
  });
  pool.on('error', (error) => {
    if (outages && isConnectionFailure(error)) outages.failed(error);
    else logger.error(`Idle PostgreSQL connection failed: ${error.message}`);
  });
  return pool;
}

/**
 * Factory of {@link APPROVALS_DATABASE}: `null` without `DATABASE_URL`; otherwise a pool on
 * it and a schema migrated before this resolves. Nest awaits async providers before the app
 * listens, so no request ever meets an unmigrated schema. A database that cannot be reached
 * or migrated fails the boot (after ending the pool, so nothing keeps the process alive).
 *
 * `config` is optional so the approvals module still boots, in memory, in a test that
 * registers no `ConfigModule`.
 */
export async function createApprovalsDatabase(
  config?: ConfigService<Environment, true>,
): Promise<ApprovalsDatabase | null> {
  const url = config?.get('DATABASE_URL', { infer: true });
  if (!url) return null;
  const schema = config?.get('DATABASE_SCHEMA', { infer: true }) ?? DEFAULT_SCHEMA;
  quoteSchemaName(schema);

  const outages = new StoreOutageLog(logger);
  const pool = createApprovalsPool(url, outages);
  try {
    const { applied, current } = await runMigrations(pool, { schema });
    logger.log(
      `PostgreSQL approvals store ready in schema ${schema} (migrations: ${
        applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'
      }; at version ${current.at(-1) ?? 0})`,
    );
    return { pool, schema, outages };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
