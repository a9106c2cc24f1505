import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { REDIS_KEY_PREFIX_PATTERN } from '@app/approval-events';
import { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from '../approvals/postgres/schema-name';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** An optional secret of at least `minLength` characters; the message names the variable. */
const OptionalSecret = (minLength: number) =>
  applyDecorators(
    IsOptional(),
    IsString(),
    MinLength(minLength, { message: `$property must be at least ${minLength} characters` }),
  );

/**
 * Every environment variable the host and the agent worker read, checked at boot so a typo
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
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const blankless = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const environment = plainToInstance(Environment, blankless, { exposeDefaultValues: true });
  const errors = validateSync(environment, {
    skipMissingProperties: false,
    forbidUnknownValues: false,
  });
  if (errors.length > 0) {
    const problems = errors.map(
      (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`,
    );
    throw new Error(`Invalid environment:\n- ${problems.join('\n- ')}`);
  }
  return environment;
}

/** The log levels at and above `level`, for Nest's logger. */
export function logLevelsFrom(level: LogLevelName = 'log'): LogLevelName[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** The comma-separated list as ids, blanks dropped. */
export function listFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * `EVENT_BUS_WORKSPACES` as the library's options: a comma-separated list of workspaces to
 * subscribe to as the client connects, or `*` for every workspace the token may see.
 */
export function busWorkspacesFrom(value: string | undefined): {
  eventBusWorkspaces: string[];
  eventBusSubscribeAll: boolean;
} {
  const workspaces = listFrom(value);
  const all = workspaces.includes('*');
  return { eventBusWorkspaces: all ? [] : workspaces, eventBusSubscribeAll: all };
}
