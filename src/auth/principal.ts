import type { Role } from './roles';

/**
 * How a principal proved who it is. The decision-link track adds its own kind; history
 * entries record it beside the actor.
 */
export type PrincipalKind = 'jwt' | 'api_key';

/** The `workspaces` of a principal that may act on every workspace. */
export const ALL_WORKSPACES = '*';

/**
 * Who is calling the REST API, as the global `AuthGuard` established it: the authenticated
 * identity every decision, request and audit entry is recorded under. Handlers get it with
 * `@CurrentPrincipal()`; it is never built from anything the request body says.
 *
 * @example
 * const principal: Principal = {
 *   id: 'alice', kind: 'jwt', roles: ['approver'], workspaces: ['ws1', 'ws2'],
 * };
 */
export interface Principal {
  /** The JWT's `sub`, or the API key entry's `id`. Recorded as `requestedBy` / `resolvedBy`. */
  readonly id: string;
  readonly kind: PrincipalKind;
  /** At least one. */
  readonly roles: readonly Role[];
  /** {@link ALL_WORKSPACES}, or the workspace ids it may see (at least one). */
  readonly workspaces: typeof ALL_WORKSPACES | readonly string[];
}

/**
 * A principal from fields that passed the principal rules (principal.rules.ts), copied so
 * the caller's arrays stay its own. `['*']` becomes {@link ALL_WORKSPACES}.
 */
export function principalFrom(
  kind: PrincipalKind,
  fields: { id: string; roles: readonly Role[]; workspaces: readonly string[] },
): Principal {
  const all = fields.workspaces.length === 1 && fields.workspaces[0] === ALL_WORKSPACES;
  return {
    id: fields.id,
    kind,
    roles: [...fields.roles],
    workspaces: all ? ALL_WORKSPACES : [...fields.workspaces],
  };
}

/** Whether the principal may see anything of `workspaceId`. */
export function mayAccessWorkspace(principal: Principal, workspaceId: string): boolean {
  return principal.workspaces === ALL_WORKSPACES || principal.workspaces.includes(workspaceId);
}
