import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyedPrincipal } from './api-key-entry';
import type { Principal } from './principal';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Finds the principal an `x-api-key` belongs to. Keys are held and compared as SHA-256
 * digests with `timingSafeEqual`, against every entry whatever matched, so neither timing
 * nor length says anything about a key or about which entry it matched.
 *
 * @example
 * const keys = new ApiKeyAuthenticator([{ key, principal }]);
 * keys.authenticate(request.headers['x-api-key']); // the principal, or undefined
 */
export class ApiKeyAuthenticator {
  private readonly entries: readonly { digest: Buffer; principal: Principal }[];

  constructor(keyed: readonly KeyedPrincipal[]) {
    this.entries = keyed.map(({ key, principal }) => ({ digest: sha256(key), principal }));
  }

  /** Whether any key is configured. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** The principal whose key `key` is, or `undefined`. */
  authenticate(key: string): Principal | undefined {
    const digest = sha256(key);
    let matched: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest)) matched ??= entry.principal;
    }
    return matched;
  }
}
