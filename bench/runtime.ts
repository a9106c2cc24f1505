import { setImmediate as nextTurn } from 'node:timers/promises';

/** Why the heap measurements cannot run, or `undefined` when `global.gc` is exposed. */
export function gcUnavailableReason(): string | undefined {
  return typeof global.gc === 'function'
    ? undefined
    : 'needs `node --expose-gc` (use `npm run bench`)';
}

/** Full collections until the heap stops shrinking, so a reading holds only live objects. */
export function forceGc(): void {
  if (typeof global.gc !== 'function') throw new Error(gcUnavailableReason());
  let previous = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    global.gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous) return;
    previous = used;
  }
}

/**
 * Yields to the event loop until `done()` holds: status reads are promise callbacks and
 * I/O-free, so a few turns settle thousands of them.
 */
export async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await nextTurn();
  }
  await nextTurn();
}

/** Live timers of this process: compared before and after a phase to catch a leak early. */
export function activeTimerCount(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
}
