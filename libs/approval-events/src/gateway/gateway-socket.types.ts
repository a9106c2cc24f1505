import type { Namespace, Socket } from 'socket.io';
import type {
  ApprovalSocketData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';

/** The `/approvals` namespace, typed with the gateway's event maps. */
export type ApprovalNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;

/** One client socket on `/approvals`, as the gateway's handlers receive it. */
export type ApprovalSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;
