import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep, setImmediate as nextTurn } from 'node:timers/promises';
import { Server } from 'socket.io';
import { BenchChild, childEnvironment, sharedNow, type ChildMessage } from './child-process';
import { WORKSPACE } from './core-fixture';
import {
  BENCH_AGENT_KEY,
  BENCH_SUBSCRIBER_TOKEN,
  bootHostInProcess,
  type BenchHost,
} from './host-boot';
import { ApprovalsClient, BenchHttpClient } from './http-client';
import { measureJsonParsing } from './json-parsing';
import { LatencySamples } from './latency';
import { cpuPressurePct, LoopStalls } from './noise';
import { StoreReadCounter } from './read-counter';
import { POLLING_INTERVAL_MS, RAW_EVENT, RAW_NAMESPACE } from './remote-worker.constants';
import { timePhase } from './report';
import { round } from './stats';
import type { BenchResult, BenchSuite } from './suite';

/** Rounds of one sample of each kind, interleaved so all five see the same machine noise. */
const ROUNDS = { warmup: 40, measured: 320 } as const;
const WORKER_READS = { warmup: 30, measured: 300 } as const;
const POLLING_WAITS = 10;
const WORKER_SCRIPT = 'remote-worker.child.ts';
/** Not in the worker's `EVENT_BUS_WORKSPACES`: its waits make the worker subscribe on demand. */
const UNSUBSCRIBED_WORKSPACE = `${WORKSPACE}-on-demand`;
/** Outlives every round, so the on-demand subscription stays up for all of them. */
const KEEPER_TIMEOUT_MS = 600_000;

interface HostBench {
  host: BenchHost;
  reads: StoreReadCounter;
  approvals: ApprovalsClient;
  /** The same host's routes in {@link UNSUBSCRIBED_WORKSPACE}. */
  onDemandApprovals: ApprovalsClient;
  raw: RawBus;
  worker: BenchChild;
  pollingWorker: BenchChild;
}

/** A bare socket.io server on its own port: the floor of any Socket.io wakeup. */
interface RawBus {
  emit(id: string): void;
  close(): Promise<void>;
  url: string;
}

async function startRawBus(): Promise<RawBus> {
  const server = createServer();
  const io = new Server(server, { serveClient: false, transports: ['websocket'] });
  const namespace = io.of(RAW_NAMESPACE);
  namespace.on('connection', (socket) => void socket.join(WORKSPACE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    // The same shape and room fan-out as the gateway's `approval:resolved`.
    emit: (id) =>
      namespace.to(WORKSPACE).emit(RAW_EVENT, {
        id,
        approvalId: id,
        workspaceId: WORKSPACE,
        status: 'approved',
        resolvedBy: 'bench',
        resolvedAt: new Date().toISOString(),
      }),
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

/** The next message of `type` about `id` from a child (registered before the trigger). */
const nextAbout = (child: BenchChild, id: string, idField: string, types: readonly string[]) =>
  child.next((message: ChildMessage) => types.includes(message.type) && message[idField] === id, {
    timeoutMs: 15_000,
    what: `${types[0]} of ${id}`,
  });

/** REST decision to the long-poll's answer, both over keep-alive loopback HTTP. */
async function httpWake(bench: HostBench): Promise<{ start: number; end: number }> {
  const { approvals, reads } = bench;
  const { id } = await approvals.create();
  const waiting = approvals.wait(id);
  // The wait has subscribed and read `pending`: the decision can only reach it as an event.
  await reads.atLeast(id, 1);
  await nextTurn();
  const start = sharedNow();
  await approvals.approve(id);
  const answer = await waiting;
  if (answer.body.status !== 'approved') throw new Error(`long poll ended ${answer.body.status}`);
  reads.forget(id);
  return { start, end: answer.at };
}

/** One `GET …/approvals/:id`, keep-alive, from this process. */
async function statusRead(bench: HostBench, id: string): Promise<number> {
  const start = sharedNow();
  const answer = await bench.approvals.read(id);
  return answer.at - start;
}

/** A bare socket.io emit here to the worker process's socket.io-client receiving it. */
async function rawEmit(bench: HostBench, index: number): Promise<number> {
  const id = `raw-${index}`;
  const received = nextAbout(bench.worker, id, 'id', ['tick']);
  const start = sharedNow();
  bench.raw.emit(id);
  const tick = await received;
  return bench.worker.toLocalTime(tick.at as number) - start;
}

/**
 * REST decision on the host to the bridge wait in the worker process resolving, in the
 * workspace of `approvals` (the worker's configured one unless told otherwise).
 */
async function remoteWake(
  bench: HostBench,
  approvals: ApprovalsClient = bench.approvals,
): Promise<{ ms: number; eventMs: number; reads: number }> {
  const { reads, worker } = bench;
  const { id } = await approvals.create();
  // Answers once the worker's wait has subscribed and its first read came back `pending`.
  await worker.call({ type: 'wait', workspaceId: approvals.workspaceId, approvalId: id });
  const readsBefore = reads.count(id);
  const resolved = nextAbout(worker, id, 'approvalId', ['resolved', 'wait-failed']);
  const start = sharedNow();
  await approvals.approve(id);
  const message = await resolved;
  if (message.type !== 'resolved' || message.status !== 'approved') {
    throw new Error(`worker wait on ${id} ended: ${JSON.stringify(message)}`);
  }
  const ms = worker.toLocalTime(message.at as number) - start;
  const eventMs = worker.toLocalTime(message.eventAt as number) - start;
  const readsOfWake = reads.count(id) - readsBefore;
  reads.forget(id);
  return { ms, eventMs, reads: readsOfWake };
}

/**
 * Warms the worker's on-demand subscription to {@link UNSUBSCRIBED_WORKSPACE}: one wait
 * there, kept open across the rounds, makes the worker subscribe; once the gateway has
 * acknowledged it the watch reads once more (its reconcile, the second read), and from then
 * on every wait in that workspace is event-driven. Returns how to end the keeper.
 */
async function warmOnDemandSubscription(bench: HostBench): Promise<() => Promise<void>> {
  const { onDemandApprovals: approvals, reads, worker } = bench;
  const { id } = await approvals.create();
  await worker.call({
    type: 'wait',
    workspaceId: approvals.workspaceId,
    approvalId: id,
    timeoutMs: KEEPER_TIMEOUT_MS,
  });
  await reads.atLeast(id, 2);
  return async () => {
    const resolved = nextAbout(worker, id, 'approvalId', ['resolved', 'wait-failed']);
    await approvals.approve(id);
    await resolved;
    reads.forget(id);
  };
}

async function measureInterleaved(bench: HostBench): Promise<BenchResult> {
  const http = new LatencySamples();
  const status = new LatencySamples();
  const raw = new LatencySamples();
  const remote = new LatencySamples();
  const remoteEvent = new LatencySamples();
  const remoteRead = new LatencySamples();
  const onDemand = new LatencySamples();
  let onDemandReads = 0;
  const httpWindows: { start: number; end: number }[] = [];
  let wakeReads = 0;
  const { id: readId } = await bench.approvals.create();
  const endKeeper = await warmOnDemandSubscription(bench);
  const stalls = new LoopStalls().start();
  for (let round = 0; round < ROUNDS.warmup + ROUNDS.measured; round++) {
    const measured = round >= ROUNDS.warmup;
    const h = await httpWake(bench);
    const s = await statusRead(bench, readId);
    const r = await rawEmit(bench, round);
    const w = await remoteWake(bench);
    const d = await remoteWake(bench, bench.onDemandApprovals);
    if (!measured) continue;
    http.add(h.end - h.start);
    httpWindows.push(h);
    status.add(s);
    raw.add(r);
    remote.add(w.ms);
    remoteEvent.add(w.eventMs);
    remoteRead.add(w.ms - w.eventMs);
    wakeReads += w.reads;
    onDemand.add(d.ms);
    onDemandReads += d.reads;
  }
  await stalls.stop();
  await endKeeper();
  // Of the slowest 5 % of HTTP wakes, how many had a GC pause of this (host) process in them.
  const tailFrom = http.percentile(95);
  const tail = httpWindows.filter(({ start, end }) => end - start >= tailFrom);
  const tailWithGc = tail.filter(({ start, end }) => stalls.overlapsGc(start, end));
  const goalMs = 1.5 * raw.percentile(99) + status.percentile(99);
  return {
    ...http.summary('http_wake'),
    http_wake_samples: http.count,
    ...remote.summary('remote_wake', ['p50', 'p99', 'mean']),
    remote_wake_samples: remote.count,
    // The two hops of a remote wake: REST decision -> event in the worker, then its status read.
    ...remoteEvent.summary('remote_decision_to_event'),
    ...remoteRead.summary('remote_event_to_resolved'),
    ...raw.summary('raw_socketio'),
    raw_socketio_samples: raw.count,
    ...status.summary('status_read'),
    status_read_samples: status.count,
    status_reads_per_wake_remote: round(wakeReads / remote.count, 2),
    remote_vs_raw_p99_ratio: round(remote.percentile(99) / raw.percentile(99), 2),
    remote_wake_goal_ms: round(goalMs, 3),
    remote_wake_p99_vs_goal: round(remote.percentile(99) / goalMs, 2),
    // The same wake in a workspace the worker is not configured for (subscribed on demand).
    ...onDemand.summary('remote_unsubscribed_workspace_wake', ['p50', 'p99', 'mean']),
    remote_unsubscribed_workspace_wake_samples: onDemand.count,
    status_reads_per_wake_remote_unsubscribed: round(onDemandReads / onDemand.count, 2),
    remote_unsubscribed_vs_configured_p99_ratio: round(
      onDemand.percentile(99) / remote.percentile(99),
      2,
    ),
    ...stalls.summary('host'),
    http_wake_slowest_5pct_with_gc_pct: round((100 * tailWithGc.length) / tail.length, 0),
    cpu_pressure_some_avg10_pct: cpuPressurePct() ?? 'n/a',
  };
}

/** The worker's own status read (axios through its HTTP status source), timed there. */
async function measureWorkerReads(bench: HostBench): Promise<BenchResult> {
  const { id } = await bench.approvals.create();
  const ask = (count: number) =>
    bench.worker.call({ type: 'time-reads', workspaceId: WORKSPACE, approvalId: id, count });
  await ask(WORKER_READS.warmup);
  const reply = await ask(WORKER_READS.measured);
  const samples = new LatencySamples();
  for (const ms of reply.durations as number[]) samples.add(ms);
  return samples.summary('status_read_worker_axios');
}

/**
 * The old way, for real: the worker polls every 5 s. `POLLING_WAITS` waits run at once on
 * distinct approvals, each decided at a uniformly random moment of one interval.
 */
async function measurePolling(bench: HostBench, eventsMeanMs: number): Promise<BenchResult> {
  const { approvals, pollingWorker, reads } = bench;
  const created = await Promise.all(
    Array.from({ length: POLLING_WAITS }, () => approvals.create()),
  );
  await Promise.all(
    created.map(({ id }) =>
      pollingWorker.call({ type: 'wait', workspaceId: WORKSPACE, approvalId: id }),
    ),
  );
  const samples = new LatencySamples();
  await Promise.all(
    created.map(async ({ id }) => {
      const resolved = pollingWorker.next(
        (message) =>
          message.approvalId === id && ['resolved', 'wait-failed'].includes(message.type),
        { timeoutMs: 3 * POLLING_INTERVAL_MS, what: `the polled wait on ${id}` },
      );
      await sleep(Math.random() * POLLING_INTERVAL_MS);
      const start = sharedNow();
      await approvals.approve(id);
      const message = await resolved;
      if (message.type !== 'resolved')
        throw new Error(`polled wait failed: ${String(message.message)}`);
      samples.add(pollingWorker.toLocalTime(message.at as number) - start);
    }),
  );
  const readsPerWait = created.reduce((sum, { id }) => sum + reads.count(id), 0) / POLLING_WAITS;
  return {
    ...samples.summary('polling_wake', ['mean', 'p50', 'max']),
    polling_wake_samples: samples.count,
    status_reads_per_wait_polling_remote: round(readsPerWait, 2),
    polling_vs_events_mean_ratio: round(samples.mean / eventsMeanMs, 0),
  };
}

async function setUp(): Promise<HostBench> {
  const host = await bootHostInProcess();
  const opened: { close(): Promise<void> }[] = [host];
  try {
    const raw = await startRawBus();
    opened.push(raw);
    const env = (mode: string) =>
      childEnvironment({
        BENCH_WORKER_MODE: mode,
        APPROVALS_API_URL: `${host.url}/api`,
        EVENT_BUS_URL: host.url,
        APPROVAL_EVENTS_SUBSCRIBER_TOKEN: BENCH_SUBSCRIBER_TOKEN,
        EVENT_BUS_WORKSPACES: WORKSPACE,
        // The worker's REST reads, as an agent (its legacy single key, read as API_KEY).
        API_KEY: BENCH_AGENT_KEY,
      });
    // Both boot at once: ts-node compiling two processes is most of the set-up time.
    const started = await Promise.allSettled([
      BenchChild.start('agent worker', WORKER_SCRIPT, env('events')),
      BenchChild.start('polling worker', WORKER_SCRIPT, env('polling')),
    ]);
    for (const result of started)
      if (result.status === 'fulfilled') opened.push(result.value.child);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [worker, pollingWorker] = started.map(
      (result) => (result as PromiseFulfilledResult<{ child: BenchChild }>).value.child,
    );
    await worker.syncClock();
    await pollingWorker.syncClock();
    await worker.call({ type: 'raw-connect', url: raw.url });
    const reads = StoreReadCounter.ofApp(host.app);
    const http = new BenchHttpClient(host.url);
    const approvals = new ApprovalsClient(http, WORKSPACE);
    const onDemandApprovals = new ApprovalsClient(http, UNSUBSCRIBED_WORKSPACE);
    return { host, reads, approvals, onDemandApprovals, raw, worker, pollingWorker };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close();
    throw error;
  }
}

async function tearDown(bench: HostBench): Promise<void> {
  await Promise.all([bench.worker.close(), bench.pollingWorker.close()]);
  bench.approvals.http.close();
  await bench.raw.close();
  await bench.host.close();
}

/**
 * The real host over loopback: the long-poll woken by a REST decision, a worker process
 * woken over Socket.io (in its configured workspace, and in one it subscribes to on demand)
 * next to a bare socket.io emit (the floor) and one status read,
 * the same worker wait done the old way (polling every 5 s), and what the strict JSON body
 * parser costs beside `JSON.parse` for a typical and a 64 KiB body.
 *
 * Cross-process times use `performance.timeOrigin + performance.now()` in both processes,
 * corrected by the offset a min-round-trip IPC ping exchange measures (`clock_offset_ms`,
 * within ± `clock_sync_rtt_ms` / 2); only the child's timestamp travels over IPC, after the
 * fact, so IPC latency is not in any number.
 */
export const hostSuite: BenchSuite = {
  name: 'host',
  description:
    'real host on loopback: REST decision -> long-poll, -> worker over Socket.io, vs bare socket.io and 5 s polling',
  goals: [
    { key: 'http_wake_p99_ms', max: 10 },
    // 1.5 x the bare socket.io p99 plus one status read's p99, both measured in this run.
    { key: 'remote_wake_p99_vs_goal', max: 1 },
    { key: 'status_reads_per_wake_remote', max: 1 },
    // "The same as a configured workspace": within 20 % of its p99, measured alongside.
    { key: 'remote_unsubscribed_vs_configured_p99_ratio', max: 1.2 },
    { key: 'status_reads_per_wake_remote_unsubscribed', max: 1 },
    { key: 'polling_wake_mean_ms', near: POLLING_INTERVAL_MS / 2, tolerance: 0.5 },
  ],
  run: async () => {
    const bench = await timePhase('set-up', setUp);
    try {
      const interleaved = await timePhase('wakes', () => measureInterleaved(bench));
      const workerReads = await timePhase('worker reads', () => measureWorkerReads(bench));
      const polling = await timePhase('polling', () =>
        measurePolling(bench, interleaved.remote_wake_mean_ms as number),
      );
      const jsonParsing = await timePhase('json parsing', async () => measureJsonParsing());
      return {
        ...interleaved,
        ...workerReads,
        ...polling,
        ...jsonParsing,
        clock_offset_ms: round(bench.worker.clockOffsetMs, 3),
        clock_sync_rtt_ms: round(bench.worker.clockSyncRttMs, 3),
      };
    } finally {
      await tearDown(bench);
    }
  },
};
