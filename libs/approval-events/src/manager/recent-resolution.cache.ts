import { LRUCache } from 'lru-cache';
import type { ApprovalResult } from '../interfaces/approval.interface';

interface Entry {
  result: ApprovalResult;
  storedAt: number;
}

/**
 * The last resolutions seen, bounded by count and age, so a wait that starts just after
 * its event still ends at once. `lru-cache` bounds the count with O(1) eviction; the age is
 * checked on `get` against one `Date.now()`, which costs less per event than the cache's own
 * TTL bookkeeping, and needs no timer.
 */
export class RecentResolutionCache {
  private readonly entries?: LRUCache<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly ttlMs: number,
  ) {
    this.entries = maxEntries > 0 ? new LRUCache<string, Entry>({ max: maxEntries }) : undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(key: string): ApprovalResult | undefined {
    const entry = this.entries?.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.storedAt > this.ttlMs) {
      this.entries!.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, result: ApprovalResult): void {
    this.entries?.set(key, { result, storedAt: Date.now() });
  }

  clear(): void {
    this.entries?.clear();
  }
}
