const { appSuite, base } = require('./jest-base.config');

/**
 * End-to-end suites: each boots the real host (and, where needed, the agent worker) on an
 * ephemeral port and talks to it over HTTP and Socket.io. Run with `npm run test:e2e`.
 */
module.exports = {
  ...base,
  ...appSuite,
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  testTimeout: 20_000,
};
