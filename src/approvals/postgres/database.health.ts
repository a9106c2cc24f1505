import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import {
  APPROVALS_DATABASE,
  type ApprovalsDatabase,
  DATABASE_HEALTH_TIMEOUT_MS,
} from './postgres.constants';

const TIMEOUT_EXCEEDED = (timeoutMs: number) => `timeout of ${timeoutMs} ms exceeded`;

/**
 * `database` is up while the approvals store answers `SELECT 1` within the timeout, pool
 * checkout included: a pool exhausted for that long is as unusable as a database that is
 * down. Without `DATABASE_URL` it is always up, with `store: 'memory'`, so `/health` reads the
 * same in every deployment.
 *
 * @example
 * this.health.check([() => this.database.check()]);
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Optional() @Inject(APPROVALS_DATABASE) private readonly database: ApprovalsDatabase | null,
  ) {}

  /**
   * @param key Name of the indicator in the report. @default 'database'
   * @param timeoutMs @default DATABASE_HEALTH_TIMEOUT_MS (1 000)
   */
  async check(key = 'database', timeoutMs = DATABASE_HEALTH_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    if (!this.database) return indicator.up({ store: 'memory' });
    const { pool } = this.database;
    // Read after the attempt, so a timeout shows whether requests were queueing for a connection.
    const details = () => ({
      store: 'postgres',
      connections: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    });
    try {
      await withTimeout(pool.query('SELECT 1'), timeoutMs);
      return indicator.up(details());
    } catch (error) {
      return indicator.down({ ...details(), message: (error as Error).message });
    }
  }
}

/** Rejects after `timeoutMs` unless `promise` settles first; the timer never outlives the race. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The query may still fail after the race is lost; that failure has nobody to tell.
  promise.catch(() => undefined);
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(TIMEOUT_EXCEEDED(timeoutMs))), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
