/** Why the store is full, as its message says it. */
export type ApprovalsStoreFullReason = 'pending' | 'recent' | 'workspaces';

const STORE_FULL: Record<ApprovalsStoreFullReason, (scope: string, limit: number) => string> = {
  pending: (scope, limit) =>
    `The approvals store is full: ${scope} already holds ${limit} pending approvals`,
  recent: (scope, limit) =>
    `The approvals store is full: ${scope} already holds ${limit} approvals, none decided long enough ago to evict`,
  workspaces: (scope, limit) =>
    `The approvals store is full: ${scope} already holds ${limit} workspaces with pending or recent approvals`,
};

/**
 * The store cannot take another approval: its bound holds only pending approvals, or
 * decided ones still inside their grace period (decided ones past it are evicted first).
 * The API answers 503: the client may retry once some approvals are decided or older.
 *
 * @example
 * throw new ApprovalsStoreFullError('workspace ws1', 2_000);
 */
export class ApprovalsStoreFullError extends Error {
  override readonly name = 'ApprovalsStoreFullError';

  constructor(
    readonly scope: string,
    readonly limit: number,
    readonly reason: ApprovalsStoreFullReason = 'pending',
  ) {
    super(STORE_FULL[reason](scope, limit));
  }
}
