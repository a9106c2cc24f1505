import type { io as connect } from 'socket.io-client';
import { loadOptionalPeer } from '../optional-peer';

/**
 * socket.io-client's `io`, required on the first call rather than when the library is
 * imported, so an application that sets no `eventBusUrl` need not install socket.io-client.
 * A missing package fails that call (at bootstrap) with a message naming it.
 *
 * @internal
 */
export function io(...args: Parameters<typeof connect>): ReturnType<typeof connect> {
  return loadOptionalPeer<typeof import('socket.io-client')>(
    'socket.io-client',
    'The option "eventBusUrl"',
  ).io(...args);
}
