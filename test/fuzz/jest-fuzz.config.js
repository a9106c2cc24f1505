/**
 * Property-based fuzz suites (fast-check, fixed seeds): the manager's hot-path validator
 * in-process, the Socket.io gateway and the REST DTOs against the real host on port 0.
 * Run with `npm run test:fuzz`; every suite prints what it tried and the seeds it used.
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/fuzz/.*\\.fuzz-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
  },
  // ConfigModule snapshots the environment on import: start every suite from a clean one.
  setupFiles: ['<rootDir>/test/support/clean-environment.ts'],
  // Adds up the payloads every suite tried and fails the run below the 100 000 floor.
  reporters: ['default', '<rootDir>/test/fuzz/support/fuzz-totals.reporter.js'],
  testTimeout: 120_000,
};
