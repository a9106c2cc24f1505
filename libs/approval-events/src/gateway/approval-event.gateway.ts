import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { validate } from 'class-validator';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { filter, Subscription } from 'rxjs';
import type { Namespace, Socket } from 'socket.io';
import { ApprovalEventManager } from '../approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { InvalidApprovalEventError } from '../errors/invalid-approval-event.error';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '../nesting-depth';
import type {
  ApprovalSocketData,
  ClientToServerEvents,
  GatewayAck,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';
import { ApprovalResolvedEventDto, WorkspaceSubscriptionDto } from './approval-resolved-event.dto';
import {
  APPROVALS_NAMESPACE,
  GATEWAY_MAX_MESSAGE_BYTES,
  GATEWAY_MAX_SUBSCRIPTIONS,
  GATEWAY_CONNECT_WINDOW_SECONDS,
  GATEWAY_CONNECTS_PER_IP,
  GATEWAY_PUBLISHES_PER_SECOND,
  GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
  workspaceRoom,
} from './gateway.constants';
import { GatewayTokens } from './gateway-tokens';

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
 * - `approval:resolved` (producers): validated, then fed to the manager as a hint.
 * - `subscribe` / `unsubscribe` `{ workspaceId }`: join or leave that workspace's room.
 * - Every resolution the manager learns of is sent to its workspace's room.
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
export class ApprovalEventGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(ApprovalEventGateway.name);
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
        namespace.local.to(workspaceRoom(result.workspaceId)).emit('approval:resolved', result),
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
    return undefined;
  }

  handleDisconnect(socket: ApprovalSocket): void {
    void this.publishLimiter.delete(socket.id);
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
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
    if (socket.data.workspaces && !socket.data.workspaces.has(subscription.workspaceId)) {
      this.metrics.rejected('forbidden');
      return refuse('forbidden');
    }
    const room = workspaceRoom(subscription.workspaceId);
    // socket.rooms always holds the socket's own room too.
    if (!socket.rooms.has(room) && socket.rooms.size > GATEWAY_MAX_SUBSCRIPTIONS) {
      return refuse('too_many_subscriptions');
    }
    await socket.join(room);
    return OK;
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: ApprovalSocket,
    @MessageBody() body: unknown,
  ): Promise<GatewayAck> {
    const subscription = await this.validated(WorkspaceSubscriptionDto, body);
    if (!subscription) return refuse('invalid_payload');
    await socket.leave(workspaceRoom(subscription.workspaceId));
    return OK;
  }

  private async withinRate(socket: ApprovalSocket): Promise<boolean> {
    return (
      (await consumed(this.publishLimiter, socket.id)) &&
      (await consumed(this.publishPerIpLimiter, socket.handshake.address))
    );
  }

  /**
   * The body as a validated DTO, or undefined (counted as `invalid_payload`). Unknown keys
   * are refused before the body is copied onto the DTO, so a `__proto__` key can never
   * reach an assignment.
   */
  private async validated<T extends object>(
    dto: new () => T,
    body: unknown,
  ): Promise<T | undefined> {
    const allowed = KNOWN_KEYS.get(dto)!;
    const known =
      typeof body === 'object' &&
      body !== null &&
      !Array.isArray(body) &&
      Object.keys(body).every((key) => allowed.has(key)) &&
      !exceedsNestingDepth(body, MAX_NESTING_DEPTH + 1);
    // Only known keys remain, so a shallow copy onto the DTO cannot set a prototype, and
    // unlike class-transformer it never walks (or chokes on) the nested values.
    const instance = known ? Object.assign(new dto(), body) : undefined;
    const options = { whitelist: true, forbidNonWhitelisted: true };
    if (instance && (await validate(instance, options)).length === 0) return instance;
    this.metrics.rejected('invalid_payload');
    return undefined;
  }
}

/** Takes one point from `key`'s budget; false when it is spent. */
async function consumed(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch {
    return false;
  }
}

const KNOWN_KEYS = new Map<new () => object, ReadonlySet<string>>([
  [
    ApprovalResolvedEventDto,
    new Set(['approvalId', 'workspaceId', 'status', 'resolution', 'resolvedBy', 'resolvedAt']),
  ],
  [WorkspaceSubscriptionDto, new Set(['workspaceId'])],
]);
