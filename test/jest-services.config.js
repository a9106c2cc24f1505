/**
 * Suites that need real services (PostgreSQL, Redis): `*.pg-spec.ts` and `*.services-spec.ts`
 * anywhere under src/, libs/ and test/. `scripts/test.js` runs them with `--runInBand`, and
 * `TEST_DATABASE_URL` / `TEST_REDIS_URL` set, only when both services answer. Kept apart from
 * the unit config, whose `.spec.ts` pattern does not match these names.
 */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  roots: ['<rootDir>/src', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(pg|services)-spec\\.ts$',
  // tsconfig.spec.json sets isolatedModules: ts-jest transpiles each file on its own.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
  },
  setupFiles: ['<rootDir>/test/support/clean-environment.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/close-after-each.ts'],
  testTimeout: 30_000,
};
