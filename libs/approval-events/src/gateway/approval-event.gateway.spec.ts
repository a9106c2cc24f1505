import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { io, type Socket } from 'socket.io-client';
import { FakeStatusSource } from '../../test/fake-status-source';
import { ApprovalEventManager } from '../approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsModule } from '../approval-events.module';
import { ApprovalQueueBridge } from '../approval-queue.bridge';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type { ApprovalEventsModuleOptions } from '../interfaces/approval-events-options.interface';

const PRODUCER = 'producer-token-for-tests';
const SUBSCRIBER = 'subscriber-token-for-tests';

const event = (overrides: Partial<ApprovalResult> = {}): ApprovalResult => ({
  approvalId: 'a1',
  workspaceId: 'ws1',
  status: 'approved',
  resolvedBy: 'alice',
  resolvedAt: '2026-11-24T10:00:00.000Z',
  ...overrides,
});

async function counter(app: INestApplication, name: string, labels: Record<string, string>) {
  const metric = (await app.get(ApprovalEventsMetrics).registry.getMetricsAsJSON()).find(
    (m) => m.name === name,
  )!;
  return (
    metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ??
    0
  );
}

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
    expect(await counter(host, 'approval_events_rejected_total', { reason: 'unauthorized' })).toBe(
      1,
    );
  });

  it('lets a subscriber subscribe but not publish', async () => {
    const subscriber = connect(SUBSCRIBER);
    await connected(subscriber);
    await expect(subscriber.emitWithAck('subscribe', { workspaceId: 'ws1' })).resolves.toEqual({
      ok: true,
    });
    await expect(subscriber.emitWithAck('approval:resolved', event())).resolves.toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await counter(host, 'approval_events_rejected_total', { reason: 'forbidden' })).toBe(1);
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
    await expect(producer.emitWithAck('approval:resolved', event())).resolves.toEqual({ ok: true });
    await expect(received).resolves.toEqual(event());
    // Round trip on ws2 so anything sent to it has arrived.
    await ws2.emitWithAck('unsubscribe', { workspaceId: 'ws2' });
    expect(leaked).not.toHaveBeenCalled();
    expect(await counter(host, 'approval_events_received_total', { source: 'gateway' })).toBe(1);
  });

  it.each<[string, unknown]>([
    ['a string', 'approved'],
    ['an array', [event()]],
    ['null', null],
    ['a missing status', { ...event(), status: undefined }],
    ['pending', event({ status: 'pending' as never })],
    ['an extra field', { ...event(), admin: true }],
    ['a __proto__ key', JSON.parse('{"__proto__":{"polluted":1},"approvalId":"a1"}')],
    ['a number id', { ...event(), approvalId: 7 }],
    ['a long id', event({ approvalId: 'x'.repeat(500) })],
    ['a bad date', event({ resolvedAt: 'soon' })],
    ['resolution as a string', { ...event(), resolution: 'yes' }],
  ])('acks %s as invalid_payload and stays healthy', async (_case, payload) => {
    const producer = connect(PRODUCER);
    await connected(producer);
    await expect(producer.emitWithAck('approval:resolved', payload)).resolves.toEqual({
      ok: false,
      error: 'invalid_payload',
    });
    expect(({} as any).polluted).toBeUndefined();
    await expect(producer.emitWithAck('approval:resolved', event())).resolves.toEqual({ ok: true });
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
        producer.emitWithAck('approval:resolved', event({ approvalId: `a${i}` })),
      ),
    );
    expect(acks.filter((ack) => ack.ok)).toHaveLength(100);
    expect(acks.filter((ack) => !ack.ok && ack.error === 'rate_limited')).toHaveLength(20);
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
    await new Promise<void>((resolve) => manager.connected$.subscribe((up) => up && resolve()));

    const wait = worker.get(ApprovalQueueBridge).waitForApproval('ws1', 'r1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const decided = source.decide('ws1', 'r1', 'approved');
    host.get(ApprovalEventManager).onApprovalResponse({
      approvalId: 'r1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedAt: decided.resolvedAt!,
    });
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(await counter(worker, 'approval_events_received_total', { source: 'remote_bus' })).toBe(
      1,
    );

    // The bus goes away: the worker notices and falls back to polling.
    source.add('ws1', 'r2');
    const down = new Promise<void>((resolve) =>
      manager.connected$.subscribe((up) => !up && resolve()),
    );
    await host.close();
    await down;
    const polled = worker.get(ApprovalQueueBridge).waitForApproval('ws1', 'r2');
    source.decide('ws1', 'r2', 'rejected');
    await expect(polled).resolves.toMatchObject({ status: 'rejected' });
    host = await startHost({}); // for afterEach
  });
});
