import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** A message over the IPC channel between the bench and one of its child processes. */
export interface ChildMessage {
  readonly type: string;
  /** Set on requests that expect a reply, and echoed by the reply. */
  readonly seq?: number;
  readonly [field: string]: unknown;
}

const REPO_ROOT = join(__dirname, '..');
const BOOT_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 10_000;
const CLOCK_SYNC_ROUNDS = 60;

/**
 * Wall-clock milliseconds on a clock every process on the machine shares (the high
 * resolution monotonic clock anchored at the process's start), so a timestamp taken in a
 * child can be compared with one taken here, after the offset {@link BenchChild.syncClock}
 * measures is taken off.
 */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

/** Environment of a child: the runner's, without anything the host or the worker reads. */
export function childEnvironment(variables: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(APPROVAL|API_KEY|AUTH_|EVENT_BUS|DATABASE|REDIS|PORT$|LOG_LEVEL$|NODE_ENV$)/.test(name),
    ),
  );
  return { ...inherited, NODE_ENV: 'test', LOG_LEVEL: 'error', ...variables };
}

/**
 * A bench script in its own Node process (TypeScript through ts-node, as the runner), with
 * request/reply over IPC. Ends with {@link close}: a `close` request, then SIGKILL if the
 * child has not exited within {@link EXIT_TIMEOUT_MS}.
 */
export class BenchChild {
  private nextSeq = 1;
  private readonly replies = new Map<number, (message: ChildMessage) => void>();
  private readonly listeners = new Set<(message: ChildMessage) => void>();
  private readonly exited: Promise<void>;
  private exitError?: Error;
  /** This child's {@link sharedNow} minus ours; set by {@link syncClock}. */
  clockOffsetMs = 0;
  /** Round trip of the clock sync sample used: the offset is within ± half of it. */
  clockSyncRttMs = Number.NaN;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ChildMessage) => {
      const reply = message.seq === undefined ? undefined : this.replies.get(message.seq);
      if (reply) {
        this.replies.delete(message.seq!);
        reply(message);
      }
      for (const listener of this.listeners) listener(message);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitError = new Error(`${name} exited (code ${code}, signal ${signal})`);
        for (const reply of this.replies.values()) reply({ type: 'exit' });
        this.replies.clear();
        resolve();
      }),
    );
  }

  /**
   * Forks `bench/<script>` and resolves with it once it sends `{ type: 'up' }` (returned as
   * `up`); rejects if it exits or errors first. `nodeFlags` go before the script, e.g.
   * `['--expose-gc']` for a child that reads its own heap.
   */
  static async start(
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    nodeFlags: readonly string[] = [],
  ): Promise<{ child: BenchChild; up: ChildMessage }> {
    const child = fork(join(__dirname, script), [], {
      cwd: REPO_ROOT,
      env,
      execArgv: [
        ...nodeFlags,
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new BenchChild(name, child);
    try {
      const up = await handle.next((message) => message.type === 'up' || message.type === 'error', {
        timeoutMs: BOOT_TIMEOUT_MS,
        what: `${name} to boot`,
      });
      if (up.type === 'error') throw new Error(`${name} failed to boot: ${String(up.message)}`);
      return { child: handle, up };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Sends a request and resolves with the child's reply (same `seq`). */
  call(
    message: { type: string; [field: string]: unknown },
    timeoutMs = 30_000,
  ): Promise<ChildMessage> {
    if (this.exitError) return Promise.reject(this.exitReason);
    const seq = this.nextSeq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(seq);
        reject(new Error(`${this.name}: no reply to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(seq, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'exit') reject(this.exitReason);
        else if (reply.type === 'error')
          reject(new Error(`${this.name}: ${String(reply.message)}`));
        else resolve(reply);
      });
      this.child.send({ ...message, seq });
    });
  }

  private get exitReason(): Error {
    return this.exitError ?? new Error(`${this.name} exited`);
  }

  /** Calls `listener` on every message from the child; returns the unsubscribe. */
  onMessage(listener: (message: ChildMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next message matching `match`; rejects on timeout or if the child exits first. */
  next(
    match: (message: ChildMessage) => boolean,
    { timeoutMs = 30_000, what = 'a message' } = {},
  ): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${this.name}: timed out waiting for ${what}`));
      }, timeoutMs);
      const stop = this.onMessage((message) => {
        if (!match(message)) return;
        clearTimeout(timer);
        stop();
        resolve(message);
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        stop();
        reject(this.exitReason);
      });
    });
  }

  /**
   * Cristian's algorithm: `CLOCK_SYNC_ROUNDS` pings, and from the one with the shortest round
   * trip, offset = child's reading - the midpoint of ours. The error is at most half that
   * round trip (tens of microseconds over a local pipe).
   */
  async syncClock(): Promise<void> {
    let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
    for (let i = 0; i < CLOCK_SYNC_ROUNDS; i++) {
      const sentAt = sharedNow();
      const pong = await this.call({ type: 'ping' });
      const receivedAt = sharedNow();
      const rtt = receivedAt - sentAt;
      if (rtt < best.rtt) best = { rtt, offset: (pong.at as number) - (sentAt + receivedAt) / 2 };
    }
    this.clockOffsetMs = best.offset;
    this.clockSyncRttMs = best.rtt;
  }

  /** A timestamp the child took, on our clock. */
  toLocalTime(childAt: number): number {
    return childAt - this.clockOffsetMs;
  }

  /** Asks the child to close everything and exit; kills it if it does not. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.send({ type: 'close' });
      const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * The child side: answers `ping` with its clock, hands every other message to `handle`
 * (whose result, if any, is sent back with the request's `seq`), and on `close` (or when the
 * bench goes away) runs `shutdown` and lets the process exit by itself.
 */
export function serveParent(
  handle: (message: ChildMessage) => Promise<Record<string, unknown> | void>,
  shutdown: () => Promise<void>,
): void {
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= shutdown()
      .catch((error: unknown) => console.error('bench child shutdown failed:', error))
      .finally(() => {
        if (process.connected) process.disconnect();
      }));
  process.on('disconnect', () => void close());
  process.on('message', (message: ChildMessage) => {
    if (message.type === 'ping') {
      process.send?.({ type: 'pong', seq: message.seq, at: sharedNow() });
      return;
    }
    if (message.type === 'close') {
      void close();
      return;
    }
    handle(message).then(
      (reply) => {
        if (message.seq !== undefined) process.send?.({ type: 'ok', ...reply, seq: message.seq });
      },
      (error: unknown) =>
        process.send?.({ type: 'error', seq: message.seq, message: (error as Error).message }),
    );
  });
}
