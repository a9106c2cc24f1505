import { readFileSync } from 'node:fs';

/** Assumed where the limit cannot be read (not Linux): the usual shell default, a safe floor. */
export const FALLBACK_OPEN_FILES_LIMIT = 1_024;

/** The soft limit on open files (`ulimit -n`), and where it came from. */
export interface OpenFilesLimit {
  limit: number;
  source: '/proc/self/limits' | 'fallback';
}

/**
 * This process's soft limit on open file descriptors, read from `/proc/self/limits` on
 * Linux (Node.js has no `getrlimit`). Elsewhere, or when the limit reads as `unlimited`,
 * {@link FALLBACK_OPEN_FILES_LIMIT}: a cap derived from it is low rather than above what
 * the kernel allows, and `HTTP_MAX_CONNECTIONS` sets the real figure.
 *
 * @example
 * openFilesLimit(); // { limit: 20000, source: '/proc/self/limits' }
 */
export function openFilesLimit(
  readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): OpenFilesLimit {
  let text: string;
  try {
    text = readLimits();
  } catch {
    return { limit: FALLBACK_OPEN_FILES_LIMIT, source: 'fallback' };
  }
  // "Max open files            20000                20000                files"
  const soft = /^Max open files\s+(\d+)\s/m.exec(text)?.[1];
  const limit = soft === undefined ? NaN : Number(soft);
  return Number.isSafeInteger(limit) && limit > 0
    ? { limit, source: '/proc/self/limits' }
    : { limit: FALLBACK_OPEN_FILES_LIMIT, source: 'fallback' };
}

/**
 * Connections in all a process with `limit` open files may take: the limit less what the
 * process needs besides (its PostgreSQL pool, Redis, LISTEN and bus connections, log and
 * module files, a refused connection's descriptor until it is closed), 10 % and at least
 * 128. At 20 000 that is 18 000; at 1 024, 896.
 *
 * @example
 * connectionsWithin(20_000); // 18000
 */
export function connectionsWithin(limit: number): number {
  return Math.max(1, limit - Math.max(128, Math.ceil(limit * 0.1)));
}
