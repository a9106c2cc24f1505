import { MAX_TIMEOUT_MS } from '../approval-events.constants';

/** How far {@link jittered} moves a delay either way: ±10 %. */
export const JITTER_RATIO = 0.1;

/**
 * The longest delay that a Node.js timer still holds once {@link jittered} (Node turns a
 * delay over `MAX_TIMEOUT_MS` into 1 ms): what `pollIntervalMs`, the module's and a wait's,
 * and so every backoff's cap, may be at most.
 */
export const MAX_JITTERED_DELAY_MS = Math.floor(MAX_TIMEOUT_MS / (1 + JITTER_RATIO));

/**
 * `ms` moved by up to ±10 %, so pollers, retries and reconnections that started together
 * (100 000 waits, replicas that lost the same link) do not run in lockstep. The one jitter
 * of the library.
 *
 * @internal
 * @example
 * timer(jittered(pollIntervalMs)); // 4 500 to 5 500 ms for 5 000
 */
export const jittered = (ms: number): number =>
  Math.round(ms * (1 - JITTER_RATIO + Math.random() * 2 * JITTER_RATIO));

/** Where an exponential backoff starts and where it stops growing. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

/**
 * The delay before try number `attempt` (1 for the first retry): `firstMs` doubled for each
 * attempt after the first, capped at `maxMs`, {@link jittered}. The one backoff of the
 * library: status read retries, the store link's reconnections, Redis's retry strategy and
 * the reads after an approval's deadline all take their delays from it.
 *
 * @internal
 * @example
 * retry({ delay: (_error, attempt) => timer(backoffDelay(attempt, { firstMs: 100, maxMs: 5_000 })) });
 */
export function backoffDelay(attempt: number, { firstMs, maxMs }: Backoff): number {
  // The exponent is bounded so a long outage cannot overflow 2 ** attempt into Infinity.
  return jittered(Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30)));
}

/** How an event link (PostgreSQL LISTEN, Redis) reconnects: from 100 ms, doubling, up to 5 s. */
export const RECONNECT_BACKOFF: Backoff = { firstMs: 100, maxMs: 5_000 };
