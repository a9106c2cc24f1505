#!/usr/bin/env node
/**
 * `npm test`: every suite, unit then end-to-end, then the suites that need PostgreSQL and
 * Redis, then the browser suite that needs Chromium, then the package suite (the packed
 * library installed into three apps outside the monorepo: Nest 11 and 12 on CommonJS, Nest 12
 * on ESM), which needs the npm registry. Each
 * runs only when what it needs is there; otherwise it is named as skipped, with why, unless
 * CI=true, where that is a failure.
 *
 * Ends with one line `tests: N passed, N failed, N skipped` and a non-zero exit on any failure.
 */
const { spawnSync } = require('node:child_process');
const { accessSync, constants, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const jest = require.resolve('jest/bin/jest');
const inCi = process.env.CI === 'true' || process.env.CI === '1';

const DATABASE_URL =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
// The outside apps install their peers from here (its cache, filled by `npm ci`, first).
const NPM_REGISTRY = process.env.npm_config_registry || 'https://registry.npmjs.org/';
/** The browser suite drives Debian's Chromium (test/browser/support/chromium.ts reads the same). */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Suites by the services they need; `needs` empty means they always run. */
const SUITES = [
  { name: 'unit', args: [], needs: [] },
  { name: 'e2e', args: ['--config', 'test/jest-e2e.config.js', '--detectOpenHandles'], needs: [] },
  {
    name: 'services (PostgreSQL + Redis)',
    args: ['--config', 'test/jest-services.config.js', '--detectOpenHandles', '--runInBand'],
    needs: ['postgres', 'redis'],
  },
  {
    name: 'browser (Chromium)',
    args: ['--config', 'test/browser/jest-browser.config.js', '--detectOpenHandles', '--runInBand'],
    needs: ['chromium'],
  },
  {
    name: 'package (the packed library in Nest 11 and 12 apps outside the monorepo)',
    args: ['--config', 'test/package/jest-package.config.js', '--detectOpenHandles', '--runInBand'],
    needs: ['npm'],
  },
];

/** Why each missing need is missing, as the skip line says it. */
const MISSING = {
  postgres: () => `PostgreSQL unreachable at ${new URL(DATABASE_URL).host}`,
  redis: () => `Redis unreachable at ${new URL(REDIS_URL).host}`,
  chromium: () =>
    `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  npm: () => `npm registry unreachable at ${new URL(NPM_REGISTRY).host}`,
};

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({
      host: hostname || '127.0.0.1',
      port: Number(port) || defaultPort,
    });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function runJest(suite, outputFile) {
  const env = { ...process.env, TEST_DATABASE_URL: DATABASE_URL, TEST_REDIS_URL: REDIS_URL };
  const result = spawnSync(
    process.execPath,
    [jest, ...suite.args, '--json', `--outputFile=${outputFile}`],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  let report;
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    report = undefined;
  }
  return { status: result.status ?? 1, report };
}

async function main() {
  const services = {
    postgres: await reachable(DATABASE_URL, 5432),
    redis: await reachable(REDIS_URL, 6379),
    npm: await reachable(NPM_REGISTRY, new URL(NPM_REGISTRY).protocol === 'http:' ? 80 : 443),
    chromium: executable(CHROMIUM_PATH),
  };
  const tmp = mkdtempSync(path.join(tmpdir(), 'approval-events-test-'));
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const skippedSuites = [];
  let failed = false;

  for (const [index, suite] of SUITES.entries()) {
    const missing = suite.needs.filter((service) => !services[service]);
    if (missing.length > 0) {
      const why = missing.map((need) => MISSING[need]()).join('; ');
      if (inCi) {
        console.error(`\n✖ ${suite.name}: ${why}. CI=true, so what is missing is a failure.`);
        failed = true;
      } else {
        console.warn(
          `\n⚠ SKIPPED ${suite.name} suites: ${why}. Provide what is missing to run them.`,
        );
        skippedSuites.push(`${suite.name} (${why})`);
      }
      continue;
    }
    console.log(`\n▶ ${suite.name} suites`);
    const { status, report } = runJest(suite, path.join(tmp, `suite-${index}.json`));
    if (report) {
      totals.passed += report.numPassedTests;
      totals.failed += report.numFailedTests;
      totals.skipped += report.numPendingTests + report.numTodoTests;
    }
    if (status !== 0) failed = true;
  }
  rmSync(tmp, { recursive: true, force: true });

  console.log('');
  if (skippedSuites.length > 0) console.log(`Skipped suites: ${skippedSuites.join(', ')}`);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

void main();
