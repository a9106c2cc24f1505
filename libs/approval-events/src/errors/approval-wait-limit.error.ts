const LIMIT_REACHED = (maxPendingWaits: number) =>
  `Too many approval waits in progress (the limit is ${maxPendingWaits}); try again later`;

/**
 * A wait was refused because `maxPendingWaits` waits are already in progress, so no
 * caller can exhaust the process's memory with waits.
 *
 * @example
 * if (err instanceof ApprovalWaitLimitError) throw new HttpException(err.message, 429);
 */
export class ApprovalWaitLimitError extends Error {
  override readonly name = 'ApprovalWaitLimitError';

  constructor(readonly maxPendingWaits: number) {
    super(LIMIT_REACHED(maxPendingWaits));
  }
}
