/**
 * The leak suite: `npm run test:leak` (jest in a process started with --expose-gc, in band,
 * so the suite can force collections and read the heap of the process that ran the waits).
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/leak/.*\\.leak-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
  },
  testTimeout: 300_000,
};
