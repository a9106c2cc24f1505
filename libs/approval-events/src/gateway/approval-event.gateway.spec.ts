import type { INestApplication } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { WebSocketGateway } from '@nestjs/websockets';
import { io, type Socket } from 'socket.io-client';
import { eventually } from '../../test/polling';
import { registryMetric } from '../../test/metrics';
import { decideAndPublish, resolution, untilConnected, untilDisconnected } from '../../test/events';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import {
  APPROVAL_REMINDER_EVENT,
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_VOTED_EVENT,
  MAX_REQUIRED_APPROVALS,
} from '../approval-events.constants';
import { ApprovalEventCoverage } from '../links/event-coverage';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../bridge/approval-queue.bridge';
import { ApprovalEventTokens } from './approval-event.tokens';
import { JwtService } from '@nestjs/jwt';
import type { ApprovalEventsModuleOptions } from '../interfaces/approval-events-options.interface';
import type { Approval, ApprovalResult, ApprovalVote } from '../interfaces/approval.interface';
import { ApprovalEventGateway } from './approval-event.gateway';
import { GATEWAY_MAX_REQUESTED_BYTES } from './gateway.constants';

/** A gateway of the host application on the default namespace, which must keep working. */
@WebSocketGateway()
class HostDefaultNamespaceGateway {}

/** A new pending approval as the host announces it. */
const requested = (overrides: Partial<Approval> = {}): Approval => ({
  id: 'new-1',
  workspaceId: 'ws1',
  action: 'send_email',
  payload: { to: 'bob' },
  status: 'pending',
  createdAt: '2026-11-24T10:00:00.000Z',
  ...overrides,
});

const PRODUCER = 'producer-token-for-tests';
const JWT_SECRET = 'a-jwt-secret-for-tests-at-least-32-chars';
const SUBSCRIBER = 'subscriber-token-for-tests';

/** A sample of `app`'s approval events metrics. */
const metric = (app: INestApplication, name: string, labels: Record<string, string>) =>
  registryMetric(app.get(ApprovalEventsMetrics).registry, name, labels);

describe('ApprovalEventGateway and ApprovalEventBusClient', () => {
  let host: INestApplication;
  let url: string;
  const sockets: Socket[] = [];
  const closables: INestApplication[] = [];
  const source = new FakeStatusSource();

  async function startHost(
    options: ApprovalEventsModuleOptions = {},
    providers: (new (...args: never[]) => unknown)[] = [],
  ) {
    const moduleRef = await Test.createTestingModule({
      providers,
      imports: [
        EventEmitterModule.forRoot(),
        ApprovalEventsModule.forRoot({
          statusSource: source,
          gateway: true,
          gatewayProducerToken: PRODUCER,
          gatewaySubscriberToken: SUBSCRIBER,
          gatewayJwtSecret: JWT_SECRET,
          ...options,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return app;
  }

  function connect(token?: string, namespace = '/approvals'): Socket {
    const socket = io(`${url}${namespace}`, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    return socket;
  }

  const connected = (socket: Socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

  beforeEach(async () => {
    host = await startHost();
    url = (await host.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.disconnect());
    for (const app of closables.splice(0)) await app.close();
    await host.close();
  });

  it.each([
    ['no token', undefined],
    ['a wrong token', 'guess'],
  ])('refuses a connection with %s as unauthorized', async (_case, token) => {
    await expect(connected(connect(token))).rejects.toThrow('unauthorized');
    expect(await metric(host, 'approval_events_rejected_total', { reason: 'unauthorized' })).toBe(
      1,
    );
  });

  it('lets a subscriber subscribe but not publish', async () => {
    const subscriber = connect(SUBSCRIBER);
    await connected(subscriber);
    await expect(subscriber.emitWithAck('subscribe', { workspaceId: 'ws1' })).resolves.toEqual({
      ok: true,
    });
    await expect(subscriber.emitWithAck('approval:resolved', resolution())).resolves.toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await metric(host, 'approval_events_rejected_total', { reason: 'forbidden' })).toBe(1);
  });

  it("broadcasts a producer's resolution to its workspace's subscribers only", async () => {
    const producer = connect(PRODUCER);
    const ws1 = connect(SUBSCRIBER);
    const ws2 = connect(SUBSCRIBER);
    await Promise.all([connected(producer), connected(ws1), connected(ws2)]);
    await ws1.emitWithAck('subscribe', { workspaceId: 'ws1' });
    await ws2.emitWithAck('subscribe', { workspaceId: 'ws2' });
    const leaked = jest.fn();
    ws2.on('approval:resolved', leaked);
    const received = new Promise((resolve) => ws1.once('approval:resolved', resolve));
    await expect(producer.emitWithAck('approval:resolved', resolution())).resolves.toEqual({
      ok: true,
    });
    await expect(received).resolves.toEqual(resolution());
    // Round trip on ws2 so anything sent to it has arrived.
    await ws2.emitWithAck('unsubscribe', { workspaceId: 'ws2' });
    expect(leaked).not.toHaveBeenCalled();
    expect(await metric(host, 'approval_events_received_total', { source: 'gateway' })).toBe(1);
  });

  it('takes and relays an expired resolution like any other terminal one', async () => {
    const producer = connect(PRODUCER);
    const subscriber = connect(SUBSCRIBER);
    await Promise.all([connected(producer), connected(subscriber)]);
    await subscriber.emitWithAck('subscribe', { workspaceId: 'ws1' });
    const received = new Promise((resolve) => subscriber.once('approval:resolved', resolve));
    const expired = resolution({ status: 'expired', resolvedBy: 'system:expiry' });
    await expect(producer.emitWithAck('approval:resolved', expired)).resolves.toEqual({ ok: true });
    await expect(received).resolves.toEqual(expired);
  });

  it.each<[string, unknown]>([
    ['a string', 'approved'],
    ['an array', [resolution()]],
    ['null', null],
    ['a missing status', { ...resolution(), status: undefined }],
    ['pending', resolution({ status: 'pending' as never })],
    ['an extra field', { ...resolution(), admin: true }],
    ['a __proto__ key', JSON.parse('{"__proto__":{"polluted":1},"approvalId":"a1"}')],
    ['a number id', { ...resolution(), approvalId: 7 }],
    ['a long id', resolution({ approvalId: 'x'.repeat(500) })],
    ['a bad date', resolution({ resolvedAt: 'soon' })],
    ['resolution as a string', { ...resolution(), resolution: 'yes' }],
  ])('acks %s as invalid_payload and stays healthy', async (_case, payload) => {
    const producer = connect(PRODUCER);
    await connected(producer);
    await expect(producer.emitWithAck('approval:resolved', payload)).resolves.toEqual({
      ok: false,
      error: 'invalid_payload',
    });
    expect(({} as any).polluted).toBeUndefined();
    await expect(producer.emitWithAck('approval:resolved', resolution())).resolves.toEqual({
      ok: true,
    });
  });

  it('refuses an invalid subscription', async () => {
    const subscriber = connect(SUBSCRIBER);
    await connected(subscriber);
    await expect(subscriber.emitWithAck('subscribe', { workspaceId: '' })).resolves.toEqual({
      ok: false,
      error: 'invalid_payload',
    });
    await expect(subscriber.emitWithAck('subscribe', 'ws1')).resolves.toEqual({
      ok: false,
      error: 'invalid_payload',
    });
  });

  it('bounds publishes per connection', async () => {
    const producer = connect(PRODUCER);
    await connected(producer);
    const acks = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        producer.emitWithAck('approval:resolved', resolution({ approvalId: `a${i}` })),
      ),
    );
    expect(acks.filter((ack) => ack.ok)).toHaveLength(100);
    expect(acks.filter((ack) => !ack.ok && ack.error === 'rate_limited')).toHaveLength(20);
  });

  describe('scoped subscriber tokens', () => {
    const issue = (workspaces: string[], ttlSeconds = 60) =>
      host.get(ApprovalEventTokens).issueSubscriberToken(workspaces, ttlSeconds);

    it('may subscribe to the workspaces it names, and only those', async () => {
      const scoped = connect(issue(['ws1']));
      await connected(scoped);
      await expect(scoped.emitWithAck('subscribe', { workspaceId: 'ws1' })).resolves.toEqual({
        ok: true,
      });
      await expect(scoped.emitWithAck('subscribe', { workspaceId: 'ws2' })).resolves.toEqual({
        ok: false,
        error: 'forbidden',
      });
      await expect(scoped.emitWithAck('approval:resolved', resolution())).resolves.toEqual({
        ok: false,
        error: 'forbidden',
      });
    });

    it.each<[string, () => string]>([
      [
        'expired',
        () =>
          new JwtService({ secret: JWT_SECRET }).sign({ workspaces: ['ws1'] }, { expiresIn: -10 }),
      ],
      [
        'signed with another secret',
        () =>
          new JwtService({ secret: 'x'.repeat(40) }).sign(
            { workspaces: ['ws1'] },
            { expiresIn: 60 },
          ),
      ],
      [
        'without an expiry',
        () => new JwtService({ secret: JWT_SECRET }).sign({ workspaces: ['ws1'] }),
      ],
      [
        'without workspaces',
        () => new JwtService({ secret: JWT_SECRET }).sign({ sub: 'x' }, { expiresIn: 60 }),
      ],
      [
        'unsigned (alg none)',
        () =>
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
            JSON.stringify({ workspaces: ['ws1'], exp: Math.floor(Date.now() / 1000) + 60 }),
          ).toString('base64url')}.`,
      ],
    ])('is refused when %s', async (_case, token) => {
      await expect(connected(connect(token()))).rejects.toThrow('unauthorized');
    });

    it('refuses to issue tokens with bad arguments', () => {
      expect(() => issue([])).toThrow(RangeError);
      expect(() => issue(['ws 1'])).toThrow(TypeError);
      expect(() => issue(['ws1'], 0)).toThrow(RangeError);
    });
  });

  it('closes its clients while its own events cannot be trusted, and admits them again after', async () => {
    const subscriber = connect(SUBSCRIBER);
    await connected(subscriber);
    const dropped = new Promise((resolve) => subscriber.once('disconnect', resolve));
    const coverage = host.get(ApprovalEventCoverage);
    coverage.setLinkState('replica', false);
    await expect(dropped).resolves.toBe('transport close');
    const whileDown = connect(SUBSCRIBER);
    const outcome = await new Promise<string>((resolve) => {
      whileDown.once('connect', () => resolve('connected'));
      whileDown.once('connect_error', () => resolve('refused'));
      whileDown.once('disconnect', (reason) => resolve(reason));
    });
    expect(outcome).toBe('transport close'); // a client with reconnection on retries later
    coverage.setLinkState('replica', true);
    await expect(connected(connect(SUBSCRIBER))).resolves.toBeUndefined();
  });

  it('bounds connection attempts per IP address, counting failed ones too', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 61 }, () => connected(connect('wrong-token'))),
    );
    const reasons = attempts.map((attempt) => (attempt as PromiseRejectedResult).reason?.message);
    expect(reasons.filter((reason) => reason === 'unauthorized')).toHaveLength(60);
    expect(reasons.filter((reason) => reason === 'rate_limited')).toHaveLength(1);
  });

  describe('subscribing to every workspace the token may see', () => {
    /** What `socket` hears as `approval:resolved`, by approval id. */
    const hearing = (socket: Socket) => {
      const heard: string[] = [];
      socket.on('approval:resolved', (result: ApprovalResult) => heard.push(result.approvalId));
      return heard;
    };
    const publish = (workspaceId: string, approvalId: string) =>
      host.get(ApprovalEventManager).onApprovalResponse(resolution({ workspaceId, approvalId }));
    /** A round trip, so everything sent to `socket` before it has arrived. */
    const settled = (socket: Socket) => socket.emitWithAck('unsubscribe', { workspaceId: 'none' });

    it.each([
      ['the subscriber token', SUBSCRIBER],
      ['the producer token', PRODUCER],
    ])('with %s joins every workspace, each message once', async (_case, token) => {
      const socket = connect(token);
      await connected(socket);
      const heard = hearing(socket);
      // Acked without `workspaces`: its absence means all of them.
      await expect(socket.emitWithAck('subscribe', {})).resolves.toEqual({ ok: true });
      await expect(socket.emitWithAck('subscribe', { workspaceId: 'ws1' })).resolves.toEqual({
        ok: true,
      });
      publish('ws1', 'in-ws1');
      publish('ws9', 'in-ws9');
      await settled(socket);
      expect(heard).toEqual(['in-ws1', 'in-ws9']);
    });

    it("accepts the seed story's { channel: 'approvals' }, and refuses every other shape", async () => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      await expect(socket.emitWithAck('subscribe', { channel: 'approvals' })).resolves.toEqual({
        ok: true,
      });
      await expect(
        socket.emitWithAck('subscribe', { channel: 'approvals', workspaceId: 'ws1' }),
      ).resolves.toEqual({ ok: true });
      for (const body of [
        { channel: 'other' },
        { channel: null },
        { workspaceId: null },
        { workspaceId: '' },
        { all: true },
        [],
        null,
      ]) {
        await expect(socket.emitWithAck('subscribe', body)).resolves.toEqual({
          ok: false,
          error: 'invalid_payload',
        });
      }
      expect(socket.connected).toBe(true);
    });

    it('unsubscribe {} leaves what subscribe {} joined, and nothing else', async () => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      const heard = hearing(socket);
      await socket.emitWithAck('subscribe', {});
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      await expect(socket.emitWithAck('unsubscribe', {})).resolves.toEqual({ ok: true });
      publish('ws1', 'still-heard');
      publish('ws2', 'no-longer-heard');
      await settled(socket);
      expect(heard).toEqual(['still-heard']);
    });

    it("with a scoped token joins the token's workspaces and says which", async () => {
      const token = host.get(ApprovalEventTokens).issueSubscriberToken(['ws1', 'ws3'], 60);
      const socket = connect(token);
      await connected(socket);
      const heard = hearing(socket);
      await expect(socket.emitWithAck('subscribe', {})).resolves.toEqual({
        ok: true,
        workspaces: ['ws1', 'ws3'],
      });
      publish('ws1', 'in-ws1');
      publish('ws2', 'in-ws2');
      publish('ws3', 'in-ws3');
      await settled(socket);
      expect(heard).toEqual(['in-ws1', 'in-ws3']);

      await expect(socket.emitWithAck('unsubscribe', {})).resolves.toEqual({ ok: true });
      publish('ws1', 'after-unsubscribe');
      await settled(socket);
      expect(heard).toEqual(['in-ws1', 'in-ws3']);
    });

    it('still holds the subscription cap, and a refusal keeps the socket', async () => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      for (let index = 0; index < 100; index++) {
        await socket.emitWithAck('subscribe', { workspaceId: `ws${index}` });
      }
      await expect(socket.emitWithAck('subscribe', {})).resolves.toEqual({
        ok: false,
        error: 'too_many_subscriptions',
      });
      await socket.emitWithAck('unsubscribe', { workspaceId: 'ws0' });
      await expect(socket.emitWithAck('subscribe', {})).resolves.toEqual({ ok: true });
      expect(socket.connected).toBe(true);
    });
  });

  describe.each([
    [APPROVAL_REQUESTED_EVENT, 'approval:requested'],
    [APPROVAL_VOTED_EVENT, 'approval:voted'],
    [APPROVAL_REMINDER_EVENT, 'approval:reminder'],
  ] as const)('%s in process, relayed as %s', (inProcess, relayed) => {
    const announce = (payload: unknown) => host.get(EventEmitter2).emit(inProcess, payload);
    const hearing = (socket: Socket) => {
      const heard: Approval[] = [];
      socket.on(relayed, (approval: Approval) => heard.push(approval));
      return heard;
    };
    const vote = (overrides: Partial<ApprovalVote> = {}): ApprovalVote => ({
      by: 'alice',
      decision: 'approved',
      at: '2026-11-24T10:05:00.000Z',
      ...overrides,
    });
    const quorum = (overrides: Partial<Approval> = {}): Approval =>
      requested({
        expiresAt: '2026-11-25T10:00:00.000Z',
        approvers: ['alice', 'role:finance'],
        requiredApprovals: 2,
        votes: [vote()],
        ...overrides,
      });

    it("sends a new approval to its workspace's subscribers, and to subscribers of all", async () => {
      const [ws1, ws2, all] = [connect(SUBSCRIBER), connect(SUBSCRIBER), connect(PRODUCER)];
      await Promise.all([connected(ws1), connected(ws2), connected(all)]);
      await ws1.emitWithAck('subscribe', { workspaceId: 'ws1' });
      await ws2.emitWithAck('subscribe', { workspaceId: 'ws2' });
      await all.emitWithAck('subscribe', {});
      const [toWs1, toWs2, toAll] = [hearing(ws1), hearing(ws2), hearing(all)];

      announce(requested());
      await Promise.all([ws1, ws2, all].map((socket) => socket.emitWithAck('subscribe', {})));

      expect(toWs1).toEqual([requested()]);
      expect(toAll).toEqual([requested()]);
      expect(toWs2).toEqual([]);
    });

    it('sends a plain copy of the known fields only', async () => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      const heard = hearing(socket);
      announce({ ...requested(), internalNote: 'host only', toJSON: undefined });
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      expect(heard).toEqual([requested()]);
    });

    it('carries the deadline, approvers and votes, each vote cut to its own fields', async () => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      const heard = hearing(socket);
      announce(quorum({ votes: [{ ...vote(), principalRoles: ['admin'] } as ApprovalVote] }));
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      expect(heard).toEqual([quorum()]);
    });

    it.each<[string, () => unknown]>([
      ['not an object', () => 'new-1'],
      ['a bad expiresAt', () => quorum({ expiresAt: 'tomorrow' })],
      ['approvers that are not strings', () => quorum({ approvers: [7 as never] })],
      ['too many approvers', () => quorum({ approvers: Array.from({ length: 101 }, String) })],
      ['requiredApprovals out of range', () => quorum({ requiredApprovals: 11 })],
      [
        'more votes than any approval holds',
        () => quorum({ votes: Array.from({ length: MAX_REQUIRED_APPROVALS + 1 }, () => vote()) }),
      ],
      [
        'a vote with an unknown decision',
        () => quorum({ votes: [vote({ decision: 'maybe' as never })] }),
      ],
      ['a vote without a time', () => quorum({ votes: [vote({ at: undefined as never })] })],
      ['a bad workspace id', () => requested({ workspaceId: 'ws 1' })],
      ['no action', () => ({ ...requested(), action: undefined })],
      ['an unknown status', () => requested({ status: 'maybe' as never })],
      [
        'a payload over the size bound',
        () => requested({ payload: { blob: 'x'.repeat(GATEWAY_MAX_REQUESTED_BYTES) } }),
      ],
      [
        'a cycle',
        () => {
          const payload: Record<string, unknown> = {};
          payload.self = payload;
          return requested({ payload });
        },
      ],
      [
        'a throwing getter',
        () =>
          Object.defineProperty({ ...requested() }, 'payload', {
            enumerable: true,
            get: () => {
              throw new Error('boom');
            },
          }),
      ],
    ])('drops %s without throwing into the emitter', async (_case, payload) => {
      const socket = connect(SUBSCRIBER);
      await connected(socket);
      await socket.emitWithAck('subscribe', {});
      const heard = hearing(socket);
      expect(() => announce(payload())).not.toThrow();
      announce(requested({ id: 'after' }));
      await socket.emitWithAck('subscribe', {});
      expect(heard.map((approval) => approval.id)).toEqual(['after']);
    });
  });

  describe('namespaces other than /approvals', () => {
    const refusedWith = (socket: Socket) =>
      new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
      });

    it('refuses the default namespace and an unknown one at the handshake, and counts both', async () => {
      await expect(refusedWith(connect(undefined, '/'))).resolves.toBe('unauthorized');
      await expect(refusedWith(connect(SUBSCRIBER, '/'))).resolves.toBe('unauthorized');
      await expect(refusedWith(connect(PRODUCER, '/other'))).resolves.toBe('Invalid namespace');
      expect(await metric(host, 'approval_events_rejected_total', { reason: 'unauthorized' })).toBe(
        3,
      );
      await expect(connected(connect(SUBSCRIBER))).resolves.toBeUndefined();
    });

    it("leaves the default namespace to the application's own gateway there", async () => {
      const app = await startHost({}, [HostDefaultNamespaceGateway]);
      closables.push(app);
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      await expect(refusedWith(connect(undefined, '/'))).resolves.toBe('connected');
      await expect(refusedWith(connect(undefined, '/other'))).resolves.toBe('Invalid namespace');
    });
  });

  describe('token expiry', () => {
    /** A scoped token's `exp`, in ms since the epoch. */
    const expiryOf = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number })
        .exp * 1_000;
    const expiries = (): Map<string, unknown> =>
      Reflect.get(
        Reflect.get(host.get(ApprovalEventGateway), 'admission') as object,
        'expiries',
      ) as Map<string, unknown>;

    it('disconnects a scoped socket when its token expires, and it hears nothing after', async () => {
      const token = host.get(ApprovalEventTokens).issueSubscriberToken(['ws1'], 2);
      const socket = connect(token);
      await connected(socket);
      await socket.emitWithAck('subscribe', { workspaceId: 'ws1' });
      const heard: string[] = [];
      socket.on('approval:resolved', (result: ApprovalResult) => heard.push(result.approvalId));
      expect(expiries().size).toBe(1);

      const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const lateBy = Date.now() - expiryOf(token);

      expect(reason).toBe('io server disconnect');
      expect(lateBy).toBeGreaterThanOrEqual(-20);
      expect(lateBy).toBeLessThan(1_000);
      host.get(ApprovalEventManager).onApprovalResponse(resolution({ approvalId: 'after-exp' }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heard).toEqual([]);
      await eventually('the expiry to be cleared', () => expiries().size === 0);
    });

    it('clears the expiry when the client leaves first, and sets none for static tokens', async () => {
      const scoped = connect(host.get(ApprovalEventTokens).issueSubscriberToken(['ws1'], 3_600));
      const service = connect(SUBSCRIBER);
      await Promise.all([connected(scoped), connected(service)]);
      expect(expiries().size).toBe(1);
      scoped.disconnect();
      await eventually('the expiry to be cleared', () => expiries().size === 0);
      expect(service.connected).toBe(true);
    });
  });

  it('wakes a remote wait through the bus, and polls while the bus is gone', async () => {
    source.add('ws1', 'r1');
    const worker = await Test.createTestingModule({
      imports: [
        ApprovalEventsModule.forRoot({
          statusSource: source,
          eventBusUrl: url,
          eventBusToken: SUBSCRIBER,
          eventBusWorkspaces: ['ws1'],
          pollIntervalMs: 50,
        }),
      ],
    })
      .compile()
      .then((moduleRef) => moduleRef.createNestApplication({ logger: false }).init());
    closables.push(worker);
    const manager = worker.get(ApprovalEventManager);
    expect(manager.isConnected).toBe(false);
    await untilConnected(manager);

    const wait = worker.get(ApprovalQueueBridge).waitForApproval('ws1', 'r1');
    await eventually('the first read of r1', () => source.readsOf('r1') > 0);
    decideAndPublish(source, host.get(ApprovalEventManager), 'ws1', 'r1');
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(await metric(worker, 'approval_events_received_total', { source: 'remote_bus' })).toBe(
      1,
    );

    // The bus goes away: the worker notices and falls back to polling.
    source.add('ws1', 'r2');
    const down = untilDisconnected(manager);
    await host.close();
    await down;
    const polled = worker.get(ApprovalQueueBridge).waitForApproval('ws1', 'r2');
    source.decide('ws1', 'r2', 'rejected');
    await expect(polled).resolves.toMatchObject({ status: 'rejected' });
    host = await startHost({}); // for afterEach
  });
});
