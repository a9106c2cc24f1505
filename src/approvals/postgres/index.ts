export {
  AFTER_DECISION_COMMIT_HOOK,
  type AfterDecisionCommitHook,
} from './after-decision-commit.hook';
export { DatabaseHealthIndicator } from './database.health';
export { decisionChannelFor } from './decision-channel';
export { runMigrations, type MigrationReport, type RunMigrationsOptions } from './migration-runner';
export { APPROVALS_MIGRATIONS, type Migration } from './migrations';
export { PostgresApprovalsRepository } from './postgres-approvals.repository';
export { APPROVALS_DATABASE, type ApprovalsDatabase } from './postgres.constants';
export { ApprovalsPostgresModule } from './postgres.module';
export { createApprovalsPool } from './postgres.providers';
export { DEFAULT_SCHEMA, quoteSchemaName, SCHEMA_NAME_PATTERN } from './schema-name';
