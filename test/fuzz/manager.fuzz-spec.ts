import * as fc from 'fast-check';
import type { ApprovalEventsMetrics } from '@app/approval-events/approval-events.metrics';
import { createApprovalEvents } from '../../libs/approval-events/test/wiring';
import { InvalidApprovalEventError } from '@app/approval-events/errors/invalid-approval-event.error';
import type { ApprovalResult } from '@app/approval-events/interfaces/approval.interface';
import type {
  RejectionReason,
  ResolutionSource,
} from '@app/approval-events/approval-events.constants';
import {
  assertProperty,
  FuzzTally,
  heapAfterGc,
  mib,
  pollutionMarkers,
  prototypeSnapshot,
} from './support/fuzz-tally';
import {
  anyValue,
  isoInstant,
  jsonishObject,
  libraryId,
  ownObject,
  PROTO_KEYS,
  RESOLVED_STATUSES,
  RESULT_KEYS,
} from './support/hostile-values';
import { resultShapeProblem } from './support/result-shape';

/**
 * The manager's hot path (`onApprovalResponse`, validated by `parseApprovalResult`) fed
 * 100 000+ hostile payloads in-process. It must accept a payload or throw
 * `InvalidApprovalEventError` (counted once as `invalid_payload`), never anything else;
 * what it accepts must be a fresh, well-typed `ApprovalResult`; nothing may reach a
 * prototype; and the heap must stay flat while it runs.
 */

const SEED_FIRST_HALF = 0x5eed_0001;
const SEED_SECOND_HALF = 0x5eed_0002;
const SEED_POSITIVE = 0x5eed_0003;
const SEED_EXOTIC = 0x5eed_0004;
const HOT_PATH_RUNS_PER_HALF = 50_000;
const POSITIVE_RUNS = 5_000;
const EXOTIC_RUNS = 2_000;
/** Largest heap growth tolerated across the second half of the hot-path run. */
const MAX_SECOND_HALF_GROWTH = 20 * 1024 * 1024;

type Outcome =
  | { kind: 'accepted'; published?: ApprovalResult }
  | { kind: 'refused'; counted: number }
  | { kind: 'crashed'; error: unknown };

/** A manager as its unit spec builds one, with the metrics it reports to watched. */
function buildManager() {
  const { manager, metrics } = createApprovalEvents();
  // Count calls without keeping them (a jest spy would remember 100 000 argument lists).
  const calls = { invalidPayload: 0, received: 0 };
  const rejected = metrics.rejected.bind(metrics);
  const received = metrics.received.bind(metrics);
  metrics.rejected = (reason: RejectionReason) => {
    if (reason === 'invalid_payload') calls.invalidPayload++;
    rejected(reason);
  };
  metrics.received = (source: ResolutionSource) => {
    calls.received++;
    received(source);
  };
  let published: ApprovalResult | undefined;
  manager.resolutions$.subscribe((result) => (published = result));
  const feed = (payload: unknown): Outcome => {
    const before = calls.invalidPayload;
    published = undefined;
    try {
      manager.onApprovalResponse(payload as ApprovalResult);
      return { kind: 'accepted', published };
    } catch (error) {
      if (error instanceof InvalidApprovalEventError) {
        return { kind: 'refused', counted: calls.invalidPayload - before };
      }
      return { kind: 'crashed', error };
    }
  };
  return { manager, metrics, calls, feed };
}

async function counterValue(metrics: ApprovalEventsMetrics, name: string, label: string) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  return metric.values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);

/** What a crash sample says: the foreign error thrown. */
const crashDetail = (crashed: { error: unknown }) => describeError(crashed.error);

/** A resolution the contract allows, as an in-process caller would build it. */
const validEvent = fc.record(
  {
    approvalId: libraryId,
    workspaceId: libraryId,
    status: fc.constantFrom(...RESOLVED_STATUSES),
    resolvedAt: fc.oneof(
      isoInstant,
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4_102_444_800_000) }),
    ),
    resolvedBy: fc.oneof(
      fc.string({ maxLength: 256 }),
      fc.string({ unit: 'binary', maxLength: 128 }),
      fc.constant(null),
      fc.constant(undefined),
    ),
    resolution: fc.oneof(jsonishObject, fc.constant(null), fc.constant(undefined)),
  },
  { requiredKeys: ['approvalId', 'workspaceId', 'status', 'resolvedAt'] },
);

type ValidEvent = typeof validEvent extends fc.Arbitrary<infer T> ? T : never;

const omit = (event: object, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(event).filter(([key]) => !keys.includes(key)));

/** Every shape of bad (or odd but valid) payload that plain data and ordinary objects allow. */
const hostilePayload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: validEvent },
  {
    weight: 6,
    arbitrary: fc
      .tuple(validEvent, fc.constantFrom(...RESULT_KEYS), anyValue)
      .map(([event, key, value]) => ({ ...event, [key]: value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validEvent, fc.subarray([...RESULT_KEYS], { minLength: 1 }))
      .map(([event, keys]) => omit(event, keys)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        validEvent,
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string()), anyValue), {
          minLength: 1,
          maxLength: 3,
        }),
      )
      .map(([event, extra]) => ownObject([...Object.entries(event), ...extra])),
  },
  {
    weight: 1,
    arbitrary: validEvent.map((event) => ({ ...event, [Symbol('extra')]: 'symbol key' })),
  },
  {
    weight: 1,
    arbitrary: validEvent.map(
      (event) =>
        JSON.parse(
          JSON.stringify(event).replace(
            '{',
            '{"__proto__":{"polluted":"yes","status":"approved"},',
          ),
        ) as unknown,
    ),
  },
  { weight: 1, arbitrary: validEvent.map((event) => Object.assign(Object.create(null), event)) },
  { weight: 1, arbitrary: validEvent.map((event) => Object.create(event) as unknown) },
  { weight: 1, arbitrary: validEvent.map((event) => new Proxy(event, {})) },
  { weight: 1, arbitrary: validEvent.map((event) => [event]) },
  { weight: 3, arbitrary: anyValue },
);

describe('ApprovalEventManager.onApprovalResponse under fuzzing', () => {
  const tally = new FuzzTally('manager hot path (in-process)');
  const prototypesBefore = prototypeSnapshot();
  const markersBefore = pollutionMarkers();
  let heapBefore = 0;
  let heapMiddle = 0;
  let heapEnd = 0;

  beforeAll(() => {
    heapBefore = heapAfterGc();
  });

  afterAll(() => {
    tally.report(
      heapBefore,
      heapAfterGc(),
      `hot-path heap: start=${mib(heapBefore)} middle=${mib(heapMiddle)} end=${mib(heapEnd)}`,
    );
  });

  it('accepts or refuses 100 000 hostile payloads, counts each refusal once and leaks nothing', async () => {
    const { manager, metrics, calls, feed } = buildManager();
    let refusals = 0;
    let acceptances = 0;
    const hotPath = fc.property(hostilePayload, (payload) => {
      const receivedBefore = calls.received;
      const outcome = feed(payload);
      tally.record(outcome, crashDetail);
      if (outcome.kind === 'crashed') {
        throw new Error(
          `threw ${describeError(outcome.error)} instead of InvalidApprovalEventError`,
        );
      }
      if (outcome.kind === 'refused') {
        refusals++;
        if (outcome.counted !== 1) throw new Error(`refusal counted ${outcome.counted} times`);
        if (calls.received !== receivedBefore) throw new Error('a refusal was counted as received');
      } else {
        acceptances++;
        if (calls.received !== receivedBefore + 1) throw new Error('acceptance not counted once');
        // A repeat of the resolution last seen for the approval is not republished.
        if (outcome.published) {
          const problem = resultShapeProblem(outcome.published);
          if (problem) throw new Error(`accepted a malformed result: ${problem}`);
          const given = (payload as { resolution?: unknown }).resolution;
          if (given !== undefined && outcome.published.resolution === given) {
            throw new Error('the accepted resolution is the caller’s object, not a copy');
          }
        }
      }
      const markers = pollutionMarkers();
      if (markers.some((marker, index) => marker !== markersBefore[index])) {
        throw new Error('a prototype was polluted');
      }
    });

    await assertProperty('hot path, first half', hotPath, SEED_FIRST_HALF, HOT_PATH_RUNS_PER_HALF);
    heapMiddle = heapAfterGc();
    await assertProperty(
      'hot path, second half',
      hotPath,
      SEED_SECOND_HALF,
      HOT_PATH_RUNS_PER_HALF,
    );
    heapEnd = heapAfterGc();

    expect(refusals + acceptances).toBe(2 * HOT_PATH_RUNS_PER_HALF);
    // The generator reaches both paths in earnest.
    expect(refusals).toBeGreaterThan(0.4 * 2 * HOT_PATH_RUNS_PER_HALF);
    expect(acceptances).toBeGreaterThan(0.05 * 2 * HOT_PATH_RUNS_PER_HALF);
    // The Prometheus counters themselves, not only the calls that feed them.
    expect(await counterValue(metrics, 'approval_events_rejected_total', 'invalid_payload')).toBe(
      refusals,
    );
    expect(await counterValue(metrics, 'approval_events_received_total', 'in_process')).toBe(
      acceptances,
    );
    expect(prototypeSnapshot()).toEqual(prototypesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Method: the run is split in two halves of 50 000; the heap is measured after full
    // collections (see heapAfterGc) between and after them. The first half fills the
    // bounded recent-resolution cache (10 000 entries) and warms up code, so growth is
    // judged across the second half only, where a per-payload leak would show linearly.
    expect(heapEnd - heapMiddle).toBeLessThan(MAX_SECOND_HALF_GROWTH);
    expect(manager.pendingCount).toBe(0);
    manager.onApplicationShutdown();
  });

  it('accepts every valid resolution and wakes the waiter of that approval only', async () => {
    const { manager, feed } = buildManager();
    let sequence = 0;
    const positive = fc.asyncProperty(validEvent, async (event) => {
      sequence++;
      // Unique per run, so an earlier run's cached resolution cannot answer this wait.
      const approvalId = `${event.approvalId.slice(0, 100)}#${sequence}`;
      const bystanderWorkspace = `${event.workspaceId.slice(0, 100)}~other`;
      const resolution = { ...event, approvalId };
      const wait = manager.waitForApproval(event.workspaceId, approvalId, { timeoutMs: 5_000 });
      const hangUp = new AbortController();
      const bystander = manager
        .waitForApproval(bystanderWorkspace, approvalId, { signal: hangUp.signal })
        .then(
          () => 'woken',
          () => 'aborted',
        );
      const outcome = feed(resolution);
      tally.record(outcome, crashDetail);
      if (outcome.kind !== 'accepted') throw new Error(`a valid resolution was ${outcome.kind}`);
      const expected: Record<string, unknown> = {
        approvalId,
        workspaceId: event.workspaceId,
        status: event.status,
        resolvedAt:
          event.resolvedAt instanceof Date ? event.resolvedAt.toISOString() : event.resolvedAt,
      };
      if (event.resolvedBy !== undefined && event.resolvedBy !== null) {
        expected.resolvedBy = event.resolvedBy;
      }
      if (event.resolution !== undefined && event.resolution !== null) {
        expected.resolution = JSON.parse(JSON.stringify(event.resolution));
      }
      expect(await wait).toEqual(expected);
      // Tenant isolation: the same approval id in another workspace is still waiting.
      expect(manager.pendingCount).toBe(1);
      hangUp.abort();
      expect(await bystander).toBe('aborted');
      expect(manager.pendingCount).toBe(0);
    });
    await assertProperty(
      'valid resolutions wake their waiter',
      positive,
      SEED_POSITIVE,
      POSITIVE_RUNS,
    );
    manager.onApplicationShutdown();
  });

  /**
   * Objects whose fields run code when read. An in-process caller (or a library that hands
   * over a class instance or a Proxy) can pass these; `parseApprovalResult` reads fields
   * directly and more than once, so what it checks is not necessarily what it copies.
   */
  describe('with objects whose fields run code when read', () => {
    const requiredKey = fc.constantFrom('approvalId', 'workspaceId', 'status', 'resolvedAt');

    /** Runs `payload` and demands: refused as invalid_payload (counted once) or a well-formed result. */
    function refusedOrWellFormed(payload: unknown) {
      const { feed } = buildManager();
      const outcome = feed(payload);
      tally.record(outcome, crashDetail);
      if (outcome.kind === 'crashed') {
        throw new Error(
          `threw ${describeError(outcome.error)} instead of InvalidApprovalEventError`,
        );
      }
      if (outcome.kind === 'refused') {
        if (outcome.counted !== 1) throw new Error(`refusal counted ${outcome.counted} times`);
        return;
      }
      const problem = outcome.published && resultShapeProblem(outcome.published);
      if (problem) throw new Error(`accepted a malformed result: ${problem}`);
    }

    // The payload is built inside the property from plain data, so fast-check can print the
    // counterexample without running the very getters under test.
    it('refuses a payload whose getter or Proxy trap throws, as invalid_payload', async () => {
      const build = ([event, key, how]: [ValidEvent, string, string]) => {
        if (how === 'getter') {
          return Object.defineProperty({ ...event }, key, {
            enumerable: true,
            get() {
              throw new Error(`getter of ${key} throws`);
            },
          });
        }
        if (how === 'proxy') {
          return new Proxy(event, {
            get(target, property, receiver) {
              if (property === key) throw new Error(`trap for ${key} throws`);
              return Reflect.get(target, property, receiver) as unknown;
            },
          });
        }
        const { proxy, revoke } = Proxy.revocable(event, {});
        revoke();
        return proxy;
      };
      const throwing = fc.property(
        fc.tuple(validEvent, requiredKey, fc.constantFrom('getter', 'proxy', 'revoked proxy')),
        (recipe) => refusedOrWellFormed(build(recipe)),
      );
      await assertProperty('throwing getters and traps', throwing, SEED_EXOTIC, EXOTIC_RUNS);
    });

    it('never accepts a field that changes between the check and the copy', async () => {
      const build = ([event, key, later]: [ValidEvent, string, unknown]) => {
        let reads = 0;
        const first = event[key as keyof ValidEvent];
        return Object.defineProperty({ ...event }, key, {
          enumerable: true,
          get: () => (reads++ === 0 ? first : later),
        });
      };
      const shifting = fc.property(fc.tuple(validEvent, requiredKey, anyValue), (recipe) =>
        refusedOrWellFormed(build(recipe)),
      );
      await assertProperty(
        'fields that change after the check',
        shifting,
        SEED_EXOTIC + 1,
        EXOTIC_RUNS,
      );
    });

    it('refuses an invalid Date as resolvedAt, as invalid_payload', async () => {
      const invalidDate = validEvent.map((event) => ({ ...event, resolvedAt: new Date(NaN) }));
      await assertProperty(
        'invalid Date resolvedAt',
        fc.property(invalidDate, refusedOrWellFormed),
        SEED_EXOTIC + 2,
        EXOTIC_RUNS,
      );
    });

    it('accepts a resolution only when it copies to a plain object', async () => {
      const serialisesOddly = fc
        .tuple(
          validEvent,
          fc.constantFrom<() => unknown>(
            () => ({ toJSON: () => undefined }),
            () => ({ toJSON: () => null }),
            () => ({ toJSON: () => 42 }),
            () => ({ toJSON: () => [1, 2] }),
            () => ({ toJSON: () => 'approved' }),
            () => new Number(1),
            () => new Boolean(true),
            () => new String('yes'),
            () => new Date(NaN),
          ),
        )
        .map(([event, make]) => ({ ...event, resolution: make() }));
      await assertProperty(
        'resolutions that serialise to non-objects',
        fc.property(serialisesOddly, refusedOrWellFormed),
        SEED_EXOTIC + 3,
        EXOTIC_RUNS,
      );
    });

    it('accepts resolvedAt only as an ISO-8601 string, like the gateway DTO', async () => {
      // Date.parse takes far more than ISO-8601; the contract and the refusal message say ISO.
      const notIso = fc
        .tuple(
          validEvent,
          fc.oneof(
            fc.integer({ min: 0, max: 9_999 }).map(String),
            fc.constantFrom(
              '1',
              'Tue, 01 Jan 2030 00:00:00 GMT',
              'March 7 2026',
              '2026/01/01',
              '1 2 3',
              'Z 1',
            ),
          ),
        )
        .map(([event, resolvedAt]) => ({ ...event, resolvedAt }));
      const isoOnly = fc.property(notIso, (payload) => {
        const { feed } = buildManager();
        const outcome = feed(payload);
        tally.record(outcome, crashDetail);
        if (outcome.kind !== 'refused') {
          throw new Error(`resolvedAt ${JSON.stringify(payload.resolvedAt)} was ${outcome.kind}`);
        }
      });
      await assertProperty('resolvedAt is ISO-8601', isoOnly, SEED_EXOTIC + 4, EXOTIC_RUNS);
    });
  });
});
