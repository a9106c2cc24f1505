/* eslint-disable @typescript-eslint/require-await --
   The methods are async with nothing to await on purpose: the interface is asynchronous
   (a database needs it), and `async` turns a thrown error into a rejection as a database
   would, while keeping each check-and-write synchronous, which is what makes it atomic. */
import { type OnApplicationShutdown } from '@nestjs/common';
import { Subject } from 'rxjs';
import {
  assertTerminalDecision,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalsRepository,
  type CreateOptions,
  type DecideOutcome,
  type LifecycleTransition,
  type ListApprovalsOptions,
  type NewApproval,
} from './approvals.repository';
import { ApprovalsStoreFullError } from './errors/approvals-store-full.error';
import { DuplicateApprovalError } from './errors/duplicate-approval.error';
import { WorkspaceShelf } from './in-memory/workspace-shelf';
import type { Deadline } from './lifecycle/workspace-deadlines';

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
 * Deadlines and reminders: one timer per workspace over a min-heap of its deadlines
 * ({@link WorkspaceDeadlines}); each write first settles what is due, so a decision after a
 * deadline always loses to it. Idempotency keys: per workspace, at most `maxPerWorkspace`,
 * each for its TTL and never longer than its approval stays.
 *
 * Atomicity comes from the event loop: each method does its check and its write in one
 * synchronous stretch, with no `await` in between.
 *
 * @example
 * { provide: ApprovalsRepository, useFactory: () => new InMemoryApprovalsRepository({ maxPerWorkspace: 500 }) }
 */
export class InMemoryApprovalsRepository implements ApprovalsRepository, OnApplicationShutdown {
  /** In order of last write: the first is the least recently written. */
  private readonly workspaces = new Map<string, WorkspaceShelf>();
  private readonly maxPerWorkspace: number;
  private readonly maxWorkspaces: number;
  private readonly decidedGraceMs: number;
  private readonly transitions = new Subject<LifecycleTransition>();
  private total = 0;

  readonly lifecycle$ = this.transitions.asObservable();
  /** Nobody else hears of its transitions: the service announces each in-process. */
  readonly announcesDecisions = false;

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

  /** How many deadline timers are armed now (one per workspace with something due, at most). */
  get armedTimers(): number {
    let armed = 0;
    for (const shelf of this.workspaces.values()) if (shelf.deadlines.armed) armed++;
    return armed;
  }

  /**
   * Stores a pending approval, evicting the workspace's own oldest evictable one if it is
   * full; or, for a known idempotency key, returns the approval that key made.
   */
  async create(input: NewApproval, options: CreateOptions = {}): Promise<ApprovalRecord> {
    const existing = this.workspaces.get(input.workspaceId);
    if (existing) this.settleDue(existing);
    const replay = existing?.replay(input, options.idempotency);
    if (replay) return structuredClone(replay);

    const shelf = existing ?? this.newShelf(input.workspaceId);
    if (shelf.approvals.has(input.id)) {
      throw new DuplicateApprovalError(input.workspaceId, input.id);
    }
    shelf.checkOpenLimit(input.requester, options.maxOpenPerRequester);
    this.total -= shelf.makeRoom(this.decidedGraceMs);

    const approval = newRecord(input);
    shelf.insert(approval, input.requester, options.idempotency);
    this.touch(shelf);
    this.total++;
    return structuredClone(approval);
  }

  /** A copy of the approval, or `undefined` if this workspace does not hold it. */
  async findOne(workspaceId: string, approvalId: string): Promise<ApprovalRecord | undefined> {
    const entry = this.workspaces.get(workspaceId)?.approvals.get(approvalId);
    return entry && structuredClone(entry.approval);
  }

  /** Copies of the workspace's newest approvals, scanning back from the latest. */
  async list(workspaceId: string, options: ListApprovalsOptions): Promise<ApprovalRecord[]> {
    const shelf = this.workspaces.get(workspaceId);
    if (!shelf || options.limit <= 0) return [];
    const all = Array.from(shelf.approvals.values());
    const page: ApprovalRecord[] = [];
    for (let index = all.length - 1; index >= 0 && page.length < options.limit; index--) {
      const { approval } = all[index];
      if (options.status === undefined || approval.status === options.status) {
        page.push(structuredClone(approval));
      }
    }
    return page;
  }

  /**
   * Check and write in one synchronous step, so concurrent decisions cannot both win; what
   * is due is settled first, so a decision after the deadline finds the approval expired.
   */
  async decide(
    workspaceId: string,
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<DecideOutcome> {
    assertTerminalDecision(decision);
    const shelf = this.workspaces.get(workspaceId);
    if (shelf) this.settleDue(shelf);
    const entry = shelf?.approvals.get(approvalId);
    if (!shelf || !entry) return { outcome: 'not_found' };
    if (entry.approval.status !== 'pending') {
      return { outcome: 'conflict', approval: structuredClone(entry.approval) };
    }
    shelf.apply(entry, decision);
    this.touch(shelf);
    return { outcome: 'decided', approval: structuredClone(entry.approval) };
  }

  /** Clears every workspace's timer; a later write re-arms its own. */
  onApplicationShutdown(): void {
    for (const shelf of this.workspaces.values()) shelf.deadlines.stop();
  }

  /**
   * What is due in the workspace, now: each expired approval ends as its `onExpiry` says
   * and each reminder is claimed, then each is announced. The timer's callback and every
   * write go through here, so nothing is ended or reminded twice.
   */
  private settleDue(shelf: WorkspaceShelf, due: Deadline[] = shelf.deadlines.takeDue()): void {
    let expired = false;
    for (const deadline of due) {
      const transition = shelf.settle(deadline);
      if (!transition) continue;
      expired ||= transition.kind === 'expired';
      this.transitions.next(transition);
    }
    if (expired) this.touch(shelf);
  }

  /** A shelf for a workspace not held yet, making room for it among the workspaces first. */
  private newShelf(workspaceId: string): WorkspaceShelf {
    if (this.workspaces.size >= this.maxWorkspaces && !this.reclaimIdleWorkspace()) {
      throw new ApprovalsStoreFullError('the store', this.maxWorkspaces, 'workspaces');
    }
    const shelf: WorkspaceShelf = new WorkspaceShelf(workspaceId, this.maxPerWorkspace, (due) =>
      this.settleDue(shelf, due),
    );
    return shelf;
  }

  /**
   * Drops the least recently written workspace that is only history: nothing pending and
   * its last decision past the grace period, so no wait or recent reader can need it. With
   * nothing pending its heap is empty, so no timer goes with it.
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

  /** Marks the workspace as the most recently written. */
  private touch(shelf: WorkspaceShelf): void {
    this.workspaces.delete(shelf.workspaceId);
    this.workspaces.set(shelf.workspaceId, shelf);
  }
}

/** The pending record of a new approval, optional fields left out rather than empty. */
function newRecord(input: NewApproval): ApprovalRecord {
  const approval: ApprovalRecord = {
    id: input.id,
    workspaceId: input.workspaceId,
    action: input.action,
    status: 'pending',
    createdAt: input.createdAt,
  };
  if (input.payload !== undefined) approval.payload = structuredClone(input.payload);
  if (input.requestedBy !== undefined) approval.requestedBy = input.requestedBy;
  if (input.requestedFor !== undefined) approval.requestedFor = input.requestedFor;
  if (input.expiresAt !== undefined) {
    approval.expiresAt = input.expiresAt;
    approval.onExpiry = input.onExpiry;
  }
  if (input.remindAt !== undefined) approval.remindAt = input.remindAt;
  return approval;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`InMemoryApprovalsRepository: ${option} must be a positive integer`);
  }
  return value;
}
