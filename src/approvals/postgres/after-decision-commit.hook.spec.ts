import { Logger } from '@nestjs/common';
import { testOnlyHook } from './after-decision-commit.hook';

describe('testOnlyHook (the test-only fault injection point)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('lets a bound hook run under NODE_ENV=test only', () => {
    const hook = jest.fn();
    expect(testOnlyHook(hook, 'test')).toBe(hook);
  });

  it.each(['production', 'development', undefined])(
    'ignores it, loudly, under NODE_ENV=%s',
    (nodeEnv) => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      expect(testOnlyHook(jest.fn(), nodeEnv)).toBeUndefined();
      expect(error).toHaveBeenCalledWith(expect.stringContaining('ignored'));
    },
  );

  it('is nothing when nothing is bound', () => {
    expect(testOnlyHook(null, 'test')).toBeUndefined();
    expect(testOnlyHook(null, 'production')).toBeUndefined();
  });
});
