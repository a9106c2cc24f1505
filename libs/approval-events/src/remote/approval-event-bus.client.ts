import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Socket } from 'socket.io-client';
import { ApprovalEventManager } from '../approval-event.manager';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { feedUntrusted } from '../feed-untrusted';
import { APPROVALS_NAMESPACE } from '../gateway/gateway.constants';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type {
  ClientToServerEvents,
  GatewayAck,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';
import { io } from './socket-io-client';

/** The manager link this client reports, so `connected$` follows the socket. */
export const REMOTE_BUS_LINK = 'remote_bus';

const SUBSCRIBE_ACK_TIMEOUT_MS = 5_000;

/**
 * Subscribes to a remote host's event bus (`eventBusUrl`, namespace `/approvals`) and feeds
 * every `approval:resolved` it receives into the manager. Inert without `eventBusUrl`.
 *
 * The link counts as up only once every workspace subscription is acknowledged, so a
 * resolution sent between connect and subscribe can never be missed while the bridge
 * believes events flow; the bridge's reconcile read on reconnect covers the gap.
 * Reconnection, with exponential backoff and jitter, is socket.io-client's own.
 *
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
  private socket?: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Whether "unreachable" was logged since the last successful subscription. */
  private warnedUnreachable = false;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
  ) {
    // Down until proven up: no wait may trust events before the first subscription.
    if (options.eventBusUrl) manager.setLinkState(REMOTE_BUS_LINK, false);
  }

  onApplicationBootstrap(): void {
    const { eventBusUrl, eventBusToken } = this.options;
    if (!eventBusUrl) return;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(
      `${eventBusUrl}${APPROVALS_NAMESPACE}`,
      {
        auth: { token: eventBusToken },
        transports: ['websocket'],
        reconnectionDelay: 250,
        reconnectionDelayMax: 5_000,
        randomizationFactor: 0.5,
        timeout: 5_000,
      },
    );
    this.socket = socket;
    socket.on('connect', () => void this.onConnect(socket));
    socket.on('disconnect', (reason) => {
      this.manager.setLinkState(REMOTE_BUS_LINK, false);
      this.logger.warn(`Event bus disconnected (${reason}); waits poll until it is back`);
      // After a server-side disconnect socket.io does not reconnect by itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error) => this.onConnectError(socket, error));
    socket.on('approval:resolved', (payload: ApprovalResult) =>
      feedUntrusted(this.manager, payload, 'remote_bus', this.logger, 'an event from the bus'),
    );
  }

  onApplicationShutdown(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    socket?.disconnect();
  }

  private async onConnect(
    socket: Socket<ServerToClientEvents, ClientToServerEvents>,
  ): Promise<void> {
    try {
      for (const workspaceId of this.options.eventBusWorkspaces) {
        // socket.io's typings lose the ack type once .timeout() wraps the callback.
        const ack = (await socket
          .timeout(SUBSCRIBE_ACK_TIMEOUT_MS)
          .emitWithAck('subscribe', { workspaceId })) as GatewayAck;
        if (!ack.ok) throw new Error(`subscribe to ${workspaceId} refused: ${ack.error}`);
      }
    } catch (error) {
      // Not subscribed means events cannot be trusted: reconnect and try again.
      this.logger.warn(`Event bus subscription failed: ${(error as Error).message}`);
      socket.disconnect().connect();
      return;
    }
    if (this.socket !== socket || !socket.connected) return;
    this.warnedUnreachable = false;
    this.logger.log(
      `Event bus connected; subscribed to ${this.options.eventBusWorkspaces.length} workspace(s)`,
    );
    this.manager.setLinkState(REMOTE_BUS_LINK, true);
  }

  private onConnectError(socket: Socket, error: Error): void {
    this.manager.setLinkState(REMOTE_BUS_LINK, false);
    if (!socket.active) {
      // The server refused us (middleware error): retrying cannot help.
      this.logger.error(`Event bus refused the connection (${error.message}); waits poll`);
      return;
    }
    if (!this.warnedUnreachable) {
      this.warnedUnreachable = true;
      this.logger.warn(`Event bus unreachable (${error.message}); waits poll while it retries`);
    }
  }
}
