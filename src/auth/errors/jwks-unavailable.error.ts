import { JWKS_RETRY_AFTER_SECONDS } from '../auth.constants';

/**
 * The JWKS at `AUTH_JWKS_URL` could not be fetched (refused, timed out, not a key set), so a
 * bearer token could be neither accepted nor refused. Answered 503 with `Retry-After`: the
 * caller's credential may be fine, and a 401 would tell it otherwise.
 */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
  readonly retryAfterSeconds = JWKS_RETRY_AFTER_SECONDS;

  constructor(
    readonly jwksUrl: string,
    cause: unknown,
  ) {
    super(`The JWKS at ${jwksUrl} cannot be fetched: ${(cause as Error)?.message ?? cause}`, {
      cause,
    });
  }
}
