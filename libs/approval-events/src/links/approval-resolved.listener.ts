import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { APPROVAL_RESOLVED_EVENT } from '../approval-events.constants';
import { feedUntrusted } from './feed-untrusted';

/**
 * The in-process event source: a module in the same process publishes a decision with
 * `eventEmitter.emit('approval.resolved', result)` and nothing else. Needs
 * `EventEmitterModule.forRoot()` in the application.
 */
@Injectable()
export class ApprovalResolvedListener {
  private readonly logger = new Logger(ApprovalResolvedListener.name);

  constructor(private readonly manager: ApprovalEventManager) {}

  @OnEvent(APPROVAL_RESOLVED_EVENT)
  handle(payload: unknown): void {
    // The emitter belongs to whoever decided; a bad payload must not become their error.
    feedUntrusted(this.manager, payload, 'in_process', this.logger, 'an in-process approval event');
  }
}
