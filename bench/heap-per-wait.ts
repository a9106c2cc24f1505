/**
 * `npm run bench:heap [waits]`: what one pending bridge wait holds, by kind of heap object,
 * from two heap snapshots (before and after starting `waits` waits, 10 000 by default, each
 * on its own approval, after a full GC each). Prints objects and bytes per wait, largest
 * first: the breakdown behind `heap_bytes_per_wait_*` in `bench/results/core.json`. The
 * snapshots are written to the system's temporary folder and removed afterwards.
 */
import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createCore, WORKSPACE } from './core-fixture';
import { EVENTS } from './core-modes';
import { forceGc, gcUnavailableReason, until } from './runtime';

/** Rows under this many bytes per wait are left out. */
const MIN_BYTES_PER_WAIT = 2;

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size of the snapshot's objects, by `type:constructor` (type alone for strings, arrays, code). */
function objectsByKind(file: string): Map<string, { count: number; bytes: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map<string, { count: number; bytes: number }>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    const named = type === 'object' || type === 'closure';
    const kind = named ? `${type}:${strings[nodes[i + nameAt]] || '(anonymous)'}` : type;
    const entry = kinds.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt];
    kinds.set(kind, entry);
  }
  return kinds;
}

async function main(waitCount: number): Promise<void> {
  const reason = gcUnavailableReason();
  if (reason) throw new Error(reason);
  Logger.overrideLogger(['error']);
  const dir = mkdtempSync(join(tmpdir(), 'approval-events-heap-'));
  try {
    const core = createCore(EVENTS);
    const ids = core.source.addPending(WORKSPACE, waitCount);
    const waits = new Array<Promise<unknown>>(waitCount);
    forceGc();
    const before = objectsByKind(writeHeapSnapshot(join(dir, 'before.heapsnapshot')));
    for (let i = 0; i < waitCount; i++) waits[i] = core.bridge.waitForApproval(WORKSPACE, ids[i]);
    await until(() => core.source.readCount >= waitCount, 'the first status reads');
    forceGc();
    const after = objectsByKind(writeHeapSnapshot(join(dir, 'after.heapsnapshot')));
    const rows = [...after]
      .map(([kind, { count, bytes }]) => ({
        kind,
        objects: (count - (before.get(kind)?.count ?? 0)) / waitCount,
        bytes: (bytes - (before.get(kind)?.bytes ?? 0)) / waitCount,
      }))
      .filter((row) => Math.abs(row.bytes) >= MIN_BYTES_PER_WAIT)
      .sort((a, b) => b.bytes - a.bytes);
    console.log(`${'kind'.padEnd(48)} ${'objects/wait'.padStart(12)} ${'bytes/wait'.padStart(10)}`);
    for (const row of rows) {
      console.log(
        `${row.kind.slice(0, 48).padEnd(48)} ${row.objects.toFixed(2).padStart(12)} ${row.bytes.toFixed(0).padStart(10)}`,
      );
    }
    const total = rows.reduce((sum, row) => ({ o: sum.o + row.objects, b: sum.b + row.bytes }), {
      o: 0,
      b: 0,
    });
    console.log(
      `${'total'.padEnd(48)} ${total.o.toFixed(2).padStart(12)} ${total.b.toFixed(0).padStart(10)}`,
    );
    await core.shutdown(waits);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const requested = Number(process.argv[2] ?? 10_000);
if (!Number.isInteger(requested) || requested < 1 || requested > 200_000) {
  console.error('usage: npm run bench:heap [waits, 1 to 200000]');
  process.exitCode = 2;
} else {
  main(requested).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
