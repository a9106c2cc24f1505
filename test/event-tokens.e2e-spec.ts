import request from 'supertest';
import {
  authAs,
  connectError,
  connectSocket,
  createApproval,
  decide,
  eventually,
  OUTSIDER_WORKSPACE,
  startHost,
} from './support';

const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';
const tokensPath = (workspaceId: string) => `/api/workspaces/${workspaceId}/event-tokens`;

describe('scoped subscriber tokens (POST /api/workspaces/:id/event-tokens)', () => {
  it('issues a token that hears its own workspace and may not join another', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const issued = await request(host.url)
      .post(tokensPath('ws1'))
      .set(authAs('agent'))
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
    const approval = await createApproval(host.url, 'ws1', { action: 'pay' });
    await decide(host.url, 'ws1', approval.id, 'approve', { resolvedBy: 'alice' });
    await eventually('the broadcast', () => heard.includes(approval.id));
  });

  it('issues them to agents, approvers (whose inbox listens) and admins', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    for (const who of ['agent', 'approver', 'admin'] as const) {
      const issued = await request(host.url).post(tokensPath('ws1')).set(authAs(who)).send({});
      expect({ who, status: issued.status }).toEqual({ who, status: 201 });
    }
  });

  it('issues them only for the caller’s own workspaces: any other is 404', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const refused = await request(host.url)
      .post(tokensPath('ws1'))
      .set(authAs('outsider'))
      .send({})
      .expect(404);
    expect(refused.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Workspace ws1 not found',
    });
    await request(host.url)
      .post(tokensPath(OUTSIDER_WORKSPACE))
      .set(authAs('outsider'))
      .send({})
      .expect(201);
  });

  it('needs a credential, and refuses a bad lifetime', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    await request(host.url).post(tokensPath('ws1')).send({}).expect(401);
    await request(host.url)
      .post(tokensPath('ws1'))
      .set(authAs('agent'))
      .send({ ttlSeconds: 10 })
      .expect(400);
  });

  it('issues tokens another host with another secret refuses', async () => {
    const issuer = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const other = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: `${JWT_SECRET}-other` } });
    const { body } = await request(issuer.url)
      .post(tokensPath('ws1'))
      .set(authAs('agent'))
      .send({})
      .expect(201);
    await expect(connectError(other.url, body.token)).resolves.toMatchObject({
      message: 'unauthorized',
    });
  });
});
