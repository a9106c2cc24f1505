import { MAX_STORE_NOTIFICATION_LENGTH, parseStoreNotification } from './store-notification';

describe('parseStoreNotification', () => {
  it('reads the JSON object the store sends', () => {
    const payload = JSON.stringify({ approvalId: 'a1', workspaceId: 'ws1', status: 'approved' });
    expect(parseStoreNotification(payload)).toEqual({
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
    expect(parseStoreNotification(payload)).toBeUndefined();
  });

  it('does not parse what is longer than PostgreSQL would send', () => {
    const padding = 'x'.repeat(MAX_STORE_NOTIFICATION_LENGTH);
    const tooLong = JSON.stringify({ approvalId: 'a1', padding });
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(parseStoreNotification(tooLong)).toBeUndefined();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
