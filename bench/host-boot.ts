import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { validateEnvironment } from '../src/config/environment';

/** Gateway tokens of every host the bench boots (at least 16 characters). */
export const BENCH_PRODUCER_TOKEN = 'bench-producer-token-0123456789';
export const BENCH_SUBSCRIBER_TOKEN = 'bench-subscriber-token-0123456789';

/** The REST principals of every host the bench boots: an agent asks, an approver decides. */
export const BENCH_AGENT_KEY = 'bench-agent-key-0123456789abcdef0123';
export const BENCH_APPROVER_KEY = 'bench-approver-key-0123456789abcdef01';
export const BENCH_API_KEYS = JSON.stringify([
  { id: 'bench-agent', key: BENCH_AGENT_KEY, roles: ['agent'], workspaces: ['*'] },
  { id: 'bench-approver', key: BENCH_APPROVER_KEY, roles: ['approver'], workspaces: ['*'] },
]);

/** What the host reads from the environment; each boot sets every one explicitly. */
const HOST_VARIABLES = [
  'PORT',
  'API_KEY',
  'API_KEYS',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'APPROVAL_EVENTS_PRODUCER_TOKEN',
  'APPROVAL_EVENTS_SUBSCRIBER_TOKEN',
  'APPROVAL_EVENTS_JWT_SECRET',
  'APPROVAL_POLL_INTERVAL_MS',
  'EVENT_BUS_URL',
  'EVENT_BUS_WORKSPACES',
  'APPROVALS_API_URL',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'LOG_LEVEL',
] as const;

export type HostEnvironment = Partial<Record<(typeof HOST_VARIABLES)[number], string>>;

export const HOST_DEFAULTS: HostEnvironment = {
  APPROVAL_EVENTS_PRODUCER_TOKEN: BENCH_PRODUCER_TOKEN,
  APPROVAL_EVENTS_SUBSCRIBER_TOKEN: BENCH_SUBSCRIBER_TOKEN,
  API_KEYS: BENCH_API_KEYS,
  LOG_LEVEL: 'error',
};

export interface BenchHost {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The real host in this process, as `main.ts` builds it (`AppModule` + `configureApp`),
 * listening on a free loopback port. `ConfigService` answers from `env` only: `ConfigModule`
 * cached the runner's environment when `AppModule` was imported, and `ConfigService.get`
 * also looks at `process.env`, so both are pinned to `env` while the module compiles.
 */
export async function bootHostInProcess(env: HostEnvironment = {}): Promise<BenchHost> {
  const variables = { ...HOST_DEFAULTS, ...env };
  const validated = validateEnvironment({ ...variables, NODE_ENV: 'test' });
  const config = new ConfigService(
    Object.fromEntries(Object.entries(validated).filter(([, value]) => value !== undefined)),
  );
  const saved = HOST_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of HOST_VARIABLES) {
    if (variables[name] === undefined) delete process.env[name];
    else process.env[name] = variables[name];
  }
  let app: INestApplication;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(ConfigService)
      .useValue(config)
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
