/**
 * One contender of the `core` bench's peer comparison in a process of its own, forked by
 * `bench/wait-peers.ts` with `--expose-gc` and `BENCH_CONTENDER` set to a
 * {@link ContenderName}, so no contender's heap or JIT state colours another's figures.
 *
 * On `{ type: 'measure', pending, samples, warmup }` it starts `pending` waits, each on its
 * own approval, reads the heap they hold and the time they add to a full collection; then it starts
 * `warmup + samples` more and times one dispatch per extra wait, so `pending` stay pending
 * throughout. It replies `{ heapBytesPerWait, fullGcAddedMs, dispatchUs }`, the dispatch times
 * sorted ascending, in microseconds.
 */
import { Logger } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { firstValueFrom, from, throwError, timeout } from 'rxjs';
import { serveParent, type ChildMessage } from './child-process';
import { forceGc } from './runtime';
import { elapsedUs, median } from './stats';
import { CONTENDER_NAMES, createContender, type ContenderName } from './wait-contenders';

const NOT_STARTED: Promise<unknown> = Promise.resolve();
/** Full collections timed with the waits pending; the median is reported. */
const FULL_GC_ROUNDS = 5;
/** Far above any dispatch measured, even a busy machine's: past it the dispatch woke nothing. */
const WAKE_TIMEOUT_MS = 10_000;

/** When the wait on `approvalId` woke, or an error if it did not within {@link WAKE_TIMEOUT_MS}. */
function woken(wokeAt: Promise<bigint>, approvalId: string): Promise<bigint> {
  return firstValueFrom(
    from(wokeAt).pipe(
      timeout({
        first: WAKE_TIMEOUT_MS,
        with: () => throwError(() => new Error(`the dispatch for ${approvalId} woke nothing`)),
      }),
    ),
  );
}

interface MeasureRequest {
  readonly pending: number;
  readonly samples: number;
  readonly warmup: number;
}

function contenderName(): ContenderName {
  const name = process.env.BENCH_CONTENDER as ContenderName;
  if (!CONTENDER_NAMES.includes(name)) throw new Error(`unknown contender ${String(name)}`);
  return name;
}

async function measure(
  name: ContenderName,
  { pending, samples, warmup }: MeasureRequest,
): Promise<{ heapBytesPerWait: number; fullGcAddedMs: number; dispatchUs: number[] }> {
  const extra = warmup + samples;
  const contender = createContender(name, pending + extra);
  const ids = contender.approvals(pending + extra);
  // Allocated before the baseline reading: the array is the bench's, not the contender's.
  const waits = new Array<Promise<unknown>>(pending + extra).fill(NOT_STARTED);
  forceGc();
  const before = process.memoryUsage().heapUsed;
  const fullGcBeforeMs = medianFullGcMs();
  for (let i = 0; i < pending; i++) waits[i] = contender.wait(ids[i]);
  await contender.settled();
  forceGc();
  const heapBytesPerWait = (process.memoryUsage().heapUsed - before) / pending;
  // What the waits add to a full GC: the library's contenders keep a store of approval
  // records that the other peers do not, and it is marked with or without waits.
  const fullGcAddedMs = medianFullGcMs() - fullGcBeforeMs;

  const wokeAt: Promise<bigint>[] = [];
  for (let i = pending; i < pending + extra; i++) {
    waits[i] = contender.wait(ids[i]);
    wokeAt.push(waits[i].then(() => process.hrtime.bigint()));
  }
  await contender.settled();
  // Counted after the heap reading: a dispatch must end its own wait and no other.
  let ended = 0;
  for (const wait of waits) void wait.finally(() => ended++).catch(() => undefined);
  forceGc();
  const dispatchUs: number[] = [];
  for (let k = 0; k < extra; k++) {
    const event = contender.resolution(ids[pending + k]);
    const start = process.hrtime.bigint();
    contender.dispatch(event);
    const us = elapsedUs(start, await woken(wokeAt[k], ids[pending + k]));
    if (k >= warmup) dispatchUs.push(us);
  }
  await nextTurn();
  if (ended !== extra) throw new Error(`${extra} dispatches ended ${ended} waits`);
  await contender.close(waits);
  await Promise.allSettled(waits);
  return { heapBytesPerWait, fullGcAddedMs, dispatchUs: dispatchUs.sort((a, b) => a - b) };
}

/**
 * How long one full, stop-the-world mark-compact takes now, the median of a few: read with
 * and without the waits pending, it tells what they cost every major GC. Taken after
 * {@link forceGc}, so the heap holds only live objects.
 */
function medianFullGcMs(): number {
  const times: number[] = [];
  for (let i = 0; i < FULL_GC_ROUNDS; i++) {
    const start = process.hrtime.bigint();
    global.gc!();
    times.push(elapsedUs(start, process.hrtime.bigint()) / 1_000);
  }
  return median(times);
}

// The library warns when it shuts down with waits pending; the bench does so on purpose.
Logger.overrideLogger(['error']);
const name = contenderName();
serveParent(
  async (message: ChildMessage) => {
    if (message.type !== 'measure') throw new Error(`unknown request ${message.type}`);
    return measure(name, message as unknown as MeasureRequest);
  },
  async () => undefined,
);
process.send?.({ type: 'up', contender: name });
