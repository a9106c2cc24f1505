import { ApprovalEventManager, ApprovalEventsModule } from '@app/approval-events';
import { Controller, Get, ValidationPipe, type INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { eventually } from '../../test/support/polling';
import { API_PREFIX, UNPREFIXED_ROUTES } from '../common/api.constants';
import { AuthModule } from '../auth/auth.module';
import { ApprovalsModule } from './approvals.module';
import { StoreApprovalStatusSource } from './store-approval-status.source';

const AGENT_KEY = 'controller-spec-agent-key-0123456789';
const APPROVER_KEY = 'controller-spec-approver-key-01234567';
const API_KEYS = JSON.stringify([
  { id: 'agent-7', key: AGENT_KEY, roles: ['agent'], workspaces: ['*'] },
  { id: 'alice', key: APPROVER_KEY, roles: ['approver'], workspaces: ['*'] },
]);

/** Stands in for the real `/health`: an unprefixed route the guard must leave alone. */
@Controller('health')
class ProbeController {
  @Get()
  check() {
    return { status: 'ok' };
  }
}

/** Shorter than Jest's 5 s test timeout, so a condition never met fails with its own message. */
const WAIT = { timeoutMs: 2_000 };

describe('ApprovalsController (HTTP, with the approval events library)', () => {
  let app: INestApplication;
  let server: Server;
  let manager: ApprovalEventManager;
  const base = `/${API_PREFIX}/workspaces/ws1/approvals`;

  /** As the agent (creates, reads, cancels), or with `key` (the approver decides). */
  const api = (key = AGENT_KEY) => ({
    get: (path: string) => request(server).get(path).set('x-api-key', key),
    post: (path: string, body: object = {}) =>
      request(server).post(path).set('x-api-key', key).send(body),
  });
  const approver = () => api(APPROVER_KEY);
  const createApproval = async () =>
    (await api().post(base, { action: 'send_email' }).expect(201)).body as { id: string };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ API_KEYS })] }),
        EventEmitterModule.forRoot(),
        AuthModule,
        ApprovalsModule,
        ApprovalEventsModule.forRootAsync({
          imports: [ApprovalsModule],
          inject: [StoreApprovalStatusSource],
          useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
        }),
      ],
      controllers: [ProbeController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix(API_PREFIX, { exclude: [...UNPREFIXED_ROUTES] });
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
    manager = app.get(ApprovalEventManager);
  });

  afterAll(async () => {
    await app.close();
  });

  describe('credentials', () => {
    it('refuses an /api request without the key with 401', async () => {
      await request(server).get(base).expect(401);
      await request(server).get(base).set('x-api-key', 'wrong').expect(401);
    });

    it('refuses a differently cased path that Express still routes to /api', async () => {
      await request(server).get(`/API/workspaces/ws1/approvals`).expect(401);
    });

    it('leaves unprefixed routes open', async () => {
      await request(server).get('/health').expect(200, { status: 'ok' });
    });
  });

  describe('CRUD and decisions', () => {
    it('creates, reads and lists approvals', async () => {
      const created = await createApproval();
      expect(created).toMatchObject({
        workspaceId: 'ws1',
        action: 'send_email',
        status: 'pending',
      });
      await api().get(`${base}/${created.id}`).expect(200, created);
      const listed = await api().get(`${base}?status=pending&limit=1`).expect(200);
      expect(listed.body).toEqual([created]);
    });

    it('answers 404 for another workspace and 400 for a bad id', async () => {
      const { id } = await createApproval();
      await api().get(`/${API_PREFIX}/workspaces/ws2/approvals/${id}`).expect(404);
      await api().get(`${base}/bad%20id`).expect(400);
      await api()
        .post(`/${API_PREFIX}/workspaces/${'w'.repeat(129)}/approvals`, { action: 'a' })
        .expect(400);
    });

    it('answers 200 to the winner and 409 with the current approval to the loser', async () => {
      const { id } = await createApproval();
      const [first, second] = await Promise.all([
        approver().post(`${base}/${id}/approve`, { resolvedBy: 'alice' }),
        approver().post(`${base}/${id}/reject`, { reason: 'no' }),
      ]);
      const statuses = [first.status, second.status].sort();
      expect(statuses).toEqual([200, 409]);
      const [winner, loser] = first.status === 200 ? [first, second] : [second, first];
      expect(loser.body).toEqual(winner.body);
      await api().get(`${base}/${id}`).expect(200, winner.body);
    });

    it('cancels with an empty body', async () => {
      const { id } = await createApproval();
      const cancelled = await api().post(`${base}/${id}/cancel`).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    });
  });

  describe('GET …/wait', () => {
    it('answers as soon as the approval is decided, woken by the event', async () => {
      const { id } = await createApproval();
      const wait = api()
        .get(`${base}/${id}/wait?timeoutMs=60000`)
        .then((response) => response);
      await eventually('the wait to start', () => manager.pendingCount === 1, WAIT);
      const startedAt = Date.now();
      await approver().post(`${base}/${id}/approve`, { resolvedBy: 'alice' }).expect(200);
      const response = await wait;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id, status: 'approved', resolvedBy: 'alice' });
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      expect(manager.pendingCount).toBe(0);
    });

    it('answers 200 with the cancelled approval when cancelled', async () => {
      const { id } = await createApproval();
      const wait = api()
        .get(`${base}/${id}/wait?timeoutMs=60000`)
        .then((response) => response);
      await eventually('the wait to start', () => manager.pendingCount === 1, WAIT);
      await api().post(`${base}/${id}/cancel`, { reason: 'gone' }).expect(200);
      const response = await wait;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id,
        status: 'cancelled',
        resolution: { reason: 'gone' },
      });
    });

    it('answers at once with an approval decided before the wait', async () => {
      const { id } = await createApproval();
      await approver().post(`${base}/${id}/reject`).expect(200);
      const response = await api().get(`${base}/${id}/wait?timeoutMs=60000`).expect(200);
      expect(response.body).toMatchObject({ status: 'rejected' });
    });

    it('answers 200 with the pending approval when the time runs out', async () => {
      const { id } = await createApproval();
      const response = await api().get(`${base}/${id}/wait?timeoutMs=50`).expect(200);
      expect(response.body).toMatchObject({ id, status: 'pending' });
      await api().get(`${base}/${id}/wait?timeoutMs=0`).expect(200);
    });

    it('answers 404 for an absent approval and 400 for a bad timeout', async () => {
      await api().get(`${base}/missing/wait?timeoutMs=1000`).expect(404);
      const { id } = await createApproval();
      await api().get(`${base}/${id}/wait?timeoutMs=120001`).expect(400);
    });

    it('ends the wait at once when the client hangs up', async () => {
      const { id } = await createApproval();
      const { port } = server.address() as AddressInfo;
      const hungUp = new Promise<void>((resolve) => {
        const client = httpRequest({
          host: '127.0.0.1',
          port,
          path: `${base}/${id}/wait?timeoutMs=60000`,
          headers: { 'x-api-key': AGENT_KEY },
        });
        client.on('error', () => resolve());
        client.end();
        void eventually('the wait to start', () => manager.pendingCount === 1, WAIT).then(() =>
          client.destroy(),
        );
      });
      await hungUp;
      await eventually('the wait to end', () => manager.pendingCount === 0, { timeoutMs: 500 });
      await api()
        .get(`${base}/${id}`)
        .expect(200)
        .expect(({ body }) => expect(body.status).toBe('pending'));
    });
  });
});
