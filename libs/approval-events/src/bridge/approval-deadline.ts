import { type Subscription, timer } from 'rxjs';
import { MAX_TIMEOUT_MS } from '../approval-events.constants';
import { backoffDelay } from '../utils/backoff';

/**
 * Reads after an approval's `expiresAt` that still found it pending, before the deadline
 * stops expecting the store to end it: a store's sweeper may end it a little after the
 * deadline (PostgreSQL's runs every second), so the reads back off from 250 ms (250, 500,
 * 1 000, 2 000, 4 000 ms: ~7.75 s in all). Events and polls still end the wait after that.
 */
const FOLLOW_UPS = 5;
const FOLLOW_UP_BACKOFF = { firstMs: 250, maxMs: 4_000 } as const;

/**
 * When an approval's own deadline asks for a read: once at `expiresAt`, so a wait ends on
 * time even where no event will say it expired (an HTTP-only agent), then a few reads backing
 * off while the store still says pending ({@link FOLLOW_UPS}). One per watch that has seen a
 * deadline, not one per waiter; closed with the watch. A deadline beyond what a Node.js timer
 * holds (~24.8 days; one may be 30 days away) is taken in steps.
 *
 * @internal
 */
export class ApprovalDeadline {
  private due?: Subscription;
  /** The approval's `expiresAt` in ms since the epoch. */
  private atMs = Number.NaN;
  private followUps = 0;

  /** @param read called when a read is due; its outcome comes back through {@link pendingWith}. */
  constructor(private readonly read: () => void) {}

  /** A read found the approval still pending, with this `expiresAt`. */
  pendingWith(expiresAt: string): void {
    const at = Date.parse(expiresAt);
    if (Number.isNaN(at)) return;
    const now = Date.now();
    if (at > now) {
      if (at === this.atMs && this.due) return;
      this.atMs = at;
      this.followUps = 0;
      return this.readIn(at - now);
    }
    this.atMs = at;
    if (this.due || this.followUps >= FOLLOW_UPS) return;
    this.readIn(backoffDelay(++this.followUps, FOLLOW_UP_BACKOFF));
  }

  close(): void {
    this.due?.unsubscribe();
    this.due = undefined;
  }

  private readIn(delayMs: number): void {
    this.due?.unsubscribe();
    this.due = timer(Math.min(delayMs, MAX_TIMEOUT_MS)).subscribe(() => {
      this.due = undefined;
      const remaining = this.atMs - Date.now();
      if (remaining > 0) return this.readIn(remaining);
      this.read();
    });
  }
}
