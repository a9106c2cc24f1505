import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import { PostgresApprovalsRepository } from '../src/approvals/postgres/postgres-approvals.repository';
import { quoteSchemaName } from '../src/approvals/postgres/schema-name';
import { BenchChild, childEnvironment, sharedNow } from './child-process';
import { WORKSPACE } from './core-fixture';
import { BENCH_API_KEYS, BENCH_PRODUCER_TOKEN, BENCH_SUBSCRIBER_TOKEN } from './host-boot';
import { ApprovalsClient, BenchHttpClient } from './http-client';
import { LatencySamples } from './latency';
import { cpuPressurePct } from './noise';
import { StoreReadCounter } from './read-counter';
import { POLLING_INTERVAL_MS } from './remote-worker.constants';
import { timePhase } from './report';
import { measureNotifyWakes, replicaWake, storeListeners } from './replicas-notify';
import { round } from './stats';
import type { BenchResult, BenchSuite } from './suite';

const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL =
  process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const WAKE = { warmup: 30, measured: 250 } as const;
const POLLING_WAITS = 10;
const THROUGHPUT = { decisions: 2_000, concurrency: 8 } as const;
const REACHABLE_TIMEOUT_MS = 2_000;
const SCRIPT = 'replica-host.child.ts';

/** A replica in its own process, with its REST client and the count of its store reads. */
interface Replica {
  readonly child: BenchChild;
  readonly approvals: ApprovalsClient;
  readonly reads: StoreReadCounter;
  readonly connected: boolean;
}

interface ReplicaBench {
  /** Decisions are made here. */
  a: Replica;
  /** Long-polls here, hearing A over Redis and over the store's NOTIFY (the first wakes). */
  b: Replica;
  /** Long-polls here with Redis unreachable and no store link: the polling baseline. */
  c: Replica;
  /** Decides over REST, without `REDIS_URL`. */
  notifyA: Replica;
  /** Long-polls without `REDIS_URL`: only the store's NOTIFY can wake it. */
  notifyB: Replica;
  schema: string;
}

/** Replicas that LISTEN on the store: A, B and the NOTIFY pair, not C. */
const STORE_LISTENERS = 4;

/** Why PostgreSQL cannot serve a bench here, or `undefined`; shared with the expiry suite. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new Client({
    connectionString: DATABASE_URL,
    connectionTimeoutMillis: REACHABLE_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${redact(DATABASE_URL)} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: REACHABLE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${redact(REDIS_URL)} is unreachable (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** A loopback port nothing listens on: Redis "absent" for the baseline replica. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startReplica(
  name: string,
  env: Record<string, string>,
  expectConnected: boolean,
): Promise<Replica> {
  const { child, up } = await BenchChild.start(
    name,
    SCRIPT,
    childEnvironment({ ...env, BENCH_EXPECT_CONNECTED: expectConnected ? '1' : '0' }),
  );
  const reads = StoreReadCounter.ofChild(child);
  const http = new BenchHttpClient(`http://127.0.0.1:${up.port as number}`);
  return {
    child,
    reads,
    approvals: new ApprovalsClient(http, WORKSPACE),
    connected: up.connected === true,
  };
}

async function closeReplica(replica: Replica): Promise<void> {
  replica.approvals.http.close();
  await replica.child.close();
}

/**
 * The hops of a replica wake that are not the host's own code, each timed from this
 * process: a Redis PUBLISH to a SUBSCRIBE-d connection, and one store read (`findOne`, the
 * read B does on the event) on a warm connection.
 */
async function hopProbes(schema: string) {
  const channel = `bench-probe-${randomBytes(6).toString('hex')}`;
  const publisher = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await subscriber.subscribe(channel);
  let heard: ((at: number) => void) | undefined;
  subscriber.on('message', () => heard?.(sharedNow()));
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  const repository = new PostgresApprovalsRepository(pool, schema);
  return {
    redisHop: async (): Promise<number> => {
      const received = new Promise<number>((resolve) => (heard = resolve));
      const start = sharedNow();
      await publisher.publish(channel, JSON.stringify({ origin: 'bench', result: { id: start } }));
      return (await received) - start;
    },
    storeRead: async (id: string): Promise<number> => {
      const start = sharedNow();
      await repository.findOne(WORKSPACE, id);
      return sharedNow() - start;
    },
    close: async () => {
      await Promise.all([publisher.quit(), subscriber.quit(), pool.end()]);
    },
  };
}

async function measureReplicaWake(bench: ReplicaBench): Promise<BenchResult> {
  const samples = new LatencySamples();
  const approve = new LatencySamples();
  const redisHop = new LatencySamples();
  const storeRead = new LatencySamples();
  const ids: string[] = [];
  const probes = await hopProbes(bench.schema);
  try {
    for (let i = 0; i < WAKE.warmup + WAKE.measured; i++) {
      const { ms, approveMs, id } = await replicaWake(bench.a, bench.b);
      const hop = await probes.redisHop();
      const read = await probes.storeRead(id);
      if (i < WAKE.warmup) {
        bench.b.reads.forget(id);
        continue;
      }
      samples.add(ms);
      approve.add(approveMs);
      redisHop.add(hop);
      storeRead.add(read);
      ids.push(id);
    }
  } finally {
    await probes.close();
  }
  // A read's IPC note may trail the HTTP answer it produced by a moment.
  await sleep(100);
  const readsPerWake = ids.reduce((sum, id) => sum + bench.b.reads.count(id) - 1, 0) / ids.length;
  for (const id of ids) bench.b.reads.forget(id);
  return {
    replica_wake_links: 'redis + store NOTIFY, the first to arrive wakes',
    ...samples.summary('replica_wake', ['p50', 'p99', 'mean', 'max']),
    replica_wake_samples: samples.count,
    status_reads_per_wake_replica: round(readsPerWake, 2),
    ...approve.summary('replica_approve_rest'),
    ...redisHop.summary('redis_pubsub_hop'),
    ...storeRead.summary('pg_store_read'),
    cpu_pressure_some_avg10_pct: cpuPressurePct() ?? 'n/a',
  };
}

/**
 * The same scenario on replica C, whose Redis is unreachable: it polls PostgreSQL every 5 s.
 * `POLLING_WAITS` long-polls at once, each decided at a uniformly random moment of one interval.
 */
async function measurePollingBaseline(bench: ReplicaBench, eventsMeanMs: number) {
  const { a, c } = bench;
  const created = await Promise.all(
    Array.from({ length: POLLING_WAITS }, () => a.approvals.create()),
  );
  const samples = new LatencySamples();
  await Promise.all(
    created.map(async ({ id }) => {
      const waiting = c.approvals.wait(id);
      await c.reads.atLeast(id, 1);
      await sleep(Math.random() * POLLING_INTERVAL_MS);
      const start = sharedNow();
      await a.approvals.approve(id);
      const answer = await waiting;
      if (answer.body.status !== 'approved')
        throw new Error(`polled wait ended ${answer.body.status}`);
      samples.add(answer.at - start);
    }),
  );
  return {
    ...samples.summary('replica_wake_polling', ['mean', 'p50', 'max']),
    replica_wake_polling_samples: samples.count,
    replica_polling_vs_events_mean_ratio: round(samples.mean / eventsMeanMs, 0),
  };
}

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight; returns the seconds taken. */
async function timedPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = sharedNow();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (sharedNow() - start) / 1_000;
}

/**
 * Decisions per second on the PostgreSQL store: over REST on replica A (each one an
 * `UPDATE … WHERE status = 'pending' RETURNING`, then a Redis publish), over REST spread on
 * A and B, and at repository level from this process (the store alone, no HTTP or Nest).
 */
async function measureThroughput(bench: ReplicaBench): Promise<BenchResult> {
  const { a, b } = bench;
  const { decisions, concurrency } = THROUGHPUT;
  const createOn = async (replicaOf: (i: number) => Replica) => {
    const ids = new Array<string>(decisions);
    const seconds = await timedPool(decisions, concurrency, async (i) => {
      ids[i] = (await replicaOf(i).approvals.create()).id;
    });
    return { ids, seconds };
  };

  const onA = await createOn(() => a);
  const decideA = await timedPool(decisions, concurrency, (i) => a.approvals.approve(onA.ids[i]));
  const spread = (i: number) => (i % 2 === 0 ? a : b);
  const onBoth = await createOn(spread);
  const decideBoth = await timedPool(decisions, concurrency, (i) =>
    spread(i).approvals.approve(onBoth.ids[i]),
  );

  const pool = new Pool({ connectionString: DATABASE_URL, max: concurrency });
  try {
    const repository = new PostgresApprovalsRepository(pool, bench.schema);
    const ids = Array.from({ length: decisions }, () => randomUUID());
    const now = new Date().toISOString();
    await timedPool(decisions, concurrency, (i) =>
      repository.create({
        id: ids[i],
        workspaceId: WORKSPACE,
        action: 'send_email',
        requester: 'bench',
        createdAt: now,
      }),
    );
    const decideRepository = await timedPool(decisions, concurrency, async (i) => {
      const outcome = await repository.decide(WORKSPACE, ids[i], {
        status: 'approved',
        resolvedBy: 'bench',
        resolvedAt: new Date().toISOString(),
      });
      if (outcome.outcome !== 'decided') throw new Error(`decide ${ids[i]}: ${outcome.outcome}`);
    });
    return {
      pg_decisions_per_s: round(decisions / decideA, 0),
      pg_decisions_per_s_rest_a_and_b: round(decisions / decideBoth, 0),
      pg_decisions_per_s_repository: round(decisions / decideRepository, 0),
      pg_creates_per_s: round(decisions / onA.seconds, 0),
      pg_decisions_count: decisions,
      pg_decisions_concurrency: concurrency,
    };
  } finally {
    await pool.end();
  }
}

async function setUp(): Promise<ReplicaBench> {
  const suffix = randomBytes(6).toString('hex');
  const schema = `bench_approvals_${suffix}`;
  quoteSchemaName(schema);
  const shared = {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_KEY_PREFIX: `bench-${suffix}`,
    APPROVAL_EVENTS_PRODUCER_TOKEN: BENCH_PRODUCER_TOKEN,
    APPROVAL_EVENTS_SUBSCRIBER_TOKEN: BENCH_SUBSCRIBER_TOKEN,
    API_KEYS: BENCH_API_KEYS,
    // The default, pinned: the baseline is the old 5 s poll.
    APPROVAL_POLL_INTERVAL_MS: String(POLLING_INTERVAL_MS),
    // The throughput rounds hold all their approvals pending at once, from one requester.
    MAX_OPEN_APPROVALS_PER_REQUESTER: String(THROUGHPUT.decisions),
  };
  const unreachableRedis = `redis://127.0.0.1:${await deadPort()}`;
  // At once: the migration runner serialises replicas on an advisory lock.
  const started = await Promise.allSettled([
    startReplica('replica A', { ...shared, REDIS_URL }, true),
    startReplica('replica B', { ...shared, REDIS_URL }, true),
    startReplica(
      'replica C (no Redis, no store link)',
      { ...shared, REDIS_URL: unreachableRedis, BENCH_STORE_LINK: 'off' },
      false,
    ),
    // No REDIS_URL at all: the host's store link is their only event link.
    startReplica('replica A (NOTIFY only)', shared, true),
    startReplica('replica B (NOTIFY only)', shared, true),
  ]);
  const replicas = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failed = started.find((result) => result.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    const [a, b, c, notifyA, notifyB] = replicas;
    if (!a.connected || !b.connected) throw new Error('replica A or B never linked to Redis');
    if (!notifyA.connected || !notifyB.connected)
      throw new Error('a NOTIFY-only replica never linked to the store');
    // The baseline is only one if C cannot hear A: it must be polling.
    if (c.connected) throw new Error('replica C reports its event link up without Redis');
    const listeners = await storeListeners(DATABASE_URL, schema);
    if (listeners !== STORE_LISTENERS)
      throw new Error(`${listeners} connections LISTEN on the store, not ${STORE_LISTENERS}`);
    return { a, b, c, notifyA, notifyB, schema };
  } catch (error) {
    await Promise.all(replicas.map(closeReplica));
    await dropSchema(schema);
    throw error;
  }
}

/** Drops a bench schema and everything in it; shared with the expiry suite. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteSchemaName(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

async function tearDown(bench: ReplicaBench): Promise<void> {
  await Promise.all([bench.a, bench.b, bench.c, bench.notifyA, bench.notifyB].map(closeReplica));
  await dropSchema(bench.schema);
}

/**
 * Replicas of the real host, each in its own process, sharing PostgreSQL (a fresh schema,
 * dropped at the end) and Redis (a fresh channel prefix): a decision on A wakes a long-poll
 * on B (B hears both Redis and the store's NOTIFY, whichever comes first), next to the same
 * wait on a replica that hears neither and polls every 5 s; a pair without Redis that only
 * the store's NOTIFY links (a REST decision, and a plain SQL write, to a long-poll); and
 * the decision throughput of the PostgreSQL store. All times are taken in this process.
 */
export const replicasSuite: BenchSuite = {
  name: 'replicas',
  description:
    'host replicas on PostgreSQL + Redis: decision on A -> long-poll on B (Redis + NOTIFY, NOTIFY alone, SQL write), vs polling',
  goals: [
    { key: 'replica_wake_p99_ms', max: 20 },
    { key: 'replica_wake_notify_p99_ms', max: 20 },
    { key: 'store_write_wake_p99_ms', max: 20 },
    { key: 'status_reads_per_wake_notify', max: 1 },
    { key: 'status_reads_per_wake_replica', max: 1 },
    { key: 'replica_wake_polling_mean_ms', near: POLLING_INTERVAL_MS / 2, tolerance: 0.5 },
  ],
  skipReason: async () => (await postgresProblem()) ?? (await redisProblem()),
  run: async () => {
    const bench = await timePhase('set-up', setUp);
    try {
      const wake = await timePhase('replica wake', () => measureReplicaWake(bench));
      const notify = await timePhase('NOTIFY wakes', () =>
        measureNotifyWakes({
          a: bench.notifyA,
          b: bench.notifyB,
          schema: bench.schema,
          databaseUrl: DATABASE_URL,
        }),
      );
      const polling = await timePhase('polling baseline', () =>
        measurePollingBaseline(bench, wake.replica_wake_mean_ms as number),
      );
      const throughput = await timePhase('throughput', () => measureThroughput(bench));
      return { ...wake, ...notify, ...polling, ...throughput };
    } finally {
      await tearDown(bench);
    }
  },
};
