const { appSuite, base } = require('./jest-base.config');

/**
 * Suites that need real services (PostgreSQL, Redis): `*.pg-spec.ts` and `*.services-spec.ts`
 * anywhere under src/, libs/ and test/. `scripts/test.js` runs them with `--runInBand`, and
 * `TEST_DATABASE_URL` / `TEST_REDIS_URL` set, only when both services answer. Kept apart from
 * the unit config, whose `.spec.ts` pattern does not match these names.
 */
module.exports = {
  ...base,
  ...appSuite,
  roots: ['<rootDir>/src', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(pg|services)-spec\\.ts$',
  testTimeout: 30_000,
};
