import type { LoggerService } from '@nestjs/common';

/** One line per window at most, so an outage under 100 000 waits cannot flood the log. */
const WINDOW_MS = 60_000;

/**
 * The warnings of failed status reads, bounded: during an outage every pending approval's
 * read fails and is retried, several times a second across thousands of waits. The first
 * failure of a window is written whole; the rest of that window's are only counted, and the
 * count is written with the next failure after the window, or when reads succeed again, so
 * an outage shows as a few lines with its cause, its size and its end.
 *
 * @internal
 * @example
 * const failures = new ReadFailureLog(logger);
 * failures.failed(`Status read of approval a1 failed (attempt 1): …`);
 * failures.succeeded(); // "Status reads succeed again; 41 more failed since the last warning"
 */
export class ReadFailureLog {
  private windowEndsAt = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Pick<LoggerService, 'warn' | 'log'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** One read failed and is to be retried: written if it is the window's first, else counted. */
  failed(line: string): void {
    const now = this.now();
    if (now < this.windowEndsAt) {
      this.suppressed++;
      return;
    }
    this.windowEndsAt = now + WINDOW_MS;
    const more = this.takeSuppressed();
    this.logger.warn(more > 0 ? `${line} (${more} more failed in the last window)` : line);
  }

  /** A read succeeded: if failures were counted but not written, say so and that reads work. */
  succeeded(): void {
    if (this.suppressed === 0) return;
    this.logger.log(
      `Status reads succeed again; ${this.takeSuppressed()} more failed since the last warning`,
    );
    this.windowEndsAt = 0;
  }

  private takeSuppressed(): number {
    const count = this.suppressed;
    this.suppressed = 0;
    return count;
  }
}
