import { SampledLog } from './sampled-log';

describe('SampledLog', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes at most `lines` per window, then says how many it dropped, by kind', async () => {
    const warn = jest.fn();
    const log = new SampledLog({ warn }, { lines: 3, windowSeconds: 10 });
    for (let index = 0; index < 10; index++) {
      await log.warn(index % 2 ? '413' : '400', `line ${index}`);
    }
    expect(warn.mock.calls).toEqual([['line 0'], ['line 1'], ['line 2']]);

    jest.setSystemTime(Date.now() + 10_001);
    await log.warn('400', 'line 10');
    expect(warn.mock.calls.slice(3)).toEqual([
      ['suppressed 7 similar lines in the last window (413: 4, 400: 3)'],
      ['line 10'],
    ]);
    await log.warn('400', 'line 11');
    expect(warn).toHaveBeenLastCalledWith('line 11'); // the count was reported once
  });
});
