import { type Approval, ApprovalEventsMetrics } from '@app/approval-events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { TEST_DATABASE_URL } from '../../src/approvals/postgres/testing/temporary-schema';
import { readApproval, registryMetric } from '../support';
import { type ChaosShape, planChaos, type WaitKind, workspaceName } from './support/chaos-plan';
import { type ChaosFigures, formatFigures } from './support/chaos-report';
import { ChaosRun, type WaitRecord } from './support/chaos-run';
import { ReadFaults } from './support/read-faults';
import { bootTopology, reachable, TEST_REDIS_URL } from './support/topology';

/**
 * 1 000 waits on 100 approvals in 5 workspaces while the harness breaks things on a fixed
 * schedule (one seed, printed). Host A takes every decision over REST. The waits run
 * (a) in the agent worker, which reads A over HTTP and hears A's bus through a relay, and
 * (b) on replica B, sharing A's PostgreSQL schema and Redis prefix, its Redis behind another
 * relay: as bridge waits and as long-polls. Meanwhile each relay is cut 10 times, 20 % of
 * status reads fail or hang past a short time limit, and events arrive duplicated, late, ahead
 * of their own commit or forged. 15 of the approvals nobody decides: they carry a deadline
 * and the store ends them as `expired` (host A's timer in memory; with PostgreSQL, whichever
 * replica's sweeper gets there first). Every wait must end with the store's outcome within
 * `pollIntervalMs + 1 s` of its decision (an expired one's bridge waits rejected with
 * `ApprovalExpiredError`, within one sweep more of the deadline); none may hang, none may
 * stay pending.
 *
 * Everything runs in this one process (under --detectOpenHandles), so the harness keeps its
 * own load small enough not to be what it measures: approvals are pending 3 to 12 s each,
 * not all 40 s at once (every pending approval polls every 300 ms while a link is down),
 * long-polls reuse connections (Node accepts one connection per event-loop turn), and one
 * scheduler drives every action. The event-loop delay is printed with the figures.
 *
 * `CHAOS_SEED=<n> npm run test:chaos` replays another schedule; this one by default.
 */
const SEED = Number(process.env.CHAOS_SEED ?? 0x5eedc4a0);
const WORKSPACES = 5;
const APPROVALS = 100;
const WAITS = 1_000;
const POLL_INTERVAL_MS = 300;
/** How late a wait may end after the REST decision returned. */
const BOUND_MS = POLL_INTERVAL_MS + 1_000;
/** Far beyond the run: a wait that hangs must show up as lost, not end in a timeout. */
const WAIT_TIMEOUT_MS = 120_000;
/** Decisions made with plain SQL in the shared store: no REST, no event but the store's. */
const STORE_DECISION_SHARE = 0.15;
/** Approvals nobody decides: they carry a deadline and the store ends them as `expired`. */
const EXPIRY_SHARE = 0.15;
/** The PostgreSQL store's sweep period on A and B (the in-memory store's timer is exact). */
const SWEEP_INTERVAL_MS = 500;
/** How late a wait on an expiring approval may end after its deadline: one sweep more. */
const EXPIRY_BOUND_MS = SWEEP_INTERVAL_MS + BOUND_MS;
/**
 * The worker subscribes to these as it connects; waits in the other workspaces make it
 * subscribe on demand, and are polled until that subscription is acknowledged.
 */
const WORKER_CONFIGURED_WORKSPACES = 2;
/** After every scheduled action ran, how long the last waits get before they count as lost. */
const SETTLE_MS = 15_000;
const READ_FAILURE_RATE = 0.2;
const READ_TIMEOUT_MS = 100;
const MAX_FAILED_READS_IN_A_ROW = 2;

function shapeFor(withServices: boolean): ChaosShape {
  return {
    seed: SEED,
    workspaces: WORKSPACES,
    approvals: APPROVALS,
    waits: WAITS,
    decisionsFromMs: 5_000,
    decisionsUntilMs: 35_000,
    pendingForMs: [3_000, 12_000],
    cutsPerLink: 10,
    links: withServices ? ['worker_bus', 'replica_redis'] : ['worker_bus'],
    waitKinds: withServices
      ? [
          ['worker_bridge', 0.4],
          ['replica_bridge', 0.3],
          ['replica_long_poll', 0.3],
        ]
      : [['worker_bridge', 1]],
    routes: withServices
      ? ['producer', 'worker_manager', 'replica_manager']
      : ['producer', 'worker_manager'],
    // Only the PostgreSQL store announces a decision nobody published.
    storeDecisionShare: withServices ? STORE_DECISION_SHARE : 0,
    expiryShare: EXPIRY_SHARE,
  };
}

/** Why a wait's ending is not the store's final outcome, or undefined if it is. */
function wrongOutcome(wait: WaitRecord, final: Approval): string | undefined {
  const outcome = wait.outcome!;
  const sameRecord = (approval: Approval | undefined) =>
    approval?.id === final.id &&
    approval.workspaceId === final.workspaceId &&
    approval.status === final.status &&
    approval.resolvedBy === final.resolvedBy &&
    approval.resolvedAt === final.resolvedAt;
  if (wait.plan.kind === 'replica_long_poll') {
    if (outcome.kind === 'http' && outcome.status === 200 && sameRecord(outcome.body)) return;
    return `long-poll ${wait.plan.index} on approval #${wait.plan.approvalIndex} answered ${JSON.stringify(outcome)}; store says ${final.status}`;
  }
  if (final.status === 'cancelled') {
    if (
      outcome.kind === 'cancelled' &&
      outcome.error.approvalId === final.id &&
      sameRecord(outcome.error.approval)
    ) {
      return;
    }
  } else if (final.status === 'expired') {
    if (
      outcome.kind === 'expired' &&
      outcome.error.approvalId === final.id &&
      outcome.error.expiredAt === final.expiresAt &&
      sameRecord(outcome.error.approval)
    ) {
      return;
    }
  } else if (outcome.kind === 'approval' && sameRecord(outcome.approval)) {
    return;
  }
  const seen =
    outcome.kind === 'approval'
      ? `resolved ${outcome.approval.status}`
      : outcome.kind === 'cancelled'
        ? 'ApprovalCancelledException'
        : JSON.stringify(outcome);
  return `${wait.plan.kind} ended ${seen}; store says ${final.status}`;
}

/** The store's final word on every approval, read from host A once the dust has settled. */
async function finalApprovals(hostUrl: string, run: ChaosRun): Promise<Map<string, Approval>> {
  const finals = new Map<string, Approval>();
  for (const { created } of run.decisions) {
    if (created) {
      finals.set(created.id, await readApproval(hostUrl, created.workspaceId, created.id));
    }
  }
  return finals;
}

/** Every wait against the store's outcome and the bound: what was lost, wrong or late. */
function judge(run: ChaosRun, finals: Map<string, Approval>) {
  const ended = run.waits.filter((wait) => wait.endedAt !== undefined);
  const label = (wait: WaitRecord) =>
    `wait ${wait.plan.index} (${wait.plan.kind}, approval #${wait.plan.approvalIndex})`;
  // From the REST decision's answer (or the wait's start, if it started later); NaN if the
  // decision never answered, which counts as late.
  const latenessOf = (wait: WaitRecord) =>
    wait.endedAt! -
    Math.max(run.decisions[wait.plan.approvalIndex].decidedAt ?? Number.NaN, wait.startedAt!);
  const boundOf = (wait: WaitRecord) =>
    run.decisions[wait.plan.approvalIndex].plan.action === 'expire' ? EXPIRY_BOUND_MS : BOUND_MS;
  const latenessByKind = {} as Record<WaitKind, number[]>;
  for (const wait of ended) (latenessByKind[wait.plan.kind] ??= []).push(latenessOf(wait));
  const expiring = ended.filter((wait) => boundOf(wait) === EXPIRY_BOUND_MS);
  return {
    lost: run.waits.filter((wait) => wait.endedAt === undefined).map(label),
    wrong: ended
      .map((wait) => wrongOutcome(wait, finals.get(wait.approval!.id)!))
      .filter((problem): problem is string => problem !== undefined),
    late: ended
      .filter((wait) => !(latenessOf(wait) <= boundOf(wait)))
      .map((wait) => `${label(wait)} ended ${latenessOf(wait)} ms after its decision`),
    lateness: ended.map(latenessOf),
    latenessByKind,
    expiredLateness: expiring.map(latenessOf),
  };
}

const countBy = <K extends string>(keys: K[]) =>
  keys.reduce(
    (counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }),
    {} as Record<K, number>,
  );

const mapValues = <T extends object, V>(object: T, map: (value: T[keyof T]) => V) =>
  Object.fromEntries(
    Object.entries(object).map(([key, value]) => [key, map(value as T[keyof T])]),
  ) as Record<keyof T, V>;

const fallbackWaits = (registry: Registry | undefined) =>
  registry ? registryMetric(registry, 'approval_wait_fallback_total') : Promise.resolve(0);

describe('chaos: 1 000 waits while links are cut, reads fail and events lie', () => {
  it('ends every wait with the store’s outcome within pollIntervalMs + 1 s', async () => {
    const unreachable = [
      ...((await reachable(TEST_DATABASE_URL, 5432)) ? [] : [`PostgreSQL (${TEST_DATABASE_URL})`]),
      ...((await reachable(TEST_REDIS_URL, 6379)) ? [] : [`Redis (${TEST_REDIS_URL})`]),
    ];
    // As in `npm test`: on a laptop the replica half is skipped and said so; in CI it must run.
    if (unreachable.length > 0 && process.env.CI === 'true') {
      throw new Error(`CI=true but ${unreachable.join(' and ')} unreachable: replica B cannot run`);
    }
    const withServices = unreachable.length === 0;
    const plan = planChaos(shapeFor(withServices));
    const mode = withServices
      ? 'worker + replica B (PostgreSQL, Redis)'
      : `worker only (replica B skipped: ${unreachable.join(' and ')} unreachable)`;
    const faults = new ReadFaults(
      SEED,
      READ_FAILURE_RATE,
      READ_TIMEOUT_MS,
      MAX_FAILED_READS_IN_A_ROW,
    );
    console.log(
      `[chaos] seed=${SEED} plan=${plan.fingerprint} read-faults=${faults.digest(APPROVALS)} mode=${mode}`,
    );
    const topology = await bootTopology({
      withServices,
      workerWorkspaces: Array.from({ length: WORKER_CONFIGURED_WORKSPACES }, (_, index) =>
        workspaceName(index),
      ),
      pollIntervalMs: POLL_INTERVAL_MS,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
      faults,
    });
    const run = new ChaosRun(plan, topology, faults, { waitTimeoutMs: WAIT_TIMEOUT_MS });
    run.watchLinks();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    await run.execute();
    await run.settle(Date.now() + SETTLE_MS);
    loopDelay.disable();

    const finals = await finalApprovals(topology.hostA.url, run);
    const outcome = judge(run, finals);
    const pendingAfter = {
      host_a: topology.managerA.pendingCount,
      worker: topology.worker.manager.pendingCount,
      ...(topology.replica ? { replica_b: topology.replica.manager.pendingCount } : {}),
    };
    const figures: ChaosFigures = {
      seed: SEED,
      fingerprint: plan.fingerprint,
      mode,
      pollIntervalMs: POLL_INTERVAL_MS,
      boundMs: BOUND_MS,
      expiryBoundMs: EXPIRY_BOUND_MS,
      expiredLateness: outcome.expiredLateness,
      waitsByKind: countBy(plan.waits.map((wait) => wait.kind)),
      approvals: plan.approvals.length,
      decisionsByStatus: countBy([...finals.values()].map((approval) => approval.status)),
      decisionsByRoute: countBy(plan.approvals.map((approval) => approval.route)),
      workerWaitsOnDemand: plan.waits.filter(
        (wait) =>
          wait.kind === 'worker_bridge' &&
          plan.approvals[wait.approvalIndex].index % WORKSPACES >= WORKER_CONFIGURED_WORKSPACES,
      ).length,
      cuts: run.cutsDone,
      linkDropsSeen: run.linkDropsSeen,
      reads: faults.counts,
      readTimeoutMs: READ_TIMEOUT_MS,
      maxFailedReadsInARow: MAX_FAILED_READS_IN_A_ROW,
      injections: run.injected,
      injectionsByRoute: run.injectedByRoute,
      producerRefusals: run.producerRefusals,
      longPollResends: run.longPollResends,
      fallbackWaits: {
        worker: await fallbackWaits(topology.worker.app.get(ApprovalEventsMetrics).registry),
        replica: await fallbackWaits(
          topology.replica?.host.app.get(ApprovalEventsMetrics).registry,
        ),
      },
      waitsRun: run.waits.filter((wait) => wait.startedAt !== undefined).length,
      waitsLost: outcome.lost.length,
      wrongOutcomes: outcome.wrong.length,
      pendingAfter,
      lateness: outcome.lateness,
      latenessByKind: outcome.latenessByKind,
      durationMs: run.finishedAt - run.startedAt,
      maxPendingApprovals: run.maxPending,
      eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
    console.log(formatFigures(figures));

    expect(run.harnessErrors).toEqual([]);
    expect(figures.waitsRun).toBe(WAITS);
    expect(outcome.lost).toEqual([]);
    expect(outcome.wrong).toEqual([]);
    expect(outcome.late).toEqual([]);
    // Every wait ended, so nothing of one may stay behind in any manager.
    expect(pendingAfter).toEqual(mapValues(pendingAfter, () => 0));
    // The chaos happened: a run that injected nothing proves nothing.
    for (const link of shapeFor(withServices).links) {
      expect(run.cutsDone[link]).toBe(10);
      expect(run.linkDropsSeen[link]).toBe(10);
    }
    expect(faults.counts.worker.error + faults.counts.worker.timeout).toBeGreaterThan(0);
    if (withServices) {
      expect(faults.counts.replica.error + faults.counts.replica.timeout).toBeGreaterThan(0);
    }
    for (const kind of ['duplicate', 'late', 'out_of_order', 'forged'] as const) {
      expect(run.injected[kind]).toBeGreaterThan(0);
    }
    expect(figures.workerWaitsOnDemand).toBeGreaterThan(0);
    if (withServices) expect(run.storeDecisions).toBeGreaterThanOrEqual(APPROVALS * 0.1);
    // Expiring approvals were in the mix, and their waits were judged against the deadline.
    expect(run.expiries).toBe(Math.round(APPROVALS * EXPIRY_SHARE));
    expect(figures.decisionsByStatus.expired).toBe(run.expiries);
    expect(outcome.expiredLateness.length).toBeGreaterThan(0);
  });
});
