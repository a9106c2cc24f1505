import * as net from 'node:net';
import { track } from './resources';

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: give this to a client instead of the target. */
  url: string;
  /** Cuts every connection and stops listening: the link is down, the target untouched. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/**
 * A byte-for-byte TCP relay to `targetPort`, so a test can cut one link (the worker's
 * event bus) while everything else (the host and its REST API) keeps running, then
 * restore it on the same address. Closed after the test.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const connections = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          connections.add(socket);
          socket.on('close', () => connections.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        port = (next.address() as net.AddressInfo).port;
        resolve();
      });
    });

  const down = async () => {
    const current = server;
    server = undefined;
    for (const socket of connections) socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  track('tcp proxy', down);
  return { url: `http://127.0.0.1:${port}`, down, up: listen };
}
