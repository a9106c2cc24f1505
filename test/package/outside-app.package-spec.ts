/**
 * The library as an npm package, proved from outside: `npm pack` in libs/approval-events
 * (its prepack builds it), a fresh Nest 11 app in a temporary folder outside the monorepo
 * (`test/package/outside-app`), the tarball installed there with the required peers only,
 * the app compiled against the package's `.d.ts` and run. Nothing in it reaches the
 * monorepo's sources or node_modules except the TypeScript compiler and `@types/node`.
 *
 * Needs the npm registry (or a cache holding every package): `scripts/test.js` skips this
 * suite, saying why, when the registry is unreachable, and fails it under CI=true.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const libraryDir = path.join(root, 'libs/approval-events');
const fixtureDir = path.join(__dirname, 'outside-app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What an in-process user installs beside the tarball (the required peers). */
const REQUIRED_PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  'rxjs',
  'reflect-metadata',
  '@nestjs/axios',
  'axios',
  '@nestjs/event-emitter',
  'prom-client',
] as const;

/** Packages only some features need: an in-process user neither installs nor loads them. */
const OPTIONAL_PEERS = [
  'pg',
  'ioredis',
  'socket.io',
  'socket.io-client',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  '@nestjs/jwt',
  'class-validator',
  'rate-limiter-flexible',
] as const;

interface PackReport {
  filename: string;
  size: number;
  files: { path: string; size: number }[];
}

interface AppReport {
  approval: { id: string; workspaceId: string; status: string; resolvedBy?: string };
  wokenAfterMs: number;
  reads: number;
  pendingAfter: number;
  connected: boolean;
  loaded: string[];
  errors: Record<'gateway' | 'eventBusUrl' | 'redisUrl', string>;
}

/**
 * The environment for the outside app's npm and node: without what `npm test` exports about
 * the monorepo (its package, script and prefix), so the app is nobody's child; the user's
 * npm settings (registry, cache, proxy) stay.
 */
const childEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^npm_(package|lifecycle)_/i.test(name) &&
        !/^npm_config_(local_|global_)?prefix$/i.test(name) &&
        name !== 'NODE_OPTIONS',
    ),
  );

function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().slice(-4_000);
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} (in ${cwd}) failed: ` +
        `${result.error?.message ?? `exit ${result.status ?? result.signal}`}\n${output}`,
    );
  }
  return result.stdout;
}

/** The version this monorepo tests with, so the cache filled by its `npm ci` has it. */
const rootVersion = (name: string): string =>
  (
    JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

describe('the packed library in a fresh Nest app outside the monorepo', () => {
  let workDir: string;
  let appDir: string;
  let pack: PackReport;
  let report: AppReport;

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'approval-events-outside-'));
    appDir = path.join(workDir, 'app');

    const packed = run(npm, ['pack', '--json', '--pack-destination', workDir], libraryDir, 180_000);
    [pack] = JSON.parse(packed) as PackReport[];
    console.log(
      `npm pack: ${pack.filename}, ${pack.size} bytes, ${pack.files.length} files:\n` +
        pack.files.map((file) => `  ${file.path} (${file.size} B)`).join('\n'),
    );

    cpSync(fixtureDir, appDir, { recursive: true });
    writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'outside-app', version: '0.0.0', private: true, license: 'MIT' }),
    );
    // A Nest 11 starter's compiler options; node16 resolution reads the package's `exports`.
    writeFileSync(
      path.join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          outDir: './dist',
          rootDir: './src',
          strict: true,
          emitDecoratorMetadata: true,
          experimentalDecorators: true,
          isolatedModules: true,
          // As the Nest starter has it. (Checked once with false too: the package's .d.ts
          // compile without any optional peer, but that check costs 40 s of a loaded CI box.)
          skipLibCheck: true,
          typeRoots: [path.join(root, 'node_modules/@types')],
          types: ['node'],
        },
        include: ['src'],
      }),
    );
    run(
      npm,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        path.join(workDir, pack.filename),
        ...REQUIRED_PEERS.map((name) => `${name}@${rootVersion(name)}`),
      ],
      appDir,
      180_000,
    );
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', appDir], appDir, 120_000);
    const output = run(process.execPath, [path.join(appDir, 'dist/main.js')], appDir, 60_000);
    report = JSON.parse(output.trim().split('\n').pop()!) as AppReport;
    console.log(
      `outside app: ${report.approval.status} ${report.wokenAfterMs.toFixed(1)} ms after its ` +
        `event, ${report.reads} status reads; loaded: ${report.loaded.join(' ')}`,
    );
  }, 600_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('packs only the build output, its types and the README', () => {
    const paths = pack.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/gateway/index.js',
        'dist/gateway/index.d.ts',
      ]),
    );
    const unexpected = paths.filter(
      (file) =>
        !['package.json', 'README.md'].includes(file) && !/^dist\/[\w./-]+\.(js|d\.ts)$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(paths.filter((file) => /spec|test|tsconfig|\.map$|(^|\/)src\//.test(file))).toEqual([]);
  });

  it('installs with the required peers only: no optional package is on disk', () => {
    expect(existsSync(path.join(appDir, 'node_modules/nestjs-approval-events/dist/index.js'))).toBe(
      true,
    );
    const installed = OPTIONAL_PEERS.filter((name) =>
      existsSync(path.join(appDir, 'node_modules', name)),
    );
    expect(installed).toEqual([]);
  });

  it('completes one wait, woken by an in-process approval.resolved event', () => {
    expect(report.approval).toMatchObject({
      id: 'a1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedBy: 'alice',
    });
    // The start read and the one the event asked for: no poll was needed.
    expect(report.reads).toBe(2);
    expect(report.connected).toBe(true);
    expect(report.wokenAfterMs).toBeLessThan(1_000);
    expect(report.pendingAfter).toBe(0);
  });

  it('loads none of the optional packages', () => {
    expect(report.loaded).toEqual(expect.arrayContaining(['nestjs-approval-events', 'rxjs']));
    expect(
      report.loaded.filter((name) => (OPTIONAL_PEERS as readonly string[]).includes(name)),
    ).toEqual([]);
  });

  it('names the missing package when a feature that needs one is switched on', () => {
    expect(report.errors).toEqual({
      gateway:
        'The option "gateway" needs the package "@nestjs/websockets": npm install @nestjs/websockets',
      eventBusUrl:
        'The option "eventBusUrl" needs the package "socket.io-client": npm install socket.io-client',
      redisUrl: 'The option "redisUrl" needs the package "ioredis": npm install ioredis',
    });
  });
});
