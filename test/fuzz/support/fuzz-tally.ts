import * as fc from 'fast-check';
import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A real `gc()` without `node --expose-gc`: the flag can still be switched on at run time,
 * and a fresh V8 context then gets the `gc` global. Heap figures are taken after two full
 * collections, so what they show is what is still reachable, not garbage not yet collected.
 * If the flag cannot be set (it can on Node 20), the figures are raw `heapUsed` and the
 * tolerances below absorb the noise.
 */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Whether {@link heapAfterGc} measures after a real full collection. */
export const HAS_GC = collectGarbage !== undefined;

/** `heapUsed` in bytes after two full collections (when available). */
export function heapAfterGc(): number {
  collectGarbage?.();
  collectGarbage?.();
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** What a suite fed in and how it came out; `crashes` must stay 0. */
export class FuzzTally {
  tried = 0;
  refused = 0;
  accepted = 0;
  crashes = 0;
  readonly crashSamples: string[] = [];

  constructor(readonly suite: string) {}

  refuse(): void {
    this.tried++;
    this.refused++;
  }

  accept(): void {
    this.tried++;
    this.accepted++;
  }

  /** Anything that is neither a refusal nor an acceptance: a thrown foreign error, a 500, no ack. */
  crash(detail: string): void {
    this.tried++;
    this.crashes++;
    if (this.crashSamples.length < 5) this.crashSamples.push(detail);
  }

  /**
   * Counts an outcome by its `kind`: `accepted`, `refused`, or anything else a crash, which
   * `detail` (called only then) describes.
   */
  record<O extends { kind: string }>(
    outcome: O,
    detail: (crashed: Exclude<O, { kind: 'accepted' | 'refused' }>) => string,
  ): void {
    if (outcome.kind === 'accepted') this.accept();
    else if (outcome.kind === 'refused') this.refuse();
    else this.crash(detail(outcome as Exclude<O, { kind: 'accepted' | 'refused' }>));
  }

  /** Prints the suite's line and adds it to the run's ledger (see fuzz-totals.reporter.js). */
  report(heapBefore: number, heapAfter: number, extra = ''): void {
    const line =
      `[fuzz] ${this.suite}: tried=${this.tried} refused=${this.refused} accepted=${this.accepted} ` +
      `crashes=${this.crashes} heap before=${mib(heapBefore)} after=${mib(heapAfter)}` +
      `${HAS_GC ? ' (after gc)' : ' (no gc)'}${extra ? ` ${extra}` : ''}`;
    console.log(
      this.crashSamples.length > 0
        ? `${line}\n  crash samples:\n  ${this.crashSamples.join('\n  ')}`
        : line,
    );
    const file = process.env.FUZZ_TOTALS_FILE;
    if (file) {
      const { suite, tried, refused, accepted, crashes } = this;
      appendFileSync(file, `${JSON.stringify({ suite, tried, refused, accepted, crashes })}\n`);
    }
  }
}

/**
 * `fc.assert` with a fixed seed, printing the seed first so a failure can be replayed with
 * `{ seed, path }` from fast-check's report. Properties that go over the network pass
 * `endOnFailure: true`: shrinking there costs a round trip (or an ack timeout) per step,
 * and their failure messages name the exact payload anyway.
 */
export async function assertProperty<Ts>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  seed: number,
  numRuns: number,
  options: { endOnFailure?: boolean } = {},
): Promise<void> {
  console.log(`[fuzz] property "${name}": seed=${seed} numRuns=${numRuns}`);
  const parameters = { seed, numRuns, ...options };
  if (property.isAsync()) await fc.assert(property as fc.IAsyncProperty<Ts>, parameters);
  else fc.assert(property as fc.IProperty<Ts>, parameters);
}

/**
 * What the prototypes look like now; compare before and after a run to prove no key was
 * added to them (prototype pollution) anywhere in this process, the app included.
 */
export function prototypeSnapshot(): Record<string, string[]> {
  const names = (target: object) =>
    Reflect.ownKeys(target)
      .map((key) => String(key))
      .sort();
  return {
    Object: names(Object.prototype),
    Array: names(Array.prototype),
    Function: names(Function.prototype),
    String: names(String.prototype),
  };
}

/** A property read on a fresh object that only pollution could make defined. */
export function pollutionMarkers(): unknown[] {
  const probe = {} as Record<string, unknown>;
  return [probe.polluted, probe.isAdmin, probe.toString === Object.prototype.toString];
}
