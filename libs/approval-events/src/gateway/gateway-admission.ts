import { RateLimiterMemory } from 'rate-limiter-flexible';
import { type Subscription, timer } from 'rxjs';
import type { ApprovalEventManager } from '../manager/approval-event.manager';
import { MAX_TIMEOUT_MS } from '../approval-events.constants';
import type { ApprovalEventsMetrics } from '../approval-events.metrics';
import { GATEWAY_CONNECT_WINDOW_SECONDS, GATEWAY_CONNECTS_PER_IP } from './gateway.constants';
import { consumed } from './gateway-rate-limits';
import type { ApprovalSocket } from './gateway-socket.types';
import type { GatewayTokens } from './gateway-tokens';

/** What the handshake decided: admitted, refused with this error, or come back later. */
export type AdmissionVerdict = Error | 'retry_later' | undefined;

/**
 * Who may be connected to the gateway, and for how long: the handshake (attempts per IP
 * bounded, the token mapped to a role) and, for a token that expires, the disconnect at
 * its `exp`.
 *
 * @internal
 */
export class GatewayAdmission {
  private readonly connectPerIpLimiter = new RateLimiterMemory({
    points: GATEWAY_CONNECTS_PER_IP,
    duration: GATEWAY_CONNECT_WINDOW_SECONDS,
  });
  /** The pending disconnect of each socket whose token expires, by socket id. */
  private readonly expiries = new Map<string, Subscription>();

  constructor(
    private readonly tokens: GatewayTokens,
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
  ) {}

  /**
   * The handshake: nothing (admitted), an error (refused with that message), or
   * `retry_later` while this process cannot trust its own events. Then neither may its
   * clients: closing the transport (rather than refusing) makes every Socket.io client
   * retry with its own backoff, and poll meanwhile.
   */
  async admit(socket: ApprovalSocket): Promise<AdmissionVerdict> {
    // Counted before the token is checked, so guessing tokens is bounded too.
    if (!(await consumed(this.connectPerIpLimiter, socket.handshake.address))) {
      return new Error('rate_limited');
    }
    const identity = this.tokens.identify(
      (socket.handshake.auth as Record<string, unknown> | undefined)?.token,
    );
    if (!identity) {
      this.metrics.rejected('unauthorized');
      return new Error('unauthorized');
    }
    if (!this.manager.isConnected) return 'retry_later';
    socket.data.role = identity.role;
    socket.data.workspaces = identity.workspaces;
    socket.data.expiresAt = identity.expiresAt;
    return undefined;
  }

  /**
   * A token is checked once, at the handshake; without this a socket would outlive its
   * token for as long as it stays connected. The server-side disconnect is final for a
   * Socket.io client (no automatic reconnection): it must come back with a fresh token.
   */
  watchExpiry(socket: ApprovalSocket): void {
    const { expiresAt } = socket.data;
    if (expiresAt === undefined) return;
    // A longer delay than a Node.js timer holds would fire at once; such a socket is
    // disconnected after ~24.8 days instead and may reconnect with the same token.
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMEOUT_MS);
    this.expiries.set(
      socket.id,
      timer(delay).subscribe(() => socket.disconnect(true)),
    );
  }

  /** The socket is gone: its expiry no longer matters. */
  forget(socket: ApprovalSocket): void {
    this.expiries.get(socket.id)?.unsubscribe();
    this.expiries.delete(socket.id);
  }

  close(): void {
    for (const expiry of this.expiries.values()) expiry.unsubscribe();
    this.expiries.clear();
  }
}
