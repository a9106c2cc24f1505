import type { LoggerService } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';

/**
 * Emits `event` about something already stored. What is stored stays the answer: a failing
 * listener must not turn it into a 500 or stop a sweep. Waiters still learn of a decision by
 * the store's announcement, a poll or their final read.
 *
 * @example
 * emitStored(this.events, this.logger, APPROVAL_REQUESTED_EVENT, approval, approval.id);
 */
export function emitStored(
  events: EventEmitter2,
  logger: Pick<LoggerService, 'error'>,
  event: string,
  payload: unknown,
  approvalId: string,
): void {
  try {
    events.emit(event, payload);
  } catch (error) {
    logger.error(
      `A listener of ${event} failed for approval ${approvalId}: ${(error as Error).message}`,
    );
  }
}
