import type { Namespace, Socket } from 'socket.io';
import type {
  ApprovalSocketData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../interfaces/approval-socket-events.interface';

/** The `/approvals` namespace, typed with the gateway's event maps. @internal */
export type ApprovalNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;

/** One client socket on `/approvals`. @internal */
export type ApprovalSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  object,
  ApprovalSocketData
>;
