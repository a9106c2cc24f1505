import { ApprovalEventGateway } from '@app/approval-events/gateway';
import { ApprovalEventTokens, type Approval, type ApprovalResult } from '@app/approval-events';
import { GATEWAY_CONNECTS_PER_IP } from '@app/approval-events/internal';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import {
  authAs,
  approvalsPath,
  connectError,
  connectSocket,
  createApproval,
  decide,
  delay,
  eventually,
  hostMetric,
  PRODUCER_TOKEN,
  readApproval,
  type RunningHost,
  startHost,
  subscriber,
  SUBSCRIBER_TOKEN,
  openSocket,
} from './support';

const WS = 'ws-bus';
const OTHER_WS = 'ws-bus-other';
const ACK_TIMEOUT_MS = 5_000;

const validEvent = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  approvalId: 'a-1',
  workspaceId: WS,
  status: 'approved',
  resolvedBy: 'alice',
  resolvedAt: new Date().toISOString(),
  ...overrides,
});

/** A body with an own `__proto__` key, as JSON.parse makes it on the server. */
const withProtoKey = JSON.parse(
  JSON.stringify(validEvent()).replace('{', '{"__proto__":{"polluted":true},'),
) as Record<string, unknown>;

const { resolvedAt: _resolvedAt, ...withoutResolvedAt } = validEvent();
const { approvalId: _approvalId, ...withoutApprovalId } = validEvent();
const { workspaceId: _workspaceId, ...withoutWorkspaceId } = validEvent();

/** `approval:resolved` bodies a producer may send that must each be refused. */
const MALFORMED_EVENTS: [string, unknown][] = [
  ['null', null],
  ['a string', 'approved'],
  ['a number', 42],
  ['an array', [validEvent()]],
  ['an empty object', {}],
  ['no approvalId', withoutApprovalId],
  ['no workspaceId', withoutWorkspaceId],
  ['no resolvedAt', withoutResolvedAt],
  ['status pending', validEvent({ status: 'pending' })],
  ['an unknown status', validEvent({ status: 'maybe' })],
  ['resolvedAt not a date', validEvent({ resolvedAt: 'yesterday' })],
  ['resolvedAt a number', validEvent({ resolvedAt: Date.now() })],
  ['an approvalId with a space', validEvent({ approvalId: 'a 1' })],
  ['an empty approvalId', validEvent({ approvalId: '' })],
  ['an approvalId of 129 characters', validEvent({ approvalId: 'a'.repeat(129) })],
  ['a workspaceId number', validEvent({ workspaceId: 7 })],
  ['a resolution string', validEvent({ resolution: 'ok' })],
  ['a resolution array', validEvent({ resolution: ['ok'] })],
  ['a resolution over 16 KiB', validEvent({ resolution: { notes: 'n'.repeat(17_000) } })],
  ['a resolvedBy of 257 characters', validEvent({ resolvedBy: 'r'.repeat(257) })],
  ['a resolvedBy number', validEvent({ resolvedBy: 1 })],
  ['an unknown field', validEvent({ approved: true })],
  ['a __proto__ key', withProtoKey],
];

/** `subscribe` bodies that must each be refused. */
const MALFORMED_SUBSCRIPTIONS: [string, unknown][] = [
  ['null', null],
  ['a string', WS],
  ['a null workspaceId', { workspaceId: null }],
  ['another channel', { channel: 'other' }],
  ['an empty workspaceId', { workspaceId: '' }],
  ['a workspaceId with a space', { workspaceId: 'ws 1' }],
  ['a workspaceId number', { workspaceId: 1 }],
  ['an unknown field', { workspaceId: WS, all: true }],
  ['an unknown field beside no workspaceId', { all: true }],
];

/** A socket.io-client on any namespace of the host. */
const openNamespace = (hostUrl: string, namespace: string, token?: string): Socket =>
  openSocket(hostUrl, token, namespace);

/** How a handshake ends: `connected`, or the `connect_error` message. */
const handshakeOutcome = (socket: Socket) =>
  new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });

/** Engine.io connections the host holds open now, whatever namespace they asked for. */
const openConnections = (host: RunningHost) =>
  (
    Reflect.get(host.app.get(ApprovalEventGateway), 'namespace') as {
      server: { engine: { clientsCount: number } };
    }
  ).server.engine.clientsCount;

/** A socket on /approvals that records every `approval:requested` it hears. */
async function requestWatcher(hostUrl: string, token: string, body: Record<string, unknown>) {
  const socket = await connectSocket(hostUrl, token);
  const heard: Approval[] = [];
  socket.on('approval:requested', (approval) => heard.push(approval));
  const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', body);
  return { socket, heard, ack };
}

describe('Socket.io gateway (/approvals)', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  describe('handshake', () => {
    it.each<[string, unknown]>([
      ['no token', undefined],
      ['a wrong token', 'not-a-token-of-this-host'],
      ['an empty token', ''],
      ['a token that is not a string', 12345],
    ])('refuses %s with connect_error "unauthorized", and counts it', async (_case, token) => {
      const error = await connectError(host.url, token as string | undefined);

      expect(error.message).toBe('unauthorized');
      expect(
        await hostMetric(host.url, 'approval_events_rejected_total', { reason: 'unauthorized' }),
      ).toBe(1);
    });

    it.each([
      ['the default namespace / with no token', '/', undefined],
      ['the default namespace / with the producer token', '/', PRODUCER_TOKEN],
      ['another namespace', '/other', SUBSCRIBER_TOKEN],
    ])('refuses %s at the handshake, and counts it', async (_case, namespace, token) => {
      const socket = openNamespace(host.url, namespace, token);

      await expect(handshakeOutcome(socket)).resolves.not.toBe('connected');
      expect(socket.connected).toBe(false);
      expect(
        await hostMetric(host.url, 'approval_events_rejected_total', { reason: 'unauthorized' }),
      ).toBe(1);
    });

    it('keeps refusing other namespaces after the per-IP handshake limit, and holds none of them', async () => {
      const spent = await Promise.all(
        Array.from({ length: GATEWAY_CONNECTS_PER_IP + 1 }, () =>
          handshakeOutcome(openNamespace(host.url, '/approvals', 'not-a-token-of-this-host')),
        ),
      );
      expect(spent).toContain('rate_limited');

      const attempts = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          handshakeOutcome(openNamespace(host.url, index % 2 === 0 ? '/' : '/other')),
        ),
      );

      expect(attempts.filter((outcome) => outcome === 'connected')).toEqual([]);
      expect(attempts).toHaveLength(200);
      // The clients close their transports after the refusal; the host keeps none open.
      await eventually('every refused connection to close', () => openConnections(host) === 0);
    });

    it('accepts the producer and the subscriber tokens', async () => {
      const producer = await connectSocket(host.url, PRODUCER_TOKEN);
      const listener = await connectSocket(host.url, SUBSCRIBER_TOKEN);

      expect(producer.connected).toBe(true);
      expect(listener.connected).toBe(true);
    });
  });

  describe('publishing', () => {
    it('refuses a publish from a subscriber with "forbidden", and it reaches nobody', async () => {
      const approval = await createApproval(host.url, WS);
      const watcher = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const intruder = await connectSocket(host.url, SUBSCRIBER_TOKEN);

      const ack = await intruder
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('approval:resolved', validEvent({ approvalId: approval.id }) as never);

      expect(ack).toEqual({ ok: false, error: 'forbidden' });
      expect(
        await hostMetric(host.url, 'approval_events_rejected_total', { reason: 'forbidden' }),
      ).toBe(1);
      expect(
        await hostMetric(host.url, 'approval_events_received_total', { source: 'gateway' }),
      ).toBe(0);
      await delay(100);
      expect(watcher.received).toEqual([]);
    });

    it('accepts a well-formed producer event, counts it and broadcasts it to the workspace', async () => {
      const watcher = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const producer = await connectSocket(host.url, PRODUCER_TOKEN);
      const event = validEvent({ resolution: { notes: 'from another service' } });

      const ack = await producer
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('approval:resolved', event as never);

      expect(ack).toEqual({ ok: true });
      await eventually('the broadcast', () => watcher.received.length === 1);
      expect(watcher.received).toEqual([event]);
      expect(
        await hostMetric(host.url, 'approval_events_received_total', { source: 'gateway' }),
      ).toBe(1);
    });

    it('acks every malformed event "invalid_payload", counts each, and stays healthy', async () => {
      const watcher = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const producer = await connectSocket(host.url, PRODUCER_TOKEN);

      for (const [name, body] of MALFORMED_EVENTS) {
        const ack = await producer
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('approval:resolved', body as never);
        expect({ name, ack }).toEqual({ name, ack: { ok: false, error: 'invalid_payload' } });
      }

      expect(
        await hostMetric(host.url, 'approval_events_rejected_total', { reason: 'invalid_payload' }),
      ).toBe(MALFORMED_EVENTS.length);
      expect(
        await hostMetric(host.url, 'approval_events_received_total', { source: 'gateway' }),
      ).toBe(0);
      expect(watcher.received).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await request(host.url).get('/health').expect(200);
      // The same connection still works.
      const ack = await producer
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('approval:resolved', validEvent() as never);
      expect(ack).toEqual({ ok: true });
    });

    it('acks every malformed subscription "invalid_payload" and stays healthy', async () => {
      const socket = await connectSocket(host.url, SUBSCRIBER_TOKEN);

      for (const [name, body] of MALFORMED_SUBSCRIPTIONS) {
        const subscribed = await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('subscribe', body as never);
        expect({ name, subscribed }).toEqual({
          name,
          subscribed: { ok: false, error: 'invalid_payload' },
        });
        const unsubscribed = await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('unsubscribe', body as never);
        expect({ name, unsubscribed }).toEqual({
          name,
          unsubscribed: { ok: false, error: 'invalid_payload' },
        });
      }

      await request(host.url).get('/health').expect(200);
      expect(socket.connected).toBe(true);
    });

    it('drops a connection that sends a message over 64 KiB, and stays healthy', async () => {
      const producer = await connectSocket(host.url, PRODUCER_TOKEN);
      const disconnected = new Promise<string>((resolve) => producer.once('disconnect', resolve));

      producer.emit(
        'approval:resolved',
        validEvent({ resolution: { blob: 'x'.repeat(70_000) } }) as never,
        () => undefined, // never called: the server drops the connection instead
      );

      await expect(disconnected).resolves.toEqual(expect.any(String));
      await request(host.url).get('/health').expect(200);
      expect(
        await hostMetric(host.url, 'approval_events_received_total', { source: 'gateway' }),
      ).toBe(0);
    });
  });

  describe('subscriptions', () => {
    it('broadcasts a REST decision to the subscribers of its workspace', async () => {
      const approval = await createApproval(host.url, WS);
      const first = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const second = await subscriber(host.url, PRODUCER_TOKEN, WS);

      const decided = await decide(host.url, WS, approval.id, 'reject', {
        resolvedBy: 'bob',
        reason: 'Wrong recipient',
      });

      const expected: ApprovalResult = {
        approvalId: approval.id,
        workspaceId: WS,
        status: 'rejected',
        resolvedBy: 'bob',
        resolution: { reason: 'Wrong recipient' },
        resolvedAt: decided.resolvedAt!,
      };
      await eventually(
        'both subscribers to hear it',
        () => first.received.length === 1 && second.received.length === 1,
      );
      expect(first.received).toEqual([expected]);
      expect(second.received).toEqual([expected]);
    });

    it('sends a subscriber only the resolutions of its own workspaces', async () => {
      const mine = await createApproval(host.url, WS);
      const theirs = await createApproval(host.url, OTHER_WS);
      const listener = await subscriber(host.url, SUBSCRIBER_TOKEN, OTHER_WS);
      const unsubscribed = await connectSocket(host.url, SUBSCRIBER_TOKEN);
      const heardByUnsubscribed: ApprovalResult[] = [];
      unsubscribed.on('approval:resolved', (result) => heardByUnsubscribed.push(result));

      // Decided in this order, so a leak of the first would arrive before the second.
      await decide(host.url, WS, mine.id, 'approve');
      await decide(host.url, OTHER_WS, theirs.id, 'approve');

      await eventually('the other workspace’s broadcast', () => listener.received.length > 0);
      await delay(50);
      expect(listener.received.map((result) => result.approvalId)).toEqual([theirs.id]);
      expect(heardByUnsubscribed).toEqual([]);
    });

    it('stops broadcasting to a socket after it unsubscribes', async () => {
      const first = await createApproval(host.url, WS);
      const second = await createApproval(host.url, WS);
      const listener = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const witness = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);

      await decide(host.url, WS, first.id, 'approve');
      await eventually('the first broadcast', () => listener.received.length === 1);
      const ack = await listener.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('unsubscribe', { workspaceId: WS });
      expect(ack).toEqual({ ok: true });
      await decide(host.url, WS, second.id, 'approve');

      await eventually('the witness to hear both', () => witness.received.length === 2);
      await delay(50);
      expect(listener.received.map((result) => result.approvalId)).toEqual([first.id]);
    });
  });

  describe('subscribing with no workspaceId', () => {
    it.each<[string, Record<string, unknown>]>([
      ['{}', {}],
      ["{ channel: 'approvals' }", { channel: 'approvals' }],
    ])('%s with the subscriber token hears every workspace, once each', async (_case, body) => {
      const socket = await connectSocket(host.url, SUBSCRIBER_TOKEN);
      const heard: string[] = [];
      socket.on('approval:resolved', (result) => heard.push(result.approvalId));
      await expect(socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', body)).resolves.toEqual({
        ok: true,
      });
      await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', { workspaceId: WS });
      const mine = await createApproval(host.url, WS);
      const theirs = await createApproval(host.url, OTHER_WS);
      const witness = await subscriber(host.url, SUBSCRIBER_TOKEN, OTHER_WS);

      await decide(host.url, WS, mine.id, 'approve');
      await decide(host.url, OTHER_WS, theirs.id, 'approve');

      await eventually('the witness to hear the last one', () => witness.received.length === 1);
      await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', {}); // a round trip
      expect(heard).toEqual([mine.id, theirs.id]);
    });

    it("with a scoped token covers the token's workspaces, names them, and no other", async () => {
      const token = host.app.get(ApprovalEventTokens).issueSubscriberToken([WS], 600);
      const socket = await connectSocket(host.url, token);
      const heard: string[] = [];
      socket.on('approval:resolved', (result) => heard.push(result.approvalId));

      const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', {});
      expect(ack).toEqual({ ok: true, workspaces: [WS] });
      const theirs = await createApproval(host.url, OTHER_WS);
      const mine = await createApproval(host.url, WS);
      await decide(host.url, OTHER_WS, theirs.id, 'approve');
      await decide(host.url, WS, mine.id, 'approve');

      await eventually('its own workspace’s broadcast', () => heard.length > 0);
      await delay(50);
      expect(heard).toEqual([mine.id]);
    });
  });

  describe('approval:requested', () => {
    it('sends an approval created over REST to the subscribers of its workspace only', async () => {
      const mine = await requestWatcher(host.url, SUBSCRIBER_TOKEN, { workspaceId: WS });
      const other = await requestWatcher(host.url, SUBSCRIBER_TOKEN, { workspaceId: OTHER_WS });
      const everything = await requestWatcher(host.url, PRODUCER_TOKEN, {});

      const created = await createApproval(host.url, WS, {
        action: 'send_email',
        payload: { to: 'bob@example.com' },
        requestedBy: 'agent-7',
      });

      await eventually(
        'both subscribers to hear it',
        () => mine.heard.length === 1 && everything.heard.length === 1,
      );
      // Exactly what the REST API answered.
      expect(mine.heard).toEqual([created]);
      expect(everything.heard).toEqual([created]);
      await delay(50);
      expect(other.heard).toEqual([]);
    });

    it("reaches a scoped token's subscribe {} for its workspace, not another's", async () => {
      const token = host.app.get(ApprovalEventTokens).issueSubscriberToken([WS], 600);
      const scoped = await requestWatcher(host.url, token, {});
      expect(scoped.ack).toEqual({ ok: true, workspaces: [WS] });
      const witness = await requestWatcher(host.url, SUBSCRIBER_TOKEN, { workspaceId: OTHER_WS });

      const theirs = await createApproval(host.url, OTHER_WS);
      const mine = await createApproval(host.url, WS);

      await eventually('its own workspace’s approval', () => scoped.heard.length === 1);
      await eventually('the witness', () => witness.heard.length === 1);
      expect(scoped.heard).toEqual([mine]);
      expect(witness.heard).toEqual([theirs]);
    });
  });

  describe('token expiry', () => {
    it('disconnects a scoped socket within a second of its exp; a later decision is not sent to it', async () => {
      const token = host.app.get(ApprovalEventTokens).issueSubscriberToken([WS], 2);
      const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
        exp: number;
      };
      const expiring = await subscriber(host.url, token, WS);
      const witness = await subscriber(host.url, SUBSCRIBER_TOKEN, WS);
      const approval = await createApproval(host.url, WS);
      const reason = new Promise<string>((resolve) => expiring.socket.once('disconnect', resolve));

      await expect(reason).resolves.toBe('io server disconnect');
      const lateByMs = Date.now() - exp * 1_000;
      expect(lateByMs).toBeGreaterThanOrEqual(-20);
      expect(lateByMs).toBeLessThan(1_000);

      await decide(host.url, WS, approval.id, 'approve');
      await eventually('the witness to hear it', () => witness.received.length === 1);
      await delay(50);
      expect(expiring.received).toEqual([]);
      // The expired token does not get back in either.
      await expect(connectError(host.url, token)).resolves.toMatchObject({
        message: 'unauthorized',
      });
    });
  });

  describe('a forged producer event', () => {
    it('cannot make a pending approval come back approved; the real decision still ends the wait', async () => {
      const approval = await createApproval(host.url, WS);
      let answered = false;
      const poll = request(host.url)
        .get(approvalsPath(WS, approval.id, 'wait'))
        .set(authAs('agent'))
        .query({ timeoutMs: 15_000 })
        .then((response) => {
          answered = true;
          return response;
        });
      await eventually(
        'the long poll to be waiting',
        async () => (await hostMetric(host.url, 'approval_waits_pending')) === 1,
      );
      const producer = await connectSocket(host.url, PRODUCER_TOKEN);

      const ack = await producer
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(
          'approval:resolved',
          validEvent({ approvalId: approval.id, resolvedBy: 'mallory' }) as never,
        );
      expect(ack).toEqual({ ok: true });
      await eventually(
        'the forged event to be taken in',
        async () =>
          (await hostMetric(host.url, 'approval_events_received_total', { source: 'gateway' })) ===
          1,
      );

      await delay(300);
      expect(answered).toBe(false);
      expect(await hostMetric(host.url, 'approval_waits_pending')).toBe(1);
      await expect(readApproval(host.url, WS, approval.id)).resolves.toMatchObject({
        status: 'pending',
      });
      // A long poll that starts after the forgery is not fooled either.
      await request(host.url)
        .get(approvalsPath(WS, approval.id, 'wait'))
        .set(authAs('agent'))
        .query({ timeoutMs: 100 })
        .expect(200)
        .expect((response) => expect(response.body).toMatchObject({ status: 'pending' }));

      const decided = await decide(host.url, WS, approval.id, 'reject', { resolvedBy: 'bob' });
      const response = await poll;
      expect(response.status).toBe(200);
      expect(response.body).toEqual(decided);
      expect(response.body).toMatchObject({ status: 'rejected', resolvedBy: 'bob' });
    });
  });
});
