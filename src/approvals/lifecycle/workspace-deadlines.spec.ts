import { InMemoryApprovalsRepository } from '../in-memory-approvals.repository';
import type { LifecycleTransition, NewApproval } from '../approvals.repository';
import { MAX_TIMER_DELAY_MS } from './workspace-deadlines';

const START = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(START + ms).toISOString();
const DAY = 24 * 3_600_000;

describe('the in-memory store’s deadlines (one timer per workspace, fake timers)', () => {
  let repository: InMemoryApprovalsRepository;
  let transitions: LifecycleTransition[];

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    repository = new InMemoryApprovalsRepository();
    transitions = [];
    sequence = 0;
    repository.lifecycle$.subscribe((transition) => transitions.push(transition));
  });

  afterEach(() => {
    repository.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  let sequence = 0;
  const create = (workspaceId: string, overrides: Partial<NewApproval> = {}) =>
    repository.create({
      id: `a${++sequence}`,
      workspaceId,
      action: 'deploy',
      requester: 'agent-7',
      createdAt: at(0),
      ...overrides,
    });
  const deadline = (ms: number) => ({ expiresAt: at(ms), onExpiry: 'expire' as const });
  const ended = () => transitions.filter((t) => t.kind === 'expired').map((t) => t.approval.id);

  it('holds one timer per workspace, however many deadlines, and fires each on time', async () => {
    for (let index = 1; index <= 50; index++) await create('ws1', deadline(index * 1_000));
    await create('ws2', deadline(500));
    expect(jest.getTimerCount()).toBe(2);
    expect(repository.armedTimers).toBe(2);

    await jest.advanceTimersByTimeAsync(499);
    expect(ended()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(ended()).toEqual(['a51']);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(ended()).toEqual(['a51', 'a1', 'a2']);
    await expect(repository.findOne('ws1', 'a2')).resolves.toMatchObject({
      status: 'expired',
      resolvedAt: at(2_000),
    });
    // ws2 has nothing left to wait for: its timer is gone; ws1 re-armed for its next.
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(48_000);
    expect(ended()).toHaveLength(51);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('re-arms for an earlier deadline and drops the deadlines of a decided approval', async () => {
    await create('ws1', deadline(10_000));
    await create('ws1', deadline(2_000)); // earlier: the timer moves to it
    await create('ws1', { ...deadline(5_000), remindAt: at(1_000) });
    await repository.decide('ws1', 'a2', { status: 'approved', resolvedAt: at(0) });
    await repository.decide('ws1', 'a3', { status: 'approved', resolvedAt: at(0) });
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(transitions).toEqual([]); // neither a2's deadline nor a3's reminder fired
    await jest.advanceTimersByTimeAsync(1);
    expect(ended()).toEqual(['a1']);
  });

  it('holds no timer for a workspace whose approvals were all decided', async () => {
    await create('ws1', { ...deadline(60_000), remindAt: at(30_000) });
    await create('ws1', deadline(90_000));
    expect(jest.getTimerCount()).toBe(1);
    await repository.decide('ws1', 'a1', { status: 'approved', resolvedAt: at(0) });
    await repository.decide('ws1', 'a2', { status: 'rejected', resolvedAt: at(0) });
    expect(jest.getTimerCount()).toBe(0);
    expect(repository.armedTimers).toBe(0);
  });

  it('reminds once at remindAt, then expires at the deadline', async () => {
    await create('ws1', { ...deadline(60_000), remindAt: at(30_000) });
    await jest.advanceTimersByTimeAsync(30_000);
    expect(transitions).toEqual([
      { kind: 'reminded', approval: expect.objectContaining({ remindedAt: at(30_000) }) },
    ]);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(transitions.map((t) => t.kind)).toEqual(['reminded', 'expired']);
  });

  it('reaches a 30-day deadline in steps past the longest Node.js timer, never early', async () => {
    await create('ws1', deadline(30 * DAY));
    await jest.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS);
    expect(ended()).toEqual([]);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(30 * DAY - MAX_TIMER_DELAY_MS - 1);
    expect(ended()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(ended()).toEqual(['a1']);
  });

  it('clears every timer on shutdown, and a later write re-arms its own workspace', async () => {
    await create('ws1', deadline(1_000));
    await create('ws2', deadline(1_000));
    repository.onApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    await create('ws1', deadline(5_000));
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ended()).toEqual(['a1']);
  });
});
