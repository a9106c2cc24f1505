import { ConfigService } from '@nestjs/config';
import { validateEnvironment } from '../../src/config/environment';

/** Every variable the host and the worker read; the helpers set each one explicitly. */
export const MANAGED_VARIABLES = [
  'PORT',
  'API_KEY',
  'API_KEYS',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'APPROVAL_EVENTS_PRODUCER_TOKEN',
  'APPROVAL_EVENTS_SUBSCRIBER_TOKEN',
  'EVENT_BUS_URL',
  'EVENT_BUS_WORKSPACES',
  'APPROVALS_API_URL',
  'REDIS_URL',
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'REDIS_KEY_PREFIX',
  'APPROVAL_EVENTS_JWT_SECRET',
  'APPROVAL_POLL_INTERVAL_MS',
  'APPROVAL_EXPIRY_SWEEP_INTERVAL_MS',
  'MAX_OPEN_APPROVALS_PER_REQUESTER',
  'IDEMPOTENCY_KEY_TTL_MS',
  'LOG_LEVEL',
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HTTP_MAX_CONNECTIONS',
  'HTTP_MAX_CONNECTIONS_PER_IP',
  'HTTP_MAX_WAITS_PER_IP',
] as const;

export type ManagedVariable = (typeof MANAGED_VARIABLES)[number];
export type TestEnvironment = Partial<Record<ManagedVariable, string>>;

/** Gateway tokens of every host the suites boot (at least 16 characters, as the host requires). */
export const PRODUCER_TOKEN = 'e2e-producer-token-0123456789';
export const SUBSCRIBER_TOKEN = 'e2e-subscriber-token-0123456789';
/** A legacy `API_KEY` (an agent on every workspace, id `api-key`), for the suites that set one. */
export const API_KEY = 'e2e-api-key-0123456789abcdef';

/**
 * Runs `build` with exactly `variables` among the managed ones (the rest unset), then puts
 * `process.env` back as it was. The host's factory reads `process.env` directly while the
 * module compiles, so the variables must be in place for the whole of `build`.
 */
export async function withEnvironment<T>(
  variables: TestEnvironment,
  build: () => Promise<T>,
): Promise<T> {
  const saved = new Map(MANAGED_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of MANAGED_VARIABLES) {
    const value = variables[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await build();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * A `ConfigService` that answers from `variables` first, validated as the app would. Bound
 * in place of the app's own, so no value leaks in from the environment `ConfigModule`
 * cached when the module was imported, nor from another app's test.
 */
export function configServiceFor(variables: TestEnvironment): ConfigService {
  const validated = validateEnvironment({ ...variables, NODE_ENV: 'test' });
  const values = Object.fromEntries(
    Object.entries(validated).filter(([, value]) => value !== undefined),
  );
  return new ConfigService(values);
}
