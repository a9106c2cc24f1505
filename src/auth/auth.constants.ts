import { API_KEY_HEADER } from '../common/api.constants';
import { describeRolesFor, type Capability } from './capabilities';
import type { Principal } from './principal';

/** Metadata key under which `@Requires` stores a route's capability. */
export const REQUIRED_CAPABILITY = 'auth:required-capability';

/** Longest bearer token read; a longer one is refused before any parsing. */
export const MAX_BEARER_TOKEN_LENGTH = 8_192;

/**
 * Leeway on `exp` and `nbf`, in seconds, for clocks a little apart across hosts and issuers.
 * @default 5
 */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

/** How long a JWKS request may take, and how soon an unknown `kid` may fetch it again (ms). */
export const JWKS_TIMEOUT_MS = 5_000;
export const JWKS_COOLDOWN_MS = 30_000;
/** How long fetched keys are used before the set is fetched again (ms). */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;

/** `Retry-After` of the 503 answered while the JWKS cannot be fetched. */
export const JWKS_RETRY_AFTER_SECONDS = 5;

/** The algorithms a JWKS key may sign with: asymmetric only, so a public key is never a secret. */
export const JWKS_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** The one algorithm `AUTH_JWT_SECRET` verifies. */
export const SECRET_ALGORITHM = 'HS256';

/** Every refusal's message, in one place (messages never hold a credential). */
export const AUTH_MESSAGES = {
  missing: `Missing credential: send Authorization: Bearer <JWT> or ${API_KEY_HEADER}`,
  both: `Send one credential, Authorization or ${API_KEY_HEADER}, not both`,
  invalidKey: `Invalid ${API_KEY_HEADER}`,
  malformedAuthorization: 'Authorization must be "Bearer <JWT>"',
  bearerNotAccepted: 'This host accepts no bearer tokens; use an API key',
  invalidToken: 'Invalid bearer token',
  expiredToken: 'Bearer token expired',
  invalidClaims: (problems: readonly string[]) => `Invalid bearer token: ${problems.join('; ')}`,
  jwksUnavailable: 'Bearer tokens cannot be verified now (the JWKS cannot be fetched); retry',
  undeclared: 'This route declares no capability, so nobody may call it',
  roleNeeded: (capability: Capability, principal: Principal) =>
    `This needs the role ${describeRolesFor(capability)}; ${principal.id} has ${principal.roles.join(', ')}`,
} as const;
