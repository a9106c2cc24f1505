/**
 * Jest reporter: each fuzz suite appends its tally (one JSON line) to a file named in
 * FUZZ_TOTALS_FILE, which this reporter creates before any suite runs; at the end it prints
 * the total and fails the run if fewer than FUZZ_MIN_PAYLOADS payloads were tried or any
 * suite recorded a crash. Suites run in separate module registries, so a file is the
 * simplest shared ledger (and works with or without --runInBand).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FUZZ_MIN_PAYLOADS = 100_000;

class FuzzTotalsReporter {
  constructor() {
    this.file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'approval-fuzz-')), 'totals.jsonl');
    fs.writeFileSync(this.file, '');
    process.env.FUZZ_TOTALS_FILE = this.file;
    this.error = undefined;
  }

  onRunComplete() {
    const lines = fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
    const tallies = lines.map((line) => JSON.parse(line));
    const sum = (key) => tallies.reduce((total, tally) => total + tally[key], 0);
    const tried = sum('tried');
    const crashes = sum('crashes');
    process.stdout.write(
      `\n[fuzz] TOTAL across ${tallies.length} suites: tried=${tried} refused=${sum('refused')} ` +
        `accepted=${sum('accepted')} crashes=${crashes}\n`,
    );
    // Only judged on a full run: a single suite run on its own cannot reach the floor.
    if (tallies.length >= 3 && tried < FUZZ_MIN_PAYLOADS) {
      this.error = new Error(
        `[fuzz] only ${tried} payloads tried, fewer than ${FUZZ_MIN_PAYLOADS}`,
      );
    } else if (crashes > 0) {
      this.error = new Error(`[fuzz] ${crashes} crashes recorded`);
    }
    if (this.error) process.stdout.write(`${this.error.message}\n`);
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
  }

  getLastError() {
    return this.error;
  }
}

module.exports = FuzzTotalsReporter;
