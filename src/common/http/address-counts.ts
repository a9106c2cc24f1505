import type { Socket } from 'node:net';

/**
 * The client's address as a map key: an IPv4 client of a dual-stack listener shows as
 * `::ffff:10.0.0.1`, the same client as `10.0.0.1` on an IPv4 one; both count as one.
 */
export function clientAddress(socket: Pick<Socket, 'remoteAddress'>): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * How many of something (open connections, long-polls) each client address holds, bounded
 * per address. A cap of 0 is no cap. Entries go when their count does, so the map holds
 * only addresses that hold something now.
 *
 * @example
 * const waits = new AddressCounts(500);
 * if (!waits.acquire(address)) throw new TooManyRequests();
 * try { await wait(); } finally { waits.release(address); }
 */
export class AddressCounts {
  private readonly counts = new Map<string, number>();

  /** @param cap Most one address may hold at once; 0 for no cap. */
  constructor(readonly cap: number) {}

  /** Takes one for `address`; false (and nothing taken) when it already holds `cap`. */
  acquire(address: string): boolean {
    const held = this.counts.get(address) ?? 0;
    if (this.cap > 0 && held >= this.cap) return false;
    this.counts.set(address, held + 1);
    return true;
  }

  /** Gives one back; call exactly once per successful {@link acquire}. */
  release(address: string): void {
    const held = this.counts.get(address) ?? 0;
    if (held <= 1) this.counts.delete(address);
    else this.counts.set(address, held - 1);
  }

  /** What `address` holds now. */
  heldBy(address: string): number {
    return this.counts.get(address) ?? 0;
  }
}
