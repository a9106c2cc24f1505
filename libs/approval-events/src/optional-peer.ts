/**
 * Loads a package that only some features need (`ioredis`, `pg`, `socket.io-client`, …),
 * at the moment the feature is switched on rather than when the library is imported, so an
 * application that does not use the feature need not install it.
 *
 * @param name the package, as it would be passed to `require`.
 * @param feature what needs it, named in the error (for example the option `redisUrl`).
 * @throws Error naming the package and the feature when the package is not installed.
 * @internal
 */
export function loadOptionalPeer<T>(name: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error(`${feature} needs the package "${name}": npm install ${name}`);
    }
    throw error;
  }
}
