import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';
import { DecisionPolicy } from './decision-policy';
import { ApprovalsStoreModule } from './approvals-store.module';
import { ApprovalLifecycleAnnouncer } from './lifecycle/lifecycle.announcer';

/**
 * The approvals (Foundation) module: the decisions and the REST API, over
 * {@link ApprovalsStoreModule} (which it re-exports).
 *
 * Needs, from the application: `EventEmitterModule.forRoot()` (decisions, and approvals
 * the store ended at their deadline, are announced as `approval.resolved`; due reminders as
 * `approval.reminder`) and `ApprovalEventsModule` (global; the wait route uses its
 * `ApprovalQueueBridge`), configured with `imports: [ApprovalsStoreModule]` so the library
 * reads this store instead of HTTP.
 *
 * The store is in memory unless `DATABASE_URL` is set (read from the global `ConfigService`),
 * in which case it is PostgreSQL, migrated before the app serves.
 *
 * @example
 * imports: [
 *   EventEmitterModule.forRoot(),
 *   ApprovalsModule,
 *   ApprovalEventsModule.forRootAsync({
 *     imports: [ApprovalsStoreModule],
 *     inject: [StoreApprovalStatusSource],
 *     useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
 *   }),
 * ]
 */
@Module({
  imports: [ApprovalsStoreModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsService, DecisionPolicy, ApprovalLifecycleAnnouncer],
  exports: [ApprovalsService, DecisionPolicy, ApprovalsStoreModule],
})
export class ApprovalsModule {}
