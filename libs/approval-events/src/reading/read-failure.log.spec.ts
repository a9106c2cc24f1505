import { ReadFailureLog } from './read-failure.log';

describe('ReadFailureLog', () => {
  let now: number;
  let lines: string[];
  let log: ReadFailureLog;

  beforeEach(() => {
    now = 0;
    lines = [];
    log = new ReadFailureLog(
      {
        warn: (line: string) => lines.push(`warn ${line}`),
        log: (line: string) => lines.push(`log ${line}`),
      },
      () => now,
    );
  });

  it('writes the first failure of a minute and counts the rest', () => {
    for (let i = 0; i < 10_000; i++) log.failed(`read ${i} failed`);
    expect(lines).toEqual(['warn read 0 failed']);
    now = 60_000;
    log.failed('read again failed');
    expect(lines).toEqual([
      'warn read 0 failed',
      'warn read again failed (9999 more failed in the last window)',
    ]);
  });

  it('says when reads succeed again, with what it did not write', () => {
    log.failed('a failed');
    log.failed('b failed');
    log.failed('c failed');
    log.succeeded();
    log.succeeded();
    expect(lines).toEqual([
      'warn a failed',
      'log Status reads succeed again; 2 more failed since the last warning',
    ]);
    log.failed('d failed'); // a new outage is written at once
    expect(lines.at(-1)).toBe('warn d failed');
  });

  it('writes nothing for successes when nothing failed', () => {
    log.succeeded();
    expect(lines).toEqual([]);
  });
});
