import request from 'supertest';
import {
  API_KEY,
  connectError,
  connectSocket,
  createApproval,
  decide,
  eventually,
  startHost,
} from './support';

const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';

describe('scoped subscriber tokens (POST /api/workspaces/:id/event-tokens)', () => {
  it('issues a token that hears its own workspace and may not join another', async () => {
    const host = await startHost({ env: { API_KEY, APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const issued = await request(host.url)
      .post('/api/workspaces/ws1/event-tokens')
      .set('x-api-key', API_KEY)
      .send({ ttlSeconds: 600 })
      .expect(201);
    expect(issued.body).toMatchObject({ workspaceId: 'ws1', token: expect.any(String) });
    expect(Date.parse(issued.body.expiresAt)).toBeGreaterThan(Date.now() + 590_000);

    const socket = await connectSocket(host.url, issued.body.token);
    await expect(socket.emitWithAck('subscribe', { workspaceId: 'ws2' })).resolves.toEqual({
      ok: false,
      error: 'forbidden',
    });
    await expect(socket.emitWithAck('subscribe', { workspaceId: 'ws1' })).resolves.toEqual({
      ok: true,
    });
    const heard: string[] = [];
    socket.on('approval:resolved', (result) => heard.push(result.approvalId));
    const approval = await createApproval(
      host.url,
      'ws1',
      { action: 'pay' },
      { 'x-api-key': API_KEY },
    );
    await decide(
      host.url,
      'ws1',
      approval.id,
      'approve',
      { resolvedBy: 'alice' },
      { 'x-api-key': API_KEY },
    );
    await eventually('the broadcast', () => heard.includes(approval.id));
  });

  it('needs the API key, and refuses a bad lifetime', async () => {
    const host = await startHost({ env: { API_KEY, APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    await request(host.url).post('/api/workspaces/ws1/event-tokens').send({}).expect(401);
    await request(host.url)
      .post('/api/workspaces/ws1/event-tokens')
      .set('x-api-key', API_KEY)
      .send({ ttlSeconds: 10 })
      .expect(400);
  });

  it('issues tokens another host with another secret refuses', async () => {
    const issuer = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const other = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: `${JWT_SECRET}-other` } });
    const { body } = await request(issuer.url)
      .post('/api/workspaces/ws1/event-tokens')
      .send({})
      .expect(201);
    await expect(connectError(other.url, body.token)).resolves.toMatchObject({
      message: 'unauthorized',
    });
  });
});
