import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { APPROVALS_DATABASE, type ApprovalsDatabase } from './postgres.constants';

/**
 * Ends the approvals pool when the application closes, so no socket keeps the process (or a
 * test run) alive. Runs after in-flight requests: Nest calls `onApplicationShutdown` once the
 * HTTP server has stopped accepting.
 */
@Injectable()
export class PostgresPoolShutdown implements OnApplicationShutdown {
  constructor(
    @Optional() @Inject(APPROVALS_DATABASE) private readonly database: ApprovalsDatabase | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const pool = this.database?.pool;
    if (pool && !pool.ended && !pool.ending) await pool.end();
  }
}
