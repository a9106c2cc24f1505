import { percentile, round } from './stats';

/** Latency samples in milliseconds, summarised for a flat result. */
export class LatencySamples {
  private readonly values: number[] = [];

  add(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`not a latency: ${ms}`);
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  percentile(p: number): number {
    return percentile(
      [...this.values].sort((a, b) => a - b),
      p,
    );
  }

  get mean(): number {
    return this.values.reduce((sum, value) => sum + value, 0) / this.values.length;
  }

  get max(): number {
    return Math.max(...this.values);
  }

  /** `{prefix}_p50_ms`, `{prefix}_p99_ms`, … rounded to 3 decimals (microseconds). */
  summary(prefix: string, keys: readonly ('p50' | 'p99' | 'mean' | 'max')[] = ['p50', 'p99']) {
    const value = { p50: () => this.percentile(50), p99: () => this.percentile(99) };
    return Object.fromEntries(
      keys.map((key) => [
        `${prefix}_${key}_ms`,
        round(key === 'mean' ? this.mean : key === 'max' ? this.max : value[key](), 3),
      ]),
    );
  }
}
