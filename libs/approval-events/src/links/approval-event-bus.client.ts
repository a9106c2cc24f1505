import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { Socket } from 'socket.io-client';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { ApprovalEventCoverage, type WorkspaceDemand } from './event-coverage';
import { feedUntrusted } from './feed-untrusted';
import { APPROVALS_NAMESPACE } from '../gateway/gateway.constants';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type {
  ClientToServerEvents,
  GatewayAck,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';
import { loadOptionalPeer } from '../utils/optional-peer';

/** The coverage link this client reports, so waits poll where its events cannot reach. */
export const REMOTE_BUS_LINK = 'remote_bus';

const SUBSCRIBE_ACK_TIMEOUT_MS = 5_000;

type BusSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Subscribes to a remote host's event bus (`eventBusUrl`, namespace `/approvals`) and feeds
 * every `approval:resolved` it receives into the manager. Inert without `eventBusUrl`.
 *
 * Coverage is per workspace: at connect it subscribes to `eventBusWorkspaces` (or, with
 * `eventBusSubscribeAll`, to everything its token may see), and then on demand to the
 * workspace of any approval a wait is watching, unsubscribing after the last such wait.
 * An approval trusts events only once its workspace's subscription is acknowledged on the
 * current connection; until then, or where the gateway refuses it (a scoped token without
 * that workspace, logged once), it is polled. The link itself counts as up once the
 * connect-time subscriptions are answered. Reconnection, with exponential backoff and
 * jitter, is socket.io-client's own.
 *
 * @internal
 * @example
 * ApprovalEventsModule.forRoot({
 *   approvalsApiUrl: 'http://host:3000/api',
 *   eventBusUrl: 'http://host:3000',
 *   eventBusToken: process.env.APPROVAL_EVENTS_SUBSCRIBER_TOKEN,
 *   eventBusWorkspaces: ['ws1'],
 * });
 */
@Injectable()
export class ApprovalEventBusClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApprovalEventBusClient.name);
  private socket?: BusSocket;
  private demand?: Subscription;
  /** Subscriptions sent on the current connection and not yet answered. */
  private readonly inFlight = new Set<string>();
  /** Refusals already logged, by workspace and reason, so each is logged once. */
  private readonly warned = new Set<string>();
  /** Whether "unreachable" was logged since the last successful subscription. */
  private warnedUnreachable = false;
  private ready = false;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
    private readonly coverage: ApprovalEventCoverage,
  ) {
    // Down until proven up: no wait may trust events before the first subscription.
    if (options.eventBusUrl) coverage.registerScopedLink(REMOTE_BUS_LINK);
  }

  onApplicationBootstrap(): void {
    const { eventBusUrl, eventBusToken } = this.options;
    if (!eventBusUrl) return;
    const { io } = loadOptionalPeer<typeof import('socket.io-client')>(
      'socket.io-client',
      'The option "eventBusUrl"',
    );
    const socket: BusSocket = io(`${eventBusUrl}${APPROVALS_NAMESPACE}`, {
      auth: { token: eventBusToken },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 5_000,
      randomizationFactor: 0.5,
      timeout: 5_000,
    });
    this.socket = socket;
    socket.on('connect', () => void this.onConnect(socket));
    socket.on('disconnect', (reason) => {
      this.onLinkDown();
      this.logger.warn(`Event bus disconnected (${reason}); reconnecting`);
      // After a server-side disconnect socket.io does not reconnect by itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error) => this.onConnectError(socket, error));
    socket.on('approval:resolved', (payload: ApprovalResult) =>
      feedUntrusted(this.manager, payload, 'remote_bus', this.logger, 'an event from the bus'),
    );
    this.demand = this.coverage.demand$.subscribe((demand) => this.onDemand(socket, demand));
  }

  onApplicationShutdown(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.demand?.unsubscribe();
    socket?.removeAllListeners();
    socket?.disconnect();
  }

  private async onConnect(socket: BusSocket): Promise<void> {
    const { eventBusSubscribeAll, eventBusWorkspaces } = this.options;
    let answers: Array<[string | undefined, GatewayAck]>;
    try {
      const targets = eventBusSubscribeAll ? [undefined] : eventBusWorkspaces;
      answers = await Promise.all(
        targets.map(
          async (id) => [id, await this.subscribe(socket, id)] as [typeof id, GatewayAck],
        ),
      );
    } catch (error) {
      // Unanswered means nothing is known about this connection: start a new one.
      this.logger.warn(`Event bus subscription failed: ${(error as Error).message}`);
      socket.disconnect().connect();
      return;
    }
    if (this.socket !== socket || !socket.connected) return;
    this.ready = true;
    this.warnedUnreachable = false;
    this.coverage.setLinkState(REMOTE_BUS_LINK, true);
    for (const [workspaceId, ack] of answers) this.cover(workspaceId, ack);
    this.logger.log(
      `Event bus connected; subscribed to ${eventBusSubscribeAll ? 'every workspace the token may see' : `${eventBusWorkspaces.length} workspace(s)`}`,
    );
    for (const workspaceId of this.coverage.demanded())
      void this.subscribeOnDemand(socket, workspaceId);
  }

  private onDemand(socket: BusSocket, { workspaceId, wanted }: WorkspaceDemand): void {
    if (!this.ready) return; // the next connect subscribes to whatever is demanded then
    if (wanted) return void this.subscribeOnDemand(socket, workspaceId);
    if (this.options.eventBusWorkspaces.includes(workspaceId)) return;
    if (!this.coverage.coveredBy(REMOTE_BUS_LINK, workspaceId) || this.options.eventBusSubscribeAll)
      return;
    this.coverage.setWorkspaceCovered(REMOTE_BUS_LINK, workspaceId, false);
    socket.emit('unsubscribe', { workspaceId }, () => undefined);
  }

  private async subscribeOnDemand(socket: BusSocket, workspaceId: string): Promise<void> {
    if (this.coverage.coveredBy(REMOTE_BUS_LINK, workspaceId) || this.inFlight.has(workspaceId))
      return;
    this.inFlight.add(workspaceId);
    try {
      const ack = await this.subscribe(socket, workspaceId);
      if (this.socket === socket && socket.connected) this.cover(workspaceId, ack);
    } catch (error) {
      this.warnOnce(workspaceId, (error as Error).message);
    } finally {
      this.inFlight.delete(workspaceId);
    }
  }

  /** One `subscribe`, answered or failed within the ack timeout. */
  private async subscribe(socket: BusSocket, workspaceId: string | undefined): Promise<GatewayAck> {
    // socket.io's typings lose the ack type once .timeout() wraps the callback.
    return (await socket
      .timeout(SUBSCRIBE_ACK_TIMEOUT_MS)
      .emitWithAck('subscribe', workspaceId === undefined ? {} : { workspaceId })) as GatewayAck;
  }

  /** Records what an answered subscribe covers; a refusal leaves its workspace polled. */
  private cover(workspaceId: string | undefined, ack: GatewayAck): void {
    if (!ack.ok) return this.warnOnce(workspaceId ?? 'every workspace', ack.error);
    if (workspaceId !== undefined) {
      return this.coverage.setWorkspaceCovered(REMOTE_BUS_LINK, workspaceId, true);
    }
    if (!ack.workspaces) return this.coverage.setAllWorkspacesCovered(REMOTE_BUS_LINK);
    for (const id of ack.workspaces) this.coverage.setWorkspaceCovered(REMOTE_BUS_LINK, id, true);
  }

  private warnOnce(workspaceId: string, reason: string): void {
    const key = `${workspaceId}\u0000${reason}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(
      `Event bus subscription to workspace ${workspaceId} refused (${reason}); the bus will not wake its waits`,
    );
  }

  private onLinkDown(): void {
    this.ready = false;
    this.inFlight.clear();
    this.coverage.setLinkState(REMOTE_BUS_LINK, false);
  }

  private onConnectError(socket: BusSocket, error: Error): void {
    this.onLinkDown();
    if (!socket.active) {
      // The server refused us (middleware error): retrying cannot help.
      this.logger.error(`Event bus refused the connection (${error.message}); not retrying`);
      return;
    }
    if (!this.warnedUnreachable) {
      this.warnedUnreachable = true;
      this.logger.warn(`Event bus unreachable (${error.message}); retrying`);
    }
  }
}
