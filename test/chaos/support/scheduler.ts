import { track } from '../../support';

interface Entry {
  /** `Date.now()` at which to run. */
  at: number;
  run: () => unknown;
}

/**
 * Runs actions at given times from one `setInterval`, not one timer each: under
 * `--detectOpenHandles` jest records a stack trace for every timer created, and two thousand
 * of them at once would stall the very process whose latency the suite measures.
 * Actions run at most `tickMs` late; an action may schedule more.
 */
export class Scheduler {
  private readonly entries: Entry[] = [];
  private readonly running = new Set<Promise<void>>();
  private ticker?: NodeJS.Timeout;
  private onDrained?: () => void;

  constructor(
    /** Called with what an action threw (or rejected with); the others carry on. */
    private readonly onError: (error: unknown) => void,
    private readonly tickMs = 10,
  ) {
    track('chaos scheduler', () => this.stop());
  }

  /** Runs `run` at `at` (a `Date.now()` value), or on the next tick if that has passed. */
  at(at: number, run: () => unknown): void {
    let index = this.entries.length;
    while (index > 0 && this.entries[index - 1].at > at) index--;
    this.entries.splice(index, 0, { at, run });
  }

  /** Starts ticking; resolves once every action, including those scheduled meanwhile, is done. */
  run(): Promise<void> {
    const drained = new Promise<void>((resolve) => (this.onDrained = resolve));
    this.ticker = setInterval(() => this.tick(), this.tickMs);
    this.tick();
    return drained;
  }

  stop(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private tick(): void {
    const now = Date.now();
    while (this.entries.length > 0 && this.entries[0].at <= now) {
      const { run } = this.entries.shift()!;
      const running: Promise<void> = Promise.resolve()
        .then(run)
        .then(
          () => undefined,
          (error: unknown) => this.onError(error),
        )
        .finally(() => {
          this.running.delete(running);
          this.checkDrained();
        });
      this.running.add(running);
    }
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.entries.length > 0 || this.running.size > 0 || !this.onDrained) return;
    this.stop();
    this.onDrained();
    this.onDrained = undefined;
  }
}
