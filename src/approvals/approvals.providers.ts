import type { FactoryProvider } from '@nestjs/common';
import { ApprovalsRepository } from './approvals.repository';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';
import { APPROVALS_DATABASE, type ApprovalsDatabase } from './postgres/postgres.constants';
import { PostgresApprovalsRepository } from './postgres/postgres-approvals.repository';

/**
 * Binds {@link ApprovalsRepository}: PostgreSQL when the database module has a pool
 * (`DATABASE_URL` set), else the embedded in-memory store. One place decides, so the rest of
 * the module never knows which store it talks to.
 */
export const approvalsRepositoryProvider: FactoryProvider<ApprovalsRepository> = {
  provide: ApprovalsRepository,
  inject: [APPROVALS_DATABASE],
  useFactory: (database: ApprovalsDatabase | null) =>
    database
      ? new PostgresApprovalsRepository(database.pool, database.schema, database.outages)
      : new InMemoryApprovalsRepository(),
};
