import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { APPROVAL_RESOLVED_EVENT } from '../approval-events.constants';
import { feedUntrusted } from './feed-untrusted';

/**
 * The in-process event source: a module in the same process publishes a decision with
 * `eventEmitter.emit('approval.resolved', result)` and nothing else. Needs
 * `EventEmitterModule.forRoot()` in the application; without it the app boots, but no
 * `@OnEvent` handler is ever called, so it says so at boot.
 *
 * @internal
 */
@Injectable()
export class ApprovalResolvedListener implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApprovalResolvedListener.name);

  constructor(
    private readonly manager: ApprovalEventManager,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    try {
      this.moduleRef.get(EventEmitter2, { strict: false });
    } catch {
      this.logger.warn(
        'EventEmitterModule is not imported (add EventEmitterModule.forRoot() to the root ' +
          `module): in-process "${APPROVAL_RESOLVED_EVENT}" events will wake no wait, which ` +
          'then ends only through the other links, its deadline read or its timeout, and the ' +
          'gateway relays no approval:requested, approval:voted or approval:reminder',
      );
    }
  }

  @OnEvent(APPROVAL_RESOLVED_EVENT)
  handle(payload: unknown): void {
    // The emitter belongs to whoever decided; a bad payload must not become their error.
    feedUntrusted(this.manager, payload, 'in_process', this.logger, 'an in-process approval event');
  }
}
