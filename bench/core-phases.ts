/**
 * The measurements of the `core` bench, one function per phase. Each runs in a process of its
 * own (`bench/core-phase.child.ts`), so no phase's heap, JIT or GC state colours another's
 * figures. Run one after the other in one process, the throughput loop measured 360k-565k
 * resolutions/s where alone it measures over 1M, and shutdown and idle CPU swung as widely.
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCore, WORKSPACE } from './core-fixture';
import { assertNoFakeTimers, EVENTS, FAKED, POLLING } from './core-modes';
import { measurePollingWakeSimulated, measureWake } from './core-wake';
import { forceGc, until } from './runtime';
import { elapsedUs, median, round } from './stats';
import type { BenchResult } from './suite';

const HEAP_WAITS = 100_000;
const NOT_STARTED: Promise<unknown> = Promise.resolve();
const THROUGHPUT = { events: 100_000, warmupRounds: 1, rounds: 5 } as const;
const READS = { waitMs: 5 * 60_000, trials: 5 } as const;
const IDLE = { waits: 10_000, windowMs: 10_000, floorWindowMs: 3_000, gcSettleMs: 1_000 } as const;

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
  await until(() => core.source.readCount >= expectedReads, 'the first status reads');
  forceGc();
  const after = process.memoryUsage().heapUsed;
  const ended = Promise.allSettled(waits);
  const start = process.hrtime.bigint();
  await core.shutdown(waits, ended);
  return {
    bytes: (after - before) / HEAP_WAITS,
    shutdownMs: elapsedUs(start, process.hrtime.bigint()) / 1_000,
  };
}

/**
 * Heap per extra bridge wait on an approval that another wait already watches: the shared
 * per-approval part is paid once, by the first wait, so this is what a wait costs alone.
 */
async function heapPerExtraWaiter(): Promise<number> {
  const core = createCore({ ...EVENTS, maxPendingWaits: 2 * HEAP_WAITS });
  const ids = core.source.addPending(WORKSPACE, HEAP_WAITS);
  const waits = new Array<Promise<unknown>>(2 * HEAP_WAITS).fill(NOT_STARTED);
  for (let i = 0; i < HEAP_WAITS; i++) waits[i] = core.bridge.waitForApproval(WORKSPACE, ids[i]);
  await until(() => core.source.readCount >= HEAP_WAITS, 'the first status reads');
  forceGc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_WAITS; i++) {
    waits[HEAP_WAITS + i] = core.bridge.waitForApproval(WORKSPACE, ids[i]);
  }
  // Whatever a joining wait does on its first turns (a replayed read, at most) is done by now.
  await sleep(10);
  forceGc();
  const after = process.memoryUsage().heapUsed;
  await core.shutdown(waits);
  return (after - before) / HEAP_WAITS;
}

async function measureHeap(): Promise<BenchResult> {
  const bridge = await heapPerWait('bridge');
  const manager = await heapPerWait('manager');
  const extraWaiter = await heapPerExtraWaiter();
  return {
    heap_bytes_per_wait_100k: round(bridge.bytes, 0),
    heap_bytes_per_extra_waiter: round(extraWaiter, 0),
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
    return core.source.readCount;
  } finally {
    clock.uninstall();
  }
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
  await until(() => core.source.readCount >= IDLE.waits, 'the first status reads');
  const readsBefore = core.source.readCount;
  const start = process.hrtime.bigint();
  const cpuPct = await cpuPercentOver(IDLE.windowMs);
  const seconds = elapsedUs(start, process.hrtime.bigint()) / 1e6;
  const reads = core.source.readCount - readsBefore;
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

/** What one phase measured; `sortedUs` are the polling latencies the chart draws. */
export interface PhaseReply {
  readonly result: BenchResult;
  readonly sortedUs?: number[];
}

const only = (measure: () => Promise<BenchResult>) => async (): Promise<PhaseReply> => ({
  result: await measure(),
});

/** Every phase of the `core` bench, in the order the suite runs them. */
export const CORE_PHASES = {
  'wake 10k': only(() => measureWake(10_000)),
  'wake 100k': only(() => measureWake(100_000)),
  'polling wake': measurePollingWakeSimulated,
  heap: only(measureHeap),
  throughput: only(measureThroughput),
  'status reads': only(measureReads),
  'idle cpu': only(measureIdleCpu),
} as const satisfies Record<string, () => Promise<PhaseReply>>;

export type CorePhaseName = keyof typeof CORE_PHASES;
export const CORE_PHASE_NAMES = Object.keys(CORE_PHASES) as CorePhaseName[];
