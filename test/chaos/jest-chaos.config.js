const { appSuite, base } = require('../jest-base.config');

/**
 * The chaos suite: `npm run test:chaos` (in band, --detectOpenHandles). 1 000 waits across an
 * agent worker and a second host replica while the event links are cut, status reads fail
 * and events arrive duplicated, late, out of order or forged. Every random choice comes from
 * one printed seed (`CHAOS_SEED` to replay another), and the suite prints its figures.
 */
module.exports = {
  ...base,
  ...appSuite,
  testRegex: 'test/chaos/.*\\.chaos-spec\\.ts$',
  testTimeout: 240_000,
};
