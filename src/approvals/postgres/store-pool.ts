import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { isConnectionFailure } from './connection-failure';
import type { StoreOutageLog } from './store-outage.log';

/**
 * The approvals pool as the store uses it: every statement and every transaction goes
 * through here, so no driver error about reachability escapes (it becomes an
 * `ApprovalsStoreUnavailableError`, and each outage is logged once by `outages`).
 *
 * @example
 * const db = new StorePool(pool, outages);
 * await db.transaction(async (client) => { await client.query(…); await client.query(…); });
 */
export class StorePool {
  constructor(
    /** Shared, owned by the caller: never ended here. */
    readonly pool: Pool,
    private readonly outages: StoreOutageLog,
  ) {}

  async query<Row extends QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<QueryResult<Row>> {
    try {
      const result = await this.pool.query<Row>(text, values);
      this.outages.succeeded();
      return result;
    } catch (error) {
      throw this.classified(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed if it returns, rolled back
   * if it throws (its error is rethrown, classified as {@link query} does). A connection
   * that could not roll back is discarded, not reused.
   */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.classified(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      this.outages.succeeded();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw this.classified(error);
    } finally {
      client.release(broken);
    }
  }

  private classified(error: unknown): unknown {
    if (isConnectionFailure(error)) return this.outages.failed(error);
    // The database answered, so it is reachable, even if this statement was refused.
    if (typeof (error as { code?: unknown }).code === 'string') this.outages.succeeded();
    return error;
  }
}
