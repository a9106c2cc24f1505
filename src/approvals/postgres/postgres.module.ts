import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { APPROVALS_DATABASE } from './postgres.constants';
import { createApprovalsDatabase } from './postgres.providers';
import { PostgresPoolShutdown } from './postgres-pool.shutdown';

/**
 * The approvals store's database, when `DATABASE_URL` is set: the pool (bounded, migrated
 * before the app serves, ended on shutdown) as {@link APPROVALS_DATABASE}, and the `database`
 * health indicator. Without `DATABASE_URL`, {@link APPROVALS_DATABASE} is `null` and the
 * approvals module keeps its in-memory store. Reads `DATABASE_URL` and `DATABASE_SCHEMA`
 * (default `public`) from the global `ConfigService`.
 *
 * @example
 * // operations.module.ts: put the database in /health
 * imports: [TerminusModule.forRoot(), ApprovalsPostgresModule],
 * // health.controller.ts
 * this.health.check([() => this.eventBus.check(), () => this.database.check()]);
 */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: APPROVALS_DATABASE,
      inject: [{ token: ConfigService, optional: true }],
      useFactory: createApprovalsDatabase,
    },
    PostgresPoolShutdown,
    DatabaseHealthIndicator,
  ],
  exports: [APPROVALS_DATABASE, DatabaseHealthIndicator],
})
export class ApprovalsPostgresModule {}
