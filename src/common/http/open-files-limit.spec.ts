import { connectionsWithin, FALLBACK_OPEN_FILES_LIMIT, openFilesLimit } from './open-files-limit';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('openFilesLimit', () => {
  it('reads the soft limit, not the hard one, from /proc/self/limits', () => {
    expect(openFilesLimit(() => LIMITS)).toEqual({ limit: 20_000, source: '/proc/self/limits' });
  });

  it('falls back where there is no /proc (macOS, Windows) or the limit is unlimited', () => {
    const fallback = { limit: FALLBACK_OPEN_FILES_LIMIT, source: 'fallback' };
    expect(
      openFilesLimit(() => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }),
    ).toEqual(fallback);
    expect(openFilesLimit(() => LIMITS.replace('20000 ', 'unlimited '))).toEqual(fallback);
    expect(openFilesLimit(() => '')).toEqual(fallback);
  });

  it('reads this process’s own limit on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(openFilesLimit().source).toBe('/proc/self/limits');
  });
});

describe('connectionsWithin', () => {
  it('keeps 10 % of the descriptors, and at least 128, for everything else', () => {
    expect(connectionsWithin(20_000)).toBe(18_000);
    expect(connectionsWithin(1_024)).toBe(896);
    expect(connectionsWithin(100)).toBe(1);
  });
});
