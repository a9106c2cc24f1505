import {
  APPROVAL_REMINDER_EVENT,
  APPROVAL_RESOLVED_EVENT,
  toApprovalResult,
} from '@app/approval-events';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Subscription } from 'rxjs';
import { ApprovalsRepository, type LifecycleTransition } from '../approvals.repository';
import { emitStored } from '../emit-stored';

/**
 * Announces what the store did by itself, as the service announces decisions: an approval
 * ended at its deadline is an `approval.resolved` event (the library wakes its waiters and
 * the gateway relays it), a claimed reminder an `approval.reminder` one (relayed as
 * `approval:reminder`). Each on the replica that did it, once.
 *
 * Not an expiry the store announces itself (`announcesDecisions`: PostgreSQL's NOTIFY, which
 * every replica hears, this one included): a second, in-process announcement would wake
 * nothing sooner and cost each expiry a second trip through the manager and the gateway
 * (measured: the sweeping replica's CPU at 1 000 expiries a second, 6.0 % → 3.9 % of a core).
 *
 * A reminder is best effort: the store claims it first, so a replica that dies between the
 * claim and this emit loses that one reminder (it is never sent twice). And like
 * `approval:requested`, it reaches the Socket.io clients of the emitting replica only.
 */
@Injectable()
export class ApprovalLifecycleAnnouncer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApprovalLifecycleAnnouncer.name);
  private subscription: Subscription | undefined;

  constructor(
    @Inject(ApprovalsRepository) private readonly repository: ApprovalsRepository,
    private readonly events: EventEmitter2,
  ) {}

  onModuleInit(): void {
    this.subscription = this.repository.lifecycle$.subscribe((transition) =>
      this.announce(transition),
    );
  }

  /** After the sweeper's last sweep (it stops before shutdown), so that one is announced too. */
  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private announce({ kind, approval }: LifecycleTransition): void {
    if (kind === 'expired') {
      if (this.repository.announcesDecisions) return;
      emitStored(
        this.events,
        this.logger,
        APPROVAL_RESOLVED_EVENT,
        toApprovalResult(approval),
        approval.id,
      );
    } else {
      emitStored(this.events, this.logger, APPROVAL_REMINDER_EVENT, approval, approval.id);
    }
  }
}
