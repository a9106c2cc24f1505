import type { Server } from 'socket.io';

/**
 * Makes `io` refuse every namespace that nothing serves, so a client cannot hold a connection
 * (and pings, and memory) without presenting a token: Socket.io admits anyone to the default
 * namespace `/` unless something refuses it there.
 *
 * - `/`: refused with `connect_error` `unauthorized`, unless a gateway of the application
 *   serves it (Nest listens for its `connection` event): a library must not break its
 *   host's own gateway.
 * - Any namespace that no gateway created: Socket.io refuses it itself (`Invalid namespace`).
 *   A parent-namespace matcher that never matches is the one hook it calls for each such
 *   attempt, and the only one that creates no namespace object per name tried.
 *
 * `onRefused` is called once for every refused attempt (to count it).
 *
 * @internal
 */
export function refuseUnservedNamespaces(io: Server, onRefused: () => void): void {
  const main = io.of('/');
  main.use((_socket, next) => {
    if (main.listenerCount('connection') + main.listenerCount('connect') > 0) return next();
    onRefused();
    next(new Error('unauthorized'));
  });
  io.of((_name, _auth, next) => {
    onRefused();
    next(null, false);
  });
}
