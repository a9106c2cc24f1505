const path = require('node:path');

/**
 * What every Jest config shares: TypeScript through ts-jest (tsconfig.spec.json sets
 * isolatedModules, so each file is transpiled on its own, and CommonJS, so `import()` is a
 * `require` Jest can serve), Nest 12's ESM-only `@nestjs/*` packages compiled to CommonJS
 * (Jest cannot `require(esm)` before Node 24.9; see jest-esm-packages.transformer.js) and
 * the libraries' `@app/approval-events` and `@app/config` paths. Each suite's config spreads
 * it and adds its own; a config that replaces `transform` or `transformIgnorePatterns` must
 * keep both entries, or no suite that loads Nest runs.
 */
const base = {
  rootDir: path.join(__dirname, '..'),
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/@nestjs/.+\\.js$': '<rootDir>/test/jest-esm-packages.transformer.js',
  },
  // Everything in node_modules is CommonJS and runs as it is, except Nest's packages.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
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
