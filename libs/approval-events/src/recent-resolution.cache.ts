import { LRUCache } from 'lru-cache';
import type { ApprovalResult } from './interfaces/approval.interface';

/**
 * The last resolutions seen, bounded by count and age, so a wait that starts just after
 * its event still ends at once. `lru-cache` evicts in O(1); ages are read lazily on `get`
 * (`ttlResolution: 0`, no autopurge), so no timer runs.
 */
export class RecentResolutionCache {
  private readonly entries?: LRUCache<string, ApprovalResult>;

  constructor(maxEntries: number, ttlMs: number) {
    this.entries =
      maxEntries > 0
        ? new LRUCache<string, ApprovalResult>({
            max: maxEntries,
            ttl: Math.max(ttlMs, 1),
            ttlResolution: 0,
            ttlAutopurge: false,
            updateAgeOnGet: false,
            // Date, not performance: the clock tests fake and operators reason about.
            perf: { now: () => Date.now() },
          })
        : undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(key: string): ApprovalResult | undefined {
    return this.entries?.get(key);
  }

  set(key: string, result: ApprovalResult): void {
    this.entries?.set(key, result);
  }

  clear(): void {
    this.entries?.clear();
  }
}
