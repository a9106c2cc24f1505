import * as http from 'node:http';
import * as net from 'node:net';
import { Manager } from 'socket.io-client';

/**
 * The three ways one anonymous (or key-holding) client took the host down in issue 19, as
 * reusable attacks: each opens `count` connections from this process's default address
 * (127.0.0.1), keeps them open and tallies what the host did with them. The checks of a
 * probe come from another loopback address (see `health-watch.ts`): binding thousands of
 * sockets to a chosen address makes the kernel search its ports for each one, which slows
 * the attack far more than the host does. Every attack is bounded in count and ends with
 * {@link Attack.stop}, which closes whatever is still open.
 */
export interface Attack {
  /** Connections established (TCP for sockets, the handshake for transports). */
  readonly opened: number;
  /**
   * Attempts the host turned away: a connection closed before its request was read (429,
   * reset, dropped), a long-poll answered 429, a transport handshake refused.
   */
  readonly refused: number;
  /** Connections the host took and closed later on its own (a 408 at the headers timeout, a transport that joined nothing). */
  readonly closedByHost: number;
  /** Still open now. */
  readonly open: number;
  /** HTTP statuses answered, by code (long-polls only). */
  readonly statuses: ReadonlyMap<number, number>;
  /** Resolves once every attempt has been made (opened or refused). */
  readonly started: Promise<void>;
  stop(): void;
}

interface Target {
  /** `http://127.0.0.1:<port>` */
  url: string;
  count: number;
  /** Attempts in flight at once, so the kernel's accept queue is not the only limit. */
  concurrency?: number;
}

class Tally implements Attack {
  opened = 0;
  refused = 0;
  closedByHost = 0;
  readonly statuses = new Map<number, number>();
  started: Promise<void> = Promise.resolve();
  private readonly closers = new Set<() => void>();
  private stopped = false;

  get open(): number {
    return this.closers.size;
  }

  /** Keeps `close` for {@link stop}; the function returned forgets it, true if it was kept. */
  hold(close: () => void): () => boolean {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  status(code: number): void {
    this.statuses.set(code, (this.statuses.get(code) ?? 0) + 1);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const close of [...this.closers]) close();
    this.closers.clear();
  }
}

/** Runs `attempt` `count` times, at most `concurrency` at once; each resolves once settled. */
async function inWaves(
  tally: Tally,
  { count, concurrency = 500 }: Target,
  attempt: () => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count && !tally.isStopped) {
      next++;
      await attempt();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

const portOf = (url: string) => Number(new URL(url).port);

/** Makes `attempt` `target.count` times in waves; each calls `settle` once it is decided. */
function launch(target: Target, attempt: (tally: Tally, settle: () => void) => void): Attack {
  const tally = new Tally();
  tally.started = inWaves(
    tally,
    target,
    () => new Promise<void>((settle) => attempt(tally, settle)),
  );
  return tally;
}

/**
 * Sockets that each send the first line and one header of a request, and never the rest
 * (slowloris): every one holds a file descriptor of the host until its headers timeout.
 */
export function partialRequests(target: Target): Attack {
  return launch(target, (tally, settle) => {
    const socket = net.connect({ host: '127.0.0.1', port: portOf(target.url) });
    let answer = '';
    const release = tally.hold(() => socket.destroy());
    socket.on('connect', () => {
      tally.opened++;
      socket.write('GET /health HTTP/1.1\r\nHost: probe\r\n');
      settle();
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1', 0, 16)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      settle();
      if (!release()) return; // closed by stop()
      // A 408 is the headers timeout of a socket the host took; anything else (its
      // 429 before any parsing, a reset, a drop) is a refusal.
      if (answer.startsWith('HTTP/1.1 408')) tally.closedByHost++;
      else tally.refused++;
    });
  });
}

/**
 * Long-polls (`GET …/wait?timeoutMs=120000`), each on its own connection, that the host
 * holds open until they time out: `path` names a pending approval.
 */
export function longPolls(
  target: Target & { path: string; headers?: http.OutgoingHttpHeaders },
): Attack {
  return launch(target, (tally, settle) => {
    const request = http.request(`${target.url}${target.path}`, {
      agent: false,
      headers: target.headers,
    });
    const release = tally.hold(() => request.destroy());
    let answered = false;
    request.on('socket', (socket) =>
      socket.once('connect', () =>
        setTimeout(() => {
          if (!answered && !request.destroyed) tally.opened++;
          settle();
        }, 20),
      ),
    );
    request.on('response', (response) => {
      answered = true;
      tally.status(response.statusCode ?? 0);
      response.resume();
      settle();
    });
    request.on('error', () => undefined);
    request.on('close', () => {
      if (!release()) return;
      if (!answered) tally.refused++;
      settle();
    });
    request.end();
  });
}

/**
 * Socket.io transports (WebSocket) opened with the official client's `Manager` and never
 * connected to a namespace: no token is ever shown. The client answers the host's pings,
 * so only the host can end them.
 */
export function rawTransports(target: Target): Attack {
  return launch(target, (tally, settle) => {
    const manager = new Manager(target.url, {
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
    });
    const release = tally.hold(() => manager.engine?.close());
    let established = false;
    manager.open((error) => {
      established = error === undefined;
      if (established) tally.opened++;
      else {
        release();
        tally.refused++;
      }
      settle();
    });
    manager.on('close', () => {
      if (established && release()) tally.closedByHost++;
    });
  });
}
