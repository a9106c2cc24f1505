import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import { ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import typeis from 'type-is';
import { API_KEY_HEADER } from '../api.constants';
import { JSON_MEDIA_TYPES } from './json-bodies-only.middleware';

/**
 * Headers a browser never sends on a cross-site request without a CORS preflight, which
 * this host does not answer: their presence alone proves the request is not a forged one.
 * Whether the credential is valid is the authentication guard's question.
 */
export const CREDENTIAL_HEADERS: readonly string[] = [API_KEY_HEADER, 'authorization'];

const NEEDS_JSON_OR_CREDENTIAL =
  'This route acts: send its body as JSON (content-type: application/json), even an empty one, or a credential header';

/**
 * Refuses (415) a request to a route that acts unless it declares a JSON body or carries a
 * credential header. A cross-site page can make a browser send a "simple" POST (no body or
 * a form, `text/plain`, no custom header) with no preflight and the user's cookies or
 * network position: without this rule, a bare `POST …/cancel` from any site cancelled an
 * approval of a host with no key set (issue 19). Neither `application/json` nor a
 * credential header can be sent cross-site without a preflight the host never allows.
 * Holds whatever authentication is configured.
 */
@Injectable()
export class JsonOrCredentialGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<IncomingMessage>();
    const declaresJson =
      headers['content-type'] !== undefined &&
      typeis.is(headers['content-type'], [...JSON_MEDIA_TYPES]) !== false;
    if (declaresJson || CREDENTIAL_HEADERS.some((name) => headers[name] !== undefined)) {
      return true;
    }
    throw new UnsupportedMediaTypeException(NEEDS_JSON_OR_CREDENTIAL);
  }
}

/**
 * Marks a route that acts (decides, cancels): it needs a JSON content type or a
 * credential header, never a bare cross-site POST. See {@link JsonOrCredentialGuard}.
 *
 * @example
 * @Post(':approvalId/cancel') @ActsOnRequest() cancel() {}
 */
export const ActsOnRequest = () =>
  applyDecorators(
    UseGuards(JsonOrCredentialGuard),
    ApiUnsupportedMediaTypeResponse({
      description:
        'Neither a JSON content type nor a credential header (x-api-key, Authorization).',
    }),
  );
