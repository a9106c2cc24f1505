import type { Pool } from 'pg';
import type { StoreOutageLog } from './store-outage.log';

/**
 * Injection token of the {@link ApprovalsDatabase}, or `null` when `DATABASE_URL` is unset
 * (the in-memory store then serves). Namespaced string, as terminus names its tokens.
 */
export const APPROVALS_DATABASE = 'APPROVALS:DATABASE';

/** The migrated database the PostgreSQL store works in. */
export interface ApprovalsDatabase {
  /** Owned by the module: ended on application shutdown. */
  pool: Pool;
  /** Schema holding `approvals` and `schema_migrations`. */
  schema: string;
  /**
   * Where the pool and the store report that the database cannot be reached, so each
   * outage is logged once however many connections and requests meet it.
   */
  outages?: StoreOutageLog;
}

/**
 * Connections per replica. Small on purpose: each statement is a short indexed read or a
 * single-row write, and PostgreSQL's `max_connections` (100 by default) is shared by every
 * replica, so 11 x replicas (the pool and the LISTEN connection) must stay under it.
 */
export const DATABASE_POOL_MAX = 10;

/** Server-side limit of one statement; nothing this store runs should come close. */
export const DATABASE_STATEMENT_TIMEOUT_MS = 5_000;

/** How long a request waits for a free connection before failing instead of queueing. */
export const DATABASE_CONNECTION_TIMEOUT_MS = 5_000;

/** Idle connections are closed after this long. */
export const DATABASE_IDLE_TIMEOUT_MS = 30_000;

/** Shown in `pg_stat_activity`, so an operator can tell this service's sessions apart. */
export const DATABASE_APPLICATION_NAME = 'approval-events';

/** How long the `database` health check waits for `SELECT 1`, pool checkout included. */
export const DATABASE_HEALTH_TIMEOUT_MS = 1_000;
