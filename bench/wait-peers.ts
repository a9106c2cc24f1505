import { BenchChild, childEnvironment } from './child-process';
import { median, round } from './stats';
import type { BenchResult } from './suite';
import { CONTENDER_NAMES, type ContenderName } from './wait-contenders';

/** Waits held pending while each contender is measured: the heap figure and the first dispatch figure. */
export const PEER_PENDING = 10_000;
/** The second dispatch figure: how dispatch scales with what is pending. */
export const PEER_PENDING_LARGE = 100_000;
const DISPATCH = { warmup: 100, samples: 1_000 } as const;
/** A peer's dispatch with 100 000 pending takes tens of milliseconds: fewer samples suffice. */
const DISPATCH_LARGE = { warmup: 30, samples: 300 } as const;
/** 100 000 bridge waits take a while to start on a busy 2-core machine. */
const MEASURE_TIMEOUT_MS = 300_000;

/** What one contender measured. */
export interface ContenderFigures {
  readonly heapBytesPerWait: number;
  readonly heapBytesPerWaitLarge: number;
  /** Milliseconds that {@link PEER_PENDING_LARGE} pending waits add to one full GC. */
  readonly fullGcAddedMsLarge: number;
  readonly dispatchUs: number;
  readonly dispatchUsLarge: number;
  /** Every dispatch time with {@link PEER_PENDING} pending, sorted ascending: the chart's line. */
  readonly sortedDispatchUs: number[];
}

interface MeasureReply {
  readonly heapBytesPerWait: number;
  readonly fullGcAddedMs: number;
  readonly dispatchUs: number[];
}

async function measureContender(name: ContenderName): Promise<ContenderFigures> {
  const { child } = await BenchChild.start(
    `peer ${name}`,
    'wait-peer.child.ts',
    childEnvironment({ BENCH_CONTENDER: name }),
    ['--expose-gc'],
  );
  try {
    const measure = async (pending: number, dispatch: typeof DISPATCH | typeof DISPATCH_LARGE) =>
      (await child.call(
        { type: 'measure', pending, ...dispatch },
        MEASURE_TIMEOUT_MS,
      )) as unknown as MeasureReply;
    const small = await measure(PEER_PENDING, DISPATCH);
    const large = await measure(PEER_PENDING_LARGE, DISPATCH_LARGE);
    return {
      heapBytesPerWait: small.heapBytesPerWait,
      heapBytesPerWaitLarge: large.heapBytesPerWait,
      fullGcAddedMsLarge: large.fullGcAddedMs,
      dispatchUs: median(small.dispatchUs),
      dispatchUsLarge: median(large.dispatchUs),
      sortedDispatchUs: small.dispatchUs,
    };
  } finally {
    await child.close();
  }
}

/**
 * The library beside the peers a Nest user would otherwise write, one child process each,
 * one after the other (two at once would share the 2 cores): heap per pending wait and the
 * median time of one dispatch (the event, until the woken wait's continuation runs), with
 * {@link PEER_PENDING} and {@link PEER_PENDING_LARGE} waits pending, each on its own approval.
 */
export async function measurePeers(): Promise<{
  result: BenchResult;
  figures: Readonly<Record<ContenderName, ContenderFigures>>;
}> {
  const figures = {} as Record<ContenderName, ContenderFigures>;
  for (const name of CONTENDER_NAMES) figures[name] = await measureContender(name);
  const { bridge, eventemitter2 } = figures;
  const result: BenchResult = {
    heap_ratio_bridge_vs_eventemitter2: round(
      bridge.heapBytesPerWait / eventemitter2.heapBytesPerWait,
      2,
    ),
    dispatch_ratio_eventemitter2_vs_bridge_10k: round(
      eventemitter2.dispatchUs / bridge.dispatchUs,
      1,
    ),
    dispatch_ratio_eventemitter2_vs_bridge_100k: round(
      eventemitter2.dispatchUsLarge / bridge.dispatchUsLarge,
      1,
    ),
    full_gc_ratio_bridge_vs_eventemitter2_100k: round(
      bridge.fullGcAddedMsLarge / eventemitter2.fullGcAddedMsLarge,
      2,
    ),
  };
  for (const name of CONTENDER_NAMES) {
    const figure = figures[name];
    result[`peer_${name}_heap_bytes_per_wait_10k`] = round(figure.heapBytesPerWait, 0);
    result[`peer_${name}_heap_bytes_per_wait_100k`] = round(figure.heapBytesPerWaitLarge, 0);
    result[`peer_${name}_dispatch_us_10k`] = round(figure.dispatchUs, 2);
    result[`peer_${name}_dispatch_us_100k`] = round(figure.dispatchUsLarge, 2);
    result[`peer_${name}_full_gc_added_ms_100k`] = round(figure.fullGcAddedMsLarge, 1);
  }
  result.peer_dispatch_samples_10k = DISPATCH.samples;
  result.peer_dispatch_samples_100k = DISPATCH_LARGE.samples;
  return { result, figures };
}
