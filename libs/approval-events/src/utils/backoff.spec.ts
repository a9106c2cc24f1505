import { MAX_TIMEOUT_MS } from '../approval-events.constants';
import { backoffDelay, jittered, MAX_JITTERED_DELAY_MS } from './backoff';

describe('jittered and backoffDelay', () => {
  afterEach(() => jest.restoreAllMocks());

  it('moves a delay by at most ±10 %', () => {
    jest.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.999_999);
    expect(jittered(5_000)).toBe(4_500);
    expect(jittered(5_000)).toBe(5_500);
  });

  it('keeps the longest poll interval a timer holds once jittered', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999_999);
    expect(jittered(MAX_JITTERED_DELAY_MS)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
    expect(jittered(MAX_JITTERED_DELAY_MS + 100)).toBeGreaterThan(MAX_TIMEOUT_MS);
  });

  it('doubles from firstMs up to maxMs, and never overflows', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const backoff = { firstMs: 100, maxMs: 5_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, backoff))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000,
    ]);
    expect(backoffDelay(10_000, backoff)).toBe(5_000);
  });
});
