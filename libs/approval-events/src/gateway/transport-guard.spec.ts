import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { GATEWAY_MAX_TRANSPORTS_PER_IP } from './gateway.constants';
import { guardTransports } from './transport-guard';

type Verdict = { error: string | null | undefined; success: boolean };

/**
 * The guard on a stand-in for Socket.io's Engine.IO server (its `opts` and its events, all
 * the guard touches), and what it counted.
 */
function guarded(
  applicationRule?: (
    request: IncomingMessage,
    next: (e: string | null, ok: boolean) => void,
  ) => void,
) {
  const engine = Object.assign(new EventEmitter(), { opts: { allowRequest: applicationRule } });
  const io = { engine } as unknown as Server;
  let refused = 0;
  guardTransports(io, () => refused++);
  const ask = (address: string) =>
    new Promise<Verdict>((resolve) =>
      io.engine.opts.allowRequest!(
        { socket: { remoteAddress: address } } as IncomingMessage,
        (error, success) => resolve({ error, success }),
      ),
    );
  /** An Engine.IO transport from `address` that the guard sees open. */
  const open = (address: string) => {
    const transport = Object.assign(new EventEmitter(), { remoteAddress: address });
    io.engine.emit('connection', transport);
    return transport;
  };
  return { ask, open, refused: () => refused };
}

describe('guardTransports', () => {
  it('refuses the handshake past the per-address cap, and counts it', async () => {
    const { ask, open, refused } = guarded();
    const transports = Array.from({ length: GATEWAY_MAX_TRANSPORTS_PER_IP }, () =>
      open('10.0.0.1'),
    );
    await expect(ask('10.0.0.1')).resolves.toEqual({ error: 'rate_limited', success: false });
    await expect(ask('10.0.0.2')).resolves.toEqual({ error: null, success: true });
    expect(refused()).toBe(1);
    transports[0].emit('close', 'transport close');
    await expect(ask('10.0.0.1')).resolves.toEqual({ error: null, success: true });
    expect(refused()).toBe(1); // a client's own close is not a refusal
  });

  it('still runs the application’s own allowRequest for the handshakes it lets through', async () => {
    const { ask } = guarded((request, next) =>
      next(
        request.socket.remoteAddress === '10.0.0.9' ? 'banned' : null,
        request.socket.remoteAddress !== '10.0.0.9',
      ),
    );
    await expect(ask('10.0.0.9')).resolves.toEqual({ error: 'banned', success: false });
    await expect(ask('10.0.0.1')).resolves.toEqual({ error: null, success: true });
  });

  it('counts a transport the server closed before it sent any packet, and no other', () => {
    const { open, refused } = guarded();
    open('10.0.0.1').emit('close', 'forced close'); // joined nothing: Socket.io's connectTimeout
    const spoke = open('10.0.0.1');
    spoke.emit('data', '0');
    spoke.emit('close', 'forced close'); // it tried a namespace: counted where it was refused
    open('10.0.0.1').emit('close', 'transport close'); // the client left
    expect(refused()).toBe(1);
  });
});
