import { REDIS_KEY_PREFIX_PATTERN } from '@app/approval-events/internal';
import {
  ApprovalsClientEnvironment,
  OptionalSecret,
  URL_OPTIONS,
  validateEnvironmentAs,
} from '@app/config';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from '../approvals/postgres/schema-name';
import {
  DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER,
  DEFAULT_SWEEP_INTERVAL_MS,
  MAX_SWEEP_INTERVAL_MS,
  MIN_SWEEP_INTERVAL_MS,
} from '../approvals/lifecycle/lifecycle.config';
import {
  DEFAULT_IDEMPOTENCY_KEY_TTL_MS,
  MAX_IDEMPOTENCY_KEY_TTL_MS,
  MIN_IDEMPOTENCY_KEY_TTL_MS,
} from '../approvals/lifecycle/idempotency-key';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_WAITS_PER_ADDRESS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../common/http/connection-limits';
import { DecimalInteger } from '../common/validators/decimal-integer.transform';

/** An integer variable in `[min, max]`, written in plain decimal digits. */
const IntegerBetween = (min: number, max: number) =>
  applyDecorators(DecimalInteger(), IsInt(), Min(min), Max(max));

/** The request timeout cannot be shorter than the headers timeout it contains. */
const AtLeastHeadersTimeout = () =>
  ValidateBy({
    name: 'atLeastHeadersTimeout',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value !== 'number' || value >= (args?.object as Environment).HTTP_HEADERS_TIMEOUT_MS,
      defaultMessage: () => '$property must be at least HTTP_HEADERS_TIMEOUT_MS',
    },
  });

/** Longest `API_KEYS` value: Linux's own limit on one environment string (128 KiB). */
const MAX_API_KEYS_JSON_LENGTH = 128 * 1024;

/**
 * Every environment variable the host reads (those of any approvals client, and its own),
 * checked at boot so a typo fails fast with the variable's name. Values are never echoed in the error: some are secrets.
 */
export class Environment extends ApprovalsClientEnvironment {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @OptionalSecret(16)
  APPROVAL_EVENTS_PRODUCER_TOKEN?: string;

  /**
   * The REST API's keyed principals, JSON `[{ "id", "key", "roles", "workspaces" }]`; each
   * entry is checked at boot by `parseApiKeys` (src/auth/api-key-entry.ts).
   */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_API_KEYS_JSON_LENGTH)
  API_KEYS?: string;

  /** Verifies HS256 bearer tokens on the REST API. */
  @OptionalSecret(32)
  AUTH_JWT_SECRET?: string;

  /** Where the bearer tokens' issuer publishes its public keys. */
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  AUTH_JWKS_URL?: string;

  /** The `iss` every bearer token must carry (required with `AUTH_JWKS_URL`). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  AUTH_JWT_ISSUER?: string;

  /** The `aud` every bearer token must carry (required with `AUTH_JWKS_URL`). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  AUTH_JWT_AUDIENCE?: string;

  /** Signs the scoped subscriber tokens `POST /api/workspaces/:id/event-tokens` issues. */
  @OptionalSecret(32)
  APPROVAL_EVENTS_JWT_SECRET?: string;

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

  /** How often each replica sweeps the PostgreSQL store for due deadlines and reminders (ms). */
  @IsOptional()
  @IntegerBetween(MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS)
  APPROVAL_EXPIRY_SWEEP_INTERVAL_MS = DEFAULT_SWEEP_INTERVAL_MS;

  /** Most pending approvals one requester may hold in one workspace. */
  @IsOptional()
  @IntegerBetween(1, 1_000_000)
  MAX_OPEN_APPROVALS_PER_REQUESTER = DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER;

  /** How long an `Idempotency-Key` is remembered (ms). */
  @IsOptional()
  @IntegerBetween(MIN_IDEMPOTENCY_KEY_TTL_MS, MAX_IDEMPOTENCY_KEY_TTL_MS)
  IDEMPOTENCY_KEY_TTL_MS = DEFAULT_IDEMPOTENCY_KEY_TTL_MS;

  /**
   * How long a client has to send a request's headers (ms); a silent or half-sent
   * connection is closed with 408 within a second of it.
   */
  @IsOptional()
  @IntegerBetween(1_000, 60_000)
  HTTP_HEADERS_TIMEOUT_MS = DEFAULT_HEADERS_TIMEOUT_MS;

  /**
   * How long a client has to send a whole request, body included (ms). A long-poll is
   * complete when it arrives, so its answer may take the wait's full 120 s.
   */
  @IsOptional()
  @IntegerBetween(1_000, 300_000)
  @AtLeastHeadersTimeout()
  HTTP_REQUEST_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS;

  /** How long an idle keep-alive connection stays open (ms); above a proxy's own idle timeout. */
  @IsOptional()
  @IntegerBetween(1_000, 600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = DEFAULT_KEEP_ALIVE_TIMEOUT_MS;

  /** Connections open at once in all; unset, the open-files limit less 10 % (at least 128). */
  @IsOptional()
  @IntegerBetween(1, 1_048_576)
  HTTP_MAX_CONNECTIONS?: number;

  /** Connections one client address may hold; 0 for no cap (behind a reverse proxy). */
  @IsOptional()
  @IntegerBetween(0, 1_048_576)
  HTTP_MAX_CONNECTIONS_PER_IP = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

  /** Long-polls (`GET …/wait`) one client address may hold; 0 for no cap (behind a proxy). */
  @IsOptional()
  @IntegerBetween(0, 1_048_576)
  HTTP_MAX_WAITS_PER_IP = DEFAULT_MAX_WAITS_PER_ADDRESS;
}

/** `ConfigModule.forRoot({ validate })`: the typed environment, or an error naming each bad variable. */
export const validateEnvironment = (raw: Record<string, unknown>) =>
  validateEnvironmentAs(Environment, raw);
