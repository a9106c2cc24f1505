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

/** An optional integer variable in `[min, max]`, read as a number, `fallback` when unset. */
const IntegerVariable = (min: number, max: number, fallback: number) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === undefined ? fallback : Number(value))),
    IsInt(),
    Min(min),
    Max(max),
  );

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
  @IntegerVariable(MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS, DEFAULT_SWEEP_INTERVAL_MS)
  APPROVAL_EXPIRY_SWEEP_INTERVAL_MS = DEFAULT_SWEEP_INTERVAL_MS;

  /** Most pending approvals one requester may hold in one workspace. */
  @IntegerVariable(1, 1_000_000, DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER)
  MAX_OPEN_APPROVALS_PER_REQUESTER = DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER;

  /** How long an `Idempotency-Key` is remembered (ms). */
  @IntegerVariable(
    MIN_IDEMPOTENCY_KEY_TTL_MS,
    MAX_IDEMPOTENCY_KEY_TTL_MS,
    DEFAULT_IDEMPOTENCY_KEY_TTL_MS,
  )
  IDEMPOTENCY_KEY_TTL_MS = DEFAULT_IDEMPOTENCY_KEY_TTL_MS;
}

/** `ConfigModule.forRoot({ validate })`: the typed environment, or an error naming each bad variable. */
export const validateEnvironment = (raw: Record<string, unknown>) =>
  validateEnvironmentAs(Environment, raw);
