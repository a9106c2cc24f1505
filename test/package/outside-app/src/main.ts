/**
 * A fresh Nest application outside the monorepo (Nest 11 or 12, CommonJS or ESM: the same
 * source compiles to either, by the app's package.json `type`), using the packed library the
 * way its README says: `EventEmitterModule.forRoot()`, `ApprovalEventsModule.forRoot({
 * statusSource })`, one `ApprovalQueueBridge.waitForApproval` woken by an in-process
 * `approval.resolved`.
 *
 * It prints one JSON line for the test to check: how it ran (module format, Nest version),
 * the wait's outcome, how it was woken, which packages the process loaded, and what each
 * optional feature says without its package.
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import {
  APPROVAL_RESOLVED_EVENT,
  ApprovalEventManager,
  ApprovalEventsModule,
  ApprovalQueueBridge,
  type Approval,
  type ApprovalEventsModuleOptions,
} from 'nestjs-approval-events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { InMemoryStatusSource } from './in-memory-status.source.js';

// Fails to compile if the package's types did not resolve (they would all be `any`).
type IsAny<T> = 0 extends 1 & T ? true : false;
type NotAny<T extends false> = T;
export type TypesResolved = [NotAny<IsAny<ApprovalQueueBridge>>, NotAny<IsAny<Approval>>];

const statusSource = new InMemoryStatusSource();

@Module({
  imports: [EventEmitterModule.forRoot(), ApprovalEventsModule.forRoot({ statusSource })],
})
class AppModule {}

/** `require`, in CommonJS and ESM alike; its cache is the process's CommonJS modules. */
const requireHere = createRequire(`${process.cwd()}/`);

/**
 * The packages (by name) that this process has loaded so far as CommonJS (an ESM app's
 * imports of CommonJS packages included). An ESM-only package loaded by `import` is not
 * listed; the test also checks that no optional package is even installed.
 */
function loadedPackages(): string[] {
  const names = new Set<string>();
  for (const file of Object.keys(requireHere.cache)) {
    const match = /.*node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    if (match) names.add(match[1].replace('\\', '/'));
  }
  return [...names].sort();
}

/** What switching a feature on says when its package is not installed. */
async function featureError(
  options: ApprovalEventsModuleOptions & { gateway?: boolean },
): Promise<string> {
  try {
    const feature: DynamicModule = ApprovalEventsModule.forRoot({ statusSource, ...options });
    const app = await NestFactory.createApplicationContext(
      { module: class FeatureModule {}, imports: [EventEmitterModule.forRoot(), feature] },
      { logger: false, abortOnError: false },
    );
    await app.close();
    return 'booted';
  } catch (error) {
    return (error as Error).message;
  }
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const bridge = app.get(ApprovalQueueBridge);
  const events = app.get(EventEmitter2);

  statusSource.create('ws1', 'a1', 'send_email');
  const wait = bridge.waitForApproval('ws1', 'a1', { timeoutMs: 10_000 });
  // Decided once the wait is under way, as a human would, then announced in-process only.
  const decidedAt = await new Promise<number>((resolve) =>
    setTimeout(() => {
      events.emit(APPROVAL_RESOLVED_EVENT, statusSource.approve('ws1', 'a1', 'alice'));
      resolve(performance.now());
    }, 100),
  );
  const approval = await wait;
  const wokenAfterMs = performance.now() - decidedAt;
  const manager = app.get(ApprovalEventManager);
  const pendingAfter = manager.pendingCount;
  const connected = manager.isConnected;
  await app.close();

  const loaded = loadedPackages();
  const errors = {
    gateway: await featureError({ gateway: true }),
    eventBusUrl: await featureError({
      eventBusUrl: 'http://127.0.0.1:9',
      eventBusToken: 'a-bus-token-of-16-chars',
    }),
    redisUrl: await featureError({ redisUrl: 'redis://127.0.0.1:9' }),
  };
  process.stdout.write(
    `${JSON.stringify({
      format: typeof module === 'undefined' ? 'module' : 'commonjs',
      nestVersion: (requireHere('@nestjs/core/package.json') as { version: string }).version,
      approval,
      wokenAfterMs,
      reads: statusSource.reads,
      pendingAfter,
      connected,
      loaded,
      errors,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
