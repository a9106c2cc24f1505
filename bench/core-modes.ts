import type * as FakeTimers from '@sinonjs/fake-timers';
import { POLLING_INTERVAL_MS } from './remote-worker.constants';

/** The old behaviour, the baseline: no events, a status read every 5 s per approval. */
export const POLLING = { useEvents: false, pollIntervalMs: POLLING_INTERVAL_MS } as const;
/** The library as shipped: events wake the waits, polling only while the bus is down. */
export const EVENTS = { useEvents: true, pollIntervalMs: POLLING_INTERVAL_MS } as const;

/** Only what the library needs faked: the real event loop keeps turning under it. */
export const FAKED: FakeTimers.FakeMethod[] = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'Date',
];

export function assertNoFakeTimers(
  clock: ReturnType<typeof FakeTimers.install>,
  phase: string,
): void {
  const left = clock.countTimers();
  if (left !== 0) throw new Error(`${phase}: ${left} timers left after the waits ended`);
}
