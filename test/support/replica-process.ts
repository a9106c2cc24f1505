import { fork } from 'node:child_process';
import { join } from 'node:path';
import { MANAGED_VARIABLES, type TestEnvironment } from './environment';
import { HOST_DEFAULTS } from './host';
import { track } from './resources';

const REPO_ROOT = join(__dirname, '..', '..');
/** ts-node compiles the whole host on first use: slow on a busy 2-core machine. */
const BOOT_TIMEOUT_MS = 60_000;

export interface ReplicaProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Forks `killable-replica.child.ts` (TypeScript through ts-node, as the bench does) with
 * `env` on top of the host defaults and `NODE_ENV=test`, and resolves once it serves with
 * its event links up. It dies by SIGKILL on its first committed decision; if it is still
 * alive after the test, it is killed then.
 */
export async function startKillableReplica(env: TestEnvironment): Promise<ReplicaProcess> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !(MANAGED_VARIABLES as readonly string[]).includes(name),
    ),
  );
  const child = fork(join(__dirname, 'killable-replica.child.ts'), [], {
    cwd: REPO_ROOT,
    env: { ...inherited, ...HOST_DEFAULTS, ...env, NODE_ENV: 'test' },
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  track('replica process', async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the replica process did not boot within ${BOOT_TIMEOUT_MS} ms`)),
      BOOT_TIMEOUT_MS,
    );
    child.on('message', (message: { type: string; port?: number; message?: string }) => {
      clearTimeout(timer);
      if (message.type === 'up') resolve(message.port!);
      else reject(new Error(`the replica process failed to boot: ${message.message}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the replica process exited while booting (${code ?? signal})`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, exited };
}
