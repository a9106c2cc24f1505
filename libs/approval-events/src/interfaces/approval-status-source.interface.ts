import type { Approval } from './approval.interface';

/**
 * Options for one status read.
 */
export interface ApprovalStatusReadOptions {
  /** Aborted when the wait that asked for the read no longer needs it. */
  signal?: AbortSignal;
}

/**
 * Where the bridge reads the authoritative state of an approval. Events only say "look
 * again"; what this returns decides every outcome.
 *
 * The library ships {@link HttpApprovalStatusSource} (the approvals REST API over HTTP).
 * A host that owns the approvals store binds its own, so it never calls itself over HTTP.
 *
 * Implementations throw `ApprovalNotFoundError` when the approval does not exist in that
 * workspace, and `ApprovalStatusSourceError` with `retryable` for other failures; any other
 * thrown error is treated as retryable.
 *
 * @example
 * @Injectable()
 * class StoreStatusSource implements ApprovalStatusSource {
 *   constructor(private readonly store: ApprovalsStore) {}
 *   getApproval(workspaceId: string, approvalId: string) {
 *     return this.store.findOne(workspaceId, approvalId);
 *   }
 * }
 */
export interface ApprovalStatusSource {
  getApproval(
    workspaceId: string,
    approvalId: string,
    options?: ApprovalStatusReadOptions,
  ): Promise<Approval>;
}

/**
 * Injection token of the `ApprovalStatusSource` the bridge reads through.
 * A `Symbol` of the same name as the interface, as `ThrottlerStorage` does.
 */
export const ApprovalStatusSource = Symbol('ApprovalStatusSource');
