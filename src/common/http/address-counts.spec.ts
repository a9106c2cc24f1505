import { AddressCounts, clientAddress } from './address-counts';

describe('AddressCounts', () => {
  it('refuses past the cap per address, and takes again once one is given back', () => {
    const counts = new AddressCounts(2);
    expect([counts.acquire('a'), counts.acquire('a'), counts.acquire('a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(counts.acquire('b')).toBe(true);
    counts.release('a');
    expect(counts.acquire('a')).toBe(true);
    expect(counts.heldBy('a')).toBe(2);
  });

  it('holds no entry for an address that holds nothing, and 0 is no cap', () => {
    const counts = new AddressCounts(0);
    for (let index = 0; index < 1_000; index++) expect(counts.acquire('a')).toBe(true);
    for (let index = 0; index < 1_000; index++) counts.release('a');
    expect(counts.heldBy('a')).toBe(0);
    expect((counts as unknown as { counts: Map<string, number> }).counts.size).toBe(0);
  });
});

describe('clientAddress', () => {
  it('counts an IPv4 client of a dual-stack listener as its IPv4 address', () => {
    expect(clientAddress({ remoteAddress: '::ffff:10.0.0.1' })).toBe('10.0.0.1');
    expect(clientAddress({ remoteAddress: '10.0.0.1' })).toBe('10.0.0.1');
    expect(clientAddress({ remoteAddress: '::1' })).toBe('::1');
    expect(clientAddress({ remoteAddress: undefined })).toBe('unknown');
  });
});
