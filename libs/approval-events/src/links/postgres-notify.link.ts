import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { defer, retry, type Subscription, timer } from 'rxjs';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventCoverage } from './event-coverage';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { feedUntrusted } from './feed-untrusted';
import { loadOptionalPeer } from '../utils/optional-peer';
import { backoffDelay, RECONNECT_BACKOFF } from '../utils/backoff';
import { listenSession$, type PgModule } from './listen-session';
import { parseBoundedJsonObject } from '../validation/bounded-json';

/**
 * The coverage link this reports: a complete one, so while it is up every wait is event-driven
 * whatever the other links do, and while it is down the others decide.
 */
export const STORE_LINK = 'store';

/**
 * Longest notification text read: PostgreSQL refuses longer payloads (8 000 bytes), and what
 * the store sends is far shorter, so anything longer is not ours and is not parsed.
 */
const MAX_NOTIFICATION_LENGTH = 8_000;
/** PostgreSQL cuts `application_name` at 63 bytes. */
const MAX_APPLICATION_NAME_LENGTH = 63;

/**
 * Hears every decision committed to a PostgreSQL store that announces them with
 * `NOTIFY` (`storeNotifyUrl` + `storeNotifyChannel`; the host's approvals table does, from
 * a trigger), and feeds each into the manager as source `store`. The notification is part
 * of the deciding transaction, so it exists exactly when the decision committed, whoever
 * wrote it and whatever happened to the writer afterwards.
 *
 * One LISTEN session at a time ({@link listenSession$}). It is an event link like the
 * others: down from construction until the LISTEN is acknowledged, down again whenever
 * the connection errors or ends, up after LISTEN on a new connection (each pending
 * approval is then read once). It is a complete link: it hears every committed decision on
 * its own, so while it is up no wait polls, even with the replica channel (Redis) down;
 * while it is down, waits poll. Point it only at the database the status source reads.
 * Reconnection backs off exponentially, from 100 ms up to 5 s.
 *
 * A notification that is not JSON, is too large or fails validation is counted under
 * `approval_events_rejected_total{reason="invalid_payload"}` and dropped; the listener goes on.
 *
 * @internal
 * @example
 * ApprovalEventsModule.forRoot({
 *   statusSource,
 *   storeNotifyUrl: process.env.DATABASE_URL,
 *   storeNotifyChannel: 'approvals_decided_public',
 * });
 */
@Injectable()
export class PostgresNotifyLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresNotifyLink.name);
  private sessions?: Subscription;
  /** The last connection's `end()`, awaited on shutdown so no socket outlives the app. */
  private ending: Promise<void> = Promise.resolve();
  private outage = false;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
    private readonly coverage: ApprovalEventCoverage,
  ) {
    if (options.storeNotifyUrl) coverage.registerCompleteLink(STORE_LINK);
  }

  /**
   * The `application_name` of the LISTEN connection, as `pg_stat_activity` shows it:
   * `approval-events:` and the channel, cut to PostgreSQL's 63 bytes.
   *
   * @example
   * await pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [link.applicationName]);
   */
  get applicationName(): string {
    return `approval-events:${this.options.storeNotifyChannel ?? ''}`.slice(
      0,
      MAX_APPLICATION_NAME_LENGTH,
    );
  }

  onApplicationBootstrap(): void {
    const url = this.options.storeNotifyUrl;
    if (!url) return;
    const pg = loadOptionalPeer<PgModule>('pg', 'the option "storeNotifyUrl"');
    const config = {
      url,
      channel: this.options.storeNotifyChannel!,
      applicationName: this.applicationName,
    };
    this.sessions = defer(() =>
      listenSession$(pg, config, (ending) => {
        this.ending = ending;
      }),
    )
      .pipe(
        retry({
          resetOnSuccess: true,
          delay: (error: Error, attempt) => {
            this.onDown(error);
            // Jittered, so replicas that lost the database together do not reconnect in lockstep.
            return timer(backoffDelay(attempt, RECONNECT_BACKOFF));
          },
        }),
      )
      .subscribe((event) => {
        if (event.kind === 'listening') this.onListening();
        else this.onNotification(event.payload);
      });
  }

  async onApplicationShutdown(): Promise<void> {
    this.sessions?.unsubscribe();
    this.sessions = undefined;
    await this.ending;
  }

  private onListening(): void {
    this.coverage.setLinkState(STORE_LINK, true);
    if (this.outage) {
      this.outage = false;
      this.logger.log('PostgreSQL notifications are back');
    }
  }

  private onDown(error: Error): void {
    this.coverage.setLinkState(STORE_LINK, false);
    if (this.outage) return;
    this.outage = true;
    this.logger.warn(`PostgreSQL notifications unavailable (${error.message}); reconnecting`);
  }

  private onNotification(payload: string): void {
    const parsed = parseBoundedJsonObject(payload, MAX_NOTIFICATION_LENGTH);
    if (parsed === undefined) {
      this.metrics.rejected('invalid_payload');
      this.logger.warn(
        `Ignored a notification on the store channel: not a JSON object of at most ${MAX_NOTIFICATION_LENGTH} characters`,
      );
      return;
    }
    feedUntrusted(
      this.manager,
      parsed,
      'store',
      this.logger,
      'a notification on the store channel',
    );
  }
}
