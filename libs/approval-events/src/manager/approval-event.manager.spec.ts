import { firstValueFrom, take, toArray } from 'rxjs';
import { resolution } from '../../test/events';
import { registryMetric } from '../../test/metrics';
import { createApprovalEvents, type ApprovalEventsWiring } from '../../test/wiring';
import type { ApprovalEventManager } from './approval-event.manager';
import type { ApprovalEventsMetrics } from '../approval-events.metrics';
import { ApprovalEventsShutdownError } from '../errors/approval-events-shutdown.error';
import { ApprovalTimeoutError } from '../errors/approval-timeout.error';
import { InvalidApprovalEventError } from '../errors/invalid-approval-event.error';
import type { ApprovalResult } from '../interfaces/approval.interface';

describe('ApprovalEventManager', () => {
  let core: ApprovalEventsWiring;
  let manager: ApprovalEventManager;
  let metrics: ApprovalEventsMetrics;

  beforeEach(() => {
    jest.useFakeTimers();
    core = createApprovalEvents();
    ({ manager, metrics } = core);
  });

  afterEach(() => {
    core.shutdown();
    jest.useRealTimers();
  });

  it('wakes a wait with the event of its approval', async () => {
    const wait = manager.waitForApproval('ws1', 'a1');
    manager.onApprovalResponse(resolution());
    await expect(wait).resolves.toEqual(resolution());
    expect(manager.pendingCount).toBe(0);
  });

  it('ends a wait at once when its resolution arrived just before', async () => {
    manager.onApprovalResponse(resolution());
    await expect(manager.waitForApproval('ws1', 'a1')).resolves.toMatchObject({
      status: 'approved',
    });
  });

  it('forgets cached resolutions after their time to live', async () => {
    manager.onApprovalResponse(resolution());
    jest.advanceTimersByTime(60_001);
    const wait = manager.waitForApproval('ws1', 'a1', { timeoutMs: 10 });
    const rejection = expect(wait).rejects.toBeInstanceOf(ApprovalTimeoutError);
    await jest.advanceTimersByTimeAsync(10);
    await rejection;
  });

  it('wakes every waiter of an approval through one shared channel', async () => {
    const waits = Array.from({ length: 1_000 }, () => manager.waitForApproval('ws1', 'a1'));
    expect(manager.pendingCount).toBe(1_000);
    expect(core.channels.size).toBe(1);
    manager.onApprovalResponse(resolution());
    const results = await Promise.all(waits);
    expect(results).toHaveLength(1_000);
    expect(manager.pendingCount).toBe(0);
    expect(core.channels.size).toBe(0);
  });

  it('never wakes a wait in another workspace', async () => {
    const wait = manager.waitForApproval('ws1', 'a1', { timeoutMs: 50 });
    manager.onApprovalResponse(resolution({ workspaceId: 'ws2' }));
    const rejection = expect(wait).rejects.toBeInstanceOf(ApprovalTimeoutError);
    await jest.advanceTimersByTimeAsync(50);
    await rejection;
  });

  it('publishes a duplicate delivery only once', async () => {
    const seen = firstValueFrom(manager.resolutions$.pipe(take(2), toArray()));
    manager.onApprovalResponse(resolution());
    manager.onApprovalResponse(resolution());
    manager.onApprovalResponse(
      resolution({ status: 'rejected', resolvedAt: '2026-11-24T10:00:01.000Z' }),
    );
    await expect(seen).resolves.toEqual([
      resolution(),
      resolution({ status: 'rejected', resolvedAt: '2026-11-24T10:00:01.000Z' }),
    ]);
    expect(
      await registryMetric(metrics.registry, 'approval_events_received_total', {
        source: 'in_process',
      }),
    ).toBe(3);
  });

  it.each(['approved', 'rejected', 'auto_approved', 'cancelled', 'expired'] as const)(
    'takes a resolution with status %s',
    async (status) => {
      const wait = manager.waitForApproval('ws1', 'a1');
      manager.onApprovalResponse(resolution({ status }));
      await expect(wait).resolves.toMatchObject({ status });
    },
  );

  it.each([
    ['not an object', 'approved'],
    ['a missing approvalId', { ...resolution(), approvalId: undefined }],
    ['an unknown status', { ...resolution(), status: 'maybe' }],
    ['pending as a resolution', { ...resolution(), status: 'pending' }],
    ['a number for workspaceId', { ...resolution(), workspaceId: 42 }],
    ['an id with spaces', { ...resolution(), approvalId: 'a 1' }],
    ['an overlong id', { ...resolution(), approvalId: 'x'.repeat(129) }],
    ['a bad date', { ...resolution(), resolvedAt: 'yesterday' }],
    ['a day its month does not have', { ...resolution(), resolvedAt: '2026-02-30T10:00:00Z' }],
    ['an hour past 23', { ...resolution(), resolvedAt: '2026-02-10T24:00:00Z' }],
    ['an array resolution', { ...resolution(), resolution: [1] }],
    ['a huge resolution', { ...resolution(), resolution: { notes: 'x'.repeat(20_000) } }],
  ])('refuses %s with a clear error and counts it', async (_case, payload) => {
    const wait = manager.waitForApproval('ws1', 'a1', { timeoutMs: 10 });
    expect(() => manager.onApprovalResponse(payload as ApprovalResult)).toThrow(
      InvalidApprovalEventError,
    );
    expect(
      await registryMetric(metrics.registry, 'approval_events_rejected_total', {
        reason: 'invalid_payload',
      }),
    ).toBe(1);
    const rejection = expect(wait).rejects.toBeInstanceOf(ApprovalTimeoutError);
    await jest.advanceTimersByTimeAsync(10);
    await rejection;
  });

  it('keeps only known fields, so nothing rides along on an event', async () => {
    const payload = JSON.parse(
      '{"approvalId":"a1","workspaceId":"ws1","status":"approved","resolvedAt":"2026-11-24T10:00:00Z","extra":1,"resolution":{"__proto__":{"polluted":true}}}',
    );
    const wait = manager.waitForApproval('ws1', 'a1');
    manager.onApprovalResponse(payload);
    const result = await wait;
    expect(result).not.toHaveProperty('extra');
    expect(({} as any).polluted).toBeUndefined();
    expect((result.resolution as any).polluted).toBeUndefined();
  });

  it('rejects with ApprovalTimeoutError carrying the context', async () => {
    const wait = manager.waitForApproval('ws1', 'a1', { timeoutMs: 1_000 });
    const rejection = expect(wait).rejects.toMatchObject({
      name: 'TimeoutError',
      approvalId: 'a1',
      timeoutMs: 1_000,
    });
    await jest.advanceTimersByTimeAsync(1_000);
    await rejection;
    expect(manager.pendingCount).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the signal reason when aborted, and leaves nothing behind', async () => {
    const controller = new AbortController();
    const wait = manager.waitForApproval('ws1', 'a1', { signal: controller.signal });
    controller.abort();
    await expect(wait).rejects.toMatchObject({ name: 'AbortError' });
    expect(manager.pendingCount).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(core.channels.size).toBe(0);
  });

  it('refuses bad wait arguments with a clear error', async () => {
    await expect(manager.waitForApproval('', 'a1')).rejects.toThrow(
      'workspaceId must be 1 to 128 characters',
    );
    await expect(manager.waitForApproval('ws1', 'a1', { timeoutMs: -1 })).rejects.toBeInstanceOf(
      RangeError,
    );
    expect(manager.pendingCount).toBe(0);
  });

  it('refuses a wait beyond maxPendingWaits, and takes one again when a wait ends', async () => {
    const { manager: bounded } = createApprovalEvents({ maxPendingWaits: 2 });
    const first = bounded.waitForApproval('ws1', 'a1');
    const second = bounded.waitForApproval('ws1', 'a2');
    await expect(bounded.waitForApproval('ws1', 'a3')).rejects.toMatchObject({
      name: 'ApprovalWaitLimitError',
      maxPendingWaits: 2,
    });
    bounded.onApprovalResponse(resolution());
    await first;
    const third = bounded.waitForApproval('ws1', 'a3');
    expect(bounded.pendingCount).toBe(2);
    bounded.onApplicationShutdown();
    await expect(Promise.all([second, third])).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
  });

  it('is connected while every event link is up', async () => {
    const states: boolean[] = [];
    manager.connected$.subscribe((up) => states.push(up));
    core.coverage.setLinkState('remote_bus', false);
    core.coverage.setLinkState('replica', false);
    core.coverage.setLinkState('remote_bus', true);
    expect(manager.isConnected).toBe(false);
    core.coverage.setLinkState('replica', true);
    expect(states).toEqual([true, false, true]);
  });

  it('rejects pending waits on shutdown and refuses new ones', async () => {
    const waits = [manager.waitForApproval('ws1', 'a1'), manager.waitForApproval('ws1', 'a2')];
    manager.onApplicationShutdown();
    for (const wait of waits)
      await expect(wait).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
    await expect(manager.waitForApproval('ws1', 'a3')).rejects.toBeInstanceOf(
      ApprovalEventsShutdownError,
    );
    expect(manager.pendingCount).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
