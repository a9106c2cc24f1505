import {
  LOG_LEVELS,
  type LogLevelName,
  OptionalSecret,
  URL_OPTIONS,
  validateEnvironmentAs,
} from '@app/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

/**
 * Every environment variable the agent worker reads, checked at boot so a typo fails fast
 * with the variable's name.
 */
export class WorkerEnvironment {
  /** Sent as `x-api-key` on every REST call to the host. */
  @OptionalSecret(16)
  API_KEY?: string;

  /** Presented to the host's bus in the handshake. */
  @OptionalSecret(16)
  APPROVAL_EVENTS_SUBSCRIBER_TOKEN?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  EVENT_BUS_URL?: string;

  /** Comma-separated workspaces to subscribe to as it connects, or `*` for all it may see. */
  @IsOptional()
  @IsString()
  EVENT_BUS_WORKSPACES?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  APPROVALS_API_URL?: string;

  /** How often a wait reads its approval where events cannot reach it (ms). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  APPROVAL_POLL_INTERVAL_MS?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'log';
}

/** `ConfigModule.forRoot({ validate })` for the worker. */
export const validateWorkerEnvironment = (raw: Record<string, unknown>) =>
  validateEnvironmentAs(WorkerEnvironment, raw);
