import type { JwtService } from '@nestjs/jwt';
import { createHash, timingSafeEqual } from 'node:crypto';
import { idProblem } from '../validation/approval-result.validation';
import type { GatewayRole } from '../interfaces/approval-socket-events.interface';
import { loadOptionalPeer } from '../utils/optional-peer';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Longest token accepted in a handshake; anything longer is not ours. */
const MAX_TOKEN_LENGTH = 4_096;
/** Workspaces one scoped token may name. */
export const MAX_TOKEN_WORKSPACES = 100;

/** Who a handshake token says the client is. */
export interface GatewayIdentity {
  role: GatewayRole;
  /** The workspaces it may subscribe to; undefined means any (the static tokens). */
  workspaces?: ReadonlySet<string>;
  /** When the token stops being valid (ms since the epoch); undefined for the static tokens. */
  expiresAt?: number;
}

/** Claims of a scoped subscriber token (a JWT, HS256). */
export interface SubscriberTokenClaims {
  /** The workspaces the holder may subscribe to. */
  workspaces: string[];
  /** Who it was issued to, for the issuer's records. */
  sub?: string;
}

/**
 * Maps a handshake token to an identity, and signs scoped ones. One per module, shared by
 * the gateway and {@link ApprovalEventTokens}, built from the gateway options.
 *
 * @internal
 *
 * The static producer and subscriber tokens (service to service) are compared in constant
 * time: both sides are hashed first, so neither the comparison time nor an early length
 * check says anything about the secret. With a JWT secret, signed subscriber tokens scoped
 * to a list of workspaces are accepted as well (HS256 only, `exp` required).
 */
export class GatewayTokens {
  private readonly producer?: Buffer;
  private readonly subscriber?: Buffer;
  private readonly jwt?: JwtService;

  constructor(producerToken?: string, subscriberToken?: string, jwtSecret?: string) {
    this.producer = producerToken ? digest(producerToken) : undefined;
    this.subscriber = subscriberToken ? digest(subscriberToken) : undefined;
    // Loaded only with a secret: an application without scoped tokens need not install it.
    this.jwt = jwtSecret
      ? new (loadOptionalPeer<typeof import('@nestjs/jwt')>(
          '@nestjs/jwt',
          'The option "gatewayJwtSecret"',
        ).JwtService)({ secret: jwtSecret, signOptions: { algorithm: 'HS256' } })
      : undefined;
  }

  /** Whether scoped subscriber tokens can be signed (a JWT secret is configured). */
  get canIssue(): boolean {
    return this.jwt !== undefined;
  }

  /** Whether any token at all is accepted. */
  get configured(): boolean {
    return Boolean(this.producer ?? this.subscriber ?? this.jwt);
  }

  identify(token: unknown): GatewayIdentity | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      return undefined;
    }
    const presented = digest(token);
    // Compare against both, always, so the time does not tell which one matched.
    const isProducer = this.producer !== undefined && timingSafeEqual(presented, this.producer);
    const isSubscriber =
      this.subscriber !== undefined && timingSafeEqual(presented, this.subscriber);
    if (isProducer) return { role: 'producer' };
    if (isSubscriber) return { role: 'subscriber' };
    return this.scoped(token);
  }

  /**
   * Signs a subscriber token for `workspaces`, valid for `ttlSeconds`.
   *
   * @throws Error when no JWT secret is configured.
   */
  issue(claims: SubscriberTokenClaims, ttlSeconds: number): string {
    if (!this.jwt) throw new Error('Scoped tokens need the "gatewayJwtSecret" option');
    return this.jwt.sign({ ...claims }, { expiresIn: ttlSeconds });
  }

  private scoped(token: string): GatewayIdentity | undefined {
    if (!this.jwt) return undefined;
    let claims: Partial<SubscriberTokenClaims> & { exp?: number };
    try {
      claims = this.jwt.verify(token, { algorithms: ['HS256'] });
    } catch {
      return undefined;
    }
    const workspaces = claims.workspaces;
    if (
      typeof claims.exp !== 'number' ||
      !Array.isArray(workspaces) ||
      workspaces.length === 0 ||
      workspaces.length > MAX_TOKEN_WORKSPACES ||
      workspaces.some((id) => idProblem('workspaceId', id) !== undefined)
    ) {
      return undefined;
    }
    return { role: 'subscriber', workspaces: new Set(workspaces), expiresAt: claims.exp * 1_000 };
  }
}
