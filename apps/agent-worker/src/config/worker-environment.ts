import { ApprovalsClientEnvironment, validateEnvironmentAs } from '@app/config';

/**
 * Every environment variable the agent worker reads, checked at boot so a typo fails fast
 * with the variable's name: those of any approvals client, and nothing of the host's.
 */
export class WorkerEnvironment extends ApprovalsClientEnvironment {}

/** `ConfigModule.forRoot({ validate })` for the worker. */
export const validateWorkerEnvironment = (raw: Record<string, unknown>) =>
  validateEnvironmentAs(WorkerEnvironment, raw);
