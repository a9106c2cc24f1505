import { LRUCache } from 'lru-cache';

/** What the in-memory store remembers of one key. */
export interface RememberedKey {
  fingerprint: string;
  approvalId: string;
}

/**
 * One workspace's idempotency keys in the in-memory store: bounded (the least recently used
 * key goes first, so at most as many keys as the workspace holds approvals) and expiring
 * (each key its own TTL, checked on every read). `lru-cache` does both; its clock is
 * `Date.now()`, so fake timers move it as they move the store's deadlines.
 *
 * @example
 * const keys = new IdempotencyKeyCache(2_000);
 * keys.remember('agent-7', 'k1', { fingerprint, approvalId: 'a1' }, 86_400_000);
 */
export class IdempotencyKeyCache {
  private readonly keys: LRUCache<string, RememberedKey>;

  constructor(max: number) {
    this.keys = new LRUCache({ max, perf: { now: () => Date.now() } });
  }

  get size(): number {
    return this.keys.size;
  }

  /** The key's record if it is still remembered. */
  recall(requester: string, key: string): RememberedKey | undefined {
    return this.keys.get(scopedKey(requester, key));
  }

  remember(requester: string, key: string, value: RememberedKey, ttlMs: number): void {
    this.keys.set(scopedKey(requester, key), value, { ttl: ttlMs });
  }

  /** Forgets a key whose approval is gone (evicted), so it can never point at nothing. */
  forget(requester: string, key: string): void {
    this.keys.delete(scopedKey(requester, key));
  }
}

/** Unambiguous whatever either part holds. */
const scopedKey = (requester: string, key: string) => JSON.stringify([requester, key]);
