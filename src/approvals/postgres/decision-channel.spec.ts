import { decisionChannelFor } from './decision-channel';

describe('decisionChannelFor', () => {
  it('names the channel after the schema', () => {
    expect(decisionChannelFor('public')).toBe('approvals_decided_public');
    expect(decisionChannelFor('test_approvals_0123456789abcdef')).toBe(
      'approvals_decided_test_approvals_0123456789abcdef',
    );
  });

  it('stays within 63 bytes and tells long schemas apart, even with a common start', () => {
    const a = decisionChannelFor(`${'a'.repeat(50)}_one`);
    const b = decisionChannelFor(`${'a'.repeat(50)}_two`);
    expect(a).not.toBe(b);
    for (const channel of [a, b, decisionChannelFor('z'.repeat(63))]) {
      expect(channel.length).toBeLessThanOrEqual(63);
      expect(channel).toMatch(/^approvals_decided_[a-z0-9_]+$/);
    }
    expect(decisionChannelFor('z'.repeat(45))).toBe(`approvals_decided_${'z'.repeat(45)}`);
  });

  it('refuses what is not a schema name, so nothing odd reaches SQL', () => {
    expect(() => decisionChannelFor("x'; NOTIFY y; --")).toThrow(RangeError);
    expect(() => decisionChannelFor('pg_catalog')).toThrow(RangeError);
  });
});
