import type { Approval, ApprovalResult } from './approval.interface';

/** Why the gateway refused a client message, as sent in its ack. */
export type GatewayAckError =
  'invalid_payload' | 'forbidden' | 'rate_limited' | 'too_many_subscriptions';

/**
 * The gateway's answer to every client message.
 *
 * `workspaces` is set only on the ack of a `subscribe` with no `workspaceId` sent with a
 * scoped token: the workspaces that subscription joined (the token's `workspaces` claim), so
 * a client knows what it covers. Its absence on that ack means "every workspace" (the
 * producer and subscriber tokens).
 *
 * @example
 * const ack = await socket.emitWithAck('subscribe', {});
 * if (ack.ok) console.log(ack.workspaces ?? 'every workspace');
 */
export type GatewayAck =
  { ok: true; workspaces?: string[] } | { ok: false; error: GatewayAckError };

/**
 * `subscribe` / `unsubscribe` body. With a `workspaceId`: that workspace. Without one (`{}`):
 * every workspace the token may see (all of them for the producer and subscriber tokens, the
 * `workspaces` claim of a scoped token). `channel`, if sent, must be `'approvals'`; it names
 * nothing beyond this namespace and is accepted for clients that always send it.
 *
 * @example
 * await socket.emitWithAck('subscribe', { workspaceId: 'ws1' }); // one workspace
 * await socket.emitWithAck('subscribe', {}); // everything this token may see
 */
export interface WorkspaceSubscription {
  workspaceId?: string;
  channel?: 'approvals';
}

/**
 * Messages a client sends on the `/approvals` namespace, each acknowledged.
 *
 * @example
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url + '/approvals', { auth: { token } });
 * const ack = await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
 */
export interface ClientToServerEvents {
  'approval:resolved': (result: ApprovalResult, ack: (answer: GatewayAck) => void) => void;
  subscribe: (body: WorkspaceSubscription, ack: (answer: GatewayAck) => void) => void;
  unsubscribe: (body: WorkspaceSubscription, ack: (answer: GatewayAck) => void) => void;
}

/**
 * Messages the server sends on the `/approvals` namespace, each to the subscribers of the
 * workspace it belongs to.
 *
 * @example
 * socket.on('approval:resolved', (result) => manager.onApprovalResponse(result, 'remote_bus'));
 * socket.on('approval:requested', (approval) => inbox.add(approval));
 * socket.on('approval:voted', (approval) => inbox.update(approval));
 * socket.on('approval:reminder', (approval) => inbox.markOverdue(approval.id));
 */
export interface ServerToClientEvents {
  /** A resolution the host learned of (a hint: read the approval before acting on it). */
  'approval:resolved': (result: ApprovalResult) => void;
  /** A new approval, as the REST API returns it, sent when it is created on this host. */
  'approval:requested': (approval: Approval) => void;
  /** An approval that needs several votes got one: still pending, with its `votes` so far. */
  'approval:voted': (approval: Approval) => void;
  /** A pending approval past its `remindAfterMs`: show it as overdue. Sent once. */
  'approval:reminder': (approval: Approval) => void;
}

/** What a client may do, from the token it presented. */
export type GatewayRole = 'producer' | 'subscriber';

/** Per-connection state the gateway keeps on `socket.data`. */
export interface ApprovalSocketData {
  role: GatewayRole;
  /** Workspaces a scoped token may subscribe to; undefined for the static tokens (any). */
  workspaces?: ReadonlySet<string>;
  /** When a scoped token expires (ms since the epoch); the socket is disconnected then. */
  expiresAt?: number;
}
