import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  approvalsPath,
  createApproval,
  readApproval,
  type RunningHost,
  startHost,
} from './support';
import { rawRequest } from './support/http';

const WS = 'ws-csrf';
/** What a browser adds to a request another site's page makes it send. */
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

describe('a cross-site page cannot make the host act', () => {
  let host: RunningHost;
  let approval: Approval;

  beforeEach(async () => {
    host = await startHost();
    approval = await createApproval(host.url, WS);
  });

  const stillPending = async () =>
    expect(readApproval(host.url, WS, approval.id)).resolves.toMatchObject({ status: 'pending' });

  it.each(['cancel', 'approve', 'reject'])(
    'answers 415 to a bare POST …/%s (no body, no content type: no preflight)',
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
      expect(answer).toMatchObject({ kind: 'response', status: 415 });
      expect(JSON.parse((answer as { body: string }).body)).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: expect.stringContaining('content-type: application/json'),
      });
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

  it('acts on a JSON content type, even with no body', async () => {
    await request(host.url)
      .post(approvalsPath(WS, approval.id, 'cancel'))
      .set('content-type', 'application/json')
      .expect(200);
  });

  it('acts on a bare POST that carries a credential header (no browser sends one cross-site)', async () => {
    const { outcome } = rawRequest(
      'POST',
      `${host.url}${approvalsPath(WS, approval.id, 'cancel')}`,
      undefined,
      {
        'x-api-key': 'not-checked-here-no-API_KEY-is-set',
        'content-length': '0',
      },
    );
    await expect(outcome).resolves.toMatchObject({ kind: 'response', status: 200 });
    const other = await createApproval(host.url, WS);
    const bearer = rawRequest(
      'POST',
      `${host.url}${approvalsPath(WS, other.id, 'cancel')}`,
      undefined,
      {
        authorization: 'Bearer anything',
        'content-length': '0',
      },
    );
    await expect(bearer.outcome).resolves.toMatchObject({ kind: 'response', status: 200 });
  });
});
