import type {
  ApprovalDecision,
  ApprovalRecord,
  IdempotencyClaim,
  LifecycleTransition,
  NewApproval,
} from '../approvals.repository';
import { ApprovalsStoreFullError } from '../errors/approvals-store-full.error';
import { IdempotencyKeyReusedError } from '../errors/idempotency-key-reused.error';
import { OpenApprovalsLimitError } from '../errors/open-approvals-limit.error';
import { expiryDecision } from '../lifecycle/expiry-decision';
import { IdempotencyKeyCache } from '../lifecycle/idempotency-key-cache';
import { type Deadline, WorkspaceDeadlines } from '../lifecycle/workspace-deadlines';

/** One stored approval and what the store keeps beside it. */
export interface ShelfEntry {
  approval: ApprovalRecord;
  requester: string;
  /** The idempotency key that made it, forgotten with it. */
  key?: string;
}

/**
 * One workspace of the in-memory store: its approvals, their deadlines (one timer), its
 * idempotency keys and its open-approvals counts. Every collection keeps insertion order,
 * which the store relies on. Each method is synchronous, so the store's check-and-write
 * stays atomic.
 *
 * @internal
 */
export class WorkspaceShelf {
  /** By id, in creation order: the newest is last. */
  readonly approvals = new Map<string, ShelfEntry>();
  /** When each decided approval was decided (epoch ms), in decision order: the first goes first. */
  readonly decided = new Map<string, number>();
  readonly deadlines: WorkspaceDeadlines;
  /** How many of `approvals` are pending. */
  pending = 0;
  /** When its latest decision was made (epoch ms), 0 before the first. */
  lastDecidedAt = 0;
  /** Pending approvals by requester (absent at 0), for the open-approvals cap. */
  private readonly openByRequester = new Map<string, number>();
  private readonly keys: IdempotencyKeyCache;

  constructor(
    readonly workspaceId: string,
    private readonly maxApprovals: number,
    onDue: (due: Deadline[]) => void,
  ) {
    this.deadlines = new WorkspaceDeadlines(onDue);
    this.keys = new IdempotencyKeyCache(maxApprovals);
  }

  /** The approval a known key made, if the request is the same; throws if it is not. */
  replay(input: NewApproval, claim: IdempotencyClaim | undefined): ApprovalRecord | undefined {
    if (!claim) return undefined;
    const known = this.keys.recall(input.requester, claim.key);
    const entry = known && this.approvals.get(known.approvalId);
    if (!known || !entry) return undefined;
    if (known.fingerprint !== claim.fingerprint) {
      throw new IdempotencyKeyReusedError(this.workspaceId, known.approvalId);
    }
    return entry.approval;
  }

  /** @throws OpenApprovalsLimitError when the requester already holds `limit` pending. */
  checkOpenLimit(requester: string, limit: number | undefined): void {
    if (limit === undefined || this.openOf(requester) < limit) return;
    let next: number | undefined;
    for (const entry of this.approvals.values()) {
      const { status, expiresAt } = entry.approval;
      if (entry.requester !== requester || status !== 'pending' || !expiresAt) continue;
      next = Math.min(next ?? Infinity, Date.parse(expiresAt));
    }
    const nextExpiresAt = next === undefined ? undefined : new Date(next).toISOString();
    throw new OpenApprovalsLimitError(this.workspaceId, requester, limit, nextExpiresAt);
  }

  /** Stores the pending record, its key and its deadlines. */
  insert(approval: ApprovalRecord, requester: string, claim: IdempotencyClaim | undefined): void {
    this.approvals.set(approval.id, { approval, requester, key: claim?.key });
    this.pending++;
    this.openByRequester.set(requester, this.openOf(requester) + 1);
    if (claim) {
      const remembered = { fingerprint: claim.fingerprint, approvalId: approval.id };
      this.keys.remember(requester, claim.key, remembered, claim.ttlMs);
    }
    const { id, expiresAt, remindAt } = approval;
    if (expiresAt)
      this.deadlines.add({ approvalId: id, kind: 'expiry', at: Date.parse(expiresAt) });
    if (remindAt)
      this.deadlines.add({ approvalId: id, kind: 'reminder', at: Date.parse(remindAt) });
  }

  /** Moves a pending approval to its decision: the one write of `decide` and of expiry. */
  apply(entry: ShelfEntry, decision: ApprovalDecision): void {
    const { approval } = entry;
    approval.status = decision.status;
    approval.resolvedAt = decision.resolvedAt;
    if (decision.resolvedBy !== undefined) approval.resolvedBy = decision.resolvedBy;
    if (decision.resolution !== undefined) {
      approval.resolution = structuredClone(decision.resolution);
    }
    this.lastDecidedAt = Date.now();
    this.decided.set(approval.id, this.lastDecidedAt);
    this.pending--;
    const open = this.openOf(entry.requester) - 1;
    if (open > 0) this.openByRequester.set(entry.requester, open);
    else this.openByRequester.delete(entry.requester);
    this.deadlines.remove(approval.id);
  }

  /**
   * Acts on one due deadline: the store's one expiry (`onExpiry`'s decision) or the claim of
   * a reminder. Nothing for an approval decided meanwhile.
   */
  settle({ approvalId, kind }: Deadline): LifecycleTransition | undefined {
    const entry = this.approvals.get(approvalId);
    if (!entry || entry.approval.status !== 'pending') return undefined;
    if (kind === 'reminder') {
      entry.approval.remindedAt = new Date().toISOString();
      return { kind: 'reminded', approval: structuredClone(entry.approval) };
    }
    this.apply(entry, expiryDecision(entry.approval));
    return { kind: 'expired', approval: structuredClone(entry.approval) };
  }

  /**
   * Makes room for one more: evicts the approval decided longest ago once its grace period
   * is over (forgetting its key), or refuses. Pending approvals are never evicted.
   *
   * @returns how many were evicted (0 or 1).
   */
  makeRoom(decidedGraceMs: number): number {
    if (this.approvals.size < this.maxApprovals) return 0;
    const [oldest] = this.decided;
    const scope = `workspace ${this.workspaceId}`;
    if (oldest === undefined) throw new ApprovalsStoreFullError(scope, this.maxApprovals);
    const [approvalId, decidedAt] = oldest;
    if (Date.now() - decidedAt < decidedGraceMs) {
      throw new ApprovalsStoreFullError(scope, this.maxApprovals, 'recent');
    }
    const evicted = this.approvals.get(approvalId)!;
    if (evicted.key !== undefined) this.keys.forget(evicted.requester, evicted.key);
    this.approvals.delete(approvalId);
    this.decided.delete(approvalId);
    return 1;
  }

  private openOf(requester: string): number {
    return this.openByRequester.get(requester) ?? 0;
  }
}
