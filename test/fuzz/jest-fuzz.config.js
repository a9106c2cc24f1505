const { appSuite, base } = require('../jest-base.config');

/**
 * Property-based fuzz suites (fast-check, fixed seeds): the manager's hot-path validator
 * in-process, the Socket.io gateway and the REST DTOs against the real host on port 0.
 * Run with `npm run test:fuzz`; every suite prints what it tried and the seeds it used.
 */
module.exports = {
  ...base,
  // The suites close what they open themselves (afterAll), so only the clean environment.
  setupFiles: appSuite.setupFiles,
  testRegex: 'test/fuzz/.*\\.fuzz-spec\\.ts$',
  // Adds up the payloads every suite tried and fails the run below the 100 000 floor.
  reporters: ['default', '<rootDir>/test/fuzz/support/fuzz-totals.reporter.js'],
  testTimeout: 120_000,
};
