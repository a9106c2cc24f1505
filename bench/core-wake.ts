import { toApprovalResult } from '@app/approval-events';
import * as FakeTimers from '@sinonjs/fake-timers';
import { createCore, WORKSPACE } from './core-fixture';
import { assertNoFakeTimers, EVENTS, FAKED, POLLING } from './core-modes';
import { LoopStalls } from './noise';
import { POLLING_INTERVAL_MS } from './remote-worker.constants';
import { forceGc, until } from './runtime';
import { elapsedUs, median, percentile, round } from './stats';
import type { BenchResult } from './suite';

const WAKE = { warmup: 500, samples: 2_000, rounds: 3 } as const;
const POLLING_WAKE = { pending: 1_000, samples: 500 } as const;

/** `10k` for 10 000: the suffix of a figure's key. */
const countTag = (count: number) => `${count / 1_000}k`;

/**
 * Wake latency of one bridge wait among at least `pending` others: enough waits are started
 * that `pending` are still pending at the last sample. The rounds are consecutive batches of
 * samples on the same waits, each after a full GC; the GC pauses of the process's own that
 * the rounds ran into are reported beside them.
 */
export async function measureWake(pending: number): Promise<BenchResult> {
  const sampled = WAKE.warmup + WAKE.rounds * WAKE.samples;
  const core = createCore({ ...EVENTS, maxPendingWaits: pending + sampled });
  const ids = core.source.addPending(WORKSPACE, pending + sampled);
  const wokeAt = ids.map((id) =>
    core.bridge.waitForApproval(WORKSPACE, id).then(() => process.hrtime.bigint()),
  );
  await until(() => core.source.readCount >= ids.length, 'the first status reads');
  const wakeUs = async (index: number): Promise<number> => {
    const event = toApprovalResult(core.source.decide(WORKSPACE, ids[index], 'approved'));
    const start = process.hrtime.bigint();
    core.manager.onApprovalResponse(event);
    return elapsedUs(start, await wokeAt[index]);
  };
  for (let i = 0; i < WAKE.warmup; i++) await wakeUs(i);
  const stalls = new LoopStalls().start();
  const rounds: number[][] = [];
  for (let round = 0; round < WAKE.rounds; round++) {
    forceGc();
    const latencies: number[] = [];
    const first = WAKE.warmup + round * WAKE.samples;
    for (let i = first; i < first + WAKE.samples; i++) latencies.push(await wakeUs(i));
    rounds.push(latencies.sort((x, y) => x - y));
  }
  await stalls.stop();
  await core.shutdown(wokeAt);
  const tag = countTag(pending);
  return {
    ...stalls.gcSummary(`wake_${tag}`),
    [`wake_p50_us_${tag}`]: round(median(rounds.map((r) => percentile(r, 50)))),
    [`wake_p99_us_${tag}`]: round(median(rounds.map((r) => percentile(r, 99)))),
    [`wake_max_us_${tag}`]: round(Math.max(...rounds.map((r) => r.at(-1)!))),
    wake_samples_per_round: WAKE.samples,
    wake_rounds: WAKE.rounds,
  };
}

/**
 * The polling baseline's wake latency, in simulated time: decisions land at random moments
 * and each waiter learns of it at its approval's next poll. Also returns the latencies, in
 * microseconds and sorted, for the chart.
 */
export async function measurePollingWakeSimulated(): Promise<{
  result: BenchResult;
  sortedUs: number[];
}> {
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
      result: {
        wake_p50_us_polling_simulated: round(percentile(latencies, 50), 0),
        wake_p99_us_polling_simulated: round(percentile(latencies, 99), 0),
        wake_samples_polling_simulated: latencies.length,
      },
      sortedUs: latencies,
    };
  } finally {
    clock.uninstall();
  }
}
