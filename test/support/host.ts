import type { INestApplication, LoggerService } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureApp, HOST_APPLICATION_OPTIONS } from '../../src/app.setup';
import { ApprovalsRepository } from '../../src/approvals/approvals.repository';
import { DecisionPolicy } from '../../src/approvals/decision-policy';
import {
  configServiceFor,
  PRODUCER_TOKEN,
  SUBSCRIBER_TOKEN,
  type TestEnvironment,
  withEnvironment,
} from './environment';
import { TEST_API_KEYS } from './principals';
import { track } from './resources';

export interface HostOptions {
  /** Variables on top of the defaults (both gateway tokens set, `API_KEYS` = every test principal). */
  env?: TestEnvironment;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /**
   * The approvals store to use instead of a fresh in-memory one. Two hosts given the same
   * store stand for one host restarted on a durable database.
   */
  repository?: ApprovalsRepository;
  /** Where the host logs; nowhere by default. Give one to assert on what it logs. */
  logger?: LoggerService;
  /** Last changes to the testing module, e.g. `overrideProvider`. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

export interface RunningHost {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Closes the app now (it is closed after the test anyway). */
  close(): Promise<void>;
}

/**
 * Environment of every host unless a test says otherwise: the gateway tokens, and
 * `API_KEYS` holding every one of {@link PRINCIPALS} (send one with `authAs(name)`).
 */
export const HOST_DEFAULTS: TestEnvironment = {
  APPROVAL_EVENTS_PRODUCER_TOKEN: PRODUCER_TOKEN,
  APPROVAL_EVENTS_SUBSCRIBER_TOKEN: SUBSCRIBER_TOKEN,
  API_KEYS: TEST_API_KEYS,
  LOG_LEVEL: 'error',
};

/**
 * Boots the real host (`AppModule`, configured by `configureApp` as `main.ts` does) on a
 * real port, and registers it to be closed after the test.
 *
 * @example
 * const host = await startHost();
 * await request(host.url).get(approvalsPath('ws1')).set(authAs('agent')).expect(200);
 */
export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const env: TestEnvironment = { ...HOST_DEFAULTS, ...options.env };
  const app = await withEnvironment(env, async () => {
    let builder = Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(ConfigService)
      .useValue(configServiceFor(env));
    if (options.repository) {
      builder = builder.overrideProvider(ApprovalsRepository).useValue(options.repository);
    }
    // Also while the module compiles, so what providers log at boot is recorded too.
    if (options.logger) builder = builder.setLogger(options.logger);
    if (options.override) builder = options.override(builder);
    const moduleRef = await builder.compile();
    return moduleRef.createNestApplication({
      ...HOST_APPLICATION_OPTIONS,
      logger: options.logger ?? false,
    });
  });
  const close = track('host', () => app.close());
  configureApp(app);
  await app.listen(options.port ?? 0);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace(/\/$/, '');
  return { app, url, port: Number(new URL(url).port), close };
}

/**
 * Counts status reads of one approval in a host's store from now on: every read by the
 * host's own waits or over HTTP by a worker is one `findOne`. The read a decision makes for
 * its policy (who requested it, for four-eyes) is not a status read and is left out: each
 * `DecisionPolicy.check` of the approval follows exactly one such read. Pass the store itself
 * when hosts share one (then every in-process host's policy checks are left out).
 */
export function countStoreReads(
  store: RunningHost | ApprovalsRepository,
  approvalId: string,
): () => number {
  const repository =
    'app' in store ? store.app.get<ApprovalsRepository>(ApprovalsRepository) : store;
  const findOne = spyOnce(repository, 'findOne');
  const check = spyOnce(
    'app' in store ? store.app.get(DecisionPolicy) : DecisionPolicy.prototype,
    'check',
  );
  const readsBefore = findOne.mock.calls.length;
  const checksBefore = check.mock.calls.length;
  return () =>
    findOne.mock.calls.slice(readsBefore).filter(([, id]) => id === approvalId).length -
    check.mock.calls.slice(checksBefore).filter(([, approval]) => approval.id === approvalId)
      .length;
}

/** A spy on `object[method]`, the one already there if a test made it. */
function spyOnce<T extends object, M extends jest.FunctionPropertyNames<Required<T>>>(
  object: T,
  method: M,
): jest.SpyInstance {
  const current = object[method];
  return jest.isMockFunction(current) ? current : jest.spyOn(object, method as never);
}
