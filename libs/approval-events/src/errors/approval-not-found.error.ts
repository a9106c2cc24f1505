const NOT_FOUND = (workspaceId: string, approvalId: string) =>
  `Approval ${approvalId} does not exist in workspace ${workspaceId}`;

/**
 * The status source has no such approval in that workspace. A wait on it can never end,
 * so it fails at once instead of being retried.
 *
 * @example
 * throw new ApprovalNotFoundError('ws1', 'a1');
 */
export class ApprovalNotFoundError extends Error {
  override readonly name = 'ApprovalNotFoundError';

  constructor(
    readonly workspaceId: string,
    readonly approvalId: string,
  ) {
    super(NOT_FOUND(workspaceId, approvalId));
  }
}
