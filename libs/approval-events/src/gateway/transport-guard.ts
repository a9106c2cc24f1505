import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { GATEWAY_MAX_TRANSPORTS_PER_IP } from './gateway.constants';

type AllowRequest = (
  request: IncomingMessage,
  callback: (error: string | null | undefined, success: boolean) => void,
) => void;

/**
 * Bounds what a client can hold on the Socket.io server below any namespace, where neither
 * the token check nor the handshake limiter run (issue 19: 2 000 raw transports with no
 * token were all accepted, and none counted):
 *
 * - at most {@link GATEWAY_MAX_TRANSPORTS_PER_IP} open transports per address: the next
 *   handshake is refused by Engine.IO (HTTP 403, message `rate_limited`) before any
 *   transport exists; an `allowRequest` the application set still runs for the others;
 * - a transport that never sends a single Socket.io packet (no namespace even tried) is
 *   closed after `GATEWAY_CONNECT_TIMEOUT_MS` by Socket.io's `connectTimeout`, set by
 *   the gateway's options.
 *
 * `onRefused` is called for each refused handshake and each such transport closed, so both
 * count in `approval_events_rejected_total{reason="unauthorized"}` as the refused
 * namespace handshakes do (a transport that tried a namespace was counted there already).
 *
 * @internal
 */
export function guardTransports(io: Server, onRefused: () => void): void {
  const openByAddress = new Map<string, number>();
  const engine = io.engine;
  const applicationRule = engine.opts.allowRequest;
  const allowRequest: AllowRequest = (request, callback) => {
    const address = request.socket.remoteAddress ?? 'unknown';
    if ((openByAddress.get(address) ?? 0) >= GATEWAY_MAX_TRANSPORTS_PER_IP) {
      onRefused();
      callback('rate_limited', false);
      return;
    }
    if (applicationRule) applicationRule(request, callback);
    else callback(null, true);
  };
  engine.opts.allowRequest = allowRequest;

  engine.on(
    'connection',
    (transport: {
      remoteAddress: string;
      once(event: 'data' | 'close', listener: (reason?: string) => void): void;
    }) => {
      const address = transport.remoteAddress ?? 'unknown';
      openByAddress.set(address, (openByAddress.get(address) ?? 0) + 1);
      let spoke = false;
      transport.once('data', () => (spoke = true));
      transport.once('close', (reason) => {
        const left = (openByAddress.get(address) ?? 1) - 1;
        if (left === 0) openByAddress.delete(address);
        else openByAddress.set(address, left);
        // Socket.io closes a transport that joined nothing with `forced close`.
        if (!spoke && reason === 'forced close') onRefused();
      });
    },
  );
}
