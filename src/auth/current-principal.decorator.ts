import {
  createParamDecorator,
  InternalServerErrorException,
  type ExecutionContext,
} from '@nestjs/common';
import { principalOf } from './principal.request';

/**
 * The authenticated {@link Principal} of the request, as a handler parameter. Every `/api`
 * route has one (the global `AuthGuard` refuses a request without it); a handler outside
 * `/api` that asks for one is a bug, answered 500 rather than run as nobody.
 *
 * @example
 * @Post(':approvalId/approve')
 * @Requires('decide')
 * approve(@CurrentPrincipal() principal: Principal) { … }
 */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const principal = principalOf(context.switchToHttp().getRequest<object>());
    if (!principal) {
      throw new InternalServerErrorException('No authenticated principal on this route');
    }
    return principal;
  },
);
