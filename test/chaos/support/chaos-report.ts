import type { CutLink, InjectionKind, InjectionRoute, WaitKind } from './chaos-plan';
import type { ReadFaultCounts, ReadSide } from './read-faults';

/** The `p`-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** What the harness did and what came out of it. */
export interface ChaosFigures {
  seed: number;
  fingerprint: string;
  mode: string;
  pollIntervalMs: number;
  boundMs: number;
  /** The bound of waits on approvals that expired: measured from the deadline. */
  expiryBoundMs: number;
  /** Lateness of the waits on approvals that expired, after the deadline. */
  expiredLateness: number[];
  waitsByKind: Record<WaitKind, number>;
  approvals: number;
  decisionsByStatus: Record<string, number>;
  /** REST decisions, and those made with plain SQL straight in the store. */
  decisionsByRoute: Record<string, number>;
  /** Worker waits in workspaces it was not configured with (subscribed on demand). */
  workerWaitsOnDemand: number;
  cuts: Record<CutLink, number>;
  linkDropsSeen: Record<CutLink, number>;
  reads: Record<ReadSide, ReadFaultCounts>;
  readTimeoutMs: number;
  maxFailedReadsInARow: number;
  injections: Record<InjectionKind, number>;
  injectionsByRoute: Record<InjectionRoute, number>;
  producerRefusals: number;
  /** Long-polls sent again after losing the keep-alive race on a reused connection. */
  longPollResends: number;
  fallbackWaits: { worker: number; replica: number };
  waitsRun: number;
  waitsLost: number;
  wrongOutcomes: number;
  /** `pendingCount` of every manager once the waits ended. */
  pendingAfter: Record<string, number>;
  lateness: number[];
  latenessByKind: Record<WaitKind, number[]>;
  durationMs: number;
  /** Approvals pending at once, at most: what the polling load scales with. */
  maxPendingApprovals: number;
  /** Of this test process, which runs host A, replica B, the worker and the harness. */
  eventLoopDelayMs: { p99: number; max: number };
}

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : `${Math.round(value)} ms`);

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

/** The figures as the lines the suite prints. */
export function formatFigures(figures: ChaosFigures): string {
  const failedReads = (side: ReadSide) => {
    const { reads, error, timeout } = figures.reads[side];
    const failed = error + timeout;
    const rate = reads === 0 ? 0 : (100 * failed) / reads;
    return `${failed} of ${reads} (${rate.toFixed(1)} %: ${error} errors, ${timeout} timeouts of ${figures.readTimeoutMs} ms)`;
  };
  const overBound = figures.lateness.filter((value) => value > figures.boundMs).length;
  return [
    `[chaos] seed=${figures.seed} (0x${figures.seed.toString(16)}) plan=${figures.fingerprint} mode=${figures.mode}`,
    `[chaos] waits run: ${figures.waitsRun} (${list(figures.waitsByKind)}) on ${figures.approvals} approvals (at most ${figures.maxPendingApprovals} pending at once); decisions: ${list(figures.decisionsByStatus)} (via ${list(figures.decisionsByRoute)}); worker waits in workspaces it subscribed to on demand: ${figures.workerWaitsOnDemand}`,
    `[chaos] faults: bus cuts ${list(figures.cuts)} (link drops seen: ${list(figures.linkDropsSeen)})`,
    `[chaos] faults: failed reads worker ${failedReads('worker')}; replica ${failedReads('replica')}; at most ${figures.maxFailedReadsInARow} in a row per approval`,
    `[chaos] faults: events ${list(figures.injections)} (via ${list(figures.injectionsByRoute)}; producer refusals ${figures.producerRefusals})`,
    `[chaos] waits that polled: worker ${figures.fallbackWaits.worker}, replica ${figures.fallbackWaits.replica}; long-polls resent after a keep-alive reset: ${figures.longPollResends}`,
    `[chaos] waits lost: ${figures.waitsLost} (must be 0); wrong outcomes: ${figures.wrongOutcomes} (must be 0); pending after: ${list(figures.pendingAfter)} (must be 0)`,
    `[chaos] lateness vs REST decision: max ${ms(Math.max(...figures.lateness))}, p99 ${ms(percentile(figures.lateness, 99))}, p50 ${ms(percentile(figures.lateness, 50))}; bound ${figures.boundMs} ms (pollIntervalMs ${figures.pollIntervalMs} + 1 000); over bound: ${overBound}`,
    `[chaos] lateness of waits on expired approvals vs their deadline: max ${ms(Math.max(...figures.expiredLateness))}, p99 ${ms(percentile(figures.expiredLateness, 99))}, p50 ${ms(percentile(figures.expiredLateness, 50))}; bound ${figures.expiryBoundMs} ms (one sweep more)`,
    `[chaos] lateness by wait kind: ${Object.entries(figures.latenessByKind)
      .map(
        ([kind, values]) =>
          `${kind} max ${ms(Math.max(...values))} p99 ${ms(percentile(values, 99))}`,
      )
      .join('; ')}`,
    `[chaos] chaos phase ${(figures.durationMs / 1000).toFixed(1)} s; event-loop delay of the test process p99 ${ms(figures.eventLoopDelayMs.p99)}, max ${ms(figures.eventLoopDelayMs.max)}`,
  ].join('\n');
}
