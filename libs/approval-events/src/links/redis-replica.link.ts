import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { filter, type Subscription } from 'rxjs';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventCoverage } from './event-coverage';
import type { ResolutionSource } from '../approval-events.constants';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { feedUntrusted } from './feed-untrusted';
import type { ApprovalResult } from '../interfaces/approval.interface';
import { loadOptionalPeer } from '../utils/optional-peer';
import { parseBoundedJsonObject } from '../validation/bounded-json';
import { backoffDelay, RECONNECT_BACKOFF } from '../utils/backoff';

/**
 * The coverage link this reports: while it is down, waits poll unless a complete link (the
 * store's announcements) still hears every decision.
 */
export const REPLICA_LINK = 'replica';

/** Resolutions this process learnt first-hand; what came from other replicas is not echoed. */
const FIRST_HAND: ReadonlySet<ResolutionSource> = new Set(['in_process', 'gateway']);

/** Larger messages on the channel are not ours: dropped unread (and counted). */
const MAX_MESSAGE_BYTES = 64 * 1024;

interface ReplicaMessage {
  origin: string;
  result: ApprovalResult;
}

/**
 * Cross-replica wakeups over Redis pub/sub (`redisUrl`). Every resolution this replica learns
 * first-hand (a REST decision, a producer's event) is published on
 * `{redisKeyPrefix}:resolved`; every replica feeds what it hears there into its manager as
 * source `replica`. So a decision on replica A wakes waits on replica B within a
 * round trip.
 *
 * The link is up only while both connections are ready and the subscription is live. While
 * it is down, the waits on this replica poll, unless the store's own announcements
 * (`storeNotifyUrl`) are heard: they carry every committed decision, so then nothing polls
 * and `connected$` stays true. When it returns, each polled approval is read once.
 * Reconnection is ioredis's own, with the library's backoff.
 *
 * @internal
 * @example
 * ApprovalEventsModule.forRoot({ statusSource, redisUrl: 'redis://redis:6379' });
 */
@Injectable()
export class RedisReplicaLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisReplicaLink.name);
  /** Tells our own messages apart when they come back on the channel. */
  private readonly origin = randomUUID();
  private publisher?: Redis;
  private subscriber?: Redis;
  private outgoing?: Subscription;
  private warnedDown = false;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
    private readonly coverage: ApprovalEventCoverage,
  ) {
    if (options.redisUrl) coverage.setLinkState(REPLICA_LINK, false);
  }

  /** The pub/sub channel resolutions travel on. */
  get channel(): string {
    return `${this.options.redisKeyPrefix}:resolved`;
  }

  onApplicationBootstrap(): void {
    const url = this.options.redisUrl;
    if (!url) return;
    // Loaded here, not at import: an application without `redisUrl` need not install ioredis.
    const { Redis } = loadOptionalPeer<typeof import('ioredis')>(
      'ioredis',
      'The option "redisUrl"',
    );
    const connection = (name: string) =>
      new Redis(url, {
        connectionName: `approval-events:${name}`,
        // Publishing while Redis is down must not queue without bound: the other replicas
        // hear the store's announcements or poll then, and the store has the decision.
        enableOfflineQueue: name === 'subscriber',
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => backoffDelay(attempt, RECONNECT_BACKOFF),
      });
    const publisher = connection('publisher');
    const subscriber = connection('subscriber');
    this.publisher = publisher;
    this.subscriber = subscriber;

    for (const client of [publisher, subscriber]) {
      client.on('ready', () => void this.onReady());
      client.on('close', () => this.onDown());
      client.on('error', (error: Error) => this.onError(error));
    }
    subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));

    this.outgoing = this.manager.received$
      .pipe(filter(({ source }) => FIRST_HAND.has(source)))
      .subscribe(({ result }) => this.publish(result));
  }

  async onApplicationShutdown(): Promise<void> {
    this.outgoing?.unsubscribe();
    const clients = [this.publisher, this.subscriber].filter((client) => client !== undefined);
    this.publisher = this.subscriber = undefined;
    await Promise.all(
      clients.map(async (client) => {
        client.removeAllListeners();
        client.on('error', () => undefined);
        // quit() waits for Redis to answer; with Redis gone, drop the socket instead.
        await client.quit().catch(() => client.disconnect());
      }),
    );
  }

  private async onReady(): Promise<void> {
    const { publisher, subscriber } = this;
    if (
      !publisher ||
      !subscriber ||
      subscriber.status !== 'ready' ||
      publisher.status !== 'ready'
    ) {
      return;
    }
    try {
      // Every time, not once: after a reconnect the link is trusted only from this reply on.
      await subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(`Could not subscribe to the replica channel: ${(error as Error).message}`);
      return;
    }
    this.warnedDown = false;
    this.coverage.setLinkState(REPLICA_LINK, true);
  }

  private onDown(): void {
    this.coverage.setLinkState(REPLICA_LINK, false);
  }

  private onError(error: Error): void {
    if (this.warnedDown) return;
    this.warnedDown = true;
    this.logger.warn(`Redis unreachable (${error.message}); reconnecting`);
  }

  private publish(result: ApprovalResult): void {
    const message: ReplicaMessage = { origin: this.origin, result };
    this.publisher?.publish(this.channel, JSON.stringify(message)).catch((error: Error) => {
      this.logger.debug(`Could not publish ${result.approvalId} to the replicas: ${error.message}`);
    });
  }

  private onMessage(message: string): void {
    const parsed = parseBoundedJsonObject(message, MAX_MESSAGE_BYTES) as
      Partial<ReplicaMessage> | undefined;
    if (parsed === undefined) {
      this.metrics.rejected('invalid_payload');
      this.logger.warn(
        `Ignored a message on the replica channel: not a JSON object of at most ${MAX_MESSAGE_BYTES} characters`,
      );
      return;
    }
    if (parsed.origin === this.origin) return;
    feedUntrusted(
      this.manager,
      parsed.result,
      'replica',
      this.logger,
      'a message on the replica channel',
    );
  }
}
