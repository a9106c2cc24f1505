import { parseBoundedJsonObject } from './bounded-json';

const MAX = 8_000;

describe('parseBoundedJsonObject', () => {
  it('reads a JSON object', () => {
    const payload = JSON.stringify({ approvalId: 'a1', workspaceId: 'ws1', status: 'approved' });
    expect(parseBoundedJsonObject(payload, MAX)).toEqual({
      approvalId: 'a1',
      workspaceId: 'ws1',
      status: 'approved',
    });
  });

  it.each([
    ['not JSON', 'a1 approved'],
    ['empty', ''],
    ['an array', '[{"approvalId":"a1"}]'],
    ['a string', '"a1"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('refuses %s', (_, payload) => {
    expect(parseBoundedJsonObject(payload, MAX)).toBeUndefined();
  });

  it('does not parse what is longer than its bound', () => {
    const tooLong = JSON.stringify({ approvalId: 'a1', padding: 'x'.repeat(MAX) });
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(parseBoundedJsonObject(tooLong, MAX)).toBeUndefined();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
