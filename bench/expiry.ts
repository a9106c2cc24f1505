import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { runMigrations } from '../src/approvals/postgres/migration-runner';
import { quoteSchemaName } from '../src/approvals/postgres/schema-name';
import { DEFAULT_SWEEP_INTERVAL_MS } from '../src/approvals/lifecycle/lifecycle.config';
import type { Approval } from '@app/approval-events';
import { BenchChild, childEnvironment } from './child-process';
import { WORKSPACE } from './core-fixture';
import { BENCH_PRODUCER_TOKEN, BENCH_SUBSCRIBER_TOKEN } from './host-boot';
import { approvalsPath, BenchHttpClient } from './http-client';
import { LatencySamples } from './latency';
import { cpuPressurePct } from './noise';
import { timePhase } from './report';
import { dropSchema, postgresProblem } from './replicas';
import { round } from './stats';
import type { BenchResult, BenchSuite } from './suite';

const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const SCRIPT = 'replica-host.child.ts';
const SWEEP_MS = DEFAULT_SWEEP_INTERVAL_MS;

/** Deadlines spread over this long, so they fall at every phase of the sweep's tick. */
const WAKE = { samples: 200, spreadMs: 8_000, firstInMs: 2_000 } as const;
/** The sweeper's load: this many pending, of which `perSecond` expire each second of `windowMs`. */
const LOAD = { pending: 100_000, perSecond: 1_000, windowMs: 10_000, leadMs: 6_000 } as const;

interface Replica {
  readonly child: BenchChild;
  readonly http: BenchHttpClient;
}

async function startReplica(name: string, schema: string): Promise<Replica> {
  const { child, up } = await BenchChild.start(
    name,
    SCRIPT,
    childEnvironment({
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      APPROVAL_EVENTS_PRODUCER_TOKEN: BENCH_PRODUCER_TOKEN,
      APPROVAL_EVENTS_SUBSCRIBER_TOKEN: BENCH_SUBSCRIBER_TOKEN,
      APPROVAL_EXPIRY_SWEEP_INTERVAL_MS: String(SWEEP_MS),
      MAX_OPEN_APPROVALS_PER_REQUESTER: String(WAKE.samples),
      BENCH_EXPECT_CONNECTED: '1',
    }),
  );
  return { child, http: new BenchHttpClient(`http://127.0.0.1:${up.port as number}`) };
}

async function closeReplica(replica: Replica): Promise<void> {
  replica.http.close();
  await replica.child.close();
}

/**
 * Deadline to woken waiter on two replicas without Redis: approvals created on A with
 * deadlines spread over several sweep periods, each long-polled on A or B in turn. Whichever
 * replica's sweeper ends one, the store's NOTIFY wakes the other; so what is measured is
 * the sweep's phase (0 to one period) plus the wake. Goal: p99 ≤ period + 20 ms.
 */
async function measureExpiryWake(a: Replica, b: Replica): Promise<BenchResult> {
  const samples = new LatencySamples();
  const created: Approval[] = [];
  for (let index = 0; index < WAKE.samples; index++) {
    const expiresInMs = WAKE.firstInMs + Math.round((index * WAKE.spreadMs) / WAKE.samples);
    const answer = await a.http.expect(201, 'POST', approvalsPath(WORKSPACE), {
      action: 'send_email',
      requestedBy: 'bench',
      expiresInMs,
    });
    created.push(answer.body);
  }
  const answers = await Promise.all(
    created.map((approval, index) =>
      (index % 2 === 0 ? a : b).http
        .expect(200, 'GET', `${approvalsPath(WORKSPACE, approval.id, 'wait')}?timeoutMs=60000`)
        .then((answer) => ({ approval, answer, at: Date.now() })),
    ),
  );
  for (const { approval, answer, at } of answers) {
    if (answer.body.status !== 'expired') throw new Error(`long poll ended ${answer.body.status}`);
    samples.add(at - Date.parse(approval.expiresAt!));
  }
  return {
    ...samples.summary('expiry_wake', ['p50', 'p99', 'mean', 'max']),
    expiry_wake_samples: samples.count,
    expiry_sweep_interval_ms: SWEEP_MS,
  };
}

/**
 * `LOAD.pending` pending approvals written straight into a fresh schema: `perSecond` of
 * them fall due each second of a `windowMs` window starting `leadMs` from now, the rest a
 * day away. Inserted by SQL, since the cost of creating them is not what is measured.
 */
async function fillStore(pool: Pool, schema: string): Promise<number> {
  const table = `${quoteSchemaName(schema)}.approvals`;
  const expiring = (LOAD.perSecond * LOAD.windowMs) / 1_000;
  const { rows } = await pool.query<{ start: Date }>(
    `SELECT now() + $1 * interval '1 millisecond' AS start`,
    [LOAD.leadMs],
  );
  const start = rows[0].start;
  await pool.query(
    `INSERT INTO ${table} (workspace_id, id, action, requester, created_at, expires_at, on_expiry)
     SELECT $1, 'load-' || n, 'send_email', 'bench', now(),
            CASE WHEN n <= $2 THEN $3::timestamptz + (n * 1000.0 / $4) * interval '1 millisecond'
                 ELSE now() + interval '1 day' END,
            'expire'
     FROM generate_series(1, $5) AS n`,
    [WORKSPACE, expiring, start, LOAD.perSecond, LOAD.pending],
  );
  await pool.query(`ANALYZE ${table}`);
  return start.getTime();
}

/** CPU time of the replica (user + system, µs) so far. */
async function cpuOf(replica: Replica): Promise<number> {
  const usage = await replica.child.call({ type: 'cpu' });
  return (usage.user as number) + (usage.system as number);
}

/**
 * One replica sweeping a store of 100 000 pending approvals: its CPU (the sweeps, and
 * hearing the NOTIFY of each approval it ends) while none is due, then while 1 000 fall
 * due each second. Goal: ≤ 5 % of one core.
 */
async function measureSweeperCost(): Promise<BenchResult> {
  const schema = `bench_expiry_cost_${randomBytes(6).toString('hex')}`;
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  let replica: Replica | undefined;
  try {
    await runMigrations(pool, { schema });
    // Booted first (slow under load), so the window starts once it sweeps.
    replica = await startReplica('sweeping replica', schema);
    const windowStart = await fillStore(pool, schema);
    await sleep(SWEEP_MS);
    const idleFrom = Date.now();
    const idleStart = await cpuOf(replica);
    await sleep(Math.max(SWEEP_MS, windowStart - Date.now() - 100));
    const idleCpu = await cpuOf(replica);
    const idleMs = Date.now() - idleFrom;
    await sleep(Math.max(0, windowStart - Date.now()));
    const busyStart = await cpuOf(replica);
    const busyFrom = Date.now();
    await sleep(LOAD.windowMs);
    const busyCpu = await cpuOf(replica);
    const busyMs = Date.now() - busyFrom;
    await sleep(2 * SWEEP_MS);
    const { rows } = await pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${quoteSchemaName(schema)}.approvals WHERE status = 'expired'`,
    );
    return {
      sweeper_idle_cpu_pct_100k_pending: round((100 * (idleCpu - idleStart)) / 1_000 / idleMs, 2),
      sweeper_cpu_pct_100k_pending_1k_expiring_per_s: round(
        (100 * (busyCpu - busyStart)) / 1_000 / busyMs,
        2,
      ),
      sweeper_expired_in_window: rows[0].count,
      sweeper_expiring_planned: (LOAD.perSecond * LOAD.windowMs) / 1_000,
    };
  } finally {
    if (replica) await closeReplica(replica);
    await pool.end();
    await dropSchema(schema);
  }
}

/**
 * `npm run bench expiry`: how late an expired approval's waiters wake (deadline to
 * long-poll answered, two replicas, PostgreSQL, no Redis), and what the sweeper costs a
 * replica with 100 000 pending approvals of which 1 000 expire per second.
 */
export const expirySuite: BenchSuite = {
  name: 'expiry',
  description:
    'deadlines on PostgreSQL: deadline -> waiter woken on two replicas, and the sweeper’s CPU under 100 000 pending',
  goals: [
    { key: 'expiry_wake_p99_ms', max: SWEEP_MS + 20 },
    { key: 'sweeper_cpu_pct_100k_pending_1k_expiring_per_s', max: 5 },
  ],
  skipReason: postgresProblem,
  run: async () => {
    const schema = `bench_expiry_${randomBytes(6).toString('hex')}`;
    const a = await startReplica('replica A', schema);
    const b = await startReplica('replica B', schema);
    let wake: BenchResult;
    try {
      wake = await timePhase('expiry wake', () => measureExpiryWake(a, b));
    } finally {
      await closeReplica(a);
      await closeReplica(b);
      await dropSchema(schema);
    }
    const cost = await timePhase('sweeper cost', measureSweeperCost);
    return { ...wake, ...cost, cpu_pressure_some_avg10_pct: cpuPressurePct() ?? 'n/a' };
  },
};
