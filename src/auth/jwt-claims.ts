import { validateSync } from 'class-validator';
import { type Principal, principalFrom } from './principal';
import {
  describeProblems,
  PrincipalId,
  PrincipalRoles,
  PrincipalWorkspaces,
} from './principal.rules';
import type { Role } from './roles';

/** The claims a bearer token must carry beyond `exp`, checked with the principal rules. */
class PrincipalClaims {
  @PrincipalId('sub')
  sub: unknown;

  @PrincipalRoles()
  roles: unknown;

  @PrincipalWorkspaces()
  workspaces: unknown;
}

/**
 * The principal a verified JWT names, or the list of what is wrong with its claims. The
 * payload is typed loosely on purpose: jose checks the signature and the registered time
 * claims, not the type of `sub` or anything else, so a signed token may carry anything. Only
 * `sub`, `roles` and `workspaces` are read, each once, into a fresh object: nothing else the
 * token carries (a `__proto__` key, claims of other applications) reaches the principal.
 */
export function principalFromClaims(
  payload: Readonly<Record<string, unknown>>,
): Principal | string[] {
  const claims = Object.assign(new PrincipalClaims(), {
    sub: payload.sub,
    roles: payload.roles,
    workspaces: payload.workspaces,
  });
  const problems = describeProblems(validateSync(claims));
  if (problems.length > 0) return problems;
  return principalFrom('jwt', {
    id: claims.sub as string,
    roles: claims.roles as Role[],
    workspaces: claims.workspaces as string[],
  });
}
