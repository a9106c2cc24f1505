/**
 * Loads a package that only some features need (`ioredis`, `pg`, `socket.io-client`, …),
 * at the moment the feature is switched on rather than when the library is imported, so an
 * application that does not use the feature need not install it.
 *
 * @param name the package, as it would be passed to `require`.
 * @param feature what needs it, named in the error (for example the option `redisUrl`).
 * @throws Error naming the package and the feature when the package is not installed;
 *   the original error when it is installed but fails to load.
 * @internal
 */
export function loadOptionalPeer<T>(name: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    if (missingModule(error) === name) {
      throw new Error(`${feature} needs the package "${name}": npm install ${name}`, {
        cause: error,
      });
    }
    // Installed, but broken (say, one of its own dependencies is missing): say that instead.
    throw error;
  }
}

/** The module a `require` could not find, or undefined for any other failure. */
function missingModule(error: unknown): string | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') return undefined;
  return /^Cannot find module '([^']+)'/.exec((error as Error).message)?.[1];
}
