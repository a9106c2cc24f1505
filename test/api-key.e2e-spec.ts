import request from 'supertest';
import { RecordingLogger } from './support/recording-logger';
import { API_KEY, approvalsPath, authAs, createApproval, decide, startHost } from './support';

const WS = 'ws-keyed';
const LEGACY = { 'x-api-key': API_KEY };

describe('the legacy API_KEY: one agent key on every workspace', () => {
  it('creates, reads, waits, cancels and issues event tokens as the principal "api-key"', async () => {
    const host = await startHost({ env: { API_KEY, API_KEYS: undefined } });
    const approval = await createApproval(host.url, WS, { action: 'send_email' }, LEGACY);
    expect(approval).toMatchObject({ requestedBy: 'api-key' });
    await request(host.url).get(approvalsPath(WS)).set(LEGACY).expect(200);
    await request(host.url).get(approvalsPath(WS, approval.id)).set(LEGACY).expect(200);
    await request(host.url)
      .get(approvalsPath(WS, approval.id, 'wait'))
      .query({ timeoutMs: 0 })
      .set(LEGACY)
      .expect(200);
    await request(host.url)
      .post(`/api/workspaces/${WS}/event-tokens`)
      .set(LEGACY)
      .send({})
      .expect(201);
    await expect(decide(host.url, WS, approval.id, 'cancel', {}, LEGACY)).resolves.toMatchObject({
      status: 'cancelled',
      resolvedBy: 'api-key',
    });
  });

  it.each(['approve', 'reject'] as const)(
    'can no longer %s: 403 naming the roles that can',
    async (action) => {
      const host = await startHost({ env: { API_KEY } });
      const approval = await createApproval(host.url, WS);
      const response = await request(host.url)
        .post(approvalsPath(WS, approval.id, action))
        .set(LEGACY)
        .send({})
        .expect(403);
      expect(response.body).toMatchObject({
        message: 'This needs the role approver or admin; api-key has agent',
      });
    },
  );

  it.each([
    ['missing', {}],
    ['wrong', { 'x-api-key': 'not-the-api-key-0123456789' }],
    ['empty', { 'x-api-key': '' }],
    ['in another header', { authorization: API_KEY }],
    ['as a bearer token', { authorization: `Bearer ${API_KEY}` }],
  ])('answers 401 when the key is %s', async (_case, headers) => {
    const host = await startHost({ env: { API_KEY, API_KEYS: undefined } });
    const response = await request(host.url).get(approvalsPath(WS)).set(headers).expect(401);
    expect(response.body).toMatchObject({ statusCode: 401 });
  });

  it('does not accept the key in the query string', async () => {
    const host = await startHost({ env: { API_KEY } });
    await request(host.url).get(approvalsPath(WS)).query({ 'x-api-key': API_KEY }).expect(401);
  });

  it('keeps /health and /metrics open without a key', async () => {
    const host = await startHost({ env: { API_KEY } });
    await request(host.url).get('/health').expect(200);
    await request(host.url).get('/metrics').expect(200);
  });
});

describe('a development host with no REST credential', () => {
  it('has no open mode: it generates an agent key and an approver key and logs them once', async () => {
    const logger = new RecordingLogger();
    const host = await startHost({ env: { API_KEYS: undefined, LOG_LEVEL: 'log' }, logger });
    await request(host.url).get(approvalsPath(WS)).expect(401);

    const announcements = logger.lines().filter((line) => line.includes('export AGENT_KEY='));
    expect(announcements).toHaveLength(1);
    const [, agentKey, approverKey] = /AGENT_KEY=(\S+) APPROVER_KEY=(\S+)/.exec(announcements[0])!;
    const agent = { 'x-api-key': agentKey };
    const approver = { 'x-api-key': approverKey };
    const approval = await createApproval(host.url, WS, { action: 'send_email' }, agent);
    expect(approval.requestedBy).toBe('dev-agent');
    await expect(decide(host.url, WS, approval.id, 'approve', {}, approver)).resolves.toMatchObject(
      {
        status: 'approved',
        resolvedBy: 'dev-approver',
      },
    );
    // The suites' own keys mean nothing to it.
    await request(host.url).get(approvalsPath(WS)).set(authAs('admin')).expect(401);
  });
});
