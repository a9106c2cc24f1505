import request from 'supertest';
import {
  approvalsPath,
  bearer,
  createApproval,
  startHost,
  startJwksServer,
  TEST_AUDIENCE,
  TEST_ISSUER,
} from './support';

const WS = 'ws-jwks';

/** A host that verifies bearer tokens with the keys a local issuer publishes (made by jose). */
async function hostWithIssuer() {
  const issuer = await startJwksServer();
  const host = await startHost({
    env: {
      AUTH_JWKS_URL: issuer.url,
      AUTH_JWT_ISSUER: TEST_ISSUER,
      AUTH_JWT_AUDIENCE: TEST_AUDIENCE,
    },
  });
  return { issuer, host };
}

describe('bearer tokens verified with a JWKS (AUTH_JWKS_URL)', () => {
  it('lets an issuer’s approver decide, recorded under its sub', async () => {
    const { issuer, host } = await hostWithIssuer();
    const approval = await createApproval(host.url, WS);
    const token = await issuer.sign({
      sub: 'dana@example.com',
      roles: ['approver'],
      workspaces: [WS],
    });

    const approved = await request(host.url)
      .post(approvalsPath(WS, approval.id, 'approve'))
      .set(bearer(token))
      .send({})
      .expect(200);

    expect(approved.body).toMatchObject({ status: 'approved', resolvedBy: 'dana@example.com' });
  });

  it('refuses a token of another audience, or one past its exp, with 401 and a challenge', async () => {
    const { issuer, host } = await hostWithIssuer();
    const claims = { sub: 'dana', roles: ['admin'], workspaces: ['*'] };
    for (const token of [
      await issuer.sign({ ...claims, aud: 'another-app' }),
      await issuer.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    ]) {
      const response = await request(host.url)
        .get(approvalsPath(WS))
        .set(bearer(token))
        .expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
  });

  it('answers 503 with Retry-After while the key set cannot be fetched, not 401', async () => {
    const { issuer, host } = await hostWithIssuer();
    const token = await issuer.sign({ sub: 'dana', roles: ['approver'], workspaces: ['*'] });
    issuer.mode = 'fail';

    const response = await request(host.url).get(approvalsPath(WS)).set(bearer(token)).expect(503);

    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.message).toContain('cannot be verified now');
    // Once the issuer answers again, the same token works.
    issuer.mode = 'serve';
    await request(host.url).get(approvalsPath(WS)).set(bearer(token)).expect(200);
  });
});
