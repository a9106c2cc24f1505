import {
  ApprovalNotFoundError,
  ApprovalStatusSourceError,
  type Approval,
  type ApprovalStatusReadOptions,
  type ApprovalStatusSource,
} from '@app/approval-events';
import { Inject, Injectable } from '@nestjs/common';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsStoreUnavailableError } from './errors/approvals-store-unavailable.error';

/**
 * The library's status source over the host's own store, so the host's bridge reads
 * approvals in-process instead of calling its own REST API over HTTP.
 *
 * @example
 * ApprovalEventsModule.forRootAsync({
 *   imports: [ApprovalsModule],
 *   inject: [StoreApprovalStatusSource],
 *   useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
 * });
 */
@Injectable()
export class StoreApprovalStatusSource implements ApprovalStatusSource {
  constructor(@Inject(ApprovalsRepository) private readonly repository: ApprovalsRepository) {}

  /**
   * Reads the approval from the store.
   *
   * @throws ApprovalNotFoundError when it is absent or in another workspace.
   * @throws ApprovalStatusSourceError with `retryable: true` while the store cannot be
   *   reached, so a wait pending through an outage keeps retrying and then resolves.
   * @throws the signal's reason when the read is no longer wanted.
   */
  async getApproval(
    workspaceId: string,
    approvalId: string,
    options: ApprovalStatusReadOptions = {},
  ): Promise<Approval> {
    options.signal?.throwIfAborted();
    let approval: Approval | undefined;
    try {
      approval = await this.repository.findOne(workspaceId, approvalId);
    } catch (error) {
      if (error instanceof ApprovalsStoreUnavailableError) {
        throw new ApprovalStatusSourceError(
          `Approvals store unavailable while reading approval ${approvalId}`,
          { retryable: true, statusCode: 503, cause: error },
        );
      }
      throw error;
    }
    if (!approval) throw new ApprovalNotFoundError(workspaceId, approvalId);
    return approval;
  }
}
