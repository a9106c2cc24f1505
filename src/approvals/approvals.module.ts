import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import {
  afterDecisionCommitHookProvider,
  approvalsRepositoryProvider,
} from './approvals.providers';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';
import { ApprovalsPostgresModule } from './postgres/postgres.module';
import { StoreApprovalStatusSource } from './store-approval-status.source';

/**
 * The approvals (Foundation) module: the store, the decisions and the REST API.
 *
 * Needs, from the application: `EventEmitterModule.forRoot()` (decisions are announced as
 * `approval.resolved`) and `ApprovalEventsModule` (global; the wait route uses its
 * `ApprovalQueueBridge`). It exports {@link StoreApprovalStatusSource} so the application
 * hands the library this store instead of HTTP.
 *
 * The store is in memory unless `DATABASE_URL` is set (read from the global `ConfigService`),
 * in which case it is PostgreSQL, migrated before the app serves ({@link ApprovalsPostgresModule}).
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
  imports: [ApprovalsPostgresModule],
  controllers: [ApprovalsController],
  providers: [
    approvalsRepositoryProvider,
    afterDecisionCommitHookProvider,
    ApprovalsService,
    StoreApprovalStatusSource,
  ],
  exports: [
    ApprovalsRepository,
    ApprovalsService,
    StoreApprovalStatusSource,
    ApprovalsPostgresModule,
  ],
})
export class ApprovalsModule {}
