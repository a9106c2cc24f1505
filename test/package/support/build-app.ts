/**
 * Builds one outside app in its own folder beside the tarball: a package.json of its
 * `type`, the compiler options of a Nest starter, the tarball and the app's peers installed
 * from the npm cache (`--prefer-offline`), the fixture sources compiled with `tsc`. Nothing
 * in it reaches the monorepo's sources or node_modules except the TypeScript compiler and
 * `@types/node`.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { npm, type OutsideApp, packedLibrary, root, run } from './outside-apps';

const fixtureDir = path.join(__dirname, '../outside-app');

/** What `buildApp` made: the folder, and how long each step took (the suite prints them). */
export interface BuiltApp {
  dir: string;
  timings: { installMs: number; compileMs: number };
}

/** The compiler options of Nest's starters (`nest new`, 11 and 12 alike), strict. */
const compilerOptions = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'ES2023',
  outDir: './dist',
  rootDir: './src',
  strict: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  isolatedModules: true,
  // As the starters have it. (Checked once with false too: the package's .d.ts compile
  // without any optional peer, but that check costs 40 s of a loaded CI box.)
  skipLibCheck: true,
  typeRoots: [path.join(root, 'node_modules/@types')],
  types: ['node'],
};

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await step();
  return Date.now() - started;
}

/** What else `buildApp` may be asked for (the README-snippet spec, say, brings its own sources). */
export interface BuildOptions {
  /** More packages to install, as `name@version`. */
  extraPackages?: string[];
  /** The folder whose `src/` is compiled. @default test/package/outside-app */
  sourceDir?: string;
  /** The folder's name beside the tarball. @default app.name */
  dirName?: string;
}

/**
 * Installs the tarball and the app's required peers (plus `extraPackages`) into a fresh
 * folder beside the tarball and compiles `sourceDir/src` there.
 *
 * @example
 * const { dir } = await buildApp(app, { extraPackages: [`ioredis@${rootVersion('ioredis')}`] });
 */
export async function buildApp(app: OutsideApp, options: BuildOptions = {}): Promise<BuiltApp> {
  const { extraPackages = [], sourceDir = fixtureDir, dirName = app.name } = options;
  const { tarball, workDir } = packedLibrary();
  const dir = path.join(workDir, dirName);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(sourceDir, 'src'), path.join(dir, 'src'), { recursive: true });
  const manifest = {
    name: app.name,
    version: '0.0.0',
    private: true,
    license: 'MIT',
    type: app.type,
  };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, include: ['src'] }, null, 2),
  );
  const peers = Object.entries(app.peers).map(([name, version]) => `${name}@${version}`);
  const installMs = await timed(() =>
    run(
      npm,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        tarball,
        ...peers,
        ...extraPackages,
      ],
      dir,
      240_000,
    ),
  );
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const compileMs = await timed(() => run(process.execPath, [tsc, '-p', dir], dir, 120_000));
  return { dir, timings: { installMs, compileMs } };
}
