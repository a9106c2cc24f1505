import type { ApprovalResult } from './interfaces/approval.interface';

interface Entry {
  result: ApprovalResult;
  storedAt: number;
}

/**
 * The last resolutions seen, bounded by count and age, so a wait that starts just after
 * its event still ends at once. A `Map` keeps insertion order, so the oldest entry is
 * always first and eviction never scans. Ages are read lazily: no timer runs.
 */
export class RecentResolutionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): ApprovalResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.storedAt > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, result: ApprovalResult): void {
    if (this.maxEntries === 0) return;
    const now = Date.now();
    this.entries.delete(key);
    this.entries.set(key, { result, storedAt: now });
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - oldest.storedAt <= this.ttlMs) break;
      this.entries.delete(oldestKey);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
