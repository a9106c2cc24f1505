import * as FakeTimers from '@sinonjs/fake-timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCore, WORKSPACE } from './core-fixture';
import { POLLING_INTERVAL_MS } from './remote-worker.constants';
import { timePhase } from './report';
import { activeTimerCount, forceGc, gcUnavailableReason, until } from './runtime';
import { elapsedUs, median, percentile, round } from './stats';
import type { BenchResult, BenchSuite } from './suite';

const POLLING = { useEvents: false, pollIntervalMs: POLLING_INTERVAL_MS } as const;
const EVENTS = { useEvents: true, pollIntervalMs: POLLING_INTERVAL_MS } as const;

const WAKE = { pending: 10_000, warmup: 500, samples: 2_000, rounds: 3 } as const;
const HEAP_WAITS = 100_000;
const NOT_STARTED: Promise<unknown> = Promise.resolve();
const THROUGHPUT = { events: 100_000, warmupRounds: 1, rounds: 5 } as const;
const READS = { waitMs: 5 * 60_000, trials: 5 } as const;
const POLLING_WAKE = { pending: 1_000, samples: 500 } as const;
const IDLE = { waits: 10_000, windowMs: 10_000, floorWindowMs: 3_000, gcSettleMs: 1_000 } as const;

/** Only what the library needs faked: the real event loop keeps turning under it. */
const FAKED: FakeTimers.FakeMethod[] = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'Date',
];

/**
 * Wake latency of one bridge wait among at least `WAKE.pending` others: enough waits are
 * started that `WAKE.pending` are still pending at the last sample. The rounds are
 * consecutive batches of samples on the same waits, each after a full GC.
 */
async function measureWake(): Promise<BenchResult> {
  const core = createCore(EVENTS);
  const sampled = WAKE.warmup + WAKE.rounds * WAKE.samples;
  const ids = core.source.addPending(WORKSPACE, WAKE.pending + sampled);
  const wokeAt = ids.map((id) =>
    core.bridge.waitForApproval(WORKSPACE, id).then(() => process.hrtime.bigint()),
  );
  await until(() => core.source.reads >= ids.length, 'the first status reads');
  const wakeUs = async (index: number): Promise<number> => {
    const event = core.source.decide(WORKSPACE, ids[index]);
    const start = process.hrtime.bigint();
    core.manager.onApprovalResponse(event);
    return elapsedUs(start, await wokeAt[index]);
  };
  for (let i = 0; i < WAKE.warmup; i++) await wakeUs(i);
  const rounds: number[][] = [];
  for (let round = 0; round < WAKE.rounds; round++) {
    forceGc();
    const latencies: number[] = [];
    const first = WAKE.warmup + round * WAKE.samples;
    for (let i = first; i < first + WAKE.samples; i++) latencies.push(await wakeUs(i));
    rounds.push(latencies.sort((x, y) => x - y));
  }
  await core.shutdown(wokeAt);
  return {
    wake_p50_us_10k: round(median(rounds.map((r) => percentile(r, 50)))),
    wake_p99_us_10k: round(median(rounds.map((r) => percentile(r, 99)))),
    wake_max_us_10k: round(Math.max(...rounds.map((r) => r.at(-1)!))),
    wake_samples_per_round: WAKE.samples,
    wake_rounds: WAKE.rounds,
  };
}

/**
 * The polling baseline's wake latency, in simulated time: decisions land at random moments
 * and each waiter learns of it at its approval's next poll.
 */
async function measurePollingWakeSimulated(): Promise<BenchResult> {
  const clock = FakeTimers.install({ toFake: FAKED });
  try {
    const core = createCore(POLLING);
    const ids = core.source.addPending(WORKSPACE, POLLING_WAKE.pending);
    const decidedAt = new Map<string, number>();
    const latencies: number[] = [];
    const waits = ids.map((id) =>
      core.bridge.waitForApproval(WORKSPACE, id).then(() => {
        latencies.push((Date.now() - decidedAt.get(id)!) * 1_000);
      }),
    );
    await clock.tickAsync(0);
    for (const id of ids.slice(0, POLLING_WAKE.samples)) {
      setTimeout(
        () => (decidedAt.set(id, Date.now()), core.decide(id)),
        Math.random() * POLLING_INTERVAL_MS,
      );
    }
    await clock.tickAsync(POLLING_INTERVAL_MS * 2.5);
    await core.shutdown(waits);
    assertNoFakeTimers(clock, 'polling wake');
    latencies.sort((a, b) => a - b);
    return {
      wake_p50_us_polling_simulated: round(percentile(latencies, 50), 0),
      wake_p99_us_polling_simulated: round(percentile(latencies, 99), 0),
      wake_samples_polling_simulated: latencies.length,
    };
  } finally {
    clock.uninstall();
  }
}

/** Heap per pending wait, net of the store's records, the ids and the array holding the promises. */
async function heapPerWait(
  kind: 'bridge' | 'manager',
): Promise<{ bytes: number; shutdownMs: number }> {
  const core = createCore(EVENTS);
  const ids = core.source.addPending(WORKSPACE, HEAP_WAITS);
  // Allocated before the baseline reading: the array is the bench's, not the library's.
  const waits = new Array<Promise<unknown>>(HEAP_WAITS).fill(NOT_STARTED);
  forceGc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_WAITS; i++) {
    waits[i] =
      kind === 'bridge'
        ? core.bridge.waitForApproval(WORKSPACE, ids[i])
        : core.manager.waitForApproval(WORKSPACE, ids[i]);
  }
  const expectedReads = kind === 'bridge' ? HEAP_WAITS : 0;
  await until(() => core.source.reads >= expectedReads, 'the first status reads');
  forceGc();
  const after = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  await core.shutdown(waits);
  return {
    bytes: (after - before) / HEAP_WAITS,
    shutdownMs: elapsedUs(start, process.hrtime.bigint()) / 1_000,
  };
}

async function measureHeap(): Promise<BenchResult> {
  const bridge = await heapPerWait('bridge');
  const manager = await heapPerWait('manager');
  return {
    heap_bytes_per_wait_100k: round(bridge.bytes, 0),
    heap_bytes_per_wait_100k_manager: round(manager.bytes, 0),
    heap_ratio_bridge_vs_manager: round(bridge.bytes / manager.bytes, 2),
    shutdown_ms_100k_bridge_waits: round(bridge.shutdownMs),
    shutdown_ms_100k_manager_waits: round(manager.shutdownMs),
  };
}

/** `onApprovalResponse` on distinct approvals nobody waits for: the dispatch cost alone. */
async function measureThroughput(): Promise<BenchResult> {
  const rates: number[] = [];
  const resolvedAt = new Date().toISOString();
  for (let r = 0; r < THROUGHPUT.warmupRounds + THROUGHPUT.rounds; r++) {
    const core = createCore(EVENTS);
    const events = Array.from({ length: THROUGHPUT.events }, (_, i) => ({
      approvalId: `round-${r}-${i}`,
      workspaceId: WORKSPACE,
      status: 'approved' as const,
      resolvedBy: 'bench',
      resolvedAt,
    }));
    forceGc();
    const start = process.hrtime.bigint();
    for (const event of events) core.manager.onApprovalResponse(event);
    const seconds = elapsedUs(start, process.hrtime.bigint()) / 1e6;
    core.manager.onApplicationShutdown();
    if (r >= THROUGHPUT.warmupRounds) rates.push(THROUGHPUT.events / seconds);
    await sleep(0);
  }
  return {
    resolutions_per_s: round(median(rates), 0),
    resolutions_per_s_min: round(Math.min(...rates), 0),
    resolutions_rounds: THROUGHPUT.rounds,
  };
}

/** Status reads of one wait that lasts `READS.waitMs` of simulated time, then is approved. */
async function readsForOneWait(useEvents: boolean): Promise<number> {
  const clock = FakeTimers.install({ toFake: FAKED });
  try {
    const core = createCore(useEvents ? EVENTS : POLLING);
    const [id] = core.source.addPending(WORKSPACE, 1);
    let settled = false;
    const wait = core.bridge.waitForApproval(WORKSPACE, id).finally(() => (settled = true));
    await clock.tickAsync(READS.waitMs);
    core.decide(id);
    // Events wake it at once; polling needs up to one more interval (+10 % jitter).
    for (let step = 0; !settled && step < 120; step++) await clock.tickAsync(100);
    const approval = await wait;
    if (approval.status !== 'approved') throw new Error(`Wait ended ${approval.status}`);
    core.manager.onApplicationShutdown();
    assertNoFakeTimers(clock, 'status reads');
    return core.source.reads;
  } finally {
    clock.uninstall();
  }
}

function assertNoFakeTimers(clock: ReturnType<typeof FakeTimers.install>, phase: string): void {
  const left = clock.countTimers();
  if (left !== 0) throw new Error(`${phase}: ${left} timers left after the waits ended`);
}

async function measureReads(): Promise<BenchResult> {
  const events: number[] = [];
  const polling: number[] = [];
  for (let i = 0; i < READS.trials; i++) {
    events.push(await readsForOneWait(true));
    polling.push(await readsForOneWait(false));
  }
  const eventReads = median(events);
  const pollingReads = median(polling);
  return {
    status_reads_per_wait_events: eventReads,
    status_reads_per_wait_polling: pollingReads,
    status_reads_ratio_polling_vs_events: round(pollingReads / eventReads, 1),
    status_reads_trials: READS.trials,
  };
}

/**
 * Percent of one core this process used (all threads, GC included) over `windowMs` of real
 * time. A forced full GC leaves concurrent sweeping behind on helper threads (measured at
 * ~0.7 % of a core over 10 s with a 200 MB heap), so the window opens after it has settled.
 */
async function cpuPercentOver(windowMs: number): Promise<number> {
  forceGc();
  await sleep(IDLE.gcSettleMs);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await sleep(windowMs);
  const cpu = process.cpuUsage(cpuBefore);
  return ((cpu.user + cpu.system) / elapsedUs(start, process.hrtime.bigint())) * 100;
}

/** CPU and status reads per second while `IDLE.waits` waits sit pending. */
async function idleCpu(useEvents: boolean): Promise<{ cpuPct: number; readsPerS: number }> {
  const core = createCore(useEvents ? EVENTS : POLLING);
  const ids = core.source.addPending(WORKSPACE, IDLE.waits);
  const waits = ids.map((id) => core.bridge.waitForApproval(WORKSPACE, id));
  await until(() => core.source.reads >= IDLE.waits, 'the first status reads');
  const readsBefore = core.source.reads;
  const start = process.hrtime.bigint();
  const cpuPct = await cpuPercentOver(IDLE.windowMs);
  const seconds = elapsedUs(start, process.hrtime.bigint()) / 1e6;
  const reads = core.source.reads - readsBefore;
  await core.shutdown(waits);
  return { cpuPct, readsPerS: reads / seconds };
}

async function measureIdleCpu(): Promise<BenchResult> {
  const floor = await cpuPercentOver(IDLE.floorWindowMs);
  const events = await idleCpu(true);
  const polling = await idleCpu(false);
  return {
    idle_cpu_pct_10k_events: round(events.cpuPct, 3),
    idle_cpu_pct_10k_polling: round(polling.cpuPct, 3),
    idle_cpu_ratio_polling_vs_events: round(polling.cpuPct / Math.max(events.cpuPct, 0.001), 1),
    idle_cpu_pct_no_waits_floor: round(floor, 3),
    idle_status_reads_per_s_10k_events: round(events.readsPerS),
    idle_status_reads_per_s_10k_polling: round(polling.readsPerS),
    idle_window_s: IDLE.windowMs / 1_000,
  };
}

/** Runs one timed phase and fails it if it left a timer behind. */
function phase(name: string, measure: () => Promise<BenchResult>): Promise<BenchResult> {
  return timePhase(name, async () => {
    const timersBefore = activeTimerCount();
    const result = await measure();
    const leaked = activeTimerCount() - timersBefore;
    if (leaked > 0) throw new Error(`Phase "${name}" left ${leaked} timers running`);
    return result;
  });
}

/**
 * The library in-process, event-driven and polling side by side: wake latency, memory per
 * wait, dispatch throughput, status reads per wait and idle CPU.
 */
export const coreSuite: BenchSuite = {
  name: 'core',
  description: 'in-process manager + bridge, event-driven vs polling (useEvents: false)',
  goals: [
    { key: 'wake_p99_us_10k', max: 1_000 },
    { key: 'heap_bytes_per_wait_100k', max: 2_048 },
    { key: 'heap_bytes_per_wait_100k_manager', max: 2_048 },
    { key: 'resolutions_per_s', min: 500_000 },
    { key: 'status_reads_per_wait_events', max: 2 },
    { key: 'status_reads_per_wait_polling', near: 60, tolerance: 0.1 },
    { key: 'idle_cpu_pct_10k_events', max: 1 },
  ],
  skipReason: gcUnavailableReason,
  run: async () => ({
    ...(await phase('wake', measureWake)),
    ...(await phase('polling wake', measurePollingWakeSimulated)),
    ...(await phase('heap', measureHeap)),
    ...(await phase('throughput', measureThroughput)),
    ...(await phase('status reads', measureReads)),
    ...(await phase('idle cpu', measureIdleCpu)),
  }),
};
