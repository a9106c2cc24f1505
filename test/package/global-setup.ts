/**
 * Packs the library once for every spec of the package suite, as a maintainer would:
 * `npm pack` in libs/approval-events, whose `prepack` deletes and rebuilds its `dist` from
 * the sources first, so the tarball can never hold a stale build. The report (with the
 * tarball's path) reaches the specs through `PACKED_ENV`; `global-teardown.ts` removes it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npm, PACKED_ENV, type PackReport, root, run } from './support/outside-apps';

export default async function packLibrary(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'approval-events-outside-'));
  const libraryDir = path.join(root, 'libs/approval-events');
  const output = await run(
    npm,
    ['pack', '--json', '--pack-destination', workDir],
    libraryDir,
    180_000,
  );
  const [pack] = JSON.parse(output) as Omit<PackReport, 'tarball' | 'workDir'>[];
  const report: PackReport = { ...pack, tarball: path.join(workDir, pack.filename), workDir };
  process.env[PACKED_ENV] = JSON.stringify(report);
}
