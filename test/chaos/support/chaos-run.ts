import {
  type Approval,
  ApprovalCancelledException,
  ApprovalExpiredError,
  type ApprovalResult,
  type GatewayAck,
} from '@app/approval-events';
import { REMOTE_BUS_LINK } from '@app/approval-events/links/approval-event-bus.client';
import { REPLICA_LINK } from '@app/approval-events/links/redis-replica.link';
import * as http from 'node:http';
import request from 'supertest';
import { ApprovalsRepository } from '../../../src/approvals/approvals.repository';
import { quoteSchemaName } from '../../../src/approvals/postgres/schema-name';
import {
  approvalsPath,
  authAs,
  authAsId,
  createApproval,
  eventually,
  readApproval,
  track,
} from '../../support';
import { Scheduler } from './scheduler';
import {
  type ChaosPlan,
  type CutLink,
  FINAL_STATUS,
  type InjectionKind,
  type InjectionRoute,
  type PlannedApproval,
  type PlannedCut,
  type PlannedInjection,
  type PlannedWait,
} from './chaos-plan';
import type { ReadFaults } from './read-faults';
import type { Topology, WaitingSide } from './topology';

/** The name each cut link reports to the coverage under. */
const COVERAGE_LINK: Record<CutLink, string> = {
  worker_bus: REMOTE_BUS_LINK,
  replica_redis: REPLICA_LINK,
};

/** How a wait ended, as its caller saw it. */
export type WaitOutcome =
  | { kind: 'approval'; approval: Approval }
  | { kind: 'cancelled'; error: ApprovalCancelledException }
  | { kind: 'expired'; error: ApprovalExpiredError }
  | { kind: 'http'; status: number; body?: Approval }
  | { kind: 'error'; message: string };

export interface WaitRecord {
  plan: PlannedWait;
  /** Set when the wait starts (the approval exists by then). */
  approval?: Approval;
  startedAt?: number;
  endedAt?: number;
  outcome?: WaitOutcome;
}

export interface DecisionRecord {
  plan: PlannedApproval;
  /** Resolves once the approval exists on host A. */
  creation: Promise<Approval>;
  created?: Approval;
  /** `Date.now()` when the REST decision returned 200; the deadline for an expiring one. */
  decidedAt?: number;
  decided?: Approval;
  /** Injected events due after the decision, relative to its answer. */
  afterDecision: PlannedInjection[];
}

export interface ChaosRunOptions {
  waitTimeoutMs: number;
}

/** Runs the plan against the topology: every wait, decision, cut and injected event on time. */
export class ChaosRun {
  readonly decisions: DecisionRecord[] = [];
  readonly waits: WaitRecord[] = [];
  readonly cutsDone: Record<CutLink, number> = { worker_bus: 0, replica_redis: 0 };
  readonly linkDropsSeen: Record<CutLink, number> = { worker_bus: 0, replica_redis: 0 };
  readonly injected: Record<InjectionKind, number> = {
    duplicate: 0,
    late: 0,
    out_of_order: 0,
    forged: 0,
  };
  readonly injectedByRoute: Record<InjectionRoute, number> = {
    producer: 0,
    worker_manager: 0,
    replica_manager: 0,
  };
  producerRefusals = 0;
  /** Decisions made with plain SQL, no REST and no event but the store's own. */
  storeDecisions = 0;
  /** Approvals nobody decided, ended by the store at their deadline. */
  expiries = 0;
  /** Long-polls sent again after the keep-alive race (see `longPoll`). */
  longPollResends = 0;
  /** Approvals created and not yet decided: now, and at most. */
  pending = 0;
  maxPending = 0;
  /** Anything the harness itself failed to do (a decision not answered 200, say). */
  readonly harnessErrors: string[] = [];
  startedAt = 0;
  finishedAt = 0;
  private readonly scheduler = new Scheduler((error) =>
    this.harnessErrors.push((error as Error).message),
  );
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(
    private readonly plan: ChaosPlan,
    private readonly topology: Topology,
    private readonly faults: ReadFaults,
    private readonly options: ChaosRunOptions,
  ) {
    track('chaos long-poll agent', () => this.agent.destroy());
  }

  /**
   * Counts each time a cut link goes down, to show the cuts were felt. Read from the link's
   * own state, not `connected$`: on replica B the store's announcements keep waits
   * event-driven through a Redis cut, so `connected$` does not fall then.
   */
  watchLinks(): void {
    const watch = (link: CutLink, name: string, side: WaitingSide | undefined) => {
      if (!side) return;
      let up = side.coverage.linkStates()[name] ?? false;
      const subscription = side.coverage.changes$.subscribe(() => {
        const now = side.coverage.linkStates()[name] ?? false;
        if (up && !now) this.linkDropsSeen[link]++;
        up = now;
      });
      track(`chaos ${link} watch`, () => subscription.unsubscribe());
    };
    watch('worker_bus', COVERAGE_LINK.worker_bus, this.topology.worker);
    watch('replica_redis', COVERAGE_LINK.replica_redis, this.topology.replica);
  }

  /** Schedules everything, then resolves once every scheduled action has run. */
  async execute(): Promise<void> {
    this.startedAt = Date.now() + 100;
    for (const plan of this.plan.approvals) {
      let created!: (approval: Approval) => void;
      let failed!: (error: unknown) => void;
      const creation = new Promise<Approval>((resolve, reject) => {
        created = resolve;
        failed = reject;
      });
      creation.catch(() => undefined); // reported once, by the creation itself
      const record: DecisionRecord = { plan, creation, afterDecision: [] };
      this.decisions.push(record);
      this.at(plan.createAtMs, () =>
        this.create(record).then(created, (error: unknown) => {
          failed(error);
          throw error;
        }),
      );
      this.at(plan.decideAtMs, () => this.decide(record));
    }
    for (const wait of this.plan.waits) {
      const record: WaitRecord = { plan: wait };
      this.waits.push(record);
      this.at(wait.startAtMs, () => this.startWait(record));
    }
    for (const cut of this.plan.cuts) this.scheduleCut(cut);
    for (const injection of this.plan.injections) this.schedule(injection);
    await this.scheduler.run();
    this.finishedAt = Date.now();
  }

  /** Resolves once every wait has ended, or at `deadline` (ms since epoch) with the rest open. */
  async settle(deadline: number): Promise<void> {
    while (this.waits.some((wait) => wait.endedAt === undefined) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Cuts a link at its planned time and restores it after the planned outage. A cut waits
   * for the link to be up first: the clients back off between reconnection attempts (up to
   * seconds), so a cut that landed while one was still reconnecting would kill nothing, and
   * "10 cuts" must mean 10 live connections killed. A cut delayed that way keeps its length,
   * and the next cut of the link waits in turn, so outages never overlap.
   */
  private scheduleCut(cut: PlannedCut): void {
    const [relay, side] =
      cut.link === 'worker_bus'
        ? [this.topology.workerRelay, this.topology.worker]
        : [this.topology.replica?.redisRelay, this.topology.replica];
    if (!relay || !side) return;
    const linkUp = () => side.coverage.linkStates()[COVERAGE_LINK[cut.link]] === true;
    this.at(cut.downAtMs, async () => {
      // The link itself, not connected$: the store's announcements keep replica B
      // connected through a Redis cut.
      await eventually(`${cut.link} up again before its next cut`, linkUp, { timeoutMs: 15_000 });
      await relay.down();
      this.cutsDone[cut.link]++;
      this.scheduler.at(Date.now() + cut.upAtMs - cut.downAtMs, () => relay.up());
    });
  }

  /** Runs `action` at `offsetMs` after the chaos start; its failure is recorded, not thrown. */
  private at(offsetMs: number, action: () => unknown): void {
    this.scheduler.at(this.startedAt + offsetMs, async () => {
      try {
        await action();
      } catch (error) {
        throw new Error(`at +${offsetMs} ms: ${(error as Error).message}`);
      }
    });
  }

  private async startWait(record: WaitRecord): Promise<void> {
    const approval = await this.decisions[record.plan.approvalIndex].creation;
    const { workspaceId, id } = approval;
    record.approval = approval;
    record.startedAt = Date.now();
    const ended = (outcome: WaitOutcome) => {
      record.endedAt = Date.now();
      record.outcome = outcome;
    };
    if (record.plan.kind === 'replica_long_poll') {
      const url = `${this.topology.replica!.host.url}${approvalsPath(workspaceId, id, 'wait')}?timeoutMs=${this.options.waitTimeoutMs}`;
      void this.longPoll(url).then(ended);
      return;
    }
    const side =
      record.plan.kind === 'worker_bridge' ? this.topology.worker : this.topology.replica!;
    side.bridge.waitForApproval(workspaceId, id, { timeoutMs: this.options.waitTimeoutMs }).then(
      (resolved) => ended({ kind: 'approval', approval: resolved }),
      (error: unknown) =>
        ended(
          error instanceof ApprovalCancelledException
            ? { kind: 'cancelled', error }
            : error instanceof ApprovalExpiredError
              ? { kind: 'expired', error }
              : { kind: 'error', message: `${(error as Error).name}: ${(error as Error).message}` },
        ),
    );
  }

  /**
   * One long-poll, as a client that keeps its connections alive would make it. A fresh
   * connection per long-poll would measure this process's accept queue instead of the
   * product: Node accepts one connection per event-loop turn, and this one process runs
   * host A, replica B, the worker and the harness (under --detectOpenHandles, at that).
   *
   * Keep-alive has one race every such client must handle: the server closes an idle
   * connection (its keepAliveTimeout) just as a request is sent on it, and the request
   * fails with ECONNRESET before the server saw it. As Node's documentation advises, a
   * request that failed that way on a reused socket is sent again (counted in
   * `longPollResends`), but only within its first second: a long-poll reset later was in
   * the server's hands, and that is the wait's outcome, as is any other failure. (Node 20's
   * agent honours the server's `Keep-Alive: timeout=5` hint only when the agent itself has
   * a socket timeout, which would also cut the long-polls.)
   */
  private longPoll(url: string): Promise<WaitOutcome> {
    const sentAt = Date.now();
    return new Promise<WaitOutcome>((resolve) => {
      const request = http.get(url, { agent: this.agent, headers: authAs('agent') }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: Approval | undefined;
          try {
            body = JSON.parse(text) as Approval;
          } catch {
            body = undefined;
          }
          resolve({ kind: 'http', status: response.statusCode ?? 0, body });
        });
        response.on('error', (error) => resolve({ kind: 'error', message: error.message }));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const raced = request.reusedSocket && Date.now() - sentAt < 1_000;
        if (raced && error.code === 'ECONNRESET') {
          this.longPollResends++;
          resolve(this.longPoll(url));
          return;
        }
        const where = request.reusedSocket ? 'a reused connection' : 'a new connection';
        resolve({
          kind: 'error',
          message: `${error.message} on ${where}, ${Date.now() - sentAt} ms after sending`,
        });
      });
    });
  }

  private async create(record: DecisionRecord): Promise<Approval> {
    // An expiring one's deadline is its planned decision time, however late this create runs.
    const deadline =
      record.plan.action === 'expire'
        ? { expiresInMs: Math.max(1_000, this.startedAt + record.plan.decideAtMs - Date.now()) }
        : {};
    const approval = await createApproval(this.topology.hostA.url, record.plan.workspaceId, {
      action: 'chaos',
      payload: { planIndex: record.plan.index },
      requestedBy: 'chaos',
      ...deadline,
    });
    this.faults.register(approval.id, record.plan.index);
    record.created = approval;
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    return approval;
  }

  private async decide(record: DecisionRecord): Promise<void> {
    const { workspaceId, id } = await record.creation;
    const action = record.plan.action;
    if (action === 'expire') {
      await this.awaitExpiry(record);
    } else {
      const { resolvedBy, ...details } = {
        approve: { resolvedBy: 'alice', notes: 'chaos' },
        reject: { resolvedBy: 'bob', reason: 'chaos says no' },
        cancel: { resolvedBy: 'carol', reason: 'chaos withdrew it' },
      }[action];
      if (record.plan.route === 'store') {
        await this.decideInStore(record, resolvedBy, details);
      } else {
        const response = await request(this.topology.hostA.url)
          .post(approvalsPath(workspaceId, id, action))
          .set(authAsId(resolvedBy)!)
          .send({ resolvedBy, ...details });
        if (response.status !== 200) {
          throw new Error(`${action} of ${id} answered ${response.status}`);
        }
        record.decidedAt = Date.now();
        record.decided = response.body as Approval;
      }
    }
    this.pending--;
    const decidedAt = record.decidedAt!;
    for (const injection of record.afterDecision) {
      this.scheduler.at(decidedAt + injection.offsetMs, () => this.inject(injection, record));
    }
  }

  /**
   * Nobody decides an expiring approval: the store ends it at its deadline (host A's timer
   * in memory, or whichever replica's sweeper gets there first). Its "decision time" is the
   * deadline, which is what its waits' lateness is measured from.
   */
  private async awaitExpiry(record: DecisionRecord): Promise<void> {
    const { workspaceId, id, expiresAt } = record.created!;
    // Host A's store in-process, not its REST API: a new HTTP connection every 50 ms takes
    // ephemeral ports, and one could be the port of a relay that is down, which then
    // cannot listen again (EADDRINUSE).
    const store = this.topology.hostA.app.get<ApprovalsRepository>(ApprovalsRepository);
    let current = record.created!;
    await eventually(
      `approval ${id} expired`,
      async () => {
        current = (await store.findOne(workspaceId, id)) ?? current;
        return current.status !== 'pending';
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    if (current.status !== 'expired') throw new Error(`approval ${id} ended ${current.status}`);
    record.decidedAt = Date.parse(expiresAt!);
    record.decided = current;
    this.expiries++;
  }

  /**
   * A decision no replica makes: one `UPDATE` on the shared schema, as a job or an operator
   * would write it. Nothing but the store's own announcement tells anyone.
   */
  private async decideInStore(
    record: DecisionRecord,
    resolvedBy: string,
    resolution: Record<string, string>,
  ): Promise<void> {
    const store = this.topology.store;
    if (!store) throw new Error('a store decision needs the PostgreSQL store');
    const { workspaceId, id } = record.created!;
    const { rowCount } = await store.pool.query(
      `UPDATE ${quoteSchemaName(store.schema)}.approvals
          SET status = $3, resolved_by = $4, resolution = $5, resolved_at = now()
        WHERE workspace_id = $1 AND id = $2 AND status = 'pending'`,
      [workspaceId, id, FINAL_STATUS[record.plan.action], resolvedBy, resolution],
    );
    if (rowCount !== 1) throw new Error(`store decision of ${id} updated ${rowCount} rows`);
    record.decidedAt = Date.now();
    this.storeDecisions++;
    record.decided = await readApproval(this.topology.hostA.url, workspaceId, id);
  }

  /**
   * Events before the decision run at their time; those after it are kept until the decision
   * has returned (they need the decided record), then scheduled from its answer.
   */
  private schedule(injection: PlannedInjection): void {
    const record = this.decisions[injection.approvalIndex];
    if (injection.offsetMs >= 0) {
      record.afterDecision.push(injection);
      return;
    }
    this.at(record.plan.decideAtMs + injection.offsetMs, async () => {
      await record.creation;
      await this.inject(injection, record);
    });
  }

  private async inject(injection: PlannedInjection, record: DecisionRecord): Promise<void> {
    const event = this.eventFor(injection, record);
    switch (injection.route) {
      case 'producer': {
        const ack = (await this.topology.producer
          .timeout(5_000)
          .emitWithAck('approval:resolved', event)) as GatewayAck;
        if (!ack.ok) this.producerRefusals++;
        break;
      }
      case 'worker_manager':
        this.topology.worker.manager.onApprovalResponse(event, 'remote_bus');
        break;
      case 'replica_manager':
        this.topology.replica!.manager.onApprovalResponse(event, 'replica');
        break;
    }
    this.injected[injection.kind]++;
    this.injectedByRoute[injection.route]++;
  }

  private eventFor(injection: PlannedInjection, record: DecisionRecord): ApprovalResult {
    const { id: approvalId, workspaceId } = record.created!;
    const now = new Date().toISOString();
    switch (injection.kind) {
      case 'duplicate':
      case 'late': {
        // Exactly what the host published for the decision.
        const decided = record.decided!;
        return {
          approvalId,
          workspaceId,
          status: decided.status as ApprovalResult['status'],
          resolution: decided.resolution,
          resolvedBy: decided.resolvedBy,
          resolvedAt: decided.resolvedAt!,
        };
      }
      case 'out_of_order':
        return {
          approvalId,
          workspaceId,
          status: FINAL_STATUS[record.plan.action],
          resolvedBy: 'alice',
          resolvedAt: now,
        };
      case 'forged':
        return {
          approvalId,
          workspaceId: injection.otherWorkspaceId ?? workspaceId,
          status: injection.status!,
          resolvedBy: 'mallory',
          resolvedAt: now,
        };
    }
  }
}
