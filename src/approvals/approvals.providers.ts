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

/** TEST ONLY fault injection, unbound: see {@link AFTER_DECISION_COMMIT_HOOK}. */
export const afterDecisionCommitHookProvider: ValueProvider<AfterDecisionCommitHook | null> = {
  provide: AFTER_DECISION_COMMIT_HOOK,
  useValue: null,
};
