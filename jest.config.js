/** Unit specs: beside the code in libs/, src/ and apps/. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  roots: ['<rootDir>/libs', '<rootDir>/src', '<rootDir>/apps'],
  testRegex: '.*\\.spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
    '^@app/config$': '<rootDir>/libs/config/src',
  },
  collectCoverageFrom: ['{libs,src,apps}/**/*.ts', '!**/*.spec.ts', '!**/main.ts'],
};
