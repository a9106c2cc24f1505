import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type IntervalHistogram,
} from 'node:perf_hooks';
import { round } from './stats';

/**
 * Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI,
 * `/proc/pressure/cpu`), in percent; `undefined` where the kernel does not expose it. On a
 * shared machine this is what turns a 1 ms path into a 10 ms p99: a preempted process waits
 * a scheduler slice.
 */
export function cpuPressurePct(): number | undefined {
  try {
    const some = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? Number(some[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What stalled this process's event loop while a phase ran: GC pauses (with their times, to
 * tell which slow samples they overlap) and the event-loop delay histogram. Collections the
 * bench forced itself (`global.gc()`) are not counted: they are not the process's own.
 */
export class LoopStalls {
  private readonly pauses: { start: number; end: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const flags = (entry as { detail?: { flags?: number } }).detail?.flags ?? 0;
      if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      this.pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
    }
  });
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });

  start(): this {
    this.observer.observe({ entryTypes: ['gc'] });
    this.delay.enable();
    return this;
  }

  /** Stops observing, once the pauses of the last turns have been delivered to it. */
  async stop(): Promise<void> {
    // GC entries reach the observer on a later turn of the loop, not at the pause.
    await sleep(1);
    this.observer.disconnect();
    this.delay.disable();
  }

  /** Whether a GC pause overlapped `[start, end]`, both {@link sharedNow} readings. */
  overlapsGc(start: number, end: number): boolean {
    const [from, to] = [start - performance.timeOrigin, end - performance.timeOrigin];
    return this.pauses.some((pause) => pause.start < to && pause.end > from);
  }

  /** The GC pauses observed: how many, the longest and their sum. */
  gcSummary(prefix: string) {
    const durations = this.pauses.map((pause) => pause.end - pause.start);
    return {
      [`${prefix}_gc_pauses`]: durations.length,
      [`${prefix}_gc_pause_max_ms`]: round(Math.max(0, ...durations), 2),
      [`${prefix}_gc_pause_total_ms`]: round(
        durations.reduce((sum, ms) => sum + ms, 0),
        1,
      ),
    };
  }

  /**
   * {@link gcSummary} and the event-loop delay. The delay is sampled by a timer, so it means
   * something only where the loop turns (I/O); a phase of promise callbacks alone reads 0.
   */
  summary(prefix: string) {
    return {
      ...this.gcSummary(prefix),
      [`${prefix}_loop_delay_p99_ms`]: round(this.delay.percentile(99) / 1e6, 2),
      [`${prefix}_loop_delay_max_ms`]: round(this.delay.max / 1e6, 2),
    };
  }
}
