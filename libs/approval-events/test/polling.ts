/** Resolves after `ms`. Only for short windows in which something must NOT happen. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Re-checks `condition` every `intervalMs` until it returns a truthy value (resolved with
 * it) or `timeoutMs` passes (rejects, naming `what`). Replaces sleeps: fast when the
 * product is fast, and a clear failure when it is not.
 */
export async function eventually<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 20 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await delay(intervalMs);
  }
}

/**
 * Marks a promise the test awaits later as handled now, so if the test fails before
 * awaiting it, its rejection (say, on shutdown) does not crash the run. Awaiting the
 * returned promise still sees the rejection.
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
