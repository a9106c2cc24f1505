/**
 * The apps outside the monorepo that the package suite installs the packed library into,
 * and the few things every package spec needs to build and run one: a clean child
 * environment, a command runner that says what failed, and where `global-setup.ts` left
 * the tarball.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '../../..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Where `global-setup.ts` wrote the `npm pack` report (its `tarball` is an absolute path). */
export const PACKED_ENV = 'APPROVAL_EVENTS_PACKED';

export interface PackReport {
  filename: string;
  tarball: string;
  workDir: string;
  size: number;
  files: { path: string; size: number }[];
}

/** The tarball `global-setup.ts` packed once for every spec of the suite. */
export function packedLibrary(): PackReport {
  const report = process.env[PACKED_ENV];
  if (!report) throw new Error(`${PACKED_ENV} is unset: run the suite's jest config`);
  return JSON.parse(report) as PackReport;
}

/** The version this monorepo tests with, so the cache its `npm ci` filled has it. */
export const rootVersion = (name: string): string =>
  (
    JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** The peers beside Nest that every in-process user installs, at the monorepo's versions. */
const SHARED_PEERS = ['rxjs', 'reflect-metadata', 'axios', 'prom-client'] as const;

/** An application outside the monorepo, as `npm install` would build it from scratch. */
export interface OutsideApp {
  /** Folder name and test title. */
  name: string;
  /** Its package.json `type`: how Node and `tsc` treat its `.js` and `.ts` files. */
  type: 'commonjs' | 'module';
  nestMajor: 11 | 12;
  /** The required peers, name to exact version (exact, so the npm cache can serve them). */
  peers: Record<string, string>;
}

const nest12Peers = (): Record<string, string> =>
  Object.fromEntries(
    [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/axios',
      '@nestjs/event-emitter',
      ...SHARED_PEERS,
    ].map((name) => [name, rootVersion(name)]),
  );

/**
 * The newest Nest 11 line, pinned: the monorepo itself is on Nest 12, so these come from the
 * npm cache once a run has fetched them, else from the registry.
 */
const nest11Peers = (): Record<string, string> => ({
  '@nestjs/common': '11.2.10',
  '@nestjs/core': '11.2.10',
  '@nestjs/axios': '4.0.1',
  '@nestjs/event-emitter': '3.1.0',
  ...Object.fromEntries(SHARED_PEERS.map((name) => [name, rootVersion(name)])),
});

/** The three apps every release must serve: Nest 11 and 12 on CommonJS, Nest 12 on ESM. */
export const OUTSIDE_APPS = (): OutsideApp[] => [
  { name: 'nest11-cjs', type: 'commonjs', nestMajor: 11, peers: nest11Peers() },
  { name: 'nest12-cjs', type: 'commonjs', nestMajor: 12, peers: nest12Peers() },
  { name: 'nest12-esm', type: 'module', nestMajor: 12, peers: nest12Peers() },
];

/**
 * The environment for an outside app's npm and node: without what `npm test` exports about
 * the monorepo (its package, script and prefix), so the app is nobody's child; the user's
 * npm settings (registry, cache, proxy) stay.
 */
export const childEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^npm_(package|lifecycle)_/i.test(name) &&
        !/^npm_config_(local_|global_)?prefix$/i.test(name) &&
        name !== 'NODE_OPTIONS' &&
        name !== PACKED_ENV,
    ),
  );

/**
 * Runs a command to its end and resolves with its stdout; rejects with the command, the
 * folder and the tail of its output. Asynchronous, so several apps can install at once.
 */
export function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const output = `${stdout}\n${stderr}`.trim().slice(-4_000);
      reject(
        new Error(
          `${path.basename(command)} ${args.join(' ')} (in ${cwd}) failed: ` +
            `${signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : `exit ${code}`}\n${output}`,
        ),
      );
    });
  });
}
