/** One measured value: a number, or a string for context (versions, machine). */
export type BenchValue = number | string;

/** What a suite measured: a flat object, written as-is to `bench/results/<suite>.json`. */
export type BenchResult = Record<string, BenchValue>;

/**
 * A target for one key of a result. Exactly one form applies: `max` (lower is better),
 * `min` (higher is better) or `near` with a relative `tolerance` (a baseline that must
 * behave as expected, or the comparison against it means nothing).
 */
export interface BenchGoal {
  readonly key: string;
  readonly max?: number;
  readonly min?: number;
  readonly near?: number;
  /** Relative, for `near`. @default 0.1 */
  readonly tolerance?: number;
}

/**
 * A benchmark that `bench/run.ts` runs. Register it in `bench/suites.ts`.
 *
 * @example
 * export const hostSuite: BenchSuite = {
 *   name: 'host',
 *   description: 'HTTP + Socket.io round trips against a booted host',
 *   skipReason: () => (process.env.HOST_URL ? undefined : 'HOST_URL is not set'),
 *   run: async () => ({ wake_p50_us: 812 }),
 * };
 */
export interface BenchSuite {
  /** Also the file name of its results and the argument that selects it. */
  readonly name: string;
  readonly description?: string;
  readonly goals?: readonly BenchGoal[];
  /** Why the suite cannot run here (missing service, flag, env), or `undefined` when it can. */
  skipReason?(): string | undefined | Promise<string | undefined>;
  run(): Promise<BenchResult>;
}

/**
 * Thrown from `run()` when a suite finds out only while setting up that it cannot run;
 * the runner prints the reason instead of failing.
 *
 * @example
 * if (!(await isReachable(url))) throw new SuiteSkippedError(`${url} is not reachable`);
 */
export class SuiteSkippedError extends Error {
  override readonly name = 'SuiteSkippedError';
}
