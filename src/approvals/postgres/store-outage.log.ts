import type { LoggerService } from '@nestjs/common';
import { ApprovalsStoreUnavailableError } from '../errors/approvals-store-unavailable.error';

/**
 * Remembers whether the store is reachable, so an outage is logged twice in all: once when
 * it starts, with the driver's error as its cause, and once when a query succeeds again,
 * with how long it lasted. Requests during the outage get 503s and log nothing; a log line
 * per failed request would bury the one that says what broke.
 *
 * @example
 * try { const result = await pool.query(sql); outages.succeeded(); return result; }
 * catch (error) { throw isConnectionFailure(error) ? outages.failed(error) : error; }
 */
export class StoreOutageLog {
  private downSince: number | undefined;

  constructor(private readonly logger: Pick<LoggerService, 'error' | 'log'>) {}

  /** Whether an outage is in progress. */
  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  /** Records a failure to reach the store; logs it if it starts an outage. */
  failed(cause: unknown): ApprovalsStoreUnavailableError {
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.logger.error(`PostgreSQL approvals store unavailable: ${describe(cause)}`);
    }
    return new ApprovalsStoreUnavailableError(cause);
  }

  /** Records a query that worked; logs the end of the outage if there was one. */
  succeeded(): void {
    if (this.downSince === undefined) return;
    const lastedMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.logger.log(`PostgreSQL approvals store reachable again after ${lastedMs} ms`);
  }
}

/** The driver's message and code; never the connection string, which `pg` does not put in either. */
function describe(cause: unknown): string {
  if (typeof cause !== 'object' || cause === null) return String(cause);
  const { code, message, errors } = cause as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  const text =
    (typeof message === 'string' && message) ||
    (Array.isArray(errors) ? errors.map((inner) => describe(inner)).join('; ') : 'unknown error');
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
