import { ApprovalTimeoutError } from '../errors/approval-timeout.error';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type { ReceivedResolution } from '../interfaces/wait-options.interface';
import { PendingWait } from '../waits/pending-wait';
import type { ApprovalChannels, ResolutionListener } from './approval-channels';

/**
 * A manager wait: ends with the first resolution event of its approval, trusting it.
 *
 * @internal
 */
export class ManagerWait extends PendingWait<ApprovalResult> implements ResolutionListener {
  private channels?: ApprovalChannels;
  private key = '';
  private approvalId = '';
  private timeoutMs = 0;

  /** Starts the wait on the channel of `key`. */
  listenOn(channels: ApprovalChannels, key: string, approvalId: string, timeoutMs: number): void {
    this.channels = channels;
    this.key = key;
    this.approvalId = approvalId;
    this.timeoutMs = timeoutMs;
    if (this.begin(timeoutMs)) channels.add(key, this);
  }

  onResolution({ result }: ReceivedResolution): void {
    this.settle(result);
  }

  onClose(error: Error): void {
    this.fail(error);
  }

  protected detach(): void {
    this.channels?.remove(this.key, this);
  }

  protected expire(): void {
    this.fail(new ApprovalTimeoutError(this.approvalId, this.timeoutMs));
  }
}
