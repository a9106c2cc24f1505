import type { Client, ClientConfig, Notification } from 'pg';
import { exhaustMap, interval, Observable, type Subscription, timeout } from 'rxjs';

const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A LISTEN connection only ever receives, so a network that silently drops it would look
 * healthy forever. A query every so often proves it alive, or ends it so the link is down.
 */
const HEARTBEAT_INTERVAL_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

/** The part of `pg` a session uses, loaded by the link only when its option is set. @internal */
export interface PgModule {
  Client: new (config: ClientConfig) => Client;
}

/** What one LISTEN session reports: the LISTEN acknowledged, then each notification. @internal */
export type ListenSessionEvent = { kind: 'listening' } | { kind: 'notification'; payload: string };

/** Where and as whom a session listens. @internal */
export interface ListenSessionConfig {
  readonly url: string;
  /** Listened to as a quoted identifier, so its case is kept, as `pg_notify()` names it. */
  readonly channel: string;
  /** What `pg_stat_activity` shows for the connection. */
  readonly applicationName: string;
}

/**
 * One dedicated connection (LISTEN needs a session of its own; a pool would hand it back):
 * connect, LISTEN, then every notification on the channel, with a `SELECT 1` heartbeat,
 * until the connection errors, ends or stops answering (the observable errors) or nobody
 * listens (the connection is ended, and `onEnding` is handed the promise of that end).
 *
 * @internal
 * @example
 * listenSession$(pg, { url, channel: 'approvals_decided_public', applicationName }, track)
 *   .subscribe((event) => event.kind === 'notification' && handle(event.payload));
 */
export function listenSession$(
  pg: PgModule,
  config: ListenSessionConfig,
  onEnding: (ending: Promise<void>) => void,
): Observable<ListenSessionEvent> {
  return new Observable<ListenSessionEvent>((subscriber) => {
    const client = new pg.Client({
      connectionString: config.url,
      application_name: config.applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    let heartbeat: Subscription | undefined;
    client.on('notification', (message: Notification) => {
      if (message.channel === config.channel) {
        subscriber.next({ kind: 'notification', payload: message.payload ?? '' });
      }
    });
    client.on('error', (error: Error) => subscriber.error(error));
    client.on('end', () => subscriber.error(new Error('the connection ended')));
    client
      .connect()
      .then(() => client.query(`LISTEN "${config.channel}"`))
      .then(
        () => {
          if (subscriber.closed) return;
          subscriber.next({ kind: 'listening' });
          heartbeat = interval(HEARTBEAT_INTERVAL_MS)
            .pipe(
              exhaustMap(() => client.query('SELECT 1')),
              timeout({ each: HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS }),
            )
            .subscribe({ error: (error: Error) => subscriber.error(error) });
        },
        (error: Error) => subscriber.error(error),
      );
    return () => {
      heartbeat?.unsubscribe();
      client.removeAllListeners();
      client.on('error', () => undefined);
      // end() destroys the socket when a query hangs, so this settles even on a dead network.
      onEnding(client.end().catch(() => undefined));
    };
  });
}
