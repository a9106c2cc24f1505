import type { FactoryProvider, ValueProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { ApprovalsRepository } from './approvals.repository';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';
import {
  AFTER_DECISION_COMMIT_HOOK,
  type AfterDecisionCommitHook,
  testOnlyHook,
} from './postgres/after-decision-commit.hook';
import { APPROVALS_DATABASE, type ApprovalsDatabase } from './postgres/postgres.constants';
import { PostgresApprovalsRepository } from './postgres/postgres-approvals.repository';
import { ApprovalsExpirySweeper } from './postgres/expiry-sweeper';
import { DEFAULT_SWEEP_INTERVAL_MS } from './lifecycle/lifecycle.config';

/**
 * Binds {@link ApprovalsRepository}: PostgreSQL when the database module has a pool
 * (`DATABASE_URL` set), else the embedded in-memory store. One place decides, so the rest of
 * the module never knows which store it talks to.
 */
export const approvalsRepositoryProvider: FactoryProvider<ApprovalsRepository> = {
  provide: ApprovalsRepository,
  inject: [
    APPROVALS_DATABASE,
    AFTER_DECISION_COMMIT_HOOK,
    { token: ConfigService, optional: true },
  ],
  useFactory: (
    database: ApprovalsDatabase | null,
    afterCommit: AfterDecisionCommitHook | null,
    config?: ConfigService<Environment, true>,
  ) =>
    database
      ? new PostgresApprovalsRepository(
          database.pool,
          database.schema,
          testOnlyHook(afterCommit, config?.get('NODE_ENV', { infer: true })),
          database.outages,
        )
      : new InMemoryApprovalsRepository(),
};

/**
 * The PostgreSQL store's sweeper (deadlines and reminders), on every replica; `null` with the
 * in-memory store, whose own timers reach its deadlines. Its period is
 * `APPROVAL_EXPIRY_SWEEP_INTERVAL_MS` (default 1 000 ms, at most 1 000).
 */
export const expirySweeperProvider: FactoryProvider<ApprovalsExpirySweeper | null> = {
  provide: ApprovalsExpirySweeper,
  inject: [ApprovalsRepository, { token: ConfigService, optional: true }],
  useFactory: (repository: ApprovalsRepository, config?: ConfigService<Environment, true>) =>
    repository instanceof PostgresApprovalsRepository
      ? new ApprovalsExpirySweeper(
          repository,
          config?.get('APPROVAL_EXPIRY_SWEEP_INTERVAL_MS', { infer: true }) ??
            DEFAULT_SWEEP_INTERVAL_MS,
        )
      : null,
};

/** TEST ONLY fault injection, unbound: see {@link AFTER_DECISION_COMMIT_HOOK}. */
export const afterDecisionCommitHookProvider: ValueProvider<AfterDecisionCommitHook | null> = {
  provide: AFTER_DECISION_COMMIT_HOOK,
  useValue: null,
};
