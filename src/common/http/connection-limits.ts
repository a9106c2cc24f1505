import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AddressCounts, clientAddress } from './address-counts';
import { connectionsWithin, type OpenFilesLimit } from './open-files-limit';

/**
 * How long and how many connections the host's HTTP server keeps, from the environment
 * (`HTTP_*`, see `src/config/environment.ts`, the README and SECURITY.md).
 */
export interface ConnectionLimits {
  /** Until a request's headers are complete; a silent or half-sent socket is closed (408). @default 10 000 */
  headersTimeoutMs: number;
  /** Until a request (headers and body) is complete; not a response's time: a long-poll is complete on arrival. @default 30 000 */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @default 5 000 */
  keepAliveTimeoutMs: number;
  /** Connections open at once, in all: past it a new one is closed at once. @default from the open-files limit */
  maxConnections: number;
  /** Connections one client address may hold open; 0 for no cap. @default 1 000 */
  maxConnectionsPerAddress: number;
  /** Long-polls (`GET …/wait`) one client address may hold; 0 for no cap. @default 500 */
  maxWaitsPerAddress: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_000;
export const DEFAULT_MAX_WAITS_PER_ADDRESS = 500;

/**
 * How often Node.js looks for sockets past their headers or request timeout. Its default,
 * 30 s, lets half-sent requests pile up for the timeout plus up to 30 s (issue 19: ~2 500
 * of 22 500 closed in 70 s); at 1 s a socket is closed within a second of its timeout.
 */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** When a client over its connection cap may try again. */
export const CONNECTION_RETRY_AFTER_SECONDS = 5;

const REFUSAL_BODY = JSON.stringify({
  statusCode: 429,
  message: 'Too many connections from this address',
  error: 'Too Many Requests',
});
/**
 * Written to a connection over its address's cap, which no HTTP parser ever reads: the
 * request it may carry is never handled, and the socket is closed once this is sent.
 */
const REFUSAL = [
  'HTTP/1.1 429 Too Many Requests',
  `Retry-After: ${CONNECTION_RETRY_AFTER_SECONDS}`,
  'Connection: close',
  'Content-Type: application/json; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}`,
  '',
  REFUSAL_BODY,
].join('\r\n');

/** The environment's view of the limits; `HTTP_MAX_CONNECTIONS` unset derives the total. */
export interface ConnectionLimitSettings {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS?: number;
  HTTP_MAX_CONNECTIONS_PER_IP: number;
  HTTP_MAX_WAITS_PER_IP: number;
}

/** The limits the settings ask for, the total derived from `openFiles` unless set. */
export function connectionLimitsFrom(
  settings: ConnectionLimitSettings,
  openFiles: OpenFilesLimit,
): ConnectionLimits {
  return {
    headersTimeoutMs: settings.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: settings.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: settings.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: settings.HTTP_MAX_CONNECTIONS ?? connectionsWithin(openFiles.limit),
    maxConnectionsPerAddress: settings.HTTP_MAX_CONNECTIONS_PER_IP,
    maxWaitsPerAddress: settings.HTTP_MAX_WAITS_PER_IP,
  };
}

/** The one boot line that says what the host will hold. */
export function describeConnectionLimits(
  limits: ConnectionLimits,
  openFiles: OpenFilesLimit,
): string {
  const perAddress = (cap: number) => (cap === 0 ? 'no cap' : String(cap));
  return [
    `HTTP connections: ${limits.maxConnections} in all (open files ${openFiles.limit}, from ${openFiles.source})`,
    `${perAddress(limits.maxConnectionsPerAddress)} per address`,
    `long-polls ${perAddress(limits.maxWaitsPerAddress)} per address`,
    `timeouts: headers ${limits.headersTimeoutMs} ms, request ${limits.requestTimeoutMs} ms, keep-alive ${limits.keepAliveTimeoutMs} ms`,
  ].join('; ');
}

/**
 * Applies `limits` to `server` before it listens (Node.js starts its timeout checks on
 * `listening`). The total is Node's own `maxConnections` (a connection past it is closed
 * before any byte is read); the per-address cap stands in front of the HTTP parser: every
 * `connection` listener already registered (Node's HTTP one) runs only for the connections
 * it admits. Upgraded connections (Socket.io's WebSockets) stay counted while they live.
 *
 * @example
 * applyConnectionLimits(app.getHttpServer(), limits); // then app.listen(port)
 */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // A createServer option in Node's docs and types, which Nest does not pass; Node reads
  // the property when the server starts listening (the load probe fails if it stops).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    CONNECTIONS_CHECKING_INTERVAL_MS;
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerAddress === 0) return;

  const open = new AddressCounts(limits.maxConnectionsPerAddress);
  const admitted = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = clientAddress(socket);
    if (!open.acquire(address)) {
      socket.on('error', () => undefined);
      socket.end(REFUSAL, () => socket.destroy());
      return;
    }
    socket.once('close', () => open.release(address));
    for (const listener of admitted) listener.call(server, socket);
  });
}
