import {
  ForbiddenException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID_PATTERN } from '../approvals/approvals.constants';
import { API_PREFIX } from '../common/api.constants';
import { approvalNotFound, workspaceNotFound } from '../common/not-found';
import { AUTH_MESSAGES, REQUIRED_CAPABILITY } from './auth.constants';
import { hasCapability, type Capability } from './capabilities';
import { JwksUnavailableError } from './errors/jwks-unavailable.error';
import { mayAccessWorkspace, type Principal } from './principal';
import { attachPrincipal } from './principal.request';
import { RestAuthenticator } from './rest.authenticator';

/** The request as Express hands it to a guard: the matched route and its raw path params. */
type RoutedRequest = IncomingMessage & {
  route?: { path?: unknown };
  params?: Record<string, unknown>;
};

/**
 * The one gate of the REST API, registered globally so a new `/api` route is guarded
 * without anyone remembering to. For each `/api` request, in this order:
 *
 * 1. **401** without one valid credential (a bearer JWT or an API key).
 * 2. **404** when the route's `:workspaceId` is not one of the principal's workspaces, with
 *    the body an absent approval (or workspace) gets, so other tenants cannot be probed.
 * 3. **403** when none of its roles grants the route's `@Requires` capability, naming the
 *    roles that would; a route that declares none is refused to everyone (fails closed).
 *
 * It then leaves the principal on the request for `@CurrentPrincipal()`.
 *
 * It decides on the matched route's declared path (`req.route.path`), never on the URL the
 * client sent: Express matches `/API/…` or `/api/./…` to an `/api` route too, and a guard
 * reading the raw URL could be talked into skipping. A request whose route is unknown is
 * treated as an `/api` one. What is not an `/api` HTTP route passes: `/health`, `/metrics`,
 * the inbox page and its assets, and Socket.io, which checks its own handshake.
 *
 * @example
 * providers: [{ provide: APP_GUARD, useClass: AuthGuard }]
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: RestAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<RoutedRequest>();
    if (!isApiRoute(request)) return true;

    const principal = await this.authenticate(request, context.switchToHttp().getResponse());
    assertInScope(principal, request.params ?? {});
    const capability = this.reflector.getAllAndOverride<Capability | undefined>(
      REQUIRED_CAPABILITY,
      [context.getHandler(), context.getClass()],
    );
    if (!capability) throw new ForbiddenException(AUTH_MESSAGES.undeclared);
    if (!hasCapability(principal, capability)) {
      throw new ForbiddenException(AUTH_MESSAGES.roleNeeded(capability, principal));
    }
    attachPrincipal(request, principal);
    return true;
  }

  private async authenticate(request: RoutedRequest, response: ServerResponse): Promise<Principal> {
    try {
      return await this.authenticator.authenticate(request.headers);
    } catch (error) {
      if (error instanceof UnauthorizedException && this.authenticator.acceptsBearer) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="api"');
      }
      if (error instanceof JwksUnavailableError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        throw new ServiceUnavailableException(AUTH_MESSAGES.jwksUnavailable);
      }
      throw error;
    }
  }
}

/**
 * 404 for a workspace outside the principal's, shaped as the route's own "absent" answer.
 * The params are not validated yet (pipes run after guards): one that is not an id is not
 * echoed, and is refused all the same, as it can be nobody's workspace.
 */
function assertInScope(principal: Principal, params: Record<string, unknown>): void {
  const { workspaceId, approvalId } = params;
  if (typeof workspaceId !== 'string' || mayAccessWorkspace(principal, workspaceId)) return;
  if (typeof approvalId === 'string') {
    throw ID_PATTERN.test(approvalId) ? approvalNotFound(approvalId) : new NotFoundException();
  }
  throw ID_PATTERN.test(workspaceId) ? workspaceNotFound(workspaceId) : new NotFoundException();
}

function isApiRoute(request: RoutedRequest): boolean {
  const routePath = request.route?.path;
  if (typeof routePath !== 'string') return true;
  return routePath === `/${API_PREFIX}` || routePath.startsWith(`/${API_PREFIX}/`);
}
