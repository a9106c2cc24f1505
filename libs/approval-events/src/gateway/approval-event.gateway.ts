import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { filter, Subscription, timer } from 'rxjs';
import type { Namespace, Socket } from 'socket.io';
import { ApprovalEventManager } from '../approval-event.manager';
import { APPROVAL_REQUESTED_EVENT, MAX_TIMEOUT_MS } from '../approval-events.constants';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { InvalidApprovalEventError } from '../errors/invalid-approval-event.error';
import type {
  ApprovalSocketData,
  ClientToServerEvents,
  GatewayAck,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';
import { requestedApprovalPayload } from './approval-requested.payload';
import { ApprovalResolvedEventDto, WorkspaceSubscriptionDto } from './approval-resolved-event.dto';
import {
  APPROVALS_NAMESPACE,
  GATEWAY_MAX_MESSAGE_BYTES,
  GATEWAY_MAX_SUBSCRIPTIONS,
  GATEWAY_CONNECT_WINDOW_SECONDS,
  GATEWAY_CONNECTS_PER_IP,
  GATEWAY_PUBLISHES_PER_SECOND,
  GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
} from './gateway.constants';
import { maySubscribe, subscriberRooms, subscriptionTarget } from './gateway-subscriptions';
import { consumed, validatedBody } from './gateway-input';
import { GatewayTokens } from './gateway-tokens';
import { refuseUnservedNamespaces } from './namespace-guard';

type ApprovalNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;
type ApprovalSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;

const OK: GatewayAck = { ok: true };
const refuse = (error: Extract<GatewayAck, { ok: false }>['error']): GatewayAck => ({
  ok: false,
  error,
});

/**
 * The host's event bus on Socket.io namespace `/approvals`.
 *
 * - Handshake: `io(url + '/approvals', { auth: { token } })`. The producer token may publish
 *   and subscribe, the subscriber token may only subscribe, a scoped token (a JWT issued by
 *   `ApprovalEventTokens`) may subscribe to its workspaces only; anything else fails the
 *   handshake with `connect_error` `unauthorized`. Checked in namespace middleware because
 *   Nest guards do not run on connect. Attempts per IP address are bounded (`rate_limited`).
 *   Every other namespace of the Socket.io server that nothing serves, the default `/`
 *   included, is refused (and counted as `unauthorized`).
 * - A socket whose token has an expiry (a scoped JWT) is disconnected when it expires.
 * - `approval:resolved` (producers): validated, then fed to the manager as a hint.
 * - `subscribe` / `unsubscribe` `{ workspaceId }`: join or leave that workspace's room;
 *   `{}`: every workspace the token may see.
 * - Every resolution the manager learns of is sent to its workspace's subscribers, and every
 *   `approval.requested` in-process event becomes `approval:requested` to them.
 * - While this process's own event links are down, clients are disconnected (transport
 *   closed) and reconnect with backoff, so they poll instead of trusting a silent bus.
 *
 * Enabled with `ApprovalEventsModule.forRoot({ gateway: true, gatewayProducerToken, ... })`.
 *
 * @example
 * const socket = io('http://localhost:3000/approvals', { auth: { token } });
 * await socket.emitWithAck('subscribe', { workspaceId: 'ws1' }); // { ok: true }
 * socket.on('approval:resolved', (result) => console.log(result.status));
 */
@WebSocketGateway({
  namespace: APPROVALS_NAMESPACE,
  maxHttpBufferSize: GATEWAY_MAX_MESSAGE_BYTES,
  serveClient: false,
})
export class ApprovalEventGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  private readonly logger = new Logger(ApprovalEventGateway.name);
  /** Set by Nest once the namespace exists; undefined before (and in plain unit tests). */
  @WebSocketServer()
  private readonly namespace?: ApprovalNamespace;
  private readonly tokens: GatewayTokens;
  private readonly publishLimiter = new RateLimiterMemory({
    points: GATEWAY_PUBLISHES_PER_SECOND,
    duration: 1,
  });
  private readonly publishPerIpLimiter = new RateLimiterMemory({
    points: GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
    duration: 1,
  });
  private readonly connectPerIpLimiter = new RateLimiterMemory({
    points: GATEWAY_CONNECTS_PER_IP,
    duration: GATEWAY_CONNECT_WINDOW_SECONDS,
  });
  private readonly subscriptions = new Subscription();
  /** The pending disconnect of each socket whose token expires, by socket id. */
  private readonly expiries = new Map<string, Subscription>();

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
  ) {
    this.tokens = new GatewayTokens(
      options.gatewayProducerToken,
      options.gatewaySubscriberToken,
      options.gatewayJwtSecret,
    );
    if (!this.tokens.configured) {
      throw new Error(
        'ApprovalEventsModule: the gateway needs option "gatewayProducerToken", "gatewaySubscriberToken" or "gatewayJwtSecret"',
      );
    }
  }

  afterInit(namespace: ApprovalNamespace): void {
    refuseUnservedNamespaces(namespace.server, () => this.metrics.rejected('unauthorized'));
    namespace.use((socket, next) => {
      void this.admit(socket).then((verdict) => {
        if (verdict === 'retry_later') socket.conn.close();
        else next(verdict);
      });
    });
    // Every replica hears every resolution (through the replica link), so each serves its
    // own sockets only; a cluster-wide broadcast would deliver everything twice.
    this.subscriptions.add(
      this.manager.resolutions$.subscribe((result) =>
        namespace.local.to(subscriberRooms(result.workspaceId)).emit('approval:resolved', result),
      ),
    );
    this.subscriptions.add(
      this.manager.connected$.pipe(filter((connected) => !connected)).subscribe(() => {
        for (const socket of namespace.sockets.values()) socket.conn.close();
      }),
    );
  }

  /**
   * The handshake: nothing (admitted), an error (refused with that message), or
   * `retry_later` while this process cannot trust its own events. Then neither may its
   * clients: closing the transport (rather than refusing) makes every Socket.io client
   * retry with its own backoff, and poll meanwhile.
   */
  private async admit(socket: ApprovalSocket): Promise<Error | 'retry_later' | undefined> {
    // Counted before the token is checked, so guessing tokens is bounded too.
    if (!(await consumed(this.connectPerIpLimiter, socket.handshake.address))) {
      return new Error('rate_limited');
    }
    const identity = this.tokens.identify(
      (socket.handshake.auth as Record<string, unknown> | undefined)?.token,
    );
    if (!identity) {
      this.metrics.rejected('unauthorized');
      return new Error('unauthorized');
    }
    if (!this.manager.isConnected) return 'retry_later';
    socket.data.role = identity.role;
    socket.data.workspaces = identity.workspaces;
    socket.data.expiresAt = identity.expiresAt;
    return undefined;
  }

  /**
   * A token is checked once, at the handshake; without this a socket would outlive its
   * token for as long as it stays connected. The server-side disconnect is final for a
   * Socket.io client (no automatic reconnection): it must come back with a fresh token.
   */
  handleConnection(socket: ApprovalSocket): void {
    const { expiresAt } = socket.data;
    if (expiresAt === undefined) return;
    // A longer delay than a Node.js timer holds would fire at once; such a socket is
    // disconnected after ~24.8 days instead and may reconnect with the same token.
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMEOUT_MS);
    this.expiries.set(
      socket.id,
      timer(delay).subscribe(() => socket.disconnect(true)),
    );
  }

  handleDisconnect(socket: ApprovalSocket): void {
    this.expiries.get(socket.id)?.unsubscribe();
    this.expiries.delete(socket.id);
    void this.publishLimiter.delete(socket.id);
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
    for (const expiry of this.expiries.values()) expiry.unsubscribe();
    this.expiries.clear();
  }

  /**
   * Sends a new approval to its workspace's subscribers as `approval:requested`. Sent
   * through the adapter (not `local`): unlike resolutions, a creation is heard only by the
   * process it happened in. Never throws back into the emitter, which is the code that has
   * just created the approval.
   */
  @OnEvent(APPROVAL_REQUESTED_EVENT)
  announceRequested(payload: unknown): void {
    const approval = requestedApprovalPayload(payload);
    if (typeof approval === 'string') {
      this.logger.warn(`Did not send approval:requested: ${approval}`);
      return;
    }
    this.namespace?.to(subscriberRooms(approval.workspaceId)).emit('approval:requested', approval);
  }

  @SubscribeMessage('approval:resolved')
  async publish(
    @ConnectedSocket() socket: ApprovalSocket,
    @MessageBody() body: unknown,
  ): Promise<GatewayAck> {
    if (socket.data.role !== 'producer') {
      this.metrics.rejected('forbidden');
      return refuse('forbidden');
    }
    if (!(await this.withinRate(socket))) return refuse('rate_limited');
    const event = await this.validated(ApprovalResolvedEventDto, body);
    if (!event) return refuse('invalid_payload');
    try {
      this.manager.onApprovalResponse(event, 'gateway');
      return OK;
    } catch (error) {
      if (error instanceof InvalidApprovalEventError) return refuse('invalid_payload');
      this.logger.error(`Could not take a published resolution: ${(error as Error).message}`);
      return refuse('invalid_payload');
    }
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: ApprovalSocket,
    @MessageBody() body: unknown,
  ): Promise<GatewayAck> {
    const subscription = await this.validated(WorkspaceSubscriptionDto, body);
    if (!subscription) return refuse('invalid_payload');
    if (!maySubscribe(subscription, socket.data)) {
      this.metrics.rejected('forbidden');
      return refuse('forbidden');
    }
    const { rooms, workspaces } = subscriptionTarget(subscription, socket.data);
    const added = rooms.filter((room) => !socket.rooms.has(room)).length;
    // socket.rooms always holds the socket's own room too.
    if (added > 0 && socket.rooms.size - 1 + added > GATEWAY_MAX_SUBSCRIPTIONS) {
      return refuse('too_many_subscriptions');
    }
    await socket.join(rooms);
    return workspaces ? { ok: true, workspaces } : OK;
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: ApprovalSocket,
    @MessageBody() body: unknown,
  ): Promise<GatewayAck> {
    const subscription = await this.validated(WorkspaceSubscriptionDto, body);
    if (!subscription) return refuse('invalid_payload');
    const { rooms } = subscriptionTarget(subscription, socket.data);
    for (const room of rooms) await socket.leave(room);
    return OK;
  }

  private async withinRate(socket: ApprovalSocket): Promise<boolean> {
    return (
      (await consumed(this.publishLimiter, socket.id)) &&
      (await consumed(this.publishPerIpLimiter, socket.handshake.address))
    );
  }

  /** The body as a validated DTO, or undefined (counted as `invalid_payload`). */
  private async validated<T extends object>(
    dto: new () => T,
    body: unknown,
  ): Promise<T | undefined> {
    const instance = await validatedBody(dto, body);
    if (!instance) this.metrics.rejected('invalid_payload');
    return instance;
  }
}
