const { base } = require('../jest-base.config');

/**
 * The package suite: `npm run test:package` (in band). `global-setup.ts` packs
 * libs/approval-events once; each spec installs that tarball into apps outside the monorepo
 * (test/package/support/outside-apps.ts) and runs them: Nest 11 and Nest 12 on CommonJS,
 * Nest 12 on ESM. About a minute and a half on a quiet box, most of it `npm install` from
 * the npm cache and `tsc`. `scripts/test.js` runs it when the npm registry answers.
 */
module.exports = {
  ...base,
  testRegex: 'test/package/.*\\.package-spec\\.ts$',
  globalSetup: '<rootDir>/test/package/global-setup.ts',
  globalTeardown: '<rootDir>/test/package/global-teardown.ts',
  testTimeout: 30_000,
};
