import type { ApprovalWaitRegistry, TrackedWait } from './approval-wait.registry';

/**
 * One wait in progress: settles once, with a value or an error, however many things race
 * to end it (its approval's outcome, its timer, its signal, shutdown, an unsubscribe), and
 * leaves nothing behind: the timer is cleared, the abort listener removed and the wait
 * counted out on every path.
 *
 * It is a small object rather than an operator chain because 100 000 of them may be
 * pending at once: an RxJS `timeout` + `race` + `finalize` + `firstValueFrom` chain costs
 * several kilobytes per wait, this costs a few hundred bytes.
 *
 * @internal
 */
export abstract class PendingWait<T> implements TrackedWait {
  private timer?: NodeJS.Timeout;
  private abortListener?: () => void;
  private ended = false;

  constructor(
    private readonly registry: ApprovalWaitRegistry,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Counts the wait in, arms its timer and listens to its signal; ends it at once when it
   * cannot start (aborted already, shutting down, too many waits). The caller starts
   * listening for the outcome only if this says the wait started.
   */
  begin(timeoutMs: number): boolean {
    const signal = this.signal;
    try {
      if (signal?.aborted) throw signal.reason;
      this.registry.admit(this);
    } catch (error) {
      // Ended before it began: nothing to release, and nothing may start listening for it.
      this.ended = true;
      this.reject(error);
      return false;
    }
    this.timer = setTimeout(timeUp, timeoutMs, this);
    if (signal) {
      this.abortListener = () => this.fail(signal.reason);
      signal.addEventListener('abort', this.abortListener, { once: true });
    }
    return true;
  }

  /** Ends the wait with `value`, unless it has ended already. */
  settle(value: T): void {
    if (this.end()) this.resolve(value);
  }

  /** Ends the wait with `error`, unless it has ended already. */
  fail(error: unknown): void {
    if (this.end()) this.reject(error);
  }

  /** Ends the wait without a word: its caller went away (unsubscribed). */
  cancel(): void {
    this.end();
  }

  /** Called once as the wait ends, however it ends: stop listening. */
  protected abstract detach(): void;
  /** Called when `timeoutMs` has passed and the wait is still pending. */
  protected abstract expire(): void;

  /** @internal The timer's callback. */
  onTimer(): void {
    this.timer = undefined;
    if (!this.ended) this.expire();
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.abortListener) this.signal!.removeEventListener('abort', this.abortListener);
    this.timer = this.abortListener = undefined;
    this.registry.release(this);
    this.detach();
    return true;
  }
}

/** One function for every wait's timer: a closure per wait would cost memory for nothing. */
function timeUp(wait: { onTimer(): void }): void {
  wait.onTimer();
}
