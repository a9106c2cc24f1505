import { Logger } from '@nestjs/common';
import {
  ApprovalCancelledException,
  ApprovalEventsShutdownError,
  ApprovalTimeoutError,
} from '@app/approval-events';
import { FakeStatusSource } from '../../libs/approval-events/test/fake-status-source';
import { createApprovalEvents } from '../../libs/approval-events/test/wiring';

/** How a wait is made to end. */
type Ending = 'approved' | 'rejected' | 'cancelled' | 'timed_out' | 'aborted' | 'shutdown';
const ENDINGS: readonly Ending[] = [
  'approved',
  'rejected',
  'cancelled',
  'timed_out',
  'aborted',
  'shutdown',
];

const TOTAL_WAITS = 100_000;
const BATCH = 5_000; // concurrent waits per round, on BATCH / WAITERS_PER_APPROVAL approvals
const WAITERS_PER_APPROVAL = 2;
const HEAP_TOLERANCE = 0.05;

const gc = (globalThis as { gc?: () => void }).gc;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Timers, sockets and the like the process holds now, by kind. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function createLibrary(source: FakeStatusSource) {
  return createApprovalEvents({ source, pollIntervalMs: 1_000 });
}

type Library = ReturnType<typeof createLibrary> & { source: FakeStatusSource };

/**
 * One long-lived manager and bridge, as in a running host: whatever a wait leaves behind in
 * them accumulates across rounds. Only the shutdown rounds need an instance of their own.
 */
let shared: Library;

function library(): Library {
  const source = new FakeStatusSource();
  return { ...createLibrary(source), source };
}

/** Runs one round: BATCH waits that all end the given way; returns how each ended. */
async function round(ending: Ending, roundIndex: number): Promise<Record<string, number>> {
  const library_ = ending === 'shutdown' ? library() : shared;
  const { manager, bridge, source } = library_;
  const approvals = BATCH / WAITERS_PER_APPROVAL;
  const controllers: AbortController[] = [];
  const waits: Promise<unknown>[] = [];
  for (let a = 0; a < approvals; a++) {
    const workspaceId = `ws${a % 7}`;
    const approvalId = `r${roundIndex}-a${a}`;
    source.add(workspaceId, approvalId);
    for (let w = 0; w < WAITERS_PER_APPROVAL; w++) {
      const controller = new AbortController();
      controllers.push(controller);
      waits.push(
        bridge.waitForApproval(workspaceId, approvalId, {
          timeoutMs: ending === 'timed_out' ? 250 : 60_000,
          signal: controller.signal,
        }),
      );
    }
  }
  const outcomes = waits.map((wait) =>
    wait.then(
      () => 'resolved',
      (error: Error) =>
        error instanceof ApprovalCancelledException
          ? 'cancelled'
          : error instanceof ApprovalTimeoutError
            ? 'timed_out'
            : error instanceof ApprovalEventsShutdownError
              ? 'shutdown'
              : error.name === 'AbortError'
                ? 'aborted'
                : `unexpected ${error.name}`,
    ),
  );
  await new Promise((resolve) => setImmediate(resolve)); // first reads under way
  // Timed-out waits may already be ending on a loaded machine; all others are pending.
  if (ending !== 'timed_out') expect(manager.pendingCount).toBe(BATCH);

  if (ending === 'approved' || ending === 'rejected' || ending === 'cancelled') {
    for (let a = 0; a < approvals; a++) {
      const workspaceId = `ws${a % 7}`;
      const approvalId = `r${roundIndex}-a${a}`;
      const decided = source.decide(workspaceId, approvalId, ending, 'leak test');
      manager.onApprovalResponse({
        approvalId,
        workspaceId,
        status: ending,
        resolvedAt: decided.resolvedAt!,
        resolution: decided.resolution,
      });
    }
  } else if (ending === 'aborted') {
    for (const controller of controllers) controller.abort();
  } else if (ending === 'shutdown') {
    library_.shutdown();
  }
  const counts: Record<string, number> = {};
  for (const outcome of await Promise.all(outcomes)) counts[outcome] = (counts[outcome] ?? 0) + 1;
  expect(manager.pendingCount).toBe(0);
  // White-box: the per-approval watches and event channels are gone too.
  expect(library_.watches.size).toBe(0);
  expect(library_.channels.size).toBe(0);
  for (let a = 0; a < approvals; a++) source.approvals.delete(`ws${a % 7}/r${roundIndex}-a${a}`);
  source.reads.length = 0;
  return counts;
}

describe('leaks: 100 000 waits ending in every way', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('leaves no wait, handle or heap behind', async () => {
    if (!gc) throw new Error('Run with node --expose-gc (npm run test:leak)');
    shared = library();
    // Warm up every path once, so code, caches and lazily created module state are in the
    // baseline rather than counted as a leak.
    for (const [index, ending] of ENDINGS.entries()) await round(ending, -1 - index);
    const heapBefore = await settledHeap();
    const handlesBefore = activeResources();

    const totals: Record<string, number> = {};
    const rounds = TOTAL_WAITS / BATCH;
    for (let index = 0; index < rounds; index++) {
      const counts = await round(ENDINGS[index % ENDINGS.length], index);
      for (const [outcome, count] of Object.entries(counts))
        totals[outcome] = (totals[outcome] ?? 0) + count;
    }

    const heapAfter = await settledHeap();
    // A timer of the runtime's own (not a wait's: those are counted by pendingCount and
    // checked each round) may be alive for a moment; a leaked one never goes away.
    let handlesAfter = activeResources();
    for (let i = 0; i < 20 && JSON.stringify(handlesAfter) !== JSON.stringify(handlesBefore); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      handlesAfter = activeResources();
    }
    const waits = Object.values(totals).reduce((sum, count) => sum + count, 0);
    const growth = (heapAfter - heapBefore) / heapBefore;
    console.log(
      [
        `leak suite: ${waits} waits, endings ${JSON.stringify(totals)}`,
        `heap before ${(heapBefore / 1e6).toFixed(1)} MB, after ${(heapAfter / 1e6).toFixed(1)} MB (${(growth * 100).toFixed(2)} %)`,
        `active resources before ${JSON.stringify(handlesBefore)}, after ${JSON.stringify(handlesAfter)}`,
      ].join('\n'),
    );

    expect(waits).toBe(TOTAL_WAITS);
    expect(Object.keys(totals).filter((outcome) => outcome.startsWith('unexpected'))).toEqual([]);
    for (const ending of ['cancelled', 'timed_out', 'aborted', 'shutdown']) {
      expect(totals[ending]).toBeGreaterThan(0);
    }
    expect(handlesAfter).toEqual(handlesBefore);
    expect(growth).toBeLessThan(HEAP_TOLERANCE);
    shared.shutdown();
  });
});
