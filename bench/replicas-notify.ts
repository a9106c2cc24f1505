import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { decisionChannelFor } from '../src/approvals/postgres/decision-channel';
import { quoteSchemaName } from '../src/approvals/postgres/schema-name';
import { sharedNow } from './child-process';
import { WORKSPACE } from './core-fixture';
import type { ApprovalsClient } from './http-client';
import { LatencySamples } from './latency';
import type { StoreReadCounter } from './read-counter';
import { round } from './stats';
import type { BenchResult } from './suite';

/** The parts of a replica (`bench/replicas.ts`) a wake needs. */
export interface WakeReplica {
  readonly approvals: ApprovalsClient;
  readonly reads: StoreReadCounter;
}

/** Two replicas on one schema without `REDIS_URL`: only the store's NOTIFY links them. */
export interface NotifyPair {
  /** Decides over REST. */
  readonly a: WakeReplica;
  /** Long-polls; hears A (or any writer) through `PostgresNotifyLink` alone. */
  readonly b: WakeReplica;
  readonly schema: string;
  readonly databaseUrl: string;
}

const WAKE = { warmup: 30, measured: 250 } as const;
/** PostgreSQL's identifier limit, which cuts `application_name` too. */
const MAX_APPLICATION_NAME_LENGTH = 63;

/** Decision on `decider` (REST) to the long-poll on `waiter` answering `approved`. */
export async function replicaWake(
  decider: WakeReplica,
  waiter: WakeReplica,
): Promise<{ ms: number; approveMs: number; id: string }> {
  const { id } = await decider.approvals.create();
  const waiting = waiter.approvals.wait(id);
  // The wait has subscribed and read `pending` from PostgreSQL: only an event can wake it.
  await waiter.reads.atLeast(id, 1);
  const start = sharedNow();
  const decided = await decider.approvals.approve(id);
  const answer = await waiting;
  if (answer.body.status !== 'approved') throw new Error(`long poll ended ${answer.body.status}`);
  return { ms: answer.at - start, approveMs: decided.at - start, id };
}

/**
 * A decision no replica makes: one plain `UPDATE` on the shared schema from this process,
 * as a job or an operator would write it, to the long-poll on B answering. Nothing but the
 * store's trigger and B's LISTEN can tell B.
 */
async function storeWriteWake(pair: NotifyPair, pool: Pool): Promise<{ ms: number; id: string }> {
  const { a, b, schema } = pair;
  const { id } = await a.approvals.create();
  const waiting = b.approvals.wait(id);
  await b.reads.atLeast(id, 1);
  const start = sharedNow();
  const { rowCount } = await pool.query(
    `UPDATE ${quoteSchemaName(schema)}.approvals
        SET status = 'approved', resolved_by = 'bench-sql', resolved_at = now()
      WHERE workspace_id = $1 AND id = $2 AND status = 'pending'`,
    [WORKSPACE, id],
  );
  if (rowCount !== 1) throw new Error(`store write of ${id} updated ${rowCount} rows`);
  const answer = await waiting;
  if (answer.body.status !== 'approved') throw new Error(`long poll ended ${answer.body.status}`);
  return { ms: answer.at - start, id };
}

/**
 * Both NOTIFY wakes, interleaved so they see the same machine noise: a REST decision on A
 * and a plain SQL write, each to a long-poll on B, with B's store reads per wake.
 */
export async function measureNotifyWakes(pair: NotifyPair): Promise<BenchResult> {
  const rest = new LatencySamples();
  const sql = new LatencySamples();
  const ids: string[] = [];
  const pool = new Pool({ connectionString: pair.databaseUrl, max: 1 });
  try {
    for (let i = 0; i < WAKE.warmup + WAKE.measured; i++) {
      const decided = await replicaWake(pair.a, pair.b);
      const written = await storeWriteWake(pair, pool);
      if (i < WAKE.warmup) {
        pair.b.reads.forget(decided.id);
        pair.b.reads.forget(written.id);
        continue;
      }
      rest.add(decided.ms);
      sql.add(written.ms);
      ids.push(decided.id, written.id);
    }
  } finally {
    await pool.end();
  }
  // A read's IPC note may trail the HTTP answer it produced by a moment.
  await sleep(100);
  const readsPerWake = ids.reduce((sum, id) => sum + pair.b.reads.count(id) - 1, 0) / ids.length;
  for (const id of ids) pair.b.reads.forget(id);
  return {
    ...rest.summary('replica_wake_notify', ['p50', 'p99', 'mean', 'max']),
    replica_wake_notify_samples: rest.count,
    ...sql.summary('store_write_wake', ['p50', 'p99', 'mean', 'max']),
    store_write_wake_samples: sql.count,
    status_reads_per_wake_notify: round(readsPerWake, 2),
  };
}

/**
 * How many connections LISTEN on the schema's decision channel (by the `application_name`
 * `PostgresNotifyLink` gives its connection), so the bench can prove which replicas hear
 * the store and that the polling baseline does not.
 */
export async function storeListeners(databaseUrl: string, schema: string): Promise<number> {
  const name = `approval-events:${decisionChannelFor(schema)}`.slice(
    0,
    MAX_APPLICATION_NAME_LENGTH,
  );
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ count: string }>(
      'SELECT count(*) FROM pg_stat_activity WHERE application_name = $1',
      [name],
    );
    return Number(rows[0].count);
  } finally {
    await pool.end();
  }
}
