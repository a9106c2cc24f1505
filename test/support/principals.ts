import { SignJWT, type JWTPayload } from 'jose';

/** One principal of the suites' hosts: an `API_KEYS` entry, key and all. */
export interface TestPrincipal {
  readonly id: string;
  readonly key: string;
  readonly roles: readonly string[];
  readonly workspaces: readonly string[];
}

/** The workspace the `outsider` may see, and no suite uses otherwise. */
export const OUTSIDER_WORKSPACE = 'ws-elsewhere';

/**
 * Every host the suites boot accepts these keys (`HOST_DEFAULTS.API_KEYS`). The ids are the
 * names the suites already decided with, so `resolvedBy: 'alice'` is what the approver's key
 * records.
 */
export const PRINCIPALS = {
  /** Creates, reads, waits, cancels; never decides. */
  agent: {
    id: 'agent-7',
    key: 'e2e-agent-key-0123456789abcdef0123',
    roles: ['agent'],
    workspaces: ['*'],
  },
  /** Reads and decides on every workspace. */
  approver: {
    id: 'alice',
    key: 'e2e-approver-key-0123456789abcdef01',
    roles: ['approver'],
    workspaces: ['*'],
  },
  /** A second approver, for races and for deciding what `approver` requested. */
  secondApprover: {
    id: 'bob',
    key: 'e2e-second-approver-key-0123456789',
    roles: ['approver'],
    workspaces: ['*'],
  },
  /** Everything. */
  admin: {
    id: 'carol',
    key: 'e2e-admin-key-0123456789abcdef01234',
    roles: ['admin'],
    workspaces: ['*'],
  },
  /** Every role, but only on {@link OUTSIDER_WORKSPACE}: every other workspace is 404 to it. */
  outsider: {
    id: 'mallory',
    key: 'e2e-outsider-key-0123456789abcdef01',
    roles: ['admin'],
    workspaces: [OUTSIDER_WORKSPACE],
  },
} as const satisfies Record<string, TestPrincipal>;

export type TestPrincipalName = keyof typeof PRINCIPALS;

/** `API_KEYS` of every suite's host: all of {@link PRINCIPALS}. */
export const TEST_API_KEYS = JSON.stringify(Object.values(PRINCIPALS));

/**
 * The header that authenticates a request as one of {@link PRINCIPALS}: the one way every
 * suite sends a credential (supertest `.set(authAs('agent'))`, raw requests, fetch).
 *
 * @example
 * await request(host.url).get(approvalsPath('ws1')).set(authAs('approver')).expect(200);
 */
export function authAs(name: TestPrincipalName): Record<string, string> {
  return { 'x-api-key': PRINCIPALS[name].key };
}

/** The header of the test principal whose id is `id`, if one is (`'bob'` is `secondApprover`). */
export function authAsId(id: unknown): Record<string, string> | undefined {
  const name = (Object.keys(PRINCIPALS) as TestPrincipalName[]).find(
    (candidate) => PRINCIPALS[candidate].id === id,
  );
  return name && authAs(name);
}

/** `AUTH_JWT_SECRET` of the suites that set one (32+ characters). */
export const TEST_JWT_SECRET = 'e2e-auth-jwt-secret-0123456789abcdef0123';

/**
 * A bearer token signed with {@link TEST_JWT_SECRET} (or `secret`), HS256, expiring in
 * `expiresIn` (a jose time span, or a past epoch second for an expired one).
 *
 * @example
 * const token = await signTestJwt({ sub: 'dana', roles: ['approver'], workspaces: ['*'] });
 * await request(url).get(path).set('authorization', `Bearer ${token}`);
 */
export function signTestJwt(
  claims: JWTPayload,
  {
    secret = TEST_JWT_SECRET,
    expiresIn = '10m',
  }: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** `{ authorization: 'Bearer …' }` for a token. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});
