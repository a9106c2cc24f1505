import { Module } from '@nestjs/common';
import {
  afterDecisionCommitHookProvider,
  approvalsRepositoryProvider,
  expirySweeperProvider,
} from './approvals.providers';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsPostgresModule } from './postgres/postgres.module';
import { StoreApprovalStatusSource } from './store-approval-status.source';

/**
 * The approvals store and nothing else: the repository (in memory, or PostgreSQL with
 * `DATABASE_URL`, then with its expiry sweeper) and {@link StoreApprovalStatusSource}, the
 * library's window on it.
 *
 * Its own module so the dependencies run one way: the library reads the store through
 * this module, and the approvals module (REST, decisions) uses both the store and the
 * library. With the store inside the approvals module, each would need the other.
 *
 * @example
 * ApprovalEventsModule.forRootAsync({
 *   imports: [ApprovalsStoreModule],
 *   inject: [StoreApprovalStatusSource],
 *   useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
 * })
 */
@Module({
  imports: [ApprovalsPostgresModule],
  providers: [
    approvalsRepositoryProvider,
    afterDecisionCommitHookProvider,
    expirySweeperProvider,
    StoreApprovalStatusSource,
  ],
  exports: [ApprovalsRepository, StoreApprovalStatusSource, ApprovalsPostgresModule],
})
export class ApprovalsStoreModule {}
