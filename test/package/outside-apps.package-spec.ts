/**
 * The library as an npm package, proved from outside: the tarball `global-setup.ts` packed,
 * installed with the required peers only into three fresh apps in a temporary folder outside
 * the monorepo (Nest 11 on CommonJS, Nest 12 on CommonJS through `require(esm)`, Nest 12 on
 * ESM importing the package by name), each compiled against the package's `.d.ts` and run.
 * The apps build at the same time; each app's tests read the one install and run it made.
 *
 * Needs the npm registry (or a cache holding every package): `scripts/test.js` skips this
 * suite, saying why, when the registry is unreachable, and fails it under CI=true.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildApp, type BuiltApp } from './support/build-app';
import { OUTSIDE_APPS, type OutsideApp, packedLibrary, run } from './support/outside-apps';

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

interface AppReport {
  format: 'commonjs' | 'module';
  nestVersion: string;
  approval: { id: string; workspaceId: string; status: string; resolvedBy?: string };
  wokenAfterMs: number;
  reads: number;
  pendingAfter: number;
  connected: boolean;
  loaded: string[];
  errors: Record<'gateway' | 'eventBusUrl' | 'redisUrl', string>;
}

interface RanApp extends BuiltApp {
  report: AppReport;
  runMs: number;
}

async function buildAndRun(app: OutsideApp): Promise<RanApp> {
  const built = await buildApp(app);
  const started = Date.now();
  const output = await run(
    process.execPath,
    [path.join(built.dir, 'dist/main.js')],
    built.dir,
    60_000,
  );
  const report = JSON.parse(output.trim().split('\n').pop()!) as AppReport;
  return { ...built, report, runMs: Date.now() - started };
}

const apps = OUTSIDE_APPS();
const ran = new Map<string, Promise<RanApp>>();

beforeAll(() => {
  for (const app of apps) {
    const running = buildAndRun(app);
    // Awaited by the app's own beforeAll; this only keeps an early failure from being unhandled.
    running.catch(() => undefined);
    ran.set(app.name, running);
  }
});

describe('the packed library', () => {
  it('holds only the build output, its types, the README and the changelog', () => {
    const { files, filename, size } = packedLibrary();
    console.log(`npm pack: ${filename}, ${size} bytes, ${files.length} files`);
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/gateway/index.js',
        'dist/gateway/index.d.ts',
      ]),
    );
    const unexpected = paths.filter(
      (file) =>
        !['package.json', 'README.md', 'CHANGELOG.md'].includes(file) &&
        !/^dist\/[\w./-]+\.(js|d\.ts)$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(paths.filter((file) => /spec|test|tsconfig|\.map$|(^|\/)src\//.test(file))).toEqual([]);
  });
});

describe.each(apps)('in a fresh $name app outside the monorepo', (app) => {
  let result: RanApp;

  beforeAll(async () => {
    result = await ran.get(app.name)!;
    const { report, timings, runMs } = result;
    console.log(
      `${app.name}: install ${timings.installMs} ms, tsc ${timings.compileMs} ms, run ${runMs} ms; ` +
        `${report.format} on Nest ${report.nestVersion}: ${report.approval.status} ` +
        `${report.wokenAfterMs.toFixed(1)} ms after its event, ${report.reads} status reads; ` +
        `loaded: ${report.loaded.join(' ')}`,
    );
  }, 600_000);

  it(`runs as ${app.type} on Nest ${app.nestMajor}`, () => {
    expect(result.report.format).toBe(app.type);
    expect(result.report.nestVersion).toBe(app.peers['@nestjs/core']);
    expect(result.report.nestVersion.split('.')[0]).toBe(String(app.nestMajor));
  });

  it('installs with the required peers only: no optional package is on disk', () => {
    expect(
      existsSync(path.join(result.dir, 'node_modules/nestjs-approval-events/dist/index.js')),
    ).toBe(true);
    const installed = OPTIONAL_PEERS.filter((name) =>
      existsSync(path.join(result.dir, 'node_modules', name)),
    );
    expect(installed).toEqual([]);
  });

  it('completes one wait, woken by an in-process approval.resolved event', () => {
    const { report } = result;
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
    const { loaded } = result.report;
    expect(loaded).toEqual(expect.arrayContaining(['nestjs-approval-events', 'rxjs']));
    expect(loaded.filter((name) => (OPTIONAL_PEERS as readonly string[]).includes(name))).toEqual(
      [],
    );
  });

  it('names the missing package when a feature that needs one is switched on', () => {
    expect(result.report.errors).toEqual({
      gateway:
        'The option "gateway" needs the package "@nestjs/websockets": npm install @nestjs/websockets',
      eventBusUrl:
        'The option "eventBusUrl" needs the package "socket.io-client": npm install socket.io-client',
      redisUrl: 'The option "redisUrl" needs the package "ioredis": npm install ioredis',
    });
  });
});
