/* eslint-disable @typescript-eslint/require-await --
   The methods are async with nothing to await on purpose: the interface is asynchronous
   (a database needs it), and `async` turns a thrown error into a rejection as a database
   would, while keeping each check-and-write synchronous, which is what makes it atomic. */
import { type Approval } from '@app/approval-events';
import {
  assertTerminalDecision,
  type ApprovalDecision,
  type ApprovalsRepository,
  type DecideOutcome,
  type ListApprovalsOptions,
  type NewApproval,
} from './approvals.repository';
import { ApprovalsStoreFullError } from './errors/approvals-store-full.error';
import { DuplicateApprovalError } from './errors/duplicate-approval.error';

/** Bounds of the embedded store. */
export interface InMemoryApprovalsRepositoryOptions {
  /**
   * Most approvals one workspace may hold. A full workspace evicts its own oldest decided
   * approval past the grace period, or refuses; it never touches another workspace.
   * @default 2_000
   */
  maxPerWorkspace?: number;
  /**
   * Most workspaces held at once, so the store as a whole is bounded too (at most
   * `maxWorkspaces` x `maxPerWorkspace` approvals). A new workspace beyond it takes the
   * place of the least recently written workspace that holds nothing pending and nothing
   * decided within the grace period, or is refused.
   * @default 50
   */
  maxWorkspaces?: number;
  /**
   * How long a decided approval is kept before it may be evicted, in ms: long enough for
   * every wait on it to read its outcome (the event, a poll, a long-poll's last read) and
   * for a reviewer's page to show it.
   * @default 600_000 (10 minutes)
   */
  decidedGraceMs?: number;
}

export const DEFAULT_MAX_APPROVALS_PER_WORKSPACE = 2_000;
export const DEFAULT_MAX_WORKSPACES = 50;
export const DEFAULT_DECIDED_GRACE_MS = 10 * 60_000;

/** One workspace's approvals. Every collection keeps insertion order, which the store relies on. */
interface WorkspaceShelf {
  /** By id, in creation order: the newest is last. */
  approvals: Map<string, Approval>;
  /** When each decided approval was decided (epoch ms), in decision order: the first goes first. */
  decided: Map<string, number>;
  /** How many of `approvals` are pending. */
  pending: number;
  /** When its latest decision was made (epoch ms), 0 before the first. */
  lastDecidedAt: number;
}

/**
 * The embedded approvals store: process memory, gone on restart, one replica only.
 * Use a durable store (`DATABASE_URL`) for anything that must survive.
 *
 * Bounded per workspace, so one tenant filling its workspace never evicts or refuses
 * another's: at most `maxPerWorkspace` approvals per workspace (default 2 000) and
 * `maxWorkspaces` workspaces (default 50), so 100 000 approvals in all by default.
 *
 * When a workspace is full it evicts its own approval decided longest ago, but only once
 * that decision is older than `decidedGraceMs` (default 10 minutes), so a wait or a reader
 * that learnt of the decision still finds it. Pending approvals are never evicted: each is
 * somebody's open question. With nothing evictable, creation fails with
 * {@link ApprovalsStoreFullError} (503) in that workspace only. Why evict at all: there is
 * no delete route, so a store that only refused would stop accepting for good after its
 * first N, which is no default for a long-running host.
 *
 * Atomicity comes from the event loop: each method does its check and its write in one
 * synchronous stretch, with no `await` in between.
 *
 * @example
 * { provide: ApprovalsRepository, useFactory: () => new InMemoryApprovalsRepository({ maxPerWorkspace: 500 }) }
 */
export class InMemoryApprovalsRepository implements ApprovalsRepository {
  /** In order of last write: the first is the least recently written. */
  private readonly workspaces = new Map<string, WorkspaceShelf>();
  private readonly maxPerWorkspace: number;
  private readonly maxWorkspaces: number;
  private readonly decidedGraceMs: number;
  private total = 0;

  constructor(options: InMemoryApprovalsRepositoryOptions = {}) {
    this.maxPerWorkspace = positiveInteger(
      'maxPerWorkspace',
      options.maxPerWorkspace ?? DEFAULT_MAX_APPROVALS_PER_WORKSPACE,
    );
    this.maxWorkspaces = positiveInteger(
      'maxWorkspaces',
      options.maxWorkspaces ?? DEFAULT_MAX_WORKSPACES,
    );
    const graceMs = options.decidedGraceMs ?? DEFAULT_DECIDED_GRACE_MS;
    if (!Number.isInteger(graceMs) || graceMs < 0) {
      throw new RangeError('InMemoryApprovalsRepository: decidedGraceMs must be an integer >= 0');
    }
    this.decidedGraceMs = graceMs;
  }

  /** How many approvals are held now, in all workspaces. */
  get size(): number {
    return this.total;
  }

  /** Stores a pending approval, evicting the workspace's own oldest evictable one if it is full. */
  async create(input: NewApproval): Promise<Approval> {
    const shelf = this.workspaces.get(input.workspaceId) ?? this.newShelf();
    if (shelf.approvals.has(input.id))
      throw new DuplicateApprovalError(input.workspaceId, input.id);
    this.makeRoom(input.workspaceId, shelf);

    const approval: Approval = {
      id: input.id,
      workspaceId: input.workspaceId,
      action: input.action,
      status: 'pending',
      createdAt: input.createdAt,
    };
    if (input.payload !== undefined) approval.payload = structuredClone(input.payload);
    if (input.requestedBy !== undefined) approval.requestedBy = input.requestedBy;
    if (input.requestedFor !== undefined) approval.requestedFor = input.requestedFor;

    shelf.approvals.set(approval.id, approval);
    shelf.pending++;
    this.touch(input.workspaceId, shelf);
    this.total++;
    return structuredClone(approval);
  }

  /** A copy of the approval, or `undefined` if this workspace does not hold it. */
  async findOne(workspaceId: string, approvalId: string): Promise<Approval | undefined> {
    const approval = this.workspaces.get(workspaceId)?.approvals.get(approvalId);
    return approval && structuredClone(approval);
  }

  /** Copies of the workspace's newest approvals, scanning back from the latest. */
  async list(workspaceId: string, options: ListApprovalsOptions): Promise<Approval[]> {
    const shelf = this.workspaces.get(workspaceId);
    if (!shelf || options.limit <= 0) return [];
    const all = Array.from(shelf.approvals.values());
    const page: Approval[] = [];
    for (let index = all.length - 1; index >= 0 && page.length < options.limit; index--) {
      const approval = all[index];
      if (options.status === undefined || approval.status === options.status) {
        page.push(structuredClone(approval));
      }
    }
    return page;
  }

  /** Check and write in one synchronous step, so concurrent decisions cannot both win. */
  async decide(
    workspaceId: string,
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<DecideOutcome> {
    assertTerminalDecision(decision);
    const shelf = this.workspaces.get(workspaceId);
    const approval = shelf?.approvals.get(approvalId);
    if (!shelf || !approval) return { outcome: 'not_found' };
    if (approval.status !== 'pending') {
      return { outcome: 'conflict', approval: structuredClone(approval) };
    }

    approval.status = decision.status;
    approval.resolvedAt = decision.resolvedAt;
    if (decision.resolvedBy !== undefined) approval.resolvedBy = decision.resolvedBy;
    if (decision.resolution !== undefined)
      approval.resolution = structuredClone(decision.resolution);
    shelf.lastDecidedAt = Date.now();
    shelf.decided.set(approvalId, shelf.lastDecidedAt);
    shelf.pending--;
    this.touch(workspaceId, shelf);
    return { outcome: 'decided', approval: structuredClone(approval) };
  }

  /** A shelf for a workspace not held yet, making room for it among the workspaces first. */
  private newShelf(): WorkspaceShelf {
    if (this.workspaces.size >= this.maxWorkspaces && !this.reclaimIdleWorkspace()) {
      throw new ApprovalsStoreFullError('the store', this.maxWorkspaces, 'workspaces');
    }
    return { approvals: new Map(), decided: new Map(), pending: 0, lastDecidedAt: 0 };
  }

  /**
   * Drops the least recently written workspace that is only history: nothing pending and
   * its last decision past the grace period, so no wait or recent reader can need it.
   */
  private reclaimIdleWorkspace(): boolean {
    const now = Date.now();
    for (const [workspaceId, shelf] of this.workspaces) {
      if (shelf.pending === 0 && now - shelf.lastDecidedAt >= this.decidedGraceMs) {
        this.workspaces.delete(workspaceId);
        this.total -= shelf.approvals.size;
        return true;
      }
    }
    return false;
  }

  private makeRoom(workspaceId: string, shelf: WorkspaceShelf): void {
    if (shelf.approvals.size < this.maxPerWorkspace) return;
    const [oldest] = shelf.decided;
    if (oldest === undefined) {
      throw new ApprovalsStoreFullError(`workspace ${workspaceId}`, this.maxPerWorkspace);
    }
    const [approvalId, decidedAt] = oldest;
    if (Date.now() - decidedAt < this.decidedGraceMs) {
      throw new ApprovalsStoreFullError(`workspace ${workspaceId}`, this.maxPerWorkspace, 'recent');
    }
    shelf.approvals.delete(approvalId);
    shelf.decided.delete(approvalId);
    this.total--;
  }

  /** Marks the workspace as the most recently written. */
  private touch(workspaceId: string, shelf: WorkspaceShelf): void {
    this.workspaces.delete(workspaceId);
    this.workspaces.set(workspaceId, shelf);
  }
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`InMemoryApprovalsRepository: ${option} must be a positive integer`);
  }
  return value;
}
