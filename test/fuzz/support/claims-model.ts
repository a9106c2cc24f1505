/**
 * The contract's rules for a bearer token's claims, written out from the issue and the
 * contract for the JWT fuzz suite, not from `src/auth`: what principal a set of claims
 * stands for, if any.
 */
const ROLES = ['agent', 'approver', 'admin'];
/** Letters, digits and `_ . : @ | + -`, 1 to 128, ASCII only. */
const PRINCIPAL_ID = /^[A-Za-z0-9_.:@|+-]{1,128}$/;
const RESERVED = /^(role|system):/;
const WORKSPACE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_WORKSPACES = 100;

export interface ExpectedPrincipal {
  id: string;
  roles: string[];
  /** `'*'` for every workspace. */
  workspaces: '*' | string[];
}

const distinct = (values: unknown[]) => new Set(values).size === values.length;

/** The principal the claims stand for, or `undefined` when the token must be refused. */
export function expectedPrincipal(claims: Record<string, unknown>): ExpectedPrincipal | undefined {
  const { sub, roles, workspaces } = claims;
  if (typeof sub !== 'string' || !PRINCIPAL_ID.test(sub) || RESERVED.test(sub)) return undefined;
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > ROLES.length) return undefined;
  if (!distinct(roles) || !roles.every((role) => ROLES.includes(role as string))) return undefined;
  if (!Array.isArray(workspaces) || workspaces.length === 0) return undefined;
  if (workspaces.length === 1 && workspaces[0] === '*') {
    return { id: sub, roles: roles as string[], workspaces: '*' };
  }
  const ids = workspaces.every(
    (workspace) => typeof workspace === 'string' && WORKSPACE_ID.test(workspace),
  );
  if (!ids || !distinct(workspaces) || workspaces.length > MAX_WORKSPACES) return undefined;
  return { id: sub, roles: roles as string[], workspaces: workspaces as string[] };
}

/** Whether the principal may act on `workspaceId` at all. */
export const seesWorkspace = (principal: ExpectedPrincipal, workspaceId: string) =>
  principal.workspaces === '*' || principal.workspaces.includes(workspaceId);
