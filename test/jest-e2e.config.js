/**
 * End-to-end suites: each boots the real host (and, where needed, the agent worker) on an
 * ephemeral port and talks to it over HTTP and Socket.io. Run with `npm run test:e2e`.
 */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
  },
  // Runs before any module is imported: ConfigModule snapshots the environment on import.
  setupFiles: ['<rootDir>/test/support/clean-environment.ts'],
  // Closes every app and socket a test opened, whether it passed or not.
  setupFilesAfterEnv: ['<rootDir>/test/support/close-after-each.ts'],
  testTimeout: 20_000,
};
