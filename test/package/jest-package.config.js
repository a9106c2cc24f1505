const { base } = require('../jest-base.config');

/**
 * The package suite: `npm run test:package`. Packs libs/approval-events, installs the
 * tarball into a fresh Nest app outside the monorepo and runs it (about a minute, most of
 * it `tsc` and `npm install`). `scripts/test.js` runs it when the npm registry answers.
 */
module.exports = {
  ...base,
  testRegex: 'test/package/.*\\.package-spec\\.ts$',
  testTimeout: 30_000,
};
