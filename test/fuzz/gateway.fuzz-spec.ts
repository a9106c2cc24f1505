import * as fc from 'fast-check';
import { Manager } from 'socket.io-client';
import request from 'supertest';
import { ApprovalEventsMetrics } from '@app/approval-events/approval-events.metrics';
import { MAX_NESTING_DEPTH, type ApprovalResult, type GatewayAck } from '@app/approval-events';
import {
  type ApprovalsSocket,
  closeAll,
  connectSocket,
  PRODUCER_TOKEN,
  registryMetric,
  type RunningHost,
  startHost,
  SUBSCRIBER_TOKEN,
} from '../support';
import {
  assertProperty,
  FuzzTally,
  heapAfterGc,
  pollutionMarkers,
  prototypeSnapshot,
} from './support/fuzz-tally';
import {
  isoInstant,
  jsonishOf,
  libraryId,
  nastyString,
  nest,
  nestedJsonText,
  ownObject,
  PROTO_KEYS,
  RESOLVED_STATUSES,
  RESULT_KEYS,
} from './support/hostile-values';
import { resultShapeProblem } from './support/result-shape';
import { isValidPublish, isValidSubscription, overTheWire } from './support/wire-model';

/**
 * The Socket.io gateway of the real host (AppModule, configureApp, port 0), fuzzed with a
 * real socket.io-client: generated `approval:resolved`, `subscribe` and `unsubscribe`
 * bodies, each checked against the contract's verdict, the metrics, the broadcasts, the
 * prototypes of this process (the host runs in it) and the host's health.
 */

const SEED_PUBLISH = 0x6a7e_0001;
const SEED_SUBSCRIBE = 0x6a7e_0002;
const SEED_DEEP = 0x6a7e_0003;
const SEED_CONSTRUCTOR = 0x6a7e_0004;
const SEED_NAMESPACES = 0x6a7e_0005;
const NAMESPACE_RUNS = 300;
const CONSTRUCTOR_RUNS = 100;
const PRODUCERS = 10;
/** Publishes per batch on one connection: well under the gateway's 100 per second. */
const BATCH = 40;
/** A connection's batches start at least this far apart, so no window sees two. */
const BATCH_SPACING_MS = 1_100;
const PUBLISH_BATCHES = 125; // 5 000 publishes
const SUBSCRIBE_BATCHES = 40; // 2 000 subscribe + 2 000 unsubscribe bodies
const DEEP_RUNS = 60;

/**
 * Namespace names a client may ask for, `/approvals` excepted. The Socket.io wire format
 * ends a namespace at its first comma, and UTF-8 has no lone surrogates, so those cannot be
 * sent as themselves (the answer would name another namespace); everything else can.
 */
const otherNamespace: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('/', '/admin', '/approvals/', '/Approvals', '/approvals?x=1', '//approvals'),
    fc.string({ maxLength: 40 }).map((name) => `/${name}`),
    fc.string({ unit: 'binary', maxLength: 40 }).map((name) => `/${name}`),
    nastyString.map((name) => `/${name}`),
  )
  // As the server decodes it: a lone surrogate reaches it as U+FFFD.
  .map((name) => Buffer.from(name.replaceAll(',', ''), 'utf8').toString('utf8'))
  .filter((name) => name !== '/approvals');
const ACK_TIMEOUT_MS = 2_000;
const WATCHED_WORKSPACE = 'ws-fuzz-watch';

/** Nested values in the broad properties carry `__proto__`, `prototype` and `constructor` keys. */
const { value: jsonish, object: jsonishObject } = jsonishOf([
  '__proto__',
  'prototype',
  'constructor',
]);

const INVALID: GatewayAck = { ok: false, error: 'invalid_payload' };
const OK: GatewayAck = { ok: true };

/** A `resolvedAt` and whether it is strict ISO-8601 of at most 64 characters. */
const resolvedAtCase: fc.Arbitrary<{ value: unknown; iso: boolean }> = fc.oneof(
  { weight: 4, arbitrary: isoInstant.map((value) => ({ value, iso: true })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 20 }).map((text) => `x${text}`),
        fc.constantFrom(
          '',
          'yesterday',
          'soon',
          '2026-02-30T00:00:00Z',
          '2026-13-01T00:00:00Z',
          '2026-01-01T25:00:00Z',
          `2026-01-01T00:00:00.${'1'.repeat(60)}Z`,
          '2026-01-01T00:00:00.000Z trailing',
        ),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        jsonishObject,
        fc.array(isoInstant, { minLength: 1, maxLength: 2 }),
      )
      .map((value) => ({ value, iso: false })),
  },
);

/** Strings over the limits but well under the 64 KiB message limit of the gateway. */
const longString = fc.integer({ min: 129, max: 20_000 }).map((length) => 'x'.repeat(length));
const wireValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: jsonish },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: longString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, 0, -1, 1.5, true, false, '', [], {}, 'pending', 'APPROVED'),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 16_000, max: 17_000 })
      .map((length) => ({ notes: 'n'.repeat(length) })),
  },
);

interface PublishCase {
  body: unknown;
  resolvedAtIsIso: boolean;
}

const validPublish: fc.Arbitrary<PublishCase> = fc
  .tuple(
    fc.record(
      {
        approvalId: libraryId,
        workspaceId: fc.oneof(libraryId, fc.constant(WATCHED_WORKSPACE)),
        status: fc.constantFrom(...RESOLVED_STATUSES),
        resolvedBy: fc.oneof(
          fc.string({ maxLength: 256 }),
          fc.string({ unit: 'binary', maxLength: 128 }),
          fc.constant(null),
        ),
        resolution: fc.oneof(jsonishObject, fc.constant(null)),
      },
      { requiredKeys: ['approvalId', 'workspaceId', 'status'] },
    ),
    resolvedAtCase,
  )
  .map(([fields, resolvedAt]) => ({
    body: { ...fields, resolvedAt: resolvedAt.value },
    resolvedAtIsIso: resolvedAt.iso,
  }));

const MUTABLE_KEYS = [...RESULT_KEYS].filter((key) => key !== 'resolvedAt');

const publishCase: fc.Arbitrary<PublishCase> = fc.oneof(
  { weight: 3, arbitrary: validPublish },
  {
    weight: 5,
    arbitrary: fc
      .tuple(validPublish, fc.constantFrom(...MUTABLE_KEYS), wireValue)
      .map(([{ body, resolvedAtIsIso }, key, value]) => ({
        body: { ...(body as object), [key]: value },
        resolvedAtIsIso,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validPublish, fc.subarray([...RESULT_KEYS], { minLength: 1 }))
      .map(([{ body, resolvedAtIsIso }, keys]) => ({
        body: Object.fromEntries(
          Object.entries(body as object).filter(([key]) => !keys.includes(key)),
        ),
        resolvedAtIsIso,
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validPublish, fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 10 })))
      .map(([{ body, resolvedAtIsIso }, key]) => ({
        // Own keys, as JSON.parse makes them on the server.
        body: JSON.parse(
          JSON.stringify(body).replace('{', `{${JSON.stringify(key)}:{"polluted":"yes"},`),
        ) as unknown,
        resolvedAtIsIso,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        wireValue,
        validPublish.map(({ body }) => [body]),
      )
      .map((body) => ({ body, resolvedAtIsIso: false })),
  },
);

const subscriptionBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: libraryId.map((workspaceId) => ({ workspaceId })) },
  { weight: 3, arbitrary: wireValue.map((workspaceId) => ({ workspaceId })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(libraryId, fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 10 })))
      .map(
        ([workspaceId, key]) =>
          JSON.parse(
            `{"workspaceId":${JSON.stringify(workspaceId)},${JSON.stringify(key)}:1}`,
          ) as unknown,
      ),
  },
  { weight: 1, arbitrary: wireValue },
  // No workspaceId (every workspace the token may see), with and without a channel.
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant({}),
      fc.constant({ channel: 'approvals' }),
      fc.oneof(wireValue, fc.constantFrom('Approvals', 'approvals ', '')).map((channel) => ({
        channel,
      })),
      fc
        .tuple(fc.oneof(libraryId, wireValue), fc.oneof(fc.constant('approvals'), wireValue))
        .map(([workspaceId, channel]) => ({ workspaceId, channel })),
    ),
  },
);

/** The tuple the manager deduplicates on; the set of them broadcast must match the set acked. */
const decisionKey = (result: Record<string, unknown>) =>
  JSON.stringify([result.approvalId, result.status, result.resolvedAt, result.resolvedBy ?? null]);

describe('ApprovalEventGateway under fuzzing (real host, real socket)', () => {
  const tally = new FuzzTally('gateway over socket.io');
  const prototypesBefore = prototypeSnapshot();
  const markersBefore = pollutionMarkers();
  let host: RunningHost;
  let producers: ApprovalsSocket[];
  let watcher: ApprovalsSocket;
  const heard: ApprovalResult[] = [];
  let heapBefore = 0;

  const metric = (name: string, labels: Record<string, string>) =>
    registryMetric(host.app.get(ApprovalEventsMetrics).registry, name, labels);

  beforeAll(async () => {
    heapBefore = heapAfterGc();
    host = await startHost();
    producers = await Promise.all(
      Array.from({ length: PRODUCERS }, () => connectSocket(host.url, PRODUCER_TOKEN)),
    );
    watcher = await connectSocket(host.url, SUBSCRIBER_TOKEN);
    watcher.on('approval:resolved', (result) => heard.push(result));
    expect(await watcher.emitWithAck('subscribe', { workspaceId: WATCHED_WORKSPACE })).toEqual(OK);
  });

  afterAll(async () => {
    await closeAll();
    tally.report(heapBefore, heapAfterGc());
  });

  it('acks every generated approval:resolved as the contract says and counts each refusal', async () => {
    const invalidBefore = await metric('approval_events_rejected_total', {
      reason: 'invalid_payload',
    });
    const receivedBefore = await metric('approval_events_received_total', { source: 'gateway' });
    const lastBatchAt = new Array<number>(PRODUCERS).fill(0);
    const watchedAcked = new Set<string>();
    let batch = 0;
    let refused = 0;
    let accepted = 0;

    const publishes = fc.asyncProperty(
      fc.array(publishCase, { minLength: BATCH, maxLength: BATCH }),
      async (cases) => {
        const index = batch++ % PRODUCERS;
        const wait = lastBatchAt[index] + BATCH_SPACING_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        lastBatchAt[index] = Date.now();
        const producer = producers[index];
        const acks = await Promise.all(
          cases.map(({ body }) =>
            producer
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck('approval:resolved', body as ApprovalResult)
              .catch((error: Error) => ({ noAck: error.message })),
          ),
        );
        cases.forEach(({ body, resolvedAtIsIso }, position) => {
          const wire = overTheWire(body);
          const expected = isValidPublish(wire, resolvedAtIsIso) ? OK : INVALID;
          const ack = acks[position];
          if ('noAck' in ack)
            tally.crash(`no ack (${ack.noAck}) for ${JSON.stringify(wire).slice(0, 200)}`);
          else if (ack.ok) tally.accept();
          else tally.refuse();
          if (JSON.stringify(ack) !== JSON.stringify(expected)) {
            throw new Error(
              `acked ${JSON.stringify(ack)}, expected ${JSON.stringify(expected)} for ${JSON.stringify(wire).slice(0, 500)}`,
            );
          }
          if (expected.ok) {
            accepted++;
            const event = wire as Record<string, unknown>;
            if (event.workspaceId === WATCHED_WORKSPACE) watchedAcked.add(decisionKey(event));
          } else {
            refused++;
          }
        });
      },
    );
    await assertProperty('approval:resolved acks', publishes, SEED_PUBLISH, PUBLISH_BATCHES, {
      endOnFailure: true,
    });

    expect(accepted + refused).toBe(BATCH * PUBLISH_BATCHES);
    expect(refused).toBeGreaterThan(0.3 * accepted);
    expect(accepted).toBeGreaterThan(0.3 * refused);
    expect(
      (await metric('approval_events_rejected_total', { reason: 'invalid_payload' })) -
        invalidBefore,
    ).toBe(refused);
    expect(
      (await metric('approval_events_received_total', { source: 'gateway' })) - receivedBefore,
    ).toBe(accepted);
    // A round trip on the watcher: every broadcast queued before it has arrived.
    expect(await watcher.emitWithAck('subscribe', { workspaceId: WATCHED_WORKSPACE })).toEqual(OK);
    expect(heard.map((result) => resultShapeProblem(result)).filter(Boolean)).toEqual([]);
    expect(heard.filter((result) => result.workspaceId !== WATCHED_WORKSPACE)).toEqual([]);
    expect(new Set(heard.map((result) => decisionKey(result as never)))).toEqual(watchedAcked);
    expect(watchedAcked.size).toBeGreaterThan(10);
  });

  it('acks every generated subscribe and unsubscribe as the contract says', async () => {
    const invalidBefore = await metric('approval_events_rejected_total', {
      reason: 'invalid_payload',
    });
    const subscriber = await connectSocket(host.url, SUBSCRIBER_TOKEN);
    let refusedBodies = 0;
    const subscriptions = fc.asyncProperty(
      fc.array(subscriptionBody, { minLength: 50, maxLength: 50 }),
      async (bodies) => {
        for (const event of ['subscribe', 'unsubscribe'] as const) {
          // Every valid subscribe is undone by the unsubscribe that follows, so the
          // per-connection limit of 100 rooms is never reached.
          const acks = await Promise.all(
            bodies.map((body) =>
              subscriber
                .timeout(ACK_TIMEOUT_MS)
                .emitWithAck(event, body as { workspaceId: string })
                .catch((error: Error) => ({ noAck: error.message })),
            ),
          );
          bodies.forEach((body, position) => {
            const wire = overTheWire(body);
            const expected = isValidSubscription(wire) ? OK : INVALID;
            const ack = acks[position];
            if ('noAck' in ack)
              tally.crash(`${event}: no ack for ${JSON.stringify(wire).slice(0, 200)}`);
            else if (ack.ok) tally.accept();
            else tally.refuse();
            if (!expected.ok) refusedBodies++;
            if (JSON.stringify(ack) !== JSON.stringify(expected)) {
              throw new Error(
                `${event} acked ${JSON.stringify(ack)}, expected ${JSON.stringify(expected)} for ${JSON.stringify(wire).slice(0, 300)}`,
              );
            }
          });
        }
      },
    );
    await assertProperty(
      'subscribe / unsubscribe acks',
      subscriptions,
      SEED_SUBSCRIBE,
      SUBSCRIBE_BATCHES,
      { endOnFailure: true },
    );
    expect(
      (await metric('approval_events_rejected_total', { reason: 'invalid_payload' })) -
        invalidBefore,
    ).toBe(refusedBodies);
    expect(refusedBodies).toBeGreaterThan(500);
  });

  it('acks bodies whose nested values hold an own "constructor" key', async () => {
    const producer = await connectSocket(host.url, PRODUCER_TOKEN);
    const withConstructor = fc
      .tuple(
        fc.oneof(
          nastyString,
          fc.integer(),
          fc.boolean(),
          jsonish.filter((value) => value !== null),
        ),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('resolution', 'approvalId', 'resolvedBy', 'subscribe'),
        validPublish,
      )
      .map(([inner, depth, where, { body, resolvedAtIsIso }]) => {
        const nested = nest(depth, 'object', ownObject([['constructor', inner]]));
        if (where === 'subscribe')
          return { event: 'subscribe' as const, body: { workspaceId: nested }, resolvedAtIsIso };
        return {
          event: 'approval:resolved' as const,
          body: {
            ...(body as object),
            [where]: where === 'resolution' ? { details: nested } : nested,
          },
          resolvedAtIsIso,
        };
      });
    let lastSentAt = 0;
    const property = fc.asyncProperty(withConstructor, async ({ event, body, resolvedAtIsIso }) => {
      const pause = lastSentAt + 20 - Date.now();
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      lastSentAt = Date.now();
      const wire = overTheWire(body);
      const valid =
        event === 'subscribe' ? isValidSubscription(wire) : isValidPublish(wire, resolvedAtIsIso);
      const ack = await producer
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(event, body as never)
        .catch((error: Error) => ({ noAck: error.message }));
      if ('noAck' in ack)
        tally.crash(`${event}: no ack (${ack.noAck}) for ${JSON.stringify(wire).slice(0, 200)}`);
      else if (ack.ok) tally.accept();
      else tally.refuse();
      expect({ event, wire, ack }).toEqual({ event, wire, ack: valid ? OK : INVALID });
      if (event === 'subscribe' && valid) await producer.emitWithAck('unsubscribe', wire as never);
    });
    await assertProperty(
      'nested own constructor keys',
      property,
      SEED_CONSTRUCTOR,
      CONSTRUCTOR_RUNS,
      {
        endOnFailure: true,
      },
    );
  });

  /**
   * socket.io-client cannot even encode a deeply nested value (its binary scan recurses), so
   * these frames are written to the engine.io transport by hand: exactly the bytes a
   * hostile client can send. The nesting stays inside the 64 KiB message limit.
   */
  it('acks deeply nested resolutions within the message limit', async () => {
    const producer = producers[0];
    const engine = producer.io.engine;
    const answers = new Map<number, (answer: unknown) => void>();
    const onPacket = (packet: { type: string; data?: unknown }) => {
      const match =
        packet.type === 'message' && typeof packet.data === 'string'
          ? /^3\/approvals,(\d+)(.*)$/s.exec(packet.data)
          : null;
      if (match) answers.get(Number(match[1]))?.((JSON.parse(match[2]) as unknown[])[0]);
    };
    engine.on('packet', onPacket);
    let nextId = 1_000_000;
    let lastSentAt = 0;
    const deep = fc.asyncProperty(
      fc.integer({ min: 100, max: 30_000 }),
      fc.constantFrom<'object' | 'array'>('object', 'array'),
      async (depth, kind) => {
        // One per 20 ms: far below the publish rate limit.
        const pause = lastSentAt + 20 - Date.now();
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        lastSentAt = Date.now();
        // Written as text: even JSON.stringify recurses, and overflows on this side first.
        const { levels, text: nested } = nestedJsonText(depth, kind);
        const resolution = `{"nested":${nested}}`;
        const json =
          `{"approvalId":"deep-${nextId}","workspaceId":"ws-deep","status":"approved",` +
          `"resolvedAt":"${new Date().toISOString()}","resolution":${resolution}}`;
        // Every depth tried is past MAX_NESTING_DEPTH: refused, acked, never a crash.
        const expected = levels > MAX_NESTING_DEPTH ? INVALID : OK;
        const id = nextId++;
        const answer = new Promise<unknown>((resolve) => {
          answers.set(id, resolve);
          setTimeout(() => resolve('no ack within 2 s'), 2_000);
        });
        engine.write(`2/approvals,${id}["approval:resolved",${json}]`);
        const ack = await answer;
        answers.delete(id);
        if (typeof ack === 'string') tally.crash(`${ack}: ${kind} nesting of depth ${depth}`);
        else if ((ack as GatewayAck).ok) tally.accept();
        else tally.refuse();
        expect({ depth, kind, ack }).toEqual({ depth, kind, ack: expected });
      },
    );
    try {
      await assertProperty('deeply nested resolutions', deep, SEED_DEEP, DEEP_RUNS, {
        endOnFailure: true,
      });
    } finally {
      engine.off('packet', onPacket);
    }
  });

  it('refuses every namespace but /approvals at the handshake, and counts each refusal', async () => {
    const unauthorizedBefore = await metric('approval_events_rejected_total', {
      reason: 'unauthorized',
    });
    // One engine connection for every attempt, kept open by a socket that is let in.
    // autoConnect off: each attempt sends exactly one CONNECT packet, when asked to.
    const manager = new Manager(host.url, {
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
    });
    const keeper = manager.socket('/approvals', { auth: { token: SUBSCRIBER_TOKEN } });
    await new Promise((resolve, reject) => {
      keeper.once('connect', () => resolve(undefined));
      keeper.once('connect_error', reject);
      keeper.connect();
    });
    let attempts = 0;
    const property = fc.asyncProperty(otherNamespace, async (name) => {
      const socket = manager.socket(name, { auth: {} });
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('no answer within 2 s'), ACK_TIMEOUT_MS);
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(`refused: ${error.message}`));
        socket.connect();
        socket.once('connect', () => clearTimeout(timer));
        socket.once('connect_error', () => clearTimeout(timer));
      });
      socket.removeAllListeners();
      socket.disconnect();
      attempts++;
      if (outcome.startsWith('refused')) tally.refuse();
      else tally.crash(`${outcome} on namespace ${JSON.stringify(name)}`);
      expect({ name, outcome: outcome.startsWith('refused') }).toEqual({ name, outcome: true });
    });
    try {
      await assertProperty('other namespaces', property, SEED_NAMESPACES, NAMESPACE_RUNS, {
        endOnFailure: true,
      });
      expect(keeper.connected).toBe(true);
    } finally {
      keeper.disconnect();
    }
    expect(
      (await metric('approval_events_rejected_total', { reason: 'unauthorized' })) -
        unauthorizedBefore,
    ).toBe(attempts);
  });

  it('leaves the host healthy, responsive and its prototypes untouched', async () => {
    const health = await request(host.url).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    const producer = await connectSocket(host.url, PRODUCER_TOKEN);
    expect(
      await producer.timeout(ACK_TIMEOUT_MS).emitWithAck('approval:resolved', {
        approvalId: 'after-fuzz',
        workspaceId: WATCHED_WORKSPACE,
        status: 'approved',
        resolvedAt: new Date().toISOString(),
      }),
    ).toEqual(OK);
    // The host runs in this process: its prototypes are these.
    expect(prototypeSnapshot()).toEqual(prototypesBefore);
    expect(pollutionMarkers()).toEqual(markersBefore);
  });
});
