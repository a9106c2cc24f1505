import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { sharedNow } from './child-process';
import type { BenchGoal, BenchResult, BenchSuite, BenchValue } from './suite';

export const RESULTS_DIR = join(__dirname, 'results');

interface GoalCheck {
  readonly target: string;
  readonly met: boolean;
}

function checkGoal(goal: BenchGoal, value: BenchValue | undefined): GoalCheck {
  const tolerance = goal.tolerance ?? 0.1;
  const target =
    goal.max !== undefined
      ? `<= ${goal.max}`
      : goal.min !== undefined
        ? `>= ${goal.min}`
        : `~ ${goal.near} (+/-${tolerance * 100}%)`;
  if (typeof value !== 'number' || Number.isNaN(value)) return { target, met: false };
  if (goal.max !== undefined) return { target, met: value <= goal.max };
  if (goal.min !== undefined) return { target, met: value >= goal.min };
  return { target, met: Math.abs(value - goal.near!) <= goal.near! * tolerance };
}

/** Keys whose goal was missed (or whose value is absent), in goal order. */
export function missedGoals(suite: BenchSuite, result: BenchResult): string[] {
  return (suite.goals ?? [])
    .filter((goal) => !checkGoal(goal, result[goal.key]).met)
    .map((g) => g.key);
}

/** Where and on what the numbers were taken: without it they cannot be compared. */
export function machineInfo(): BenchResult {
  return {
    node_version: process.version,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    cpu_count: cpus().length,
    load_avg_1m_at_start: Math.round(loadavg()[0] * 100) / 100,
  };
}

/**
 * The machine is shared: when more runnable work than cores was queued during the run,
 * wall-clock numbers (latency percentiles, throughput) are inflated by preemption.
 */
export function contentionWarning(): string | undefined {
  const load = loadavg()[0];
  const cores = cpus().length;
  if (load <= cores) return undefined;
  return `warning: load average ${load.toFixed(2)} > ${cores} cores: other processes competed for the CPU, so latency and throughput are pessimistic; rerun on a quiet machine`;
}

/** One row per key: value, goal and whether it is met (blank when the key has no goal). */
export function formatTable(suite: BenchSuite, result: BenchResult): string {
  const goals = new Map((suite.goals ?? []).map((goal) => [goal.key, goal]));
  const rows = Object.entries(result).map(([key, value]) => {
    const goal = goals.get(key);
    const check = goal && checkGoal(goal, value);
    return [key, String(value), check?.target ?? '', check ? (check.met ? 'pass' : 'FAIL') : ''];
  });
  const header = ['metric', 'value', 'goal', 'status'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Runs one phase of a suite and prints on stderr how long it took. */
export async function timePhase<T>(name: string, measure: () => Promise<T>): Promise<T> {
  const start = sharedNow();
  const result = await measure();
  process.stderr.write(`  ${name}: ${((sharedNow() - start) / 1_000).toFixed(1)} s\n`);
  return result;
}

export async function writeResult(name: string, result: BenchResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
