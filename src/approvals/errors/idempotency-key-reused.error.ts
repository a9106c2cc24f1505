const REUSED = (workspaceId: string, approvalId: string) =>
  `Idempotency-Key conflict: this key already made approval ${approvalId} in workspace ` +
  `${workspaceId} from a different request body; use a new key for a new request`;

/**
 * A create came with an `Idempotency-Key` its (workspace, requester) already used for a
 * request with another body: a client bug (one key for two requests) that must not be
 * answered with the other request's approval. The API answers 422.
 *
 * @example
 * throw new IdempotencyKeyReusedError('ws1', 'a1');
 */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';

  constructor(
    readonly workspaceId: string,
    /** The approval the key made first. */
    readonly approvalId: string,
  ) {
    super(REUSED(workspaceId, approvalId));
  }
}
