import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  approvalsPath,
  authAs,
  authToDecide,
  createApproval,
  decide,
  readApproval,
  type RunningHost,
  startHost,
} from './support';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const WS = 'ws-approvals';
const OTHER_WS = 'ws-other';
const DECISIONS = ['approve', 'reject', 'cancel'] as const;

/** Nest's usual validation error body. */
const badRequest = { statusCode: 400, error: 'Bad Request', message: expect.anything() };

/**
 * Sends each case and expects 400 with Nest's error body; the case's name is part of the
 * compared value, so a failure says which one. One host serves a whole table: a refused
 * request changes nothing, which each test checks afterwards.
 */
async function expectEach400(
  cases: [name: string, send: () => Promise<request.Response>][],
): Promise<void> {
  for (const [name, send] of cases) {
    const response = await send();
    expect({ name, status: response.status, body: response.body }).toEqual({
      name,
      status: 400,
      body: expect.objectContaining(badRequest),
    });
  }
}

describe('Approvals REST API', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  describe('POST /api/workspaces/:workspaceId/approvals', () => {
    it('creates a pending approval (201) with every field the contract names', async () => {
      const before = Date.now();
      const response = await request(host.url)
        .post(approvalsPath(WS))
        .set(authAs('agent'))
        .send({ action: 'send_email', payload: { to: 'bob@example.com' }, requestedBy: 'agent-7' })
        .expect(201);

      const approval = response.body as Approval;
      expect(approval).toEqual({
        id: expect.any(String),
        workspaceId: WS,
        action: 'send_email',
        payload: { to: 'bob@example.com' },
        requestedBy: 'agent-7',
        status: 'pending',
        createdAt: expect.stringMatching(ISO_DATE),
      });
      expect(Date.parse(approval.createdAt)).toBeGreaterThanOrEqual(before - 1_000);
      await expect(readApproval(host.url, WS, approval.id)).resolves.toEqual(approval);
    });

    it('creates with the action alone, and gives every approval its own id', async () => {
      const first = await createApproval(host.url, WS, { action: 'deploy' });
      const second = await createApproval(host.url, WS, { action: 'deploy' });

      expect(first).toEqual({
        id: expect.any(String),
        workspaceId: WS,
        action: 'deploy',
        // The creating principal, whether or not the body names one.
        requestedBy: 'agent-7',
        status: 'pending',
        createdAt: expect.stringMatching(ISO_DATE),
      });
      expect(second.id).not.toBe(first.id);
    });

    it('answers 400 to bad bodies, unknown fields and bad workspace ids, and creates nothing', async () => {
      const post = (workspaceId: string, body?: unknown) => () => {
        const call = request(host.url).post(approvalsPath(workspaceId)).set(authAs('agent'));
        return body === undefined ? call.then((r) => r) : call.send(body as object).then((r) => r);
      };
      await expectEach400([
        ['no body', post(WS)],
        ['an empty object', post(WS, {})],
        ['action missing', post(WS, { payload: {} })],
        ['action not a string', post(WS, { action: 42 })],
        ['action empty', post(WS, { action: '' })],
        ['action too long', post(WS, { action: 'a'.repeat(129) })],
        ['payload not an object', post(WS, { action: 'send_email', payload: 'to bob' })],
        ['payload an array', post(WS, { action: 'send_email', payload: [1, 2] })],
        [
          'payload over 8 KiB',
          post(WS, { action: 'send_email', payload: { blob: 'x'.repeat(9_000) } }),
        ],
        ['requestedBy empty', post(WS, { action: 'send_email', requestedBy: '' })],
        ['requestedBy not a string', post(WS, { action: 'send_email', requestedBy: 7 })],
        ['an unknown field', post(WS, { action: 'send_email', status: 'approved' })],
        ['an array body', post(WS, [{ action: 'send_email' }])],
        ['a workspace id with a space', post('ws%20one', { action: 'send_email' })],
        ['a workspace id with punctuation', post('ws!', { action: 'send_email' })],
        ['a workspace id of 129 characters', post('w'.repeat(129), { action: 'send_email' })],
      ]);

      await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200, []);
    });

    it('answers 400, naming the key, to keys the validation would silently drop', async () => {
      // Raw JSON, as a client sends it: JSON.parse makes "__proto__" an own key.
      const postRaw = (json: string) =>
        request(host.url)
          .post(approvalsPath(WS))
          .set(authAs('agent'))
          .set('content-type', 'application/json')
          .send(json);
      const cases: [json: string, message: string][] = [
        [
          '{"action":"send_email","__proto__":{"x":1}}',
          'the key "__proto__" is not allowed in a request',
        ],
        [
          '{"action":"send_email","constructor":"c"}',
          'the key "constructor" is not allowed in a request',
        ],
        [
          '{"action":"send_email","payload":{"to":"bob","nested":[{"__proto__":{"admin":true}}]}}',
          '"payload" must not contain the key "__proto__" at any depth',
        ],
        [
          '{"action":"send_email","payload":{"toString":"hello"}}',
          '"payload" must not contain the key "toString" at any depth',
        ],
        [
          '{"action":"send_email","payload":{"prototype":{}}}',
          '"payload" must not contain the key "prototype" at any depth',
        ],
      ];
      for (const [json, message] of cases) {
        const response = await postRaw(json);
        expect({ json, status: response.status, body: response.body }).toEqual({
          json,
          status: 400,
          body: { ...badRequest, message: [message] },
        });
      }
      // The query too: without the pipe ValidationPipe would drop it and answer 200.
      const query = await request(host.url)
        .get(`${approvalsPath(WS)}?__proto__=x`)
        .set(authAs('agent'));
      expect(query.status).toBe(400);

      await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200, []);
      // Nothing leaked into any prototype on the way.
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('answers 400 to malformed JSON', async () => {
      const response = await request(host.url)
        .post(approvalsPath(WS))
        .set(authAs('agent'))
        .set('content-type', 'application/json')
        .send('{"action": ')
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400 });
    });
  });

  describe('GET /api/workspaces/:workspaceId/approvals', () => {
    it('lists newest first, filters by status and honours limit', async () => {
      const first = await createApproval(host.url, WS, { action: 'one' });
      const second = await createApproval(host.url, WS, { action: 'two' });
      const third = await createApproval(host.url, WS, { action: 'three' });
      await createApproval(host.url, OTHER_WS, { action: 'elsewhere' });
      await decide(host.url, WS, second.id, 'approve');

      const all = await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200);
      expect((all.body as Approval[]).map((approval) => approval.id)).toEqual([
        third.id,
        second.id,
        first.id,
      ]);

      const pending = await request(host.url)
        .get(approvalsPath(WS))
        .set(authAs('agent'))
        .query({ status: 'pending' })
        .expect(200);
      expect((pending.body as Approval[]).map((approval) => approval.id)).toEqual([
        third.id,
        first.id,
      ]);

      const approved = await request(host.url)
        .get(approvalsPath(WS))
        .set(authAs('agent'))
        .query({ status: 'approved' })
        .expect(200);
      expect(approved.body).toEqual([
        expect.objectContaining({ id: second.id, status: 'approved' }),
      ]);

      const page = await request(host.url)
        .get(approvalsPath(WS))
        .set(authAs('agent'))
        .query({ limit: 1 })
        .expect(200);
      expect((page.body as Approval[]).map((approval) => approval.id)).toEqual([third.id]);
    });

    it('lists an unknown workspace as empty', async () => {
      await request(host.url)
        .get(approvalsPath('nobody-here'))
        .set(authAs('agent'))
        .expect(200, []);
    });

    it('answers 400 to a bad query', async () => {
      const list = (query: Record<string, string>) => () =>
        request(host.url)
          .get(approvalsPath(WS))
          .set(authAs('agent'))
          .query(query)
          .then((r) => r);
      await expectEach400([
        ['an unknown status', list({ status: 'done' })],
        ['limit 0', list({ limit: '0' })],
        ['limit over 100', list({ limit: '101' })],
        ['limit not a number', list({ limit: 'ten' })],
        ['limit not an integer', list({ limit: '1.5' })],
        ['an unknown query parameter', list({ sort: 'asc' })],
      ]);
    });
  });

  describe('GET /api/workspaces/:workspaceId/approvals/:approvalId', () => {
    it('answers 200 with the approval', async () => {
      const created = await createApproval(host.url, WS);

      await request(host.url)
        .get(approvalsPath(WS, created.id))
        .set(authAs('agent'))
        .expect(200, created);
    });

    it('answers 404 when absent', async () => {
      const response = await request(host.url)
        .get(approvalsPath(WS, '3f0c6c1e-8a4b-4c1e-9a57-2f0b1d6a9e11'))
        .set(authAs('agent'))
        .expect(404);
      expect(response.body).toMatchObject({ statusCode: 404 });
    });

    it('answers 404 when the approval belongs to another workspace', async () => {
      const created = await createApproval(host.url, OTHER_WS);

      const response = await request(host.url)
        .get(approvalsPath(WS, created.id))
        .set(authAs('agent'))
        .expect(404);
      expect(JSON.stringify(response.body)).not.toContain(OTHER_WS);
    });

    it('answers 400 to a bad approval id', async () => {
      const read = (approvalId: string) => () =>
        request(host.url)
          .get(approvalsPath(WS, approvalId))
          .set(authAs('agent'))
          .then((r) => r);
      await expectEach400([
        ['an odd character', read('a1$')],
        ['129 characters', read('a'.repeat(129))],
      ]);
    });
  });

  describe('decisions', () => {
    it('POST …/approve answers 200 with the approved approval', async () => {
      const created = await createApproval(host.url, WS);

      const response = await request(host.url)
        .post(approvalsPath(WS, created.id, 'approve'))
        .set(authAs('approver'))
        .send({ resolvedBy: 'alice', notes: 'Looks fine' })
        .expect(200);

      expect(response.body).toEqual({
        ...created,
        status: 'approved',
        resolvedBy: 'alice',
        resolution: { notes: 'Looks fine' },
        resolvedAt: expect.stringMatching(ISO_DATE),
      });
      await expect(readApproval(host.url, WS, created.id)).resolves.toEqual(response.body);
    });

    it('POST …/reject answers 200 with the rejected approval and its reason', async () => {
      const created = await createApproval(host.url, WS);

      const response = await request(host.url)
        .post(approvalsPath(WS, created.id, 'reject'))
        .set(authAs('secondApprover'))
        .send({ resolvedBy: 'bob', reason: 'Wrong recipient', notes: 'Ask Carol' })
        .expect(200);

      expect(response.body).toEqual({
        ...created,
        status: 'rejected',
        resolvedBy: 'bob',
        resolution: { reason: 'Wrong recipient', notes: 'Ask Carol' },
        resolvedAt: expect.stringMatching(ISO_DATE),
      });
    });

    it('POST …/cancel answers 200 with an empty body, and with resolvedBy and reason', async () => {
      const silent = await createApproval(host.url, WS);
      const explained = await createApproval(host.url, WS);

      const bare = await request(host.url)
        .post(approvalsPath(WS, silent.id, 'cancel'))
        .set(authAs('agent'))
        .send({})
        .expect(200);
      expect(bare.body).toEqual({
        ...silent,
        status: 'cancelled',
        // The cancelling principal, as for any decision.
        resolvedBy: 'agent-7',
        resolvedAt: expect.stringMatching(ISO_DATE),
      });

      const full = await request(host.url)
        .post(approvalsPath(WS, explained.id, 'cancel'))
        .set(authAs('agent'))
        .send({ resolvedBy: 'agent-7', reason: 'No longer needed' })
        .expect(200);
      expect(full.body).toEqual({
        ...explained,
        status: 'cancelled',
        resolvedBy: 'agent-7',
        resolution: { reason: 'No longer needed' },
        resolvedAt: expect.stringMatching(ISO_DATE),
      });
    });

    it.each(DECISIONS)(
      'POST …/%s answers 409 with the current approval once it is decided',
      async (action) => {
        const created = await createApproval(host.url, WS);
        const winner = await decide(
          host.url,
          WS,
          created.id,
          'reject',
          { reason: 'first' },
          authAs('secondApprover'),
        );

        const response = await request(host.url)
          .post(approvalsPath(WS, created.id, action))
          .set(authToDecide(action))
          .send({})
          .expect(409);

        expect(response.body).toEqual(winner);
        await expect(readApproval(host.url, WS, created.id)).resolves.toEqual(winner);
      },
    );

    it.each(DECISIONS)('POST …/%s answers 404 when absent', async (action) => {
      await request(host.url)
        .post(approvalsPath(WS, 'no-such-approval', action))
        .set(authToDecide(action))
        .send(action === 'cancel' ? {} : { resolvedBy: 'alice' })
        .expect(404);
    });

    it.each(DECISIONS)(
      'POST …/%s answers 404 for another workspace’s approval and leaves it pending',
      async (action) => {
        const created = await createApproval(host.url, OTHER_WS);

        await request(host.url)
          .post(approvalsPath(WS, created.id, action))
          .set(authToDecide(action))
          .send({})
          .expect(404);

        await expect(readApproval(host.url, OTHER_WS, created.id)).resolves.toMatchObject({
          status: 'pending',
        });
      },
    );

    it('answers 400 to bad decision bodies and bad ids, and decides nothing', async () => {
      const created = await createApproval(host.url, WS);
      const post =
        (action: (typeof DECISIONS)[number], body: object, approvalId = created.id) =>
        () =>
          request(host.url)
            .post(approvalsPath(WS, approvalId, action))
            .set(authToDecide(action))
            .send(body)
            .then((r) => r);

      await expectEach400([
        ['approve: resolvedBy empty', post('approve', { resolvedBy: '' })],
        ['approve: resolvedBy not a string', post('approve', { resolvedBy: 1 })],
        ['approve: resolvedBy too long', post('approve', { resolvedBy: 'a'.repeat(257) })],
        [
          'approve: notes too long',
          post('approve', { resolvedBy: 'alice', notes: 'n'.repeat(2_001) }),
        ],
        ['approve: an unknown field', post('approve', { resolvedBy: 'alice', status: 'rejected' })],
        ['approve: a bad approval id', post('approve', { resolvedBy: 'alice' }, 'bad id!')],
        // The host records the principal: another name than the caller's is refused.
        ['approve: resolvedBy of another', post('approve', { resolvedBy: 'the-cfo' })],
        ['reject: resolvedBy of another', post('reject', { resolvedBy: 'bob', reason: 'x' })],
        [
          'reject: reason too long',
          post('reject', { resolvedBy: 'alice', reason: 'r'.repeat(501) }),
        ],
        ['reject: reason not a string', post('reject', { resolvedBy: 'alice', reason: ['a'] })],
        ['reject: an unknown field', post('reject', { resolvedBy: 'alice', why: 'x' })],
        ['reject: a bad approval id', post('reject', { resolvedBy: 'alice' }, 'bad id!')],
        ['cancel: resolvedBy empty', post('cancel', { resolvedBy: '' })],
        ['cancel: resolvedBy of another', post('cancel', { resolvedBy: 'alice' })],
        ['cancel: reason too long', post('cancel', { reason: 'r'.repeat(501) })],
        ['cancel: an unknown field', post('cancel', { notes: 'x' })],
        ['cancel: a bad approval id', post('cancel', {}, 'bad id!')],
      ]);

      await expect(readApproval(host.url, WS, created.id)).resolves.toEqual(created);
    });

    it('of 20 racing approve/reject/cancel, exactly one wins (200) and the rest get 409 with the winner', async () => {
      const created = await createApproval(host.url, WS);

      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) => {
          const action = DECISIONS[index % DECISIONS.length];
          return request(host.url)
            .post(approvalsPath(WS, created.id, action))
            .set(authToDecide(action))
            .send(action === 'cancel' ? { reason: `racer ${index}` } : { notes: `racer ${index}` });
        }),
      );

      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);
      const winner = responses.find((response) => response.status === 200)!.body as Approval;
      expect(['approved', 'rejected', 'cancelled']).toContain(winner.status);
      for (const loser of responses.filter((response) => response.status === 409)) {
        expect(loser.body).toEqual(winner);
      }
      await expect(readApproval(host.url, WS, created.id)).resolves.toEqual(winner);
    });
  });
});
