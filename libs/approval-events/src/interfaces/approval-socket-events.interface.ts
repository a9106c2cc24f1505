import type { ApprovalResult } from './approval.interface';

/** Why the gateway refused a client message, as sent in its ack. */
export type GatewayAckError =
  'invalid_payload' | 'forbidden' | 'rate_limited' | 'too_many_subscriptions';

/** The gateway's answer to every client message. */
export type GatewayAck = { ok: true } | { ok: false; error: GatewayAckError };

/** `subscribe` / `unsubscribe` body. */
export interface WorkspaceSubscription {
  workspaceId: string;
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
 * Messages the server sends on the `/approvals` namespace.
 *
 * @example
 * socket.on('approval:resolved', (result) => manager.onApprovalResponse(result, 'remote_bus'));
 */
export interface ServerToClientEvents {
  'approval:resolved': (result: ApprovalResult) => void;
}

/** What a client may do, from the token it presented. */
export type GatewayRole = 'producer' | 'subscriber';

/** Per-connection state the gateway keeps on `socket.data`. */
export interface ApprovalSocketData {
  role: GatewayRole;
  /** Workspaces a scoped token may subscribe to; undefined for the static tokens (any). */
  workspaces?: ReadonlySet<string>;
}
