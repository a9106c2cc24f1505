import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayRole } from '../interfaces/approval-socket-events.interface';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Maps a handshake token to a role in constant time. Both sides are hashed first, so
 * neither the comparison time nor an early length check says anything about the secret.
 */
export class GatewayTokens {
  private readonly producer?: Buffer;
  private readonly subscriber?: Buffer;

  constructor(producerToken?: string, subscriberToken?: string) {
    this.producer = producerToken ? digest(producerToken) : undefined;
    this.subscriber = subscriberToken ? digest(subscriberToken) : undefined;
  }

  get configured(): boolean {
    return Boolean(this.producer ?? this.subscriber);
  }

  roleOf(token: unknown): GatewayRole | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return undefined;
    const presented = digest(token);
    // Compare against both, always, so the time does not tell which one matched.
    const isProducer = this.producer !== undefined && timingSafeEqual(presented, this.producer);
    const isSubscriber =
      this.subscriber !== undefined && timingSafeEqual(presented, this.subscriber);
    if (isProducer) return 'producer';
    return isSubscriber ? 'subscriber' : undefined;
  }
}
