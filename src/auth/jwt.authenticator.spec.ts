import { Logger, UnauthorizedException } from '@nestjs/common';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type JwksServer,
} from '../../test/support/jwks-server';
import { signTestJwt, TEST_JWT_SECRET } from '../../test/support/principals';
import { closeAll } from '../../test/support/resources';
import { JwksUnavailableError } from './errors/jwks-unavailable.error';
import { JwtAuthenticator } from './jwt.authenticator';

const CLAIMS = { sub: 'dana', roles: ['approver'], workspaces: ['ws1'] };

afterEach(closeAll);

async function refusal(authenticate: Promise<unknown>): Promise<Error> {
  const error = await authenticate.then(
    () => {
      throw new Error('the token was accepted');
    },
    (caught: unknown) => caught as Error,
  );
  return error;
}

describe('JwtAuthenticator', () => {
  describe('with AUTH_JWT_SECRET (HS256)', () => {
    const jwt = new JwtAuthenticator({ secret: TEST_JWT_SECRET });

    it('accepts a signed token and returns its principal', async () => {
      await expect(jwt.authenticate(await signTestJwt(CLAIMS))).resolves.toEqual({
        id: 'dana',
        kind: 'jwt',
        roles: ['approver'],
        workspaces: ['ws1'],
      });
    });

    it.each([
      [
        'expired',
        () => signTestJwt(CLAIMS, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
        'Bearer token expired',
      ],
      [
        'signed with another secret',
        () => signTestJwt(CLAIMS, { secret: `${TEST_JWT_SECRET}-x` }),
        'Invalid bearer token',
      ],
      [
        'without exp',
        () =>
          new SignJWT(CLAIMS)
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
        'Invalid bearer token',
      ],
      [
        'with alg none',
        () => Promise.resolve(new UnsecuredJWT(CLAIMS).setExpirationTime('1h').encode()),
        'Invalid bearer token',
      ],
      [
        'signed HS512 with the secret',
        () =>
          new SignJWT(CLAIMS)
            .setProtectedHeader({ alg: 'HS512' })
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
        'Invalid bearer token',
      ],
      ['not a JWT', () => Promise.resolve('not.a.jwt'), 'Invalid bearer token'],
      [
        'with bad claims',
        () => signTestJwt({ ...CLAIMS, workspaces: '*' }),
        'workspaces must be an array',
      ],
    ])('refuses a token %s with 401', async (_case, token, message) => {
      const error = await refusal(jwt.authenticate(await token()));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toContain(message);
    });

    it('checks iss and aud when they are configured', async () => {
      const strict = new JwtAuthenticator({
        secret: TEST_JWT_SECRET,
        issuer: 'me',
        audience: 'us',
      });
      await expect(strict.authenticate(await signTestJwt(CLAIMS))).rejects.toThrow(
        'Invalid bearer token',
      );
      await expect(
        strict.authenticate(await signTestJwt({ ...CLAIMS, iss: 'me', aud: 'us' })),
      ).resolves.toMatchObject({ id: 'dana' });
    });
  });

  describe('with AUTH_JWKS_URL', () => {
    let issuer: JwksServer;
    let jwt: JwtAuthenticator;

    beforeEach(async () => {
      issuer = await startJwksServer();
      jwt = new JwtAuthenticator({
        jwksUrl: issuer.url,
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
      });
    });

    it('accepts a token signed by a published key, fetching the set once', async () => {
      await expect(jwt.authenticate(await issuer.sign(CLAIMS))).resolves.toMatchObject({
        id: 'dana',
        kind: 'jwt',
      });
      await expect(jwt.authenticate(await issuer.sign(CLAIMS))).resolves.toMatchObject({
        id: 'dana',
      });
      expect(issuer.fetches).toBe(1);
    });

    it.each([
      ['another issuer', { iss: 'https://evil.test/' }],
      ['another audience', { aud: 'other-app' }],
    ])('refuses a token of %s', async (_case, override) => {
      await expect(jwt.authenticate(await issuer.sign({ ...CLAIMS, ...override }))).rejects.toThrow(
        'Invalid bearer token',
      );
    });

    it('refuses an HS256 token, whatever it is signed with (no secret is configured)', async () => {
      const token = await signTestJwt({ ...CLAIMS, iss: TEST_ISSUER, aud: TEST_AUDIENCE });
      await expect(jwt.authenticate(token)).rejects.toThrow('Invalid bearer token');
      expect(issuer.fetches).toBe(0);
    });

    it('refuses a key id the set does not hold with 401', async () => {
      await expect(jwt.authenticate(await issuer.sign(CLAIMS, { kid: 'unknown' }))).rejects.toThrow(
        'Invalid bearer token',
      );
    });

    it('says the key set is unavailable (not that the token is bad) when it cannot be fetched', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      issuer.mode = 'fail';
      const error = await refusal(jwt.authenticate(await issuer.sign(CLAIMS)));
      expect(error).toBeInstanceOf(JwksUnavailableError);
      expect(error.name).toBe('JwksUnavailableError');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`The JWKS at ${issuer.url}`));
      warn.mockRestore();
    });
  });

  it('accepts both kinds when both are configured, each with its own key', async () => {
    const issuer = await startJwksServer();
    const both = new JwtAuthenticator({
      secret: TEST_JWT_SECRET,
      jwksUrl: issuer.url,
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
    });
    await expect(both.authenticate(await issuer.sign(CLAIMS))).resolves.toMatchObject({
      id: 'dana',
    });
    await expect(
      both.authenticate(await signTestJwt({ ...CLAIMS, iss: TEST_ISSUER, aud: TEST_AUDIENCE })),
    ).resolves.toMatchObject({ id: 'dana' });
  });
});
