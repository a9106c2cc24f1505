/**
 * The chaos suite: `npm run test:chaos` (in band, --detectOpenHandles). 1 000 waits across an
 * agent worker and a second host replica while the event links are cut, status reads fail
 * and events arrive duplicated, late, out of order or forged. Every random choice comes from
 * one printed seed (`CHAOS_SEED` to replay another), and the suite prints its figures.
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/chaos/.*\\.chaos-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
  },
  // ConfigModule snapshots the environment on import: start every suite from a clean one.
  setupFiles: ['<rootDir>/test/support/clean-environment.ts'],
  // Closes every app, relay, socket and request a test opened, whether it passed or not.
  setupFilesAfterEnv: ['<rootDir>/test/support/close-after-each.ts'],
  testTimeout: 240_000,
};
