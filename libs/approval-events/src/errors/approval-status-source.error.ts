/**
 * A status read failed for a reason other than "not found". `retryable` tells the bridge
 * whether trying again can help (a 5xx or a network error can, a 401 cannot).
 *
 * @example
 * throw new ApprovalStatusSourceError('Approvals API answered 503', { retryable: true, statusCode: 503 });
 */
export class ApprovalStatusSourceError extends Error {
  override readonly name = 'ApprovalStatusSourceError';
  readonly retryable: boolean;
  readonly statusCode?: number;

  constructor(
    message: string,
    options: { retryable: boolean; statusCode?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.statusCode = options.statusCode;
  }
}
