const { appSuite, base } = require('../jest-base.config');

/**
 * The browser suite: the approver inbox at `/` driven in headless Chromium (Debian's
 * `chromium`, or `CHROMIUM_PATH`) with playwright-core, against the real host. `npm test`
 * runs it when Chromium is installed and says it skipped it otherwise (a failure with CI=true).
 */
module.exports = {
  ...base,
  ...appSuite,
  testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
  testTimeout: 30_000,
};
