import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  approvalsPath,
  authAs,
  bearer,
  createApproval,
  readApproval,
  type RunningHost,
  signTestJwt,
  startHost,
  TEST_JWT_SECRET,
} from './support';
import { rawRequest } from './support/http';

const WS = 'ws-csrf';
/** What a browser adds to a request another site's page makes it send. */
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

describe('a cross-site page cannot make the host act', () => {
  let host: RunningHost;
  let approval: Approval;

  beforeEach(async () => {
    host = await startHost({ env: { AUTH_JWT_SECRET: TEST_JWT_SECRET } });
    approval = await createApproval(host.url, WS);
  });

  const stillPending = async () =>
    expect(readApproval(host.url, WS, approval.id)).resolves.toMatchObject({ status: 'pending' });

  // What a cross-site page can send carries no credential header, so authentication refuses
  // it first (401); JsonOrCredentialGuard (its own spec) would refuse it (415) even if a
  // credential ever travelled in a cookie.
  it.each(['cancel', 'approve', 'reject'])(
    'refuses a bare POST …/%s (no body, no content type: no preflight)',
    async (verb) => {
      // A <form method="post"> with no fields, or fetch(url, { method: 'POST', mode: 'no-cors' }).
      const { outcome } = rawRequest(
        'POST',
        `${host.url}${approvalsPath(WS, approval.id, verb)}`,
        undefined,
        {
          ...CROSS_SITE,
          'content-length': '0',
        },
      );
      const answer = await outcome;
      expect(answer).toMatchObject({ kind: 'response', status: 401 });
      await stillPending();
    },
  );

  it('answers 415 to the other simple bodies a form can send', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await request(host.url)
        .post(approvalsPath(WS, approval.id, 'cancel'))
        .set(CROSS_SITE)
        .set('content-type', type)
        .send(type.startsWith('multipart') ? '--x--' : 'reason=gone');
      expect({ type, status: response.status }).toEqual({ type, status: 415 });
    }
    await stillPending();
  });

  it('grants no CORS preflight, so neither a JSON type nor a credential can be sent cross-site', async () => {
    const preflight = await request(host.url)
      .options(approvalsPath(WS, approval.id, 'cancel'))
      .set({ ...CROSS_SITE, 'access-control-request-method': 'POST' })
      .set('access-control-request-headers', 'content-type, x-api-key');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('acts on a JSON content type with a credential, even with no body', async () => {
    await request(host.url)
      .post(approvalsPath(WS, approval.id, 'cancel'))
      .set(authAs('agent'))
      .set('content-type', 'application/json')
      .expect(200);
  });

  it('acts on a bare POST that carries a credential header (no browser sends one cross-site)', async () => {
    const { outcome } = rawRequest(
      'POST',
      `${host.url}${approvalsPath(WS, approval.id, 'cancel')}`,
      undefined,
      {
        ...authAs('agent'),
        'content-length': '0',
      },
    );
    await expect(outcome).resolves.toMatchObject({ kind: 'response', status: 200 });
    const other = await createApproval(host.url, WS);
    const withToken = rawRequest(
      'POST',
      `${host.url}${approvalsPath(WS, other.id, 'cancel')}`,
      undefined,
      {
        ...bearer(await signTestJwt({ sub: 'agent-jwt', roles: ['agent'], workspaces: [WS] })),
        'content-length': '0',
      },
    );
    await expect(withToken.outcome).resolves.toMatchObject({ kind: 'response', status: 200 });
  });
});
