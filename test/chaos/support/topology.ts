import { ApprovalEventManager, ApprovalQueueBridge } from '@app/approval-events';
import { ApprovalEventCoverage } from '@app/approval-events/links/event-coverage';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { Pool } from 'pg';
import { ApprovalsRepository } from '../../../src/approvals/approvals.repository';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from '../../../src/approvals/postgres/testing/temporary-schema';
import {
  type ApprovalsSocket,
  connectSocket,
  eventually,
  PRODUCER_TOKEN,
  type RunningHost,
  type RunningWorker,
  startHost,
  startTcpProxy,
  type TcpProxy,
  type TestEnvironment,
  track,
} from '../../support';
import { startChaosWorker } from './chaos-worker';
import { FaultyStatusSource, type ReadFaults } from './read-faults';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One side that waits: its manager (for `pendingCount`, injections) and its bridge. */
export interface WaitingSide {
  manager: ApprovalEventManager;
  bridge: ApprovalQueueBridge;
  /** What the links report, to see each cut felt even where another link covers for it. */
  coverage: ApprovalEventCoverage;
}

/**
 * What the chaos runs against. Host A takes every decision. (a) The agent worker reads A
 * over HTTP and hears A's bus through `workerRelay`. (b) With the services, replica B shares
 * A's PostgreSQL schema and Redis prefix and reaches Redis through `redisRelay`.
 */
export interface Topology {
  hostA: RunningHost;
  managerA: ApprovalEventManager;
  worker: RunningWorker & WaitingSide;
  workerRelay: TcpProxy;
  replica?: { host: RunningHost; redisRelay: TcpProxy } & WaitingSide;
  /** A producer on A's gateway (not behind a relay), for injected events. */
  producer: ApprovalsSocket;
  /** The shared PostgreSQL schema, for decisions made straight in the store (services only). */
  store?: SharedStore;
}

/** A connection to the schema A and B share, as another writer of the store would have. */
export interface SharedStore {
  pool: Pool;
  schema: string;
}

export interface TopologyOptions {
  withServices: boolean;
  /** The workspaces the worker subscribes to as it connects; any other, on demand. */
  workerWorkspaces: string[];
  pollIntervalMs: number;
  /** How often the PostgreSQL store's sweeper ends due approvals on A and B. */
  sweepIntervalMs: number;
  faults: ReadFaults;
}

/** Whether something listens at `url` (PostgreSQL, Redis), within 1.5 s. */
export function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({
      host: hostname || '127.0.0.1',
      port: Number(port) || defaultPort,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A fresh PostgreSQL schema and Redis prefix, dropped after the test (after the hosts close). */
function sharedServices(): { env: TestEnvironment; store: SharedStore } {
  const pool = testPool(2);
  const schema = temporarySchemaName();
  track('chaos schema', async () => {
    try {
      await dropSchema(pool, schema);
    } finally {
      await pool.end();
    }
  });
  const env = {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `chaos-${randomBytes(6).toString('hex')}`,
  };
  return { env, store: { pool, schema } };
}

/** Replica B: its Redis behind a relay, its store reads subject to `faults`. */
async function startReplica(
  env: TestEnvironment,
  faults: ReadFaults,
): Promise<NonNullable<Topology['replica']>> {
  const redisRelay = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  const host = await startHost({
    env: { ...env, REDIS_URL: redisRelay.url.replace('http:', 'redis:') },
  });
  // Every status read of B's waits is one findOne on its store (StoreApprovalStatusSource).
  const repository = host.app.get<ApprovalsRepository>(ApprovalsRepository);
  const findOne = repository.findOne.bind(repository);
  const spy = jest.spyOn(repository, 'findOne').mockImplementation((workspaceId, approvalId) =>
    faults.apply(
      'replica',
      approvalId,
      () => findOne(workspaceId, approvalId),
      (fault) =>
        new Error(
          fault === 'error'
            ? `chaos: connection terminated while reading approval ${approvalId}`
            : `chaos: query for approval ${approvalId} timed out after ${faults.timeoutMs} ms`,
        ),
    ),
  );
  track('chaos findOne spy', () => spy.mockRestore());
  return {
    host,
    redisRelay,
    manager: host.app.get(ApprovalEventManager),
    bridge: host.app.get(ApprovalQueueBridge),
    coverage: host.app.get(ApprovalEventCoverage),
  };
}

/**
 * Boots A, then B (the services case; A has run the migrations by then), then the worker,
 * and waits until every event link is up. Everything is closed after the test, newest first.
 */
export async function bootTopology(options: TopologyOptions): Promise<Topology> {
  const services = options.withServices ? sharedServices() : undefined;
  const env: TestEnvironment = {
    APPROVAL_POLL_INTERVAL_MS: String(options.pollIntervalMs),
    APPROVAL_EXPIRY_SWEEP_INTERVAL_MS: String(options.sweepIntervalMs),
    ...services?.env,
  };
  const hostA = await startHost({ env });
  const managerA = hostA.app.get(ApprovalEventManager);
  await eventually('host A’s event links', () => managerA.isConnected, { timeoutMs: 15_000 });
  const replica = options.withServices ? await startReplica(env, options.faults) : undefined;

  const workerRelay = await startTcpProxy(hostA.port);
  const worker = await startChaosWorker({
    hostUrl: hostA.url,
    busUrl: workerRelay.url,
    workspaces: options.workerWorkspaces,
    pollIntervalMs: options.pollIntervalMs,
    wrapStatusSource: (http) => new FaultyStatusSource(http, options.faults),
  });
  const workerSide = {
    ...worker,
    manager: worker.app.get(ApprovalEventManager),
    bridge: worker.app.get(ApprovalQueueBridge),
    coverage: worker.app.get(ApprovalEventCoverage),
  };
  for (const [name, manager] of [
    ['the worker’s bus', workerSide.manager],
    ['replica B’s Redis', replica?.manager],
  ] as const) {
    if (manager) await eventually(name, () => manager.isConnected, { timeoutMs: 15_000 });
  }
  const producer = await connectSocket(hostA.url, PRODUCER_TOKEN);
  return {
    hostA,
    managerA,
    worker: workerSide,
    workerRelay,
    replica,
    producer,
    store: services?.store,
  };
}
