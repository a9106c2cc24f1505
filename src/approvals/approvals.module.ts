import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';
import { StoreApprovalStatusSource } from './store-approval-status.source';

/**
 * The approvals (Foundation) module: the store, the decisions and the REST API.
 *
 * Needs, from the application: `EventEmitterModule.forRoot()` (decisions are announced as
 * `approval.resolved`) and `ApprovalEventsModule` (global; the wait route uses its
 * `ApprovalQueueBridge`). It exports {@link StoreApprovalStatusSource} so the application
 * hands the library this store instead of HTTP.
 *
 * @example
 * imports: [
 *   EventEmitterModule.forRoot(),
 *   ApprovalsModule,
 *   ApprovalEventsModule.forRootAsync({
 *     imports: [ApprovalsModule],
 *     inject: [StoreApprovalStatusSource],
 *     useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
 *   }),
 * ]
 */
@Module({
  controllers: [ApprovalsController],
  providers: [
    // The embedded default; a durable store overrides this one token.
    { provide: ApprovalsRepository, useFactory: () => new InMemoryApprovalsRepository() },
    ApprovalsService,
    StoreApprovalStatusSource,
  ],
  exports: [ApprovalsRepository, ApprovalsService, StoreApprovalStatusSource],
})
export class ApprovalsModule {}
