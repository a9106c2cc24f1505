import type {
  ApprovalResult,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@app/approval-events';
import { io, type Socket } from 'socket.io-client';
import { track } from './resources';

export type ApprovalsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A real socket.io-client on the host's `/approvals` namespace (or `namespace`, to probe
 * the ones the host must refuse), closed after the test.
 */
export function openSocket(
  hostUrl: string,
  token?: string,
  namespace = '/approvals',
): ApprovalsSocket {
  const socket: ApprovalsSocket = io(`${hostUrl}${namespace}`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  track('socket', () => {
    socket.removeAllListeners();
    socket.disconnect();
  });
  return socket;
}

/** Connects and resolves once the handshake is accepted; rejects with the `connect_error`. */
export function connectSocket(hostUrl: string, token: string): Promise<ApprovalsSocket> {
  const socket = openSocket(hostUrl, token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The `connect_error` a handshake ends with; rejects if the handshake is accepted instead. */
export function connectError(hostUrl: string, token?: string): Promise<Error> {
  const socket = openSocket(hostUrl, token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
    socket.once('connect_error', resolve);
  });
}

/** Connects with `token` and subscribes to `workspaceId`; every resolution heard is pushed to `received`. */
export async function subscriber(
  hostUrl: string,
  token: string,
  workspaceId: string,
): Promise<{ socket: ApprovalsSocket; received: ApprovalResult[] }> {
  const socket = await connectSocket(hostUrl, token);
  const received: ApprovalResult[] = [];
  socket.on('approval:resolved', (result) => received.push(result));
  const ack = await socket.timeout(5_000).emitWithAck('subscribe', { workspaceId });
  expect(ack).toEqual({ ok: true });
  return { socket, received };
}
