import type { Principal } from './principal';

/** Where the guard leaves the principal on the request: a symbol, so no body or header can set it. */
const PRINCIPAL = Symbol('principal');

type WithPrincipal = { [PRINCIPAL]?: Principal };

/** Records who the request comes from; only `AuthGuard` calls it. @internal */
export function attachPrincipal(request: object, principal: Principal): void {
  (request as WithPrincipal)[PRINCIPAL] = principal;
}

/** The principal `AuthGuard` established for this request, if it ran. */
export function principalOf(request: object): Principal | undefined {
  return (request as WithPrincipal)[PRINCIPAL];
}
