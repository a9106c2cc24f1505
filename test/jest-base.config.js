const path = require('node:path');

/**
 * What every Jest config outside package.json shares: TypeScript through ts-jest
 * (tsconfig.spec.json sets isolatedModules, so each file is transpiled on its own) and the
 * libraries' `@app/approval-events` and `@app/config` paths. Each suite's config spreads it and adds its own.
 */
const base = {
  rootDir: path.join(__dirname, '..'),
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/approval-events(|/.*)$': '<rootDir>/libs/approval-events/src$1',
    '^@app/config$': '<rootDir>/libs/config/src',
  },
};

/** For suites that boot apps: a clean environment, and everything a test opened closed. */
const appSuite = {
  // Runs before any module is imported: ConfigModule snapshots the environment on import.
  setupFiles: ['<rootDir>/test/support/clean-environment.ts'],
  // Closes every app, relay, socket and request a test opened, whether it passed or not.
  setupFilesAfterEnv: ['<rootDir>/test/support/close-after-each.ts'],
};

module.exports = { base, appSuite };
