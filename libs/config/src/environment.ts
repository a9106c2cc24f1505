import { applyDecorators } from '@nestjs/common';
import { type ClassConstructor, plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

/**
 * What the host and the agent worker share about reading their environment: each app
 * declares its own variables as a class, and both validate, log and parse lists the same
 * way. Neither app imports the other.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `@IsUrl` options of every http(s) URL variable: a protocol is required, a TLD is not. */
export const URL_OPTIONS = {
  require_tld: false,
  require_protocol: true,
  protocols: ['http', 'https'],
};

/** An optional secret of at least `minLength` characters; the message names the variable. */
export const OptionalSecret = (minLength: number) =>
  applyDecorators(
    IsOptional(),
    IsString(),
    MinLength(minLength, { message: `$property must be at least ${minLength} characters` }),
  );

/**
 * `ConfigModule.forRoot({ validate })`: the environment as an instance of `schema`, or an
 * error naming each bad variable. Values are never echoed in the error: some are secrets.
 */
export function validateEnvironmentAs<T extends object>(
  schema: ClassConstructor<T>,
  raw: Record<string, unknown>,
): T {
  const blankless = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const environment = plainToInstance(schema, blankless, { exposeDefaultValues: true });
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

/**
 * The variables of any process that waits on approvals as a client of a host: its API key,
 * the host's bus and REST API, the fallback poll interval and the log level. The worker's
 * environment is exactly this; the host's extends it (a host may subscribe to another bus).
 */
export class ApprovalsClientEnvironment {
  /**
   * Host: one more accepted `x-api-key`, the principal `api-key` (role `agent`, every
   * workspace; see `API_KEYS` for the others). Worker: the key it sends on every REST call.
   */
  @OptionalSecret(16)
  API_KEY?: string;

  /** May only subscribe; the gateway accepts it, a bus client presents it. */
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
