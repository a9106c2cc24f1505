import { UnauthorizedException } from '@nestjs/common';
import * as fc from 'fast-check';
import request from 'supertest';
import { ApiKeyAuthenticator } from '../../src/auth/api-key.authenticator';
import { MAX_BEARER_TOKEN_LENGTH } from '../../src/auth/auth.constants';
import { JwtAuthenticator } from '../../src/auth/jwt.authenticator';
import type { Principal } from '../../src/auth/principal';
import { RestAuthenticator } from '../../src/auth/rest.authenticator';
import {
  approvalsPath,
  bearer,
  closeAll,
  createApproval,
  type RunningHost,
  signTestJwt,
  startHost,
  TEST_JWT_SECRET,
} from '../support';
import { expectedPrincipal, seesWorkspace } from './support/claims-model';
import { assertProperty, FuzzTally, heapAfterGc } from './support/fuzz-tally';
import { jsonish, nastyString, PROTO_KEYS } from './support/hostile-values';

/**
 * Bearer tokens whose signature is valid (signed with the host's own AUTH_JWT_SECRET), so
 * only the claim rules stand between a hostile claim set and access: wrong types, huge
 * arrays, `*` abuse, look-alikes of roles and ids, oversize and reserved subjects. Every
 * one must be refused with a 401 or give exactly the principal the contract's rules say
 * (claims-model.ts), never a 500 and never broader access. Also raw Authorization headers
 * that are not a well-formed signed token at all.
 */

const SEED_CLAIMS = 0x4a57_0001;
const SEED_HTTP = 0x4a57_0002;
const SEED_RAW = 0x4a57_0003;
const CLAIM_RUNS = 4_000;
const HTTP_RUNS = 250;
const RAW_RUNS = 3_000;
const WS = 'ws-fuzz';

const validId = fc.stringMatching(/^[A-Za-z0-9_.:@|+-]{1,24}$/);
const workspaceId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,16}$/);

/** Strings one character away from a valid one: look-alikes, case, padding, reserved. */
const lookAlike = fc.constantFrom(
  'Admin',
  'ADMIN',
  'admin ',
  ' admin',
  '\u0430dmin', // Cyrillic а
  'adm\u0131n', // dotless ı
  'admin\u200b', // zero-width space
  'ａｄｍｉｎ', // full width
  'approver\u0000',
  'role:admin',
  'system:expiry',
  'system:',
  'role:',
  '*',
  '**',
  'ws*',
  '%2a',
  'ws\uFF11',
  'w s',
);

const sub = fc.oneof(
  { weight: 4, arbitrary: validId },
  { weight: 2, arbitrary: lookAlike },
  { weight: 1, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer({ min: 120, max: 300 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(42, null, true, [], ['alice'], { id: 'alice' }, '') },
);

const roleName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('agent', 'approver', 'admin') },
  { weight: 2, arbitrary: lookAlike },
  {
    weight: 1,
    arbitrary: fc.constantFrom('root', 'owner', '', 0, null, ['admin'], { admin: true }),
  },
);

const roles = fc.oneof(
  { weight: 4, arbitrary: fc.subarray(['agent', 'approver', 'admin'], { minLength: 1 }) },
  { weight: 3, arbitrary: fc.array(roleName, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom('admin', 'agent,approver', '', null, {}, 7) },
  // Huge arrays: within the token bound, and past it (the token is then refused as too long).
  { weight: 1, arbitrary: fc.integer({ min: 4, max: 2_000 }).map((n) => Array(n).fill('admin')) },
);

const workspaceEntry = fc.oneof(
  { weight: 4, arbitrary: workspaceId },
  { weight: 1, arbitrary: fc.constant(WS) },
  { weight: 2, arbitrary: lookAlike },
  { weight: 1, arbitrary: fc.constantFrom(null, 1, ['*'], { '*': true }, '') },
);

const workspaces = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(['*'], [WS], [WS, 'other']) },
  { weight: 3, arbitrary: fc.array(workspaceEntry, { maxLength: 6 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '*',
      ['*', WS],
      [WS, '*'],
      ['*', '*'],
      [],
      [['*']],
      'ws-fuzz',
      '',
      null,
      { 0: '*', length: 1 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 99, max: 102 })
      .map((n) => Array.from({ length: n }, (_, i) => `w${i}`)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((n) => Array(n).fill(WS)) },
);

/** Claims the contract accepts, so valid principals are exercised as much as refusals. */
const validClaims = fc.record({
  sub: validId,
  roles: fc.subarray(['agent', 'approver', 'admin'], { minLength: 1 }),
  workspaces: fc.oneof(
    fc.constant(['*']),
    fc.uniqueArray(fc.oneof(fc.constant(WS), workspaceId), { minLength: 1, maxLength: 4 }),
  ),
});

/** Claim sets: mostly all three claims, sometimes one missing, sometimes extra keys. */
const hostileClaims: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ sub, roles, workspaces }, { requiredKeys: [] })
  .chain((base) =>
    fc
      .option(
        fc.tuple(fc.constantFrom(...PROTO_KEYS, 'admin', 'role', 'scope', 'workspace'), jsonish),
        {
          nil: undefined,
        },
      )
      .map((extra) => (extra ? { ...base, [extra[0]]: extra[1] } : base)),
  );

const claims = fc.oneof(
  { weight: 1, arbitrary: validClaims },
  { weight: 3, arbitrary: hostileClaims },
);

/** How an authentication ended: a principal, a 401, or anything else (a crash). */
function outcomeOf(authentication: Promise<Principal>) {
  return authentication.then(
    (principal) => ({ kind: 'accepted' as const, principal }),
    (error: unknown) =>
      error instanceof UnauthorizedException
        ? { kind: 'refused' as const }
        : { kind: 'crashed' as const, error },
  );
}

describe('JWT claims under fuzzing', () => {
  const tally = new FuzzTally('JWT claims (authenticator + HTTP)');
  const jwt = new JwtAuthenticator({ secret: TEST_JWT_SECRET });
  let heapBefore = 0;

  beforeAll(() => {
    heapBefore = heapAfterGc();
  });

  afterAll(async () => {
    await closeAll();
    tally.report(heapBefore, heapAfterGc());
  });

  it('gives exactly the contract’s principal for valid claims, and a 401 for all others', async () => {
    const property = fc.asyncProperty(claims, async (claimSet) => {
      const token = await signTestJwt(claimSet);
      const outcome = await outcomeOf(jwt.authenticate(token));
      tally.record(
        outcome,
        (crashed) => `claims ${JSON.stringify(claimSet).slice(0, 200)}: ${String(crashed.error)}`,
      );
      // The token's JSON is what the host reads: compare with the claims as they travel.
      const expected = expectedPrincipal(JSON.parse(JSON.stringify(claimSet)));
      expect(outcome).toEqual(
        expected
          ? { kind: 'accepted', principal: { ...expected, kind: 'jwt' } }
          : { kind: 'refused' },
      );
    });
    await assertProperty('JWT claims', property, SEED_CLAIMS, CLAIM_RUNS);
  });

  it('refuses every malformed or tampered Authorization header with a 401, never anything else', async () => {
    const authenticator = new RestAuthenticator(new ApiKeyAuthenticator([]), jwt);
    const good = await signTestJwt({ sub: 'alice', roles: ['admin'], workspaces: ['*'] });
    const [header, payload, signature] = good.split('.');
    const tampered = fc.oneof(
      nastyString.map((text) => `Bearer ${text}`),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom(
        `Bearer ${header}.${payload}.`,
        `Bearer ${header}.${payload}`,
        `Bearer ${header}..${signature}`,
        `Bearer ${good}x`,
        `Bearer ${good} ${good}`,
        `Basic ${good}`,
        `Bearer  `,
        `bearer ${good.toUpperCase()}`,
        `Bearer ${'a'.repeat(9_000)}`,
      ),
      // A payload swapped in under the original signature: admin of everything.
      fc.constant(
        `Bearer ${header}.${Buffer.from(JSON.stringify({ sub: 'mallory', roles: ['admin'], workspaces: ['*'], exp: 9e9 })).toString('base64url')}.${signature}`,
      ),
      // alg: none, and alg confusion attempts in the header.
      fc.constantFrom('none', 'HS512', 'RS256', 'ES256', 'HS256 ', 'hs256').map((alg) => {
        const forged = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
        return `Bearer ${forged}.${payload}.${alg === 'none' ? '' : signature}`;
      }),
    );
    const property = fc.asyncProperty(tampered, async (authorization) => {
      const outcome = await outcomeOf(authenticator.authenticate({ authorization }));
      tally.record(
        outcome,
        (crashed) => `${authorization.slice(0, 120)}: ${String(crashed.error)}`,
      );
      expect(outcome.kind).toBe('refused');
    });
    await assertProperty('raw Authorization', property, SEED_RAW, RAW_RUNS);
  });

  describe('over HTTP against the real host', () => {
    let host: RunningHost;

    beforeAll(async () => {
      host = await startHost({
        // Every run opens an approval as the agent: far past the default cap.
        env: { AUTH_JWT_SECRET: TEST_JWT_SECRET, MAX_OPEN_APPROVALS_PER_REQUESTER: '1000000' },
      });
    });

    it('answers 401, 404, 403 or the route’s success exactly as the claims allow, never 5xx', async () => {
      const route = fc.constantFrom('list', 'approve');
      const property = fc.asyncProperty(claims, route, async (claimSet, which) => {
        const token = await signTestJwt(claimSet);
        const headers = bearer(token);
        const approval = await createApproval(host.url, WS);
        const response =
          which === 'list'
            ? await request(host.url).get(approvalsPath(WS)).set(headers)
            : await request(host.url)
                .post(approvalsPath(WS, approval.id, 'approve'))
                .set(headers)
                .send({});
        tally.record(
          {
            kind:
              response.status >= 500 ? 'crashed' : response.status < 300 ? 'accepted' : 'refused',
          },
          () => `${which} ${response.status}: ${JSON.stringify(claimSet).slice(0, 200)}`,
        );
        const expected = expectedPrincipal(JSON.parse(JSON.stringify(claimSet)));
        const mayDecide = expected?.roles.some((role) => role === 'approver' || role === 'admin');
        const status = !expected
          ? 401
          : !seesWorkspace(expected, WS)
            ? 404
            : which === 'list'
              ? 200
              : mayDecide
                ? 200
                : 403;
        // Past the bearer bound it is a 401, or Node's own 431 once the header passes its limit.
        const oversize = token.length > MAX_BEARER_TOKEN_LENGTH;
        const allowed = oversize ? [401, 431] : [status];
        expect({ claimSet, which, status: response.status }).toEqual({
          claimSet,
          which,
          status: allowed.includes(response.status) ? response.status : allowed[0],
        });
      });
      await assertProperty('HTTP JWT claims', property, SEED_HTTP, HTTP_RUNS, {
        endOnFailure: true,
      });
    });
  });
});
