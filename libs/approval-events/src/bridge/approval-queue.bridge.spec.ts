import { Logger } from '@nestjs/common';
import { firstValueFrom, take, toArray } from 'rxjs';
import { decideAndPublish } from '../../test/events';
import { registryMetric } from '../../test/metrics';
import { createApprovalEvents } from '../../test/wiring';
import { ApprovalCancelledException } from '../errors/approval-cancelled.exception';
import { ApprovalEventsShutdownError } from '../errors/approval-events-shutdown.error';
import { ApprovalNotFoundError } from '../errors/approval-not-found.error';
import { ApprovalStatusSourceError } from '../errors/approval-status-source.error';
import { ApprovalTimeoutError } from '../errors/approval-timeout.error';
import type { ResolvedApprovalStatus } from '../interfaces/approval.interface';
import type { ApprovalEventsModuleOptions } from '../interfaces/approval-events-options.interface';

const POLL_MS = 1_000;

function setup(overrides: ApprovalEventsModuleOptions = {}) {
  const core = createApprovalEvents({ pollIntervalMs: POLL_MS, ...overrides });
  const { source, manager } = core;
  /** Decides in the store and publishes the event, as the host does. */
  const decide = (
    workspaceId: string,
    id: string,
    status?: ResolvedApprovalStatus,
    reason?: string,
  ) => decideAndPublish(source, manager, workspaceId, id, status, reason);
  return { ...core, decide };
}

/** Lets pending promise callbacks (status reads) run without moving the clock. */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('ApprovalQueueBridge', () => {
  let ctx: ReturnType<typeof setup>;

  beforeEach(() => {
    jest.useFakeTimers();
    ctx = setup();
  });

  afterEach(() => {
    ctx.shutdown();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** After any ending: no wait, watch, channel or timer is left. */
  function expectNothingLeft() {
    expect(ctx.manager.pendingCount).toBe(0);
    expect(ctx.watches.size).toBe(0);
    expect(ctx.channels.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  }

  it('reads the status once and is woken by the resolution event', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    expect(ctx.source.readsOf('a1')).toBe(1);
    ctx.decide('ws1', 'a1');
    await expect(wait).resolves.toMatchObject({
      id: 'a1',
      status: 'approved',
      resolvedBy: 'alice',
    });
    expect(ctx.source.readsOf('a1')).toBe(2);
    expectNothingLeft();
  });

  it('returns at once, with one read, when the approval was decided before the wait', async () => {
    ctx.source.add('ws1', 'a1');
    ctx.decide('ws1', 'a1', 'rejected');
    await expect(ctx.bridge.waitForApproval('ws1', 'a1')).resolves.toMatchObject({
      status: 'rejected',
    });
    expect(ctx.source.readsOf('a1')).toBe(1);
    expectNothingLeft();
  });

  it('does not lose a decision made while the first read is in flight', async () => {
    ctx.source.add('ws1', 'a1');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const read = ctx.source.getApproval.bind(ctx.source);
    let calls = 0;
    ctx.source.getApproval = async (...args) => {
      const snapshot = await read(...args); // what the store said when the read started
      if (++calls === 1) await gate; // ...and the answer is slow to come back
      return snapshot;
    };
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    ctx.decide('ws1', 'a1'); // the event arrives while the first read is in flight
    open();
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(calls).toBe(2);
  });

  it('wakes 1 000 waiters of one approval with one subscription and one read per event', async () => {
    ctx.source.add('ws1', 'a1');
    const listen = jest.spyOn(ctx.channels, 'add');
    const waits = Array.from({ length: 1_000 }, () => ctx.bridge.waitForApproval('ws1', 'a1'));
    await flush();
    expect(ctx.manager.pendingCount).toBe(1_000);
    expect(listen).toHaveBeenCalledTimes(1);
    expect(ctx.source.readsOf('a1')).toBe(1);
    ctx.decide('ws1', 'a1');
    const approvals = await Promise.all(waits);
    expect(approvals.every((a) => a.status === 'approved')).toBe(true);
    expect(ctx.source.readsOf('a1')).toBe(2);
    expectNothingLeft();
  });

  it('keeps waiting after a forged event when the store still says pending', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    let settled = false;
    void wait.then(() => (settled = true));
    await flush();
    ctx.manager.onApprovalResponse({
      approvalId: 'a1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedAt: new Date().toISOString(),
    });
    await flush();
    expect(ctx.source.readsOf('a1')).toBe(2);
    expect(settled).toBe(false);
    ctx.decide('ws1', 'a1', 'rejected');
    await expect(wait).resolves.toMatchObject({ status: 'rejected' });
  });

  it('is not woken, and reads nothing, for an event of another workspace', async () => {
    ctx.source.add('ws1', 'a1');
    ctx.source.add('ws2', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 5_000 });
    await flush();
    ctx.decide('ws2', 'a1');
    await flush();
    expect(ctx.source.reads).toEqual(['a1']);
    const rejection = expect(wait).rejects.toBeInstanceOf(ApprovalTimeoutError);
    await jest.advanceTimersByTimeAsync(5_000);
    await rejection;
  });

  it('treats duplicate events as one', async () => {
    ctx.source.add('ws1', 'a1');
    const resolutions = firstValueFrom(ctx.manager.resolutions$.pipe(take(1), toArray()));
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    ctx.decide('ws1', 'a1');
    const duplicate = {
      approvalId: 'a1',
      workspaceId: 'ws1',
      status: 'approved' as const,
      resolvedBy: 'alice',
      resolvedAt: ctx.source.approvals.get('ws1/a1')!.resolvedAt!,
    };
    ctx.manager.onApprovalResponse(duplicate);
    ctx.manager.onApprovalResponse(duplicate);
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expect(ctx.source.readsOf('a1')).toBe(2);
    await expect(resolutions).resolves.toHaveLength(1);
  });

  it('reads once more when time runs out, then rejects with ApprovalTimeoutError', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 30_000 });
    const rejection = expect(wait).rejects.toMatchObject({
      name: 'TimeoutError',
      approvalId: 'a1',
      timeoutMs: 30_000,
      approval: expect.objectContaining({ status: 'pending' }),
    });
    await jest.advanceTimersByTimeAsync(30_000);
    await rejection;
    expect(ctx.source.readsOf('a1')).toBe(2);
    expectNothingLeft();
  });

  it('lets a decision found by the final read win over the timeout', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 30_000 });
    await flush();
    ctx.source.decide('ws1', 'a1', 'approved'); // the event is lost
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expectNothingLeft();
  });

  it('rejects with ApprovalCancelledException and its reason when cancelled', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    ctx.decide('ws1', 'a1', 'cancelled', 'no longer needed');
    await expect(wait).rejects.toEqual(expect.any(ApprovalCancelledException));
    await wait.catch((error: ApprovalCancelledException) => {
      expect(error).toMatchObject({ approvalId: 'a1', reason: 'no longer needed' });
      expect(error.approval?.status).toBe('cancelled');
    });
    expectNothingLeft();
  });

  it('rejects with the signal reason when aborted, and leaves nothing behind', async () => {
    ctx.source.add('ws1', 'a1');
    const controller = new AbortController();
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { signal: controller.signal });
    await flush();
    controller.abort();
    await expect(wait).rejects.toMatchObject({ name: 'AbortError' });
    expectNothingLeft();
  });

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'its signal was aborted already',
      () => {
        const controller = new AbortController();
        controller.abort();
        return ctx.bridge.waitForApproval('ws1', 'a1', { signal: controller.signal });
      },
      'AbortError',
    ],
    [
      'maxPendingWaits are in progress',
      () => {
        ctx.shutdown();
        ctx = setup({ maxPendingWaits: 1 });
        ctx.source.add('ws1', 'a1');
        ctx.source.add('ws1', 'a2');
        void ctx.bridge.waitForApproval('ws1', 'a2').catch(() => undefined);
        return ctx.bridge.waitForApproval('ws1', 'a1');
      },
      'ApprovalWaitLimitError',
    ],
  ])(
    'reads nothing and watches nothing for a wait refused because %s',
    async (_case, start, name) => {
      ctx.source.add('ws1', 'a1');
      await expect(start()).rejects.toMatchObject({ name });
      await flush();
      expect(ctx.source.readsOf('a1')).toBe(0);
      expect(ctx.watches.size).toBeLessThanOrEqual(1); // the other wait's, if any
      expect(ctx.channels.has('ws1\u0000a1')).toBe(false);
    },
  );

  it('ends only the aborted waiter when others share the approval', async () => {
    ctx.source.add('ws1', 'a1');
    const controller = new AbortController();
    const aborted = ctx.bridge.waitForApproval('ws1', 'a1', { signal: controller.signal });
    const other = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    ctx.decide('ws1', 'a1');
    await expect(other).resolves.toMatchObject({ status: 'approved' });
    expectNothingLeft();
  });

  it('fails at once for an approval that does not exist', async () => {
    await expect(ctx.bridge.waitForApproval('ws1', 'missing')).rejects.toBeInstanceOf(
      ApprovalNotFoundError,
    );
    expectNothingLeft();
  });

  it('polls each approval once per interval while disconnected, however many wait on it', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: exact intervals
    ctx.coverage.setLinkState('remote_bus', false);
    const approvals = ['a1', 'a2', 'a3'];
    approvals.forEach((id) => ctx.source.add('ws1', id));
    const waits = approvals.flatMap((id) =>
      Array.from({ length: 10 }, () => ctx.bridge.waitForApproval('ws1', id)),
    );
    await flush();
    expect(ctx.source.reads).toHaveLength(3);
    for (let interval = 1; interval <= 5; interval++) {
      await jest.advanceTimersByTimeAsync(POLL_MS);
      expect(ctx.source.reads).toHaveLength(3 + 3 * interval);
    }
    approvals.forEach((id) => ctx.source.decide('ws1', id, 'approved'));
    await jest.advanceTimersByTimeAsync(POLL_MS);
    expect((await Promise.all(waits)).every((a) => a.status === 'approved')).toBe(true);
    expect(await registryMetric(ctx.metrics.registry, 'approval_wait_fallback_total')).toBe(30);
    expect(
      await registryMetric(ctx.metrics.registry, 'approval_events_received_total', {
        source: 'poll',
      }),
    ).toBe(3);
    expectNothingLeft();
  });

  it('jitters the poll interval by up to 10 %', async () => {
    ctx.coverage.setLinkState('remote_bus', false);
    ctx.source.add('ws1', 'a1');
    // The first delay is drawn low (-10 %), the second high (+10 %).
    jest
      .spyOn(Math, 'random')
      .mockReturnValueOnce(0)
      .mockReturnValueOnce(0.999)
      .mockReturnValue(0.5);
    const early = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 5_000 });
    await jest.advanceTimersByTimeAsync(POLL_MS * 0.9);
    expect(ctx.source.readsOf('a1')).toBe(2);
    await jest.advanceTimersByTimeAsync(POLL_MS * 1.09);
    expect(ctx.source.readsOf('a1')).toBe(2);
    await jest.advanceTimersByTimeAsync(POLL_MS * 0.01);
    expect(ctx.source.readsOf('a1')).toBe(3);
    ctx.decide('ws1', 'a1');
    await early;
  });

  it('does not poll while connected', async () => {
    ctx.source.add('ws1', 'a1');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000 });
    await jest.advanceTimersByTimeAsync(59_000);
    expect(ctx.source.readsOf('a1')).toBe(1);
    ctx.decide('ws1', 'a1');
    await wait;
    expect(await registryMetric(ctx.metrics.registry, 'approval_wait_fallback_total')).toBe(0);
  });

  it('reads each pending approval once on reconnect, then stops polling', async () => {
    ctx.coverage.setLinkState('remote_bus', false);
    ctx.source.add('ws1', 'a1');
    ctx.source.add('ws1', 'a2');
    const waits = [
      ctx.bridge.waitForApproval('ws1', 'a1'),
      ctx.bridge.waitForApproval('ws1', 'a2'),
    ];
    await jest.advanceTimersByTimeAsync(POLL_MS * 1.1);
    expect(ctx.source.reads).toHaveLength(4);
    ctx.source.decide('ws1', 'a1', 'approved'); // decided while the bus was down: its event is lost
    ctx.coverage.setLinkState('remote_bus', true);
    await flush();
    expect(ctx.source.reads).toHaveLength(6);
    await expect(waits[0]).resolves.toMatchObject({ status: 'approved' });
    await jest.advanceTimersByTimeAsync(POLL_MS * 10);
    expect(ctx.source.reads).toHaveLength(6);
    ctx.decide('ws1', 'a2');
    await expect(waits[1]).resolves.toMatchObject({ status: 'approved' });
  });

  it('retries a failing status source with backoff and the wait survives', async () => {
    ctx.source.add('ws1', 'a1');
    const unavailable = () =>
      new ApprovalStatusSourceError('503', { retryable: true, statusCode: 503 });
    ctx.source.failures = [unavailable(), new Error('socket hang up'), unavailable()];
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    expect(ctx.source.readsOf('a1')).toBe(1);
    await jest.advanceTimersByTimeAsync(110); // first retry after ~100 ms
    expect(ctx.source.readsOf('a1')).toBe(2);
    await jest.advanceTimersByTimeAsync(220 + 440);
    expect(ctx.source.readsOf('a1')).toBe(4);
    ctx.decide('ws1', 'a1');
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    expectNothingLeft();
  });

  it('logs a store outage under many waits as a few lines, not one per failed read', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const ids = ctx.source.addPending('ws1', 200);
    ctx.source.failures = Array.from(
      { length: 600 },
      () => new ApprovalStatusSourceError('503', { retryable: true, statusCode: 503 }),
    );
    const waits = ids.map((id) => ctx.bridge.waitForApproval('ws1', id));
    // Should an expectation fail, the shutdown after it rejects these: not unhandled.
    for (const wait of waits) wait.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(2_000); // every approval failed three times, then read
    expect(ctx.source.failures).toHaveLength(0);
    const said = (spy: jest.SpyInstance, pattern: RegExp) =>
      spy.mock.calls.filter(([line]) => pattern.test(String(line))).length;
    expect(said(warn, /Status read of approval .* failed/)).toBe(1);
    expect(said(log, /Status reads succeed again; 599 more failed/)).toBe(1);
    for (const id of ids) ctx.decide('ws1', id);
    await Promise.all(waits);
  });

  it('does not retry an error that says it cannot succeed', async () => {
    ctx.source.add('ws1', 'a1');
    ctx.source.failures = [
      new ApprovalStatusSourceError('401', { retryable: false, statusCode: 401 }),
    ];
    await expect(ctx.bridge.waitForApproval('ws1', 'a1')).rejects.toBeInstanceOf(
      ApprovalStatusSourceError,
    );
    expect(ctx.source.readsOf('a1')).toBe(1);
    expectNothingLeft();
  });

  it('refuses a status source answer for another workspace', async () => {
    ctx.source.add('ws1', 'a1');
    ctx.source.getApproval = async () => ({
      ...ctx.source.approvals.get('ws1/a1')!,
      workspaceId: 'ws2',
      status: 'approved',
    });
    await expect(ctx.bridge.waitForApproval('ws1', 'a1')).rejects.toThrow('another approval');
  });

  it.each<[string, ApprovalEventsModuleOptions]>([
    ['default options', {}],
    ['useEvents: false', { useEvents: false }],
  ])('rejects pending waits on shutdown and leaves nothing behind (%s)', async (_case, options) => {
    ctx.shutdown();
    ctx = setup(options);
    ctx.coverage.setLinkState('remote_bus', false);
    ctx.source.add('ws1', 'a1');
    const waits = [
      ctx.bridge.waitForApproval('ws1', 'a1'),
      ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 10_000 }),
    ];
    await flush();
    ctx.shutdown();
    for (const wait of waits)
      await expect(wait).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
    expectNothingLeft();
  });

  it('emits once and completes as an observable', async () => {
    ctx.source.add('ws1', 'a1');
    ctx.decide('ws1', 'a1');
    const values = await firstValueFrom(ctx.bridge.waitForApproval$('ws1', 'a1').pipe(toArray()));
    expect(values).toHaveLength(1);
  });

  it('refuses bad arguments with a clear error', async () => {
    await expect(ctx.bridge.waitForApproval('ws 1', 'a1')).rejects.toBeInstanceOf(TypeError);
    await expect(
      ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 1.5 }),
    ).rejects.toBeInstanceOf(RangeError);
    await expect(
      ctx.bridge.waitForApproval('ws1', 'a1', { pollIntervalMs: 0 }),
    ).rejects.toBeInstanceOf(RangeError);
    // Beyond what a timer holds once jittered: Node would poll every millisecond instead.
    await expect(
      ctx.bridge.waitForApproval('ws1', 'a1', { pollIntervalMs: 2_147_483_647 }),
    ).rejects.toThrow('pollIntervalMs must be an integer from 10 to 1952257860');
    expect(ctx.source.reads).toHaveLength(0);
  });

  describe('with useEvents: false', () => {
    beforeEach(() => {
      ctx.shutdown();
      ctx = setup({ useEvents: false });
    });

    it('polls every interval and ignores events, as the old bridge did', async () => {
      ctx.source.add('ws1', 'a1');
      const wait = ctx.bridge.waitForApproval('ws1', 'a1');
      await flush();
      ctx.decide('ws1', 'a1');
      await flush();
      expect(ctx.source.readsOf('a1')).toBe(1);
      await jest.advanceTimersByTimeAsync(POLL_MS * 1.1);
      await expect(wait).resolves.toMatchObject({ status: 'approved' });
      expect(ctx.source.readsOf('a1')).toBe(2);
      expectNothingLeft();
    });
  });
});
