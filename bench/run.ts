import { Logger } from '@nestjs/common';
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { contentionWarning, formatTable, machineInfo, missedGoals, writeResult } from './report';
import { round } from './stats';
import { SuiteSkippedError, type BenchSuite } from './suite';
import { suites } from './suites';

/**
 * `npm run bench [suite...]`: runs the named suites (all registered ones by default), prints
 * a table per suite and writes `bench/results/<suite>.json`. A missed goal is reported, not
 * fatal; a suite that throws makes the exit code 1.
 */
async function main(names: readonly string[]): Promise<void> {
  // The library logs shutdowns with waits pending; the bench causes them on purpose.
  Logger.overrideLogger(['error']);
  const unknown = names.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown suite ${unknown.join(', ')}; available: ${suites.map((s) => s.name).join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  const selected = names.length > 0 ? suites.filter((suite) => names.includes(suite.name)) : suites;
  for (const suite of selected) await runSuite(suite);
}

async function runSuite(suite: BenchSuite): Promise<void> {
  console.log(`\n## ${suite.name}${suite.description ? `: ${suite.description}` : ''}`);
  const skipReason = await suite.skipReason?.();
  if (skipReason) {
    console.log(`skipped: ${skipReason}`);
    return;
  }
  const machine = machineInfo();
  const start = process.hrtime.bigint();
  try {
    const measured = await suite.run();
    const seconds = round(Number(process.hrtime.bigint() - start) / 1e9);
    const missed = missedGoals(suite, measured);
    console.log(formatTable(suite, { ...measured, suite_seconds: seconds }));
    console.log(
      `machine: ${Object.entries(machine)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')}`,
    );
    const contention = contentionWarning();
    if (contention) console.log(contention);
    const result = {
      ...measured,
      goals_missed: missed.join(','),
      suite_seconds: seconds,
      ...machine,
      load_avg_1m_at_end: round(loadavg()[0], 2),
    };
    const file = relative(process.cwd(), await writeResult(suite.name, result));
    console.log(
      `${missed.length === 0 ? 'all goals met' : `goals missed: ${missed.join(', ')}`}; wrote ${file}`,
    );
  } catch (error) {
    if (error instanceof SuiteSkippedError) {
      console.log(`skipped: ${error.message}`);
      return;
    }
    console.error(`suite ${suite.name} failed:`, error);
    process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
