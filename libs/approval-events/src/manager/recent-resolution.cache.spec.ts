import type { ApprovalResult } from '../interfaces/approval.interface';
import { RecentResolutionCache } from './recent-resolution.cache';

const result = (approvalId: string): ApprovalResult => ({
  approvalId,
  workspaceId: 'ws1',
  status: 'approved',
  resolvedAt: '2026-11-24T10:00:00.000Z',
});

describe('RecentResolutionCache', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('evicts the oldest entry beyond its size', () => {
    const cache = new RecentResolutionCache(2, 60_000);
    cache.set('a', result('a'));
    cache.set('b', result('b'));
    cache.set('c', result('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual(result('c'));
  });

  it('forgets entries older than its time to live, without a timer', () => {
    const cache = new RecentResolutionCache(10, 1_000);
    cache.set('a', result('a'));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1_001);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', result('b'));
    jest.advanceTimersByTime(1_001);
    cache.set('c', result('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual(result('c'));
    expect(jest.getTimerCount()).toBe(0);
  });

  it('remembers nothing with a size of 0', () => {
    const cache = new RecentResolutionCache(0, 1_000);
    cache.set('a', result('a'));
    expect(cache.get('a')).toBeUndefined();
  });
});
