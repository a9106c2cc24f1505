/** Nearest-rank percentile of values sorted ascending; `p` from 0 to 100. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Rounds for reading, not for computing: results keep a few significant digits. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Nanoseconds between two `process.hrtime.bigint()` readings, as microseconds. */
export function elapsedUs(start: bigint, end: bigint): number {
  return Number(end - start) / 1_000;
}
