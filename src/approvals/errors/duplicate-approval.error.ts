const DUPLICATE = (workspaceId: string, approvalId: string) =>
  `Approval ${approvalId} already exists in workspace ${workspaceId}`;

/**
 * An approval was created with an id its workspace already holds. Ids are random UUIDs,
 * so this means a bug or a replayed write, never something to overwrite silently.
 *
 * @example
 * throw new DuplicateApprovalError('ws1', 'a1');
 */
export class DuplicateApprovalError extends Error {
  override readonly name = 'DuplicateApprovalError';

  constructor(
    readonly workspaceId: string,
    readonly approvalId: string,
  ) {
    super(DUPLICATE(workspaceId, approvalId));
  }
}
