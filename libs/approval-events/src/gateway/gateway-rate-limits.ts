import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  GATEWAY_PUBLISHES_PER_SECOND,
  GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
} from './gateway.constants';
import type { ApprovalSocket } from './gateway-socket.types';

/**
 * Takes one point from `key`'s budget; false when it is spent.
 *
 * @internal
 */
export async function consumed(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch {
    return false;
  }
}

/**
 * The producers' publish budget: {@link GATEWAY_PUBLISHES_PER_SECOND} per socket and
 * {@link GATEWAY_PUBLISHES_PER_SECOND_PER_IP} per address, so reconnecting does not buy a
 * fresh budget.
 *
 * @internal
 */
export class PublishRateLimit {
  private readonly perSocket = new RateLimiterMemory({
    points: GATEWAY_PUBLISHES_PER_SECOND,
    duration: 1,
  });
  private readonly perAddress = new RateLimiterMemory({
    points: GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
    duration: 1,
  });

  /** Whether `socket` may publish once more now; takes a point from both budgets if so. */
  async allows(socket: ApprovalSocket): Promise<boolean> {
    return (
      (await consumed(this.perSocket, socket.id)) &&
      (await consumed(this.perAddress, socket.handshake.address))
    );
  }

  /** Drops a disconnected socket's budget (its address's budget runs out on its own). */
  forget(socket: ApprovalSocket): void {
    void this.perSocket.delete(socket.id);
  }
}
