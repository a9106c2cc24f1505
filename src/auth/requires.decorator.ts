import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../common/api.constants';
import { REQUIRED_CAPABILITY } from './auth.constants';
import { describeRolesFor, type Capability } from './capabilities';

/** What the OpenAPI document says beyond the role. */
export interface RequiresDocs {
  /** Other reasons for a 403 on this route, as a sentence. */
  forbidden?: string;
}

/**
 * What a route needs, declared once beside it: the global `AuthGuard` lets a principal
 * through only if one of its roles grants `capability` (capabilities.ts) and the route's
 * `:workspaceId` is one of its workspaces. Also documents the route's credentials and its
 * 401, 403 and 404 in the OpenAPI document. An `/api` route without it is refused to all.
 *
 * @example
 * @Post(':approvalId/approve')
 * @Requires('decide') // approver or admin
 * approve() { … }
 */
export const Requires = (capability: Capability, docs: RequiresDocs = {}) =>
  applyDecorators(
    SetMetadata(REQUIRED_CAPABILITY, capability),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'No credential, or an invalid or expired one.' }),
    ApiForbiddenResponse({
      description: [`Needs the role ${describeRolesFor(capability)}.`, docs.forbidden]
        .filter(Boolean)
        .join(' '),
    }),
    ApiNotFoundResponse({
      description:
        'Absent, or in another workspace, or the workspace is not one of the caller’s (the same answer, so tenants cannot be probed).',
    }),
  );
