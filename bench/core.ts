import { relative } from 'node:path';
import { BenchChild, childEnvironment } from './child-process';
import { drawWakeChart } from './core-chart';
import { CORE_PHASE_NAMES, type CorePhaseName, type PhaseReply } from './core-phases';
import { timePhase } from './report';
import { gcUnavailableReason } from './runtime';
import type { BenchResult, BenchSuite } from './suite';
import { measurePeers } from './wait-peers';

/** 100 000 waits take a while to start and end on a busy 2-core machine. */
const PHASE_TIMEOUT_MS = 300_000;

/**
 * V8 flags of a phase beyond `--expose-gc`. The idle window would otherwise catch V8's
 * memory reducer: 8 s after the waits stop allocating it shrinks the heap with two or three
 * mark-compacts (measured: 100-170 ms of CPU, once per process, whatever holds the heap),
 * 1-2 % of a 10 s window that says nothing about what pending waits cost while idle.
 */
const PHASE_NODE_FLAGS: Partial<Record<CorePhaseName, readonly string[]>> = {
  'idle cpu': ['--no-memory-reducer'],
};

/** Runs one phase in a fresh child process, timed, and closes the child on every path. */
function inChild(phase: CorePhaseName): Promise<PhaseReply> {
  return timePhase(phase, async () => {
    const { child } = await BenchChild.start(
      `core ${phase}`,
      'core-phase.child.ts',
      childEnvironment({}),
      ['--expose-gc', ...(PHASE_NODE_FLAGS[phase] ?? [])],
    );
    try {
      const reply = await child.call({ type: 'measure', phase }, PHASE_TIMEOUT_MS);
      return { result: reply.result as BenchResult, sortedUs: reply.sortedUs as number[] };
    } finally {
      await child.close();
    }
  });
}

/** Measures the peers, then draws every wake-latency distribution of the run in one SVG. */
async function measurePeersAndChart(pollingUs: readonly number[]): Promise<BenchResult> {
  const peers = await timePhase('peers', measurePeers);
  const file = await drawWakeChart(peers.figures, pollingUs);
  return { ...peers.result, wake_chart: relative(process.cwd(), file) };
}

/**
 * The library in-process, event-driven and polling side by side, and beside the peers a
 * Nest user would otherwise write: wake latency, memory per wait, dispatch cost and
 * throughput, status reads per wait and idle CPU; and a chart of the wake latencies. Every
 * phase and every peer runs in a child process of its own, one after the other.
 */
export const coreSuite: BenchSuite = {
  name: 'core',
  description: 'in-process manager + bridge, event-driven vs polling (useEvents: false) and peers',
  goals: [
    { key: 'wake_p99_us_10k', max: 1_000 },
    { key: 'wake_p99_us_100k', max: 2_000 },
    { key: 'heap_bytes_per_wait_100k', max: 2_048 },
    { key: 'heap_bytes_per_wait_100k_manager', max: 2_048 },
    { key: 'heap_bytes_per_extra_waiter', max: 1_024 },
    { key: 'shutdown_ms_100k_bridge_waits', max: 300 },
    { key: 'resolutions_per_s', min: 500_000 },
    { key: 'status_reads_per_wait_events', max: 2 },
    { key: 'status_reads_per_wait_polling', near: 60, tolerance: 0.1 },
    { key: 'idle_cpu_pct_10k_events', max: 1 },
  ],
  skipReason: gcUnavailableReason,
  run: async () => {
    const result: BenchResult = {};
    let pollingUs: readonly number[] = [];
    for (const phase of CORE_PHASE_NAMES) {
      const reply = await inChild(phase);
      Object.assign(result, reply.result);
      if (reply.sortedUs) pollingUs = reply.sortedUs;
    }
    return { ...result, ...(await measurePeersAndChart(pollingUs)) };
  },
};
