import type { ResolvedApprovalStatus } from '@app/approval-events';
import { createHash } from 'node:crypto';
import { Random } from './prng';

/** `expire`: nobody decides; the approval carries a deadline there and the store ends it. */
export type DecisionAction = 'approve' | 'reject' | 'cancel' | 'expire';

/**
 * Who decides: host A's REST API (which also announces it in-process), or a plain SQL
 * `UPDATE` straight in the shared store, as another module, a job or an operator would,
 * with no event from anyone but the store's own announcement.
 */
export type DecisionRoute = 'rest' | 'store';

/** Where a wait runs: a bridge wait in the worker, a bridge wait on replica B, a long-poll on B. */
export type WaitKind = 'worker_bridge' | 'replica_bridge' | 'replica_long_poll';

/** A link the harness cuts: the worker's Socket.io bus relay, replica B's Redis relay. */
export type CutLink = 'worker_bus' | 'replica_redis';

/**
 * How an injected event reaches a manager: published by a producer on host A's gateway
 * (which relays it to the worker over the bus and to B over Redis), or fed straight into the
 * worker's or B's manager with `onApprovalResponse`.
 */
export type InjectionRoute = 'producer' | 'worker_manager' | 'replica_manager';

export type InjectionKind = 'duplicate' | 'late' | 'out_of_order' | 'forged';

export interface PlannedApproval {
  index: number;
  workspaceId: string;
  action: DecisionAction;
  route: DecisionRoute;
  /** When it is requested, from the start of the chaos phase. */
  createAtMs: number;
  /** When it is decided (its deadline, for `expire`), from the start of the chaos phase. */
  decideAtMs: number;
}

export interface PlannedWait {
  index: number;
  approvalIndex: number;
  kind: WaitKind;
  /** From the start of the chaos phase; between the approval's creation and its decision. */
  startAtMs: number;
}

export interface PlannedCut {
  link: CutLink;
  downAtMs: number;
  upAtMs: number;
}

export interface PlannedInjection {
  kind: InjectionKind;
  approvalIndex: number;
  route: InjectionRoute;
  /**
   * When, relative to the decision: negative is before the REST decision is sent (measured
   * from the chaos start as `decideAtMs + offsetMs`), positive after the REST decision
   * returned (duplicates and late deliveries need the decided record).
   */
  offsetMs: number;
  /** Forged events: the status claimed, never the store's final one. */
  status?: ResolvedApprovalStatus;
  /** Forged events: claimed for the same approval id in another workspace. */
  otherWorkspaceId?: string;
}

export interface ChaosPlan {
  seed: number;
  approvals: PlannedApproval[];
  waits: PlannedWait[];
  cuts: PlannedCut[];
  injections: PlannedInjection[];
  /** A short digest of the whole plan: equal digests, equal schedules. */
  fingerprint: string;
}

export interface ChaosShape {
  seed: number;
  workspaces: number;
  approvals: number;
  waits: number;
  /** Decisions are spread over [decisionsFromMs, decisionsUntilMs] after the chaos start. */
  decisionsFromMs: number;
  decisionsUntilMs: number;
  /** How long an approval is pending before its decision: [min, max] ms. */
  pendingForMs: readonly [number, number];
  /** Cuts per link, each in its own slot of the decision window. */
  cutsPerLink: number;
  links: readonly CutLink[];
  waitKinds: readonly (readonly [WaitKind, number])[];
  routes: readonly InjectionRoute[];
  /** Share of the decisions made straight in the store (needs the PostgreSQL store). */
  storeDecisionShare: number;
  /** Share of the approvals nobody decides: they end at their deadline, as `expired`. */
  expiryShare: number;
}

export const FINAL_STATUS: Record<DecisionAction, ResolvedApprovalStatus> = {
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  expire: 'expired',
};

const FORGEABLE: readonly ResolvedApprovalStatus[] = [
  'approved',
  'rejected',
  'auto_approved',
  'cancelled',
  'expired',
];

/** `count` distinct indexes below `size`, none of them in `taken`. */
function drawIndexes(random: Random, count: number, size: number, taken = new Set<number>()) {
  const drawn = new Set<number>();
  while (drawn.size < count) {
    const index = random.int(0, size - 1);
    if (!taken.has(index)) drawn.add(index);
  }
  return drawn;
}

export const workspaceName = (index: number) => `chaos-ws-${index}`;

/**
 * The whole fault schedule, drawn up front from one seed so that it does not depend on
 * timing: which approval is decided how and when, where and when each wait starts, when
 * each link is cut and restored, and every injected event.
 */
export function planChaos(shape: ChaosShape): ChaosPlan {
  const random = new Random(shape.seed);
  const approvals: PlannedApproval[] = [];
  // Exactly this many, drawn without replacement: a share that only holds on average
  // would let an unlucky seed test less than it claims.
  const storeDecided = drawIndexes(
    random,
    Math.round(shape.storeDecisionShare * shape.approvals),
    shape.approvals,
  );
  const expiring = drawIndexes(
    random,
    Math.round(shape.expiryShare * shape.approvals),
    shape.approvals,
    storeDecided,
  );
  for (let index = 0; index < shape.approvals; index++) {
    const decideAtMs = Math.round(random.between(shape.decisionsFromMs, shape.decisionsUntilMs));
    const pendingForMs = Math.round(random.between(...shape.pendingForMs));
    approvals.push({
      index,
      workspaceId: workspaceName(index % shape.workspaces),
      action: expiring.has(index)
        ? 'expire'
        : random.pick(['approve', 'reject', 'cancel'] as const),
      route: storeDecided.has(index) ? 'store' : 'rest',
      createAtMs: Math.max(0, decideAtMs - pendingForMs),
      decideAtMs,
    });
  }

  const waits: PlannedWait[] = [];
  for (let index = 0; index < shape.waits; index++) {
    const approval = approvals[index % approvals.length];
    waits.push({
      index,
      approvalIndex: approval.index,
      kind: random.weighted(shape.waitKinds),
      startAtMs: Math.round(random.between(approval.createAtMs, approval.decideAtMs - 50)),
    });
  }

  const cuts: PlannedCut[] = [];
  const slotMs = (shape.decisionsUntilMs + 1_000) / shape.cutsPerLink;
  for (const link of shape.links) {
    for (let slot = 0; slot < shape.cutsPerLink; slot++) {
      const downAtMs = Math.round(slot * slotMs + random.between(500, slotMs * 0.4));
      const upAtMs = Math.round(downAtMs + random.between(400, slotMs * 0.5));
      cuts.push({ link, downAtMs, upAtMs });
    }
  }

  const injections: PlannedInjection[] = [];
  for (const approval of approvals) {
    const final = FINAL_STATUS[approval.action];
    // The planned resolution overtakes its own commit: an early event must cost a read only.
    if (random.chance(0.3)) {
      injections.push({
        kind: 'out_of_order',
        approvalIndex: approval.index,
        route: random.pick(shape.routes),
        offsetMs: -Math.round(random.between(20, 400)),
      });
    }
    // The decided record again, right after the real event.
    if (random.chance(0.6)) {
      const copies = random.int(1, 3);
      for (let copy = 0; copy < copies; copy++) {
        injections.push({
          kind: 'duplicate',
          approvalIndex: approval.index,
          route: random.pick(shape.routes),
          offsetMs: Math.round(random.between(0, 200)),
        });
      }
    }
    // The decided record again, long after every wait on it ended.
    if (random.chance(0.4)) {
      injections.push({
        kind: 'late',
        approvalIndex: approval.index,
        route: random.pick(shape.routes),
        offsetMs: Math.round(random.between(2_000, 8_000)),
      });
    }
    // Claims the store contradicts: before the decision (it is still pending), or after it
    // with another outcome; now and then for the same id in another workspace.
    const forgeries = random.int(0, 3);
    for (let forgery = 0; forgery < forgeries; forgery++) {
      const before = random.chance(0.6);
      injections.push({
        kind: 'forged',
        approvalIndex: approval.index,
        route: random.pick(shape.routes),
        offsetMs: before
          ? -Math.round(random.between(50, approval.decideAtMs - approval.createAtMs))
          : Math.round(random.between(0, 3_000)),
        status: before
          ? random.pick(FORGEABLE)
          : random.pick(FORGEABLE.filter((status) => status !== final)),
        otherWorkspaceId: random.chance(0.2)
          ? workspaceName((approval.index + 1) % shape.workspaces)
          : undefined,
      });
    }
  }

  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ approvals, waits, cuts, injections }))
    .digest('hex')
    .slice(0, 16);
  return { seed: shape.seed, approvals, waits, cuts, injections, fingerprint };
}
