const { base } = require('./test/jest-base.config');

/** Unit specs: beside the code in libs/, src/ and apps/. */
module.exports = {
  ...base,
  roots: ['<rootDir>/libs', '<rootDir>/src', '<rootDir>/apps'],
  testRegex: '.*\\.spec\\.ts$',
  collectCoverageFrom: ['{libs,src,apps}/**/*.ts', '!**/*.spec.ts', '!**/main.ts'],
};
