import { REDIS_KEY_PREFIX_PATTERN } from '@app/approval-events';
import {
  LOG_LEVELS,
  type LogLevelName,
  OptionalSecret,
  URL_OPTIONS,
  validateEnvironmentAs,
} from '@app/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from '../approvals/postgres/schema-name';

/**
 * Every environment variable the host reads, checked at boot so a typo
 * fails fast with the variable's name. Values are never echoed in the error: some are secrets.
 */
export class Environment {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @OptionalSecret(16)
  API_KEY?: string;

  @OptionalSecret(16)
  APPROVAL_EVENTS_PRODUCER_TOKEN?: string;

  @OptionalSecret(16)
  APPROVAL_EVENTS_SUBSCRIBER_TOKEN?: string;

  /** Signs the scoped subscriber tokens `POST /api/workspaces/:id/event-tokens` issues. */
  @OptionalSecret(32)
  APPROVAL_EVENTS_JWT_SECRET?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  EVENT_BUS_URL?: string;

  /** Comma-separated workspaces a process subscribed to a remote bus listens to. */
  @IsOptional()
  @IsString()
  EVENT_BUS_WORKSPACES?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  APPROVALS_API_URL?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['redis', 'rediss'] })
  REDIS_URL?: string;

  /** Prefix of the Redis channel the replicas share, so deployments on one Redis stay apart. */
  @IsOptional()
  @Matches(REDIS_KEY_PREFIX_PATTERN)
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  /** Schema of the PostgreSQL approvals store (with `DATABASE_URL`); created if absent. */
  @IsOptional()
  @Matches(SCHEMA_NAME_PATTERN, {
    message: 'DATABASE_SCHEMA must be 1 to 63 of [a-z0-9_], not starting with a digit',
  })
  @Matches(/^(?!pg_)/, { message: 'DATABASE_SCHEMA must not start with pg_ (reserved)' })
  DATABASE_SCHEMA = DEFAULT_SCHEMA;

  /** How often a wait reads its approval while the event bus is down (ms). */
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

/** `ConfigModule.forRoot({ validate })`: the typed environment, or an error naming each bad variable. */
export const validateEnvironment = (raw: Record<string, unknown>) =>
  validateEnvironmentAs(Environment, raw);
