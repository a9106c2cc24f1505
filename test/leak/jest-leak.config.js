const { base } = require('../jest-base.config');

/**
 * The leak suite: `npm run test:leak` (jest in a process started with --expose-gc, in band,
 * so the suite can force collections and read the heap of the process that ran the waits).
 */
module.exports = {
  ...base,
  testRegex: 'test/leak/.*\\.leak-spec\\.ts$',
  testTimeout: 300_000,
};
