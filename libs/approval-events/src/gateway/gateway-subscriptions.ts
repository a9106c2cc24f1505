import type {
  ApprovalSocketData,
  WorkspaceSubscription,
} from '../interfaces/approval-socket-events.interface';
import { ALL_WORKSPACES_ROOM, workspaceRoom } from './gateway.constants';

/** The rooms a `subscribe` or `unsubscribe` body stands for. */
export interface SubscriptionTarget {
  rooms: string[];
  /** For `{}` with a scoped token: the workspaces it covers, as acked to the client. */
  workspaces?: string[];
}

/**
 * Which rooms `subscription` means for a socket with `data`: one workspace's room, or for
 * `{}` every workspace the token may see. The static tokens see all of them, so `{}` is one
 * room that every broadcast also goes to (a socket in both rooms still gets a message once:
 * Socket.io deduplicates the rooms of one emit). A scoped token sees its claim's workspaces.
 *
 * @internal
 */
export function subscriptionTarget(
  subscription: WorkspaceSubscription,
  data: ApprovalSocketData,
): SubscriptionTarget {
  if (subscription.workspaceId !== undefined) {
    return { rooms: [workspaceRoom(subscription.workspaceId)] };
  }
  if (!data.workspaces) return { rooms: [ALL_WORKSPACES_ROOM] };
  const workspaces = [...data.workspaces];
  return { rooms: workspaces.map(workspaceRoom), workspaces };
}

/** Whether a socket with `data` may join `subscription`'s rooms. */
export function maySubscribe(
  subscription: WorkspaceSubscription,
  data: ApprovalSocketData,
): boolean {
  const { workspaceId } = subscription;
  return workspaceId === undefined || !data.workspaces || data.workspaces.has(workspaceId);
}

/** The rooms a message about `workspaceId` goes to. */
export const subscriberRooms = (workspaceId: string): string[] => [
  workspaceRoom(workspaceId),
  ALL_WORKSPACES_ROOM,
];
