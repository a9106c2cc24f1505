import { Logger, type OnModuleDestroy } from '@nestjs/common';
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
import { filter, Subscription } from 'rxjs';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import {
  APPROVAL_REMINDER_EVENT,
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_VOTED_EVENT,
} from '../approval-events.constants';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { InvalidApprovalEventError } from '../errors/invalid-approval-event.error';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type {
  GatewayAck,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';
import { approvalPayload } from './approval.payload';
import { WorkspaceSubscriptionDto } from './workspace-subscription.dto';
import {
  APPROVALS_NAMESPACE,
  GATEWAY_CONNECT_TIMEOUT_MS,
  GATEWAY_MAX_MESSAGE_BYTES,
  GATEWAY_MAX_SUBSCRIPTIONS,
} from './gateway.constants';
import { maySubscribe, subscriberRooms, subscriptionTarget } from './gateway-subscriptions';
import { isResolutionShaped, validatedBody } from './gateway-input';
import { PublishRateLimit } from './gateway-rate-limits';
import { GatewayAdmission } from './gateway-admission';
import type { ApprovalNamespace, ApprovalSocket } from './gateway-socket.types';
import { GatewayTokens } from './gateway-tokens';
import { refuseUnservedNamespaces } from './namespace-guard';
import { guardTransports } from './transport-guard';

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
 *   included, is refused (and counted as `unauthorized`), and so is a transport that joins
 *   no namespace within 5 s or would be its address's 101st (`transport-guard.ts`).
 * - A socket whose token has an expiry (a scoped JWT) is disconnected when it expires.
 * - `approval:resolved` (producers): validated, then fed to the manager as a hint.
 * - `subscribe` / `unsubscribe` `{ workspaceId }`: join or leave that workspace's room;
 *   `{}`: every workspace the token may see.
 * - Every resolution the manager learns of is sent to its workspace's subscribers, and the
 *   in-process events `approval.requested`, `approval.voted` and `approval.reminder` become
 *   `approval:requested`, `approval:voted` and `approval:reminder` to them.
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
  connectTimeout: GATEWAY_CONNECT_TIMEOUT_MS,
})
export class ApprovalEventGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  private readonly logger = new Logger(ApprovalEventGateway.name);
  /** Set by Nest once the namespace exists; undefined before (and in plain unit tests). */
  @WebSocketServer()
  private readonly namespace?: ApprovalNamespace;
  private readonly publishRate = new PublishRateLimit();
  private readonly subscriptions = new Subscription();
  private readonly admission: GatewayAdmission;

  /** @internal Built by Nest's injector from the module's providers; inject it instead. */
  constructor(
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
    private readonly tokens: GatewayTokens,
  ) {
    this.admission = new GatewayAdmission(tokens, manager, metrics);
    if (!this.tokens.configured) {
      throw new Error(
        'ApprovalEventsModule: the gateway needs option "gatewayProducerToken", "gatewaySubscriberToken" or "gatewayJwtSecret"',
      );
    }
  }

  afterInit(namespace: ApprovalNamespace): void {
    refuseUnservedNamespaces(namespace.server, () => this.metrics.rejected('unauthorized'));
    guardTransports(namespace.server, () => this.metrics.rejected('unauthorized'));
    namespace.use((socket, next) => {
      void this.admission.admit(socket).then((verdict) => {
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

  handleConnection(socket: ApprovalSocket): void {
    this.admission.watchExpiry(socket);
  }

  handleDisconnect(socket: ApprovalSocket): void {
    this.admission.forget(socket);
    this.publishRate.forget(socket);
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
    this.admission.close();
  }

  /**
   * Sends a new approval to its workspace's subscribers as `approval:requested`. Never
   * throws back into the emitter, which is the code that has just created the approval.
   */
  @OnEvent(APPROVAL_REQUESTED_EVENT)
  announceRequested(payload: unknown): void {
    this.announce('approval:requested', payload);
  }

  /** Sends an approval that has just been voted on (still pending) as `approval:voted`. */
  @OnEvent(APPROVAL_VOTED_EVENT)
  announceVoted(payload: unknown): void {
    this.announce('approval:voted', payload);
  }

  /** Sends an approval past its `remindAfterMs` as `approval:reminder`. */
  @OnEvent(APPROVAL_REMINDER_EVENT)
  announceReminder(payload: unknown): void {
    this.announce('approval:reminder', payload);
  }

  /**
   * Sends an approval's known fields to its workspace's subscribers, or logs why it cannot.
   * Through the adapter (not `local`): unlike resolutions, these are heard only by the
   * process they happened in.
   */
  private announce(
    event: Exclude<keyof ServerToClientEvents, 'approval:resolved'>,
    payload: unknown,
  ): void {
    const approval = approvalPayload(payload);
    if (typeof approval === 'string') {
      this.logger.warn(`Did not send ${event}: ${approval}`);
      return;
    }
    this.namespace?.to(subscriberRooms(approval.workspaceId)).emit(event, approval);
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
    if (!(await this.publishRate.allows(socket))) return refuse('rate_limited');
    // The shape is the manager's to judge (it counts what it refuses); only keys the
    // result does not have are refused here, so nothing a producer sends is dropped unseen.
    if (!isResolutionShaped(body)) {
      this.metrics.rejected('invalid_payload');
      return refuse('invalid_payload');
    }
    try {
      this.manager.onApprovalResponse(body as ApprovalResult, 'gateway');
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
