import { Logger, UnauthorizedException } from '@nestjs/common';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
  type KeyLike,
} from 'jose';
import { SampledLog } from '../common/logging/sampled-log';
import {
  AUTH_MESSAGES,
  JWKS_ALGORITHMS,
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_COOLDOWN_MS,
  JWKS_TIMEOUT_MS,
  JWT_CLOCK_TOLERANCE_SECONDS,
  SECRET_ALGORITHM,
} from './auth.constants';
import { JwksUnavailableError } from './errors/jwks-unavailable.error';
import { principalFromClaims } from './jwt-claims';
import type { Principal } from './principal';

/** How bearer tokens are verified: a shared secret, a JWKS, or both. */
export interface JwtSettings {
  /** HS256 secret (`AUTH_JWT_SECRET`), at least 32 characters. */
  secret?: string;
  /** Where the issuer publishes its public keys (`AUTH_JWKS_URL`). */
  jwksUrl?: string;
  /** Required `iss` (`AUTH_JWT_ISSUER`); always set with a JWKS. */
  issuer?: string;
  /** Required `aud` (`AUTH_JWT_AUDIENCE`); always set with a JWKS. */
  audience?: string;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** jose's JWKS errors that are the token's fault (its `kid` names no key), not the set's. */
const TOKEN_KEY_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys];

/**
 * Verifies bearer JWTs with `jose` and turns their claims into a principal.
 *
 * - Algorithms are fixed by the key: HS256 for the secret, asymmetric ones for the JWKS.
 *   A token is checked against that list before any key is chosen, so `alg: none` and
 *   algorithm confusion (HS256 "signed" with a public key) are refused.
 * - `exp` is required; `iss` and `aud` are checked when configured (always with a JWKS).
 * - `sub`, `roles` and `workspaces` must pass the principal rules (principal.rules.ts).
 *
 * @example
 * const jwt = new JwtAuthenticator({ secret: process.env.AUTH_JWT_SECRET });
 * const principal = await jwt.authenticate(token); // or throws UnauthorizedException
 */
export class JwtAuthenticator {
  private readonly secret?: Uint8Array;
  private readonly keySet?: KeySet;
  private readonly algorithms: string[];
  private readonly log = new SampledLog(new Logger(JwtAuthenticator.name));

  constructor(
    private readonly settings: JwtSettings,
    keySet: KeySet | undefined = settings.jwksUrl
      ? createRemoteJWKSet(new URL(settings.jwksUrl), {
          timeoutDuration: JWKS_TIMEOUT_MS,
          cooldownDuration: JWKS_COOLDOWN_MS,
          cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
        })
      : undefined,
  ) {
    this.secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
    this.keySet = keySet;
    this.algorithms = [
      ...(this.secret ? [SECRET_ALGORITHM] : []),
      ...(this.keySet ? JWKS_ALGORITHMS : []),
    ];
  }

  /** Whether bearer tokens are accepted at all. */
  get enabled(): boolean {
    return this.algorithms.length > 0;
  }

  /**
   * The principal the token names.
   *
   * @throws UnauthorizedException when the token is invalid, expired or its claims are.
   * @throws JwksUnavailableError when the JWKS cannot be fetched to check it.
   */
  async authenticate(token: string): Promise<Principal> {
    const { payload } = await jwtVerify(token, (header, jws) => this.keyFor(header, jws), {
      algorithms: this.algorithms,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      requiredClaims: ['exp'],
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
    }).catch((error: unknown) => {
      throw this.refusal(error);
    });
    const principal = principalFromClaims(payload);
    if (Array.isArray(principal))
      throw new UnauthorizedException(AUTH_MESSAGES.invalidClaims(principal));
    return principal;
  }

  private async keyFor(
    header: JWTHeaderParameters,
    jws: FlattenedJWSInput,
  ): Promise<KeyLike | Uint8Array> {
    // jose has already refused any algorithm outside `algorithms`, so HS256 implies a secret.
    if (header.alg === SECRET_ALGORITHM) return this.secret!;
    try {
      return await this.keySet!(header, jws);
    } catch (error) {
      if (TOKEN_KEY_ERRORS.some((type) => error instanceof type)) throw error;
      throw new JwksUnavailableError(this.settings.jwksUrl!, error);
    }
  }

  private refusal(error: unknown): Error {
    if (error instanceof JwksUnavailableError) {
      void this.log.warn('jwks', error.message);
      return error;
    }
    if (error instanceof errors.JWTExpired)
      return new UnauthorizedException(AUTH_MESSAGES.expiredToken);
    if (error instanceof errors.JOSEError)
      return new UnauthorizedException(AUTH_MESSAGES.invalidToken);
    // Not jose's: a bug, which must not pass for a refused credential.
    return error instanceof Error ? error : new Error(String(error));
  }
}
