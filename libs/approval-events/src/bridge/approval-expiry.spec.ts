import { decideAndPublish } from '../../test/events';
import { createApprovalEvents, type ApprovalEventsWiring } from '../../test/wiring';
import { ApprovalExpiredError } from '../errors/approval-expired.error';
import { ApprovalTimeoutError } from '../errors/approval-timeout.error';
import type { Approval } from '../interfaces/approval.interface';

const START = Date.parse('2026-11-24T10:00:00.000Z');
const at = (ms: number) => new Date(START + ms).toISOString();

/** Lets pending promise callbacks (status reads) run without moving the clock. */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('a bridge wait on an approval with a deadline', () => {
  let ctx: ApprovalEventsWiring;

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: exact delays
    ctx = createApprovalEvents({ pollIntervalMs: 1_000 });
  });

  afterEach(() => {
    ctx.shutdown();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** The store ends the approval at its deadline, without an event (an HTTP-only agent). */
  const expireQuietly = (id: string, fields: Partial<Approval> = {}) => {
    const approval = ctx.source.approvals.get(`ws1/${id}`)!;
    ctx.source.approvals.set(`ws1/${id}`, {
      ...approval,
      status: 'expired',
      resolvedAt: new Date().toISOString(),
      ...fields,
    });
  };

  const expectNothingLeft = () => {
    expect(ctx.manager.pendingCount).toBe(0);
    expect(ctx.watches.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  };

  it('rejects with ApprovalExpiredError, carrying expiresAt, when the event says expired', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(60_000) });
    const wait = ctx.bridge.waitForApproval('ws1', 'a1');
    await flush();
    decideAndPublish(ctx.source, ctx.manager, 'ws1', 'a1', 'expired');
    const error: ApprovalExpiredError = await wait.then(
      () => Promise.reject(new Error('resolved')),
      (rejection: ApprovalExpiredError) => rejection,
    );
    expect(error).toBeInstanceOf(ApprovalExpiredError);
    expect(error).not.toBeInstanceOf(ApprovalTimeoutError);
    expect(error).toMatchObject({
      name: 'ApprovalExpiredError',
      approvalId: 'a1',
      expiredAt: at(60_000),
      approval: expect.objectContaining({ status: 'expired' }),
    });
    expectNothingLeft();
  });

  it("says the approval's resolvedAt when it carries no expiresAt", async () => {
    ctx.source.add('ws1', 'a1', 'expired', { resolvedAt: at(-5) });
    await expect(ctx.bridge.waitForApproval('ws1', 'a1')).rejects.toMatchObject({
      name: 'ApprovalExpiredError',
      expiredAt: at(-5),
    });
  });

  it('reads the approval once at expiresAt, so a wait with no event still ends on time', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(30_000) });
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 120_000 });
    const outcome = wait.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(ctx.source.readsOf('a1')).toBe(1); // no read before the deadline: events are trusted
    expireQuietly('a1');
    await jest.advanceTimersByTimeAsync(1);
    expect(ctx.source.readsOf('a1')).toBe(2);
    await expect(outcome).resolves.toBeInstanceOf(ApprovalExpiredError);
    expect(Date.now()).toBe(START + 30_000);
    expectNothingLeft();
  });

  it('arms one timer per approval, however many wait on it, and it goes with the watch', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(30_000) });
    const controller = new AbortController();
    const waits = Array.from({ length: 10 }, () =>
      ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 120_000, signal: controller.signal }),
    );
    for (const wait of waits) wait.catch(() => undefined);
    await flush();
    // One timer per wait (its own limit) and one for the watch's read at the deadline.
    expect(jest.getTimerCount()).toBe(10 + 1);
    controller.abort();
    await flush();
    expectNothingLeft();
    expect(ctx.source.readsOf('a1')).toBe(1);
  });

  it('does not read at expiresAt for waits whose own limit comes first', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(30_000) });
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 10_000 });
    const rejection = expect(wait).rejects.toBeInstanceOf(ApprovalTimeoutError);
    await jest.advanceTimersByTimeAsync(10_000);
    await rejection;
    await jest.advanceTimersByTimeAsync(30_000);
    expect(ctx.source.readsOf('a1')).toBe(2); // the start and the timeout's last look
    expectNothingLeft();
  });

  it('backs off a few reads when the store ends it a little late, then stops expecting it', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(1_000) });
    const late = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000 });
    const outcome = late.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ctx.source.readsOf('a1')).toBe(2); // at the deadline: still pending
    await jest.advanceTimersByTimeAsync(250);
    expect(ctx.source.readsOf('a1')).toBe(3);
    expireQuietly('a1'); // the sweeper ran 600 ms late
    await jest.advanceTimersByTimeAsync(500);
    expect(ctx.source.readsOf('a1')).toBe(4);
    await expect(outcome).resolves.toBeInstanceOf(ApprovalExpiredError);
    expectNothingLeft();

    // A store that never ends it: 5 follow-ups (250 … 4 000 ms), then only events and polls.
    ctx.source.add('ws1', 'a2', 'pending', { expiresAt: at(10_000) });
    const never = ctx.bridge.waitForApproval('ws1', 'a2', { timeoutMs: 60_000 });
    never.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(10_000 - (Date.now() - START));
    expect(ctx.source.readsOf('a2')).toBe(2);
    await jest.advanceTimersByTimeAsync(250 + 500 + 1_000 + 2_000 + 4_000);
    expect(ctx.source.readsOf('a2')).toBe(2 + 5);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(ctx.source.readsOf('a2')).toBe(7);
    decideAndPublish(ctx.source, ctx.manager, 'ws1', 'a2', 'approved');
    await expect(never).resolves.toMatchObject({ status: 'approved' });
  });

  it('takes a deadline beyond what a Node.js timer holds in steps, without an early read', async () => {
    const day = 24 * 3_600_000;
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(30 * day) });
    const longest = { timeoutMs: 2_147_483_647 }; // ~24.8 days
    const first = ctx.bridge.waitForApproval('ws1', 'a1', longest);
    first.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(20 * day);
    // A second wait keeps the watch beyond the first one's limit.
    const second = ctx.bridge.waitForApproval('ws1', 'a1', longest);
    const outcome = second.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(10 * day - 1);
    // The start, and the first wait's last look at its limit: no read at the ~24.8-day step,
    // where a naive timer would have fired (Node turns an overflow into 1 ms).
    expect(ctx.source.readsOf('a1')).toBe(2);
    await expect(first).rejects.toBeInstanceOf(ApprovalTimeoutError);
    expireQuietly('a1');
    await jest.advanceTimersByTimeAsync(1);
    expect(ctx.source.readsOf('a1')).toBe(3);
    await expect(outcome).resolves.toBeInstanceOf(ApprovalExpiredError);
  });

  it('reads at the later deadline when a read finds expiresAt moved', async () => {
    ctx.source.add('ws1', 'a1', 'pending', { expiresAt: at(10_000) });
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000 });
    const outcome = wait.catch((error: unknown) => error);
    await flush();
    const extended = { ...ctx.source.approvals.get('ws1/a1')!, expiresAt: at(20_000) };
    ctx.source.approvals.set('ws1/a1', extended);
    // A forged event makes a read that sees the new deadline.
    ctx.manager.onApprovalResponse({
      approvalId: 'a1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedAt: at(0),
    });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(ctx.source.readsOf('a1')).toBe(2);
    expireQuietly('a1');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(ctx.source.readsOf('a1')).toBe(3);
    await expect(outcome).resolves.toMatchObject({ expiredAt: at(20_000) });
  });

  it('the timed-out wait whose last read finds it expired rejects with ApprovalExpiredError', async () => {
    ctx.source.add('ws1', 'a1', 'pending');
    const wait = ctx.bridge.waitForApproval('ws1', 'a1', { timeoutMs: 5_000 });
    const outcome = wait.catch((error: unknown) => error);
    await flush();
    expireQuietly('a1', { expiresAt: at(4_000) });
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(outcome).resolves.toMatchObject({
      name: 'ApprovalExpiredError',
      expiredAt: at(4_000),
    });
  });
});
