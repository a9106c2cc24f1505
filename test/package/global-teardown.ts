import { rmSync } from 'node:fs';
import { PACKED_ENV, packedLibrary } from './support/outside-apps';

/** Removes the tarball and every outside app built beside it. */
export default function removeOutsideApps(): void {
  if (process.env[PACKED_ENV]) rmSync(packedLibrary().workDir, { recursive: true, force: true });
}
