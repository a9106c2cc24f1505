import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { io, type Socket } from 'socket.io-client';
import { eventually } from '../../../../test/support/polling';
import { registryMetric } from '../../../../test/support/metrics';
import { decideAndPublish, resolution, untilConnected, untilDisconnected } from '../../test/events';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../approval-event.manager';
import { ApprovalEventCoverage } from '../coverage/event-coverage';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../approval-queue.bridge';
import { ApprovalEventTokens } from './approval-event.tokens';
import { JwtService } from '@nestjs/jwt';
import type { ApprovalEventsModuleOptions } from '../interfaces/approval-events-options.interface';

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

  async function startHost(options: ApprovalEventsModuleOptions = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [
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

  function connect(token?: string): Socket {
    const socket = io(`${url}/approvals`, {
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
