import request from 'supertest';
import { API_KEY, approvalsPath, createApproval, type RunningHost, startHost } from './support';

const WS = 'ws-keyed';
const WRONG_KEY = 'not-the-api-key-0123456789';

/** Every `/api` route, as [method, path, body]. */
function apiRoutes(approvalId: string): [string, 'get' | 'post', string, object?][] {
  return [
    ['create', 'post', approvalsPath(WS), { action: 'send_email' }],
    ['list', 'get', approvalsPath(WS)],
    ['read', 'get', approvalsPath(WS, approvalId)],
    ['approve', 'post', approvalsPath(WS, approvalId, 'approve'), { resolvedBy: 'alice' }],
    ['reject', 'post', approvalsPath(WS, approvalId, 'reject'), { resolvedBy: 'alice' }],
    ['cancel', 'post', approvalsPath(WS, approvalId, 'cancel'), {}],
    ['wait', 'get', `${approvalsPath(WS, approvalId, 'wait')}?timeoutMs=0`],
    [
      'agent',
      'post',
      `/api/workspaces/${WS}/agents/email`,
      { to: 'bob@example.com', subject: 'Hi', timeoutMs: 0 },
    ],
  ];
}

describe('API key (API_KEY set)', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost({ env: { API_KEY } });
  });

  it.each([
    ['missing', {}],
    ['wrong', { 'x-api-key': WRONG_KEY }],
    ['empty', { 'x-api-key': '' }],
  ])(
    'answers 401 on every /api route when x-api-key is %s, and changes nothing',
    async (_case, headers) => {
      const pending = await createApproval(
        host.url,
        WS,
        { action: 'send_email' },
        { 'x-api-key': API_KEY },
      );

      for (const [name, method, path, body] of apiRoutes(pending.id)) {
        const call = request(host.url)[method](path).set(headers);
        const response = await (body ? call.send(body) : call);
        expect({ name, status: response.status }).toEqual({ name, status: 401 });
        expect(response.body).toMatchObject({ statusCode: 401 });
      }

      const list = await request(host.url)
        .get(approvalsPath(WS))
        .set('x-api-key', API_KEY)
        .expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id: pending.id, status: 'pending' })]);
    },
  );

  it('lets every /api route through with the right key', async () => {
    const headers = { 'x-api-key': API_KEY };
    const pending = await createApproval(host.url, WS, { action: 'send_email' }, headers);

    await request(host.url).get(approvalsPath(WS)).set(headers).expect(200);
    await request(host.url).get(approvalsPath(WS, pending.id)).set(headers).expect(200);
    await request(host.url)
      .get(approvalsPath(WS, pending.id, 'wait'))
      .query({ timeoutMs: 0 })
      .set(headers)
      .expect(200);
    await request(host.url)
      .post(approvalsPath(WS, pending.id, 'approve'))
      .set(headers)
      .send({ resolvedBy: 'alice' })
      .expect(200);
  });

  it('keeps /health and /metrics open without a key', async () => {
    await request(host.url).get('/health').expect(200);
    await request(host.url).get('/metrics').expect(200);
  });

  it('does not accept the key in another header or the query string', async () => {
    await request(host.url).get(approvalsPath(WS)).set('authorization', API_KEY).expect(401);
    await request(host.url).get(approvalsPath(WS)).query({ 'x-api-key': API_KEY }).expect(401);
  });
});

describe('API key (API_KEY unset)', () => {
  it('lets /api requests through without a key', async () => {
    const host = await startHost();

    await createApproval(host.url, WS);
    await request(host.url).get(approvalsPath(WS)).expect(200);
  });
});
