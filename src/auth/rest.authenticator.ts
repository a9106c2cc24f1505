import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { API_KEY_HEADER } from '../common/api.constants';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { MAX_API_KEY_LENGTH } from './api-key-entry';
import { AUTH_MESSAGES, MAX_BEARER_TOKEN_LENGTH } from './auth.constants';
import { JwtAuthenticator } from './jwt.authenticator';
import type { Principal } from './principal';

/** `Bearer <token>`, the scheme in any case (RFC 9110); the two parts are disjoint, so linear. */
const BEARER = /^Bearer +(\S+) *$/i;
/** The token's bound plus room for the scheme and spaces. */
const MAX_AUTHORIZATION_LENGTH = MAX_BEARER_TOKEN_LENGTH + 32;

/**
 * Who a REST request comes from: `Authorization: Bearer <JWT>` or `x-api-key`, exactly one
 * of them. Anything else (neither, both, a repeated header, another scheme, a token or key
 * beyond its bound) is a 401, decided before any credential is parsed further.
 *
 * @example
 * const principal = await authenticator.authenticate(request.headers);
 */
@Injectable()
export class RestAuthenticator {
  constructor(
    @Inject(ApiKeyAuthenticator) private readonly keys: ApiKeyAuthenticator,
    @Inject(JwtAuthenticator) private readonly jwt: JwtAuthenticator,
  ) {}

  /** Whether bearer tokens are accepted (for the `WWW-Authenticate` challenge). */
  get acceptsBearer(): boolean {
    return this.jwt.enabled;
  }

  /**
   * @throws UnauthorizedException when no valid credential is presented.
   * @throws JwksUnavailableError when a bearer token cannot be checked right now.
   */
  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const authorization = headers.authorization;
    const apiKey = headers[API_KEY_HEADER];
    if (authorization !== undefined && apiKey !== undefined) {
      throw new UnauthorizedException(AUTH_MESSAGES.both);
    }
    if (authorization !== undefined) return this.fromBearer(authorization);
    if (apiKey !== undefined) return this.fromApiKey(apiKey);
    throw new UnauthorizedException(AUTH_MESSAGES.missing);
  }

  private fromBearer(authorization: string): Promise<Principal> {
    // Measured before the pattern runs, so a huge header costs nothing.
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new UnauthorizedException(AUTH_MESSAGES.invalidToken);
    }
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw new UnauthorizedException(AUTH_MESSAGES.malformedAuthorization);
    if (token.length > MAX_BEARER_TOKEN_LENGTH) {
      throw new UnauthorizedException(AUTH_MESSAGES.invalidToken);
    }
    if (!this.jwt.enabled) throw new UnauthorizedException(AUTH_MESSAGES.bearerNotAccepted);
    return this.jwt.authenticate(token);
  }

  private fromApiKey(apiKey: string | string[]): Principal {
    // A repeated header arrives as an array (or comma-joined): never a key.
    const principal =
      typeof apiKey === 'string' && apiKey.length <= MAX_API_KEY_LENGTH
        ? this.keys.authenticate(apiKey)
        : undefined;
    if (!principal) throw new UnauthorizedException(AUTH_MESSAGES.invalidKey);
    return principal;
  }
}
