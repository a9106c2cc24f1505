import type { LoggerService } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';

/** Lines a {@link SampledLog} writes per window unless told otherwise. @default 20 */
export const DEFAULT_SAMPLED_LINES = 20;
/** Length of a {@link SampledLog} window in seconds unless told otherwise. @default 60 */
export const DEFAULT_SAMPLED_WINDOW_SECONDS = 60;

export interface SampledLogOptions {
  /** Lines written per window; the rest are counted, not written. @default 20 */
  lines?: number;
  /** Window length in seconds. @default 60 */
  windowSeconds?: number;
}

/**
 * A `warn` log that anyone on the network can trigger (a refused request), bounded so they
 * cannot flood it: at most `lines` lines per window, after which lines are only counted. The
 * first line written after a window that dropped some says how many, by kind, so nothing
 * disappears without a trace. The window is `rate-limiter-flexible`'s fixed window.
 *
 * @example
 * const log = new SampledLog(new Logger('HttpErrors'), { lines: 20, windowSeconds: 60 });
 * log.warn('413', '413 POST /api/x: request entity too large');
 */
export class SampledLog {
  private readonly limiter: RateLimiterMemory;
  /** Dropped lines since the last one written, by kind, in first-dropped order. */
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    options: SampledLogOptions = {},
  ) {
    this.limiter = new RateLimiterMemory({
      points: options.lines ?? DEFAULT_SAMPLED_LINES,
      duration: options.windowSeconds ?? DEFAULT_SAMPLED_WINDOW_SECONDS,
    });
  }

  /**
   * Writes `line` at `warn`, or counts it under `kind` when this window's lines are used up.
   * Returns once decided (tests await it; callers need not).
   */
  async warn(kind: string, line: string): Promise<void> {
    try {
      await this.limiter.consume('lines');
    } catch {
      this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
      return;
    }
    this.reportSuppressed();
    this.logger.warn(line);
  }

  private reportSuppressed(): void {
    if (this.suppressed.size === 0) return;
    let total = 0;
    const byKind: string[] = [];
    for (const [kind, count] of this.suppressed) {
      total += count;
      byKind.push(`${kind}: ${count}`);
    }
    this.suppressed.clear();
    this.logger.warn(`suppressed ${total} similar lines in the last window (${byKind.join(', ')})`);
  }
}
