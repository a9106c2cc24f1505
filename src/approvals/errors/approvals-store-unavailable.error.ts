/** The message clients see, in the 503 body. */
export const STORE_UNAVAILABLE_MESSAGE = 'approvals store unavailable';

/** Seconds a client is told to wait (`Retry-After`) before trying again. @default 5 */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The approvals store cannot be reached right now (connection refused, dropped or timed out,
 * no pooled connection free in time). Thrown by the store in place of the driver's error, so
 * no caller needs to know the driver: the REST API answers 503 with `Retry-After`, and the
 * host's status source tells the library's waits to retry. The driver's error is the `cause`.
 *
 * @example
 * throw new ApprovalsStoreUnavailableError(driverError);
 */
export class ApprovalsStoreUnavailableError extends Error {
  override readonly name = 'ApprovalsStoreUnavailableError';
  readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS;

  constructor(cause: unknown) {
    super(STORE_UNAVAILABLE_MESSAGE, { cause });
  }
}
