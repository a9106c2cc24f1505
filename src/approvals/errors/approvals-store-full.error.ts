const STORE_FULL = (scope: string, limit: number) =>
  `The approvals store is full: ${scope} already holds ${limit} pending approvals`;

/**
 * The store cannot take another approval because every slot in its bound holds a pending
 * one (decided ones are evicted first). The API answers 503: the client may retry once
 * some approvals are decided.
 *
 * @example
 * throw new ApprovalsStoreFullError('workspace ws1', 10_000);
 */
export class ApprovalsStoreFullError extends Error {
  override readonly name = 'ApprovalsStoreFullError';

  constructor(
    readonly scope: string,
    readonly limit: number,
  ) {
    super(STORE_FULL(scope, limit));
  }
}
