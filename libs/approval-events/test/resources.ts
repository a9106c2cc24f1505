/**
 * What a test opened and must close: apps, sockets, raw HTTP requests. Every helper
 * registers what it opens here, and `close-after-each.ts` closes it all after each test,
 * newest first (a socket before its host, a worker before the host it talks to).
 */
type Closer = () => Promise<void> | void;

const open: { name: string; close: Closer }[] = [];

/** Registers something to close after the current test; returns a function that closes it now. */
export function track(name: string, close: Closer): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const entry = {
    name,
    close: () => (closing ??= Promise.resolve().then(close)),
  };
  open.push(entry);
  return async () => {
    const index = open.indexOf(entry);
    if (index >= 0) open.splice(index, 1);
    await entry.close();
  };
}

/** Closes everything still open, newest first; reports every failure after trying them all. */
export async function closeAll(): Promise<void> {
  const failures: string[] = [];
  while (open.length > 0) {
    const entry = open.pop()!;
    try {
      await entry.close();
    } catch (error) {
      failures.push(`${entry.name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`Could not close:\n${failures.join('\n')}`);
}
