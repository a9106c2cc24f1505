import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MANAGED_VARIABLES, PRODUCER_TOKEN, SUBSCRIBER_TOKEN, track } from './support';

const REPO_ROOT = join(__dirname, '..');
/** ts-node compiles the whole host first: slow on a busy 2-core machine. */
const BOOT_TIMEOUT_MS = 90_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs `src/main.ts` as `npm run start:prod` would (through ts-node, not the build) with
 * exactly `env` among the host's variables, and resolves with how it ended and all it
 * printed. A host that starts instead is killed as soon as it says it listens.
 */
function runMain(env: Record<string, string>): Promise<Exit> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !(MANAGED_VARIABLES as readonly string[]).includes(name),
    ),
  );
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
    { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    // It started after all: no need to wait for the deadline to say so.
    if (output.includes('Host listening')) child.kill('SIGKILL');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), BOOT_TIMEOUT_MS);
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, output })),
  );
  track('main process', async () => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return exited;
}

describe('a production host without REST credentials', () => {
  it(
    'refuses to start, exiting non-zero and naming what to set',
    async () => {
      const exit = await runMain({
        NODE_ENV: 'production',
        PORT: '0',
        // The gateway's own production rule is met, so only the REST credential is missing.
        APPROVAL_EVENTS_PRODUCER_TOKEN: PRODUCER_TOKEN,
        APPROVAL_EVENTS_SUBSCRIBER_TOKEN: SUBSCRIBER_TOKEN,
      });

      expect(exit.output).not.toContain('Host listening');
      expect(exit.signal).toBeNull();
      expect(exit.code).not.toBe(0);
      expect(exit.output).toContain('NODE_ENV=production needs a REST credential');
      for (const name of ['API_KEYS', 'API_KEY', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL']) {
        expect(exit.output).toContain(name);
      }
    },
    BOOT_TIMEOUT_MS + 10_000,
  );
});
