import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  approvalsPath,
  authAs,
  connectSocket,
  createApproval,
  decide,
  readApproval,
  type RunningHost,
  startHost,
  SUBSCRIBER_TOKEN,
} from './support';

const WS = 'ws-lifecycle';

/**
 * The REST edge of an approval's lifecycle on the embedded store: deadlines and their
 * outcomes as the long-poll sees them, the Idempotency-Key, the open-approvals cap (429 with
 * Retry-After) and the reminder hint on the bus.
 */
describe('approval lifecycle over REST', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost({ env: { MAX_OPEN_APPROVALS_PER_REQUESTER: '3' } });
  });

  /** A create as the agent, unless `headers` carry another credential. */
  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    request(host.url)
      .post(approvalsPath(WS))
      .set({ ...authAs('agent'), ...headers })
      .send(body);

  const list = (query = '') =>
    request(host.url)
      .get(`${approvalsPath(WS)}${query}`)
      .set(authAs('agent'))
      .then((response) => response.body as Approval[]);

  const longPoll = (approval: Approval, timeoutMs = 10_000) =>
    request(host.url)
      .get(`${approvalsPath(WS, approval.id, 'wait')}?timeoutMs=${timeoutMs}`)
      .set(authAs('agent'))
      .expect(200)
      .then((response) => ({ body: response.body as Approval, at: Date.now() }));

  describe('deadlines', () => {
    it('answers the create with its absolute deadline and policy', async () => {
      const before = Date.now();
      const approval = await createApproval(host.url, WS, {
        action: 'deploy',
        expiresInMs: 60_000,
        remindAfterMs: 30_000,
      });
      expect(approval).toMatchObject({ status: 'pending', onExpiry: 'expire' });
      expect(Date.parse(approval.expiresAt!) - before).toBeGreaterThanOrEqual(60_000);
      expect(Date.parse(approval.expiresAt!) - Date.parse(approval.createdAt)).toBe(60_000);
      expect(Date.parse((approval as { remindAt?: string }).remindAt!)).toBe(
        Date.parse(approval.createdAt) + 30_000,
      );
    });

    it.each<[string, Record<string, unknown>, string]>([
      [
        'both deadlines',
        { expiresInMs: 60_000, expiresAt: new Date(Date.now() + 60_000).toISOString() },
        'expiresAt cannot be given with expiresInMs',
      ],
      ['a deadline too soon', { expiresInMs: 500 }, 'expiresInMs must not be less than 1000'],
      [
        'a deadline in the past',
        { expiresAt: '2020-01-01T00:00:00Z' },
        'expiresAt must be in the future',
      ],
      ['a policy without a deadline', { onExpiry: 'approve' }, 'onExpiry needs a deadline'],
      [
        'a reminder after the deadline',
        { expiresInMs: 5_000, remindAfterMs: 6_000 },
        'remindAfterMs must be less than the deadline',
      ],
    ])('refuses %s with 400 and stores nothing', async (_, body, words) => {
      const response = await post({ action: 'deploy', ...body }).expect(400);
      expect(JSON.stringify(response.body.message)).toContain(words);
      await expect(list()).resolves.toEqual([]);
    });

    it('long-polls an approval to its end: expired, within milliseconds of its deadline', async () => {
      const approval = await createApproval(host.url, WS, { action: 'deploy', expiresInMs: 1_000 });
      const { body, at } = await longPoll(approval);
      expect(body).toMatchObject({
        id: approval.id,
        status: 'expired',
        resolvedBy: 'system:expiry',
        resolution: { cause: 'expired', expiresAt: approval.expiresAt, onExpiry: 'expire' },
      });
      expect(at - Date.parse(approval.expiresAt!)).toBeLessThan(500);
    });

    it.each([
      ['reject', 'rejected'],
      ['approve', 'auto_approved'],
    ])(
      'ends an approval with onExpiry %s as %s, told apart from a human by its actor',
      async (onExpiry, status) => {
        const approval = await createApproval(host.url, WS, {
          action: 'deploy',
          expiresInMs: 1_000,
          onExpiry,
        });
        const { body } = await longPoll(approval);
        expect(body).toMatchObject({
          status,
          resolvedBy: 'system:expiry',
          resolution: { cause: 'expired', onExpiry },
        });
        await expect(list(`?status=${status}`)).resolves.toEqual([body]);
      },
    );

    it('answers a decision after the deadline 409 with the expired approval', async () => {
      const approval = await createApproval(host.url, WS, { action: 'deploy', expiresInMs: 1_000 });
      await longPoll(approval);
      const response = await request(host.url)
        .post(approvalsPath(WS, approval.id, 'approve'))
        .set(authAs('approver'))
        .send({})
        .expect(409);
      expect(response.body).toMatchObject({ id: approval.id, status: 'expired' });
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a retried create 200 with the first approval and Idempotent-Replayed: true', async () => {
      const key = { 'Idempotency-Key': 'order-42' };
      const first = await post({ action: 'deploy', payload: { a: 1, b: 2 } }, key).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await post({ payload: { b: 2, a: 1 }, action: 'deploy' }, key).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      // Decided since: the replay answers it as it is now.
      await decide(host.url, WS, (first.body as Approval).id, 'approve');
      const late = await post({ action: 'deploy', payload: { a: 1, b: 2 } }, key).expect(200);
      expect(late.body).toMatchObject({ id: (first.body as Approval).id, status: 'approved' });
      await expect(list()).resolves.toHaveLength(1);
    });

    it('answers the key with another body 422, naming the conflict', async () => {
      const key = { 'Idempotency-Key': 'order-42' };
      const first = (await post({ action: 'deploy' }, key).expect(201)).body as Approval;
      const response = await post({ action: 'rollback' }, key).expect(422);
      expect(response.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
      expect(response.body.message).toContain('Idempotency-Key conflict');
      expect(response.body.message).toContain(first.id);
    });

    it.each([
      ['empty', ''],
      ['too long', 'k'.repeat(201)],
      ['not ASCII', 'clé'],
    ])('refuses a key that is %s with 400 naming the header', async (_, value) => {
      const response = await post({ action: 'deploy' }, { 'Idempotency-Key': value }).expect(400);
      expect(response.body.message).toBe(
        'Idempotency-Key must be 1 to 200 printable ASCII characters',
      );
    });

    it('scopes a key to the requesting principal', async () => {
      const key = { 'Idempotency-Key': 'k' };
      const a = (await post({ action: 'x' }, key).expect(201)).body;
      const b = (await post({ action: 'x' }, { ...key, ...authAs('admin') }).expect(201)).body;
      expect((a as Approval).id).not.toBe((b as Approval).id);
    });
  });

  describe('open approvals per requester', () => {
    it('answers the create past MAX_OPEN_APPROVALS_PER_REQUESTER 429 with Retry-After', async () => {
      for (let index = 0; index < 3; index++) {
        await createApproval(host.url, WS, { action: 'deploy', expiresInMs: 120_000 });
      }
      // A label names nobody: the cap counts the requesting principal (the agent).
      const refused = await post({ action: 'deploy', requestedFor: 'someone else' }).expect(429);
      expect(refused.body).toMatchObject({ statusCode: 429 });
      expect(refused.body.message).toContain('MAX_OPEN_APPROVALS_PER_REQUESTER = 3');
      // The earliest of its deadlines is two minutes away.
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(100);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
      await createApproval(host.url, WS, { action: 'deploy' }, authAs('admin'));
      await expect(list('?status=pending')).resolves.toHaveLength(4);
    });
  });

  describe('reminders', () => {
    it('sends approval:reminder once to the workspace’s subscribers, and the approval says so', async () => {
      const socket = await connectSocket(host.url, SUBSCRIBER_TOKEN);
      const reminders: Approval[] = [];
      socket.on('approval:reminder', (approval) => reminders.push(approval));
      await socket.timeout(5_000).emitWithAck('subscribe', { workspaceId: WS });
      const approval = await createApproval(host.url, WS, {
        action: 'deploy',
        remindAfterMs: 1_000,
        expiresInMs: 60_000,
      });
      const deadline = Date.now() + 5_000;
      while (reminders.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(reminders).toEqual([expect.objectContaining({ id: approval.id, status: 'pending' })]);
      const read = await readApproval(host.url, WS, approval.id);
      expect(Date.parse((read as { remindedAt?: string }).remindedAt!)).toBeGreaterThanOrEqual(
        Date.parse(approval.createdAt) + 1_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reminders).toHaveLength(1);
    });
  });
});
