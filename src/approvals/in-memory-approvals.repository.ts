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
   * Most approvals one workspace may hold, so one tenant cannot take the whole store.
   * @default 10_000
   */
  maxPerWorkspace?: number;
  /**
   * Most approvals held in all workspaces together.
   * @default 50_000
   */
  maxTotal?: number;
}

export const DEFAULT_MAX_APPROVALS_PER_WORKSPACE = 10_000;
export const DEFAULT_MAX_APPROVALS_TOTAL = 50_000;

/** One workspace's approvals. Both collections keep insertion order, which the store relies on. */
interface WorkspaceShelf {
  /** By id, in creation order: the newest is last. */
  approvals: Map<string, Approval>;
  /** Ids of decided approvals, in decision order: the first is the next to evict. */
  decided: Set<string>;
}

const keyOf = (workspaceId: string, approvalId: string) => `${workspaceId}\u0000${approvalId}`;

/**
 * The embedded approvals store: process memory, gone on restart, one replica only.
 * Use a durable store (`DATABASE_URL`) for anything that must survive.
 *
 * It is bounded twice (per workspace and in total; worst case about 50 000 x 8 KiB
 * payloads). When a bound is reached it evicts the approval decided longest ago rather
 * than refusing. Why evict: there is no delete route, so a refusing store would stop
 * accepting approvals for good after its first N, which is no default for a long-running
 * host. A decided approval is history; a pending one is somebody's open question, so
 * pending ones are never evicted: when a bound holds only pending approvals, creation
 * fails with {@link ApprovalsStoreFullError} instead.
 *
 * Atomicity comes from the event loop: each method does its check and its write in one
 * synchronous stretch, with no `await` in between.
 *
 * @example
 * { provide: ApprovalsRepository, useFactory: () => new InMemoryApprovalsRepository({ maxTotal: 1_000 }) }
 */
export class InMemoryApprovalsRepository implements ApprovalsRepository {
  private readonly workspaces = new Map<string, WorkspaceShelf>();
  /** Decided approvals in all workspaces, in decision order, for the total bound. */
  private readonly decidedOrder = new Map<string, { workspaceId: string; approvalId: string }>();
  private readonly maxPerWorkspace: number;
  private readonly maxTotal: number;
  private total = 0;

  constructor(options: InMemoryApprovalsRepositoryOptions = {}) {
    this.maxPerWorkspace = positiveInteger(
      'maxPerWorkspace',
      options.maxPerWorkspace ?? DEFAULT_MAX_APPROVALS_PER_WORKSPACE,
    );
    this.maxTotal = positiveInteger('maxTotal', options.maxTotal ?? DEFAULT_MAX_APPROVALS_TOTAL);
  }

  /** How many approvals are held now, in all workspaces. */
  get size(): number {
    return this.total;
  }

  /** Stores a pending approval, evicting the oldest decided one if a bound is reached. */
  async create(input: NewApproval): Promise<Approval> {
    const shelf = this.workspaces.get(input.workspaceId) ?? {
      approvals: new Map<string, Approval>(),
      decided: new Set<string>(),
    };
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

    shelf.approvals.set(approval.id, approval);
    this.workspaces.set(input.workspaceId, shelf);
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
    shelf.decided.add(approvalId);
    this.decidedOrder.set(keyOf(workspaceId, approvalId), { workspaceId, approvalId });
    return { outcome: 'decided', approval: structuredClone(approval) };
  }

  private makeRoom(workspaceId: string, shelf: WorkspaceShelf): void {
    if (shelf.approvals.size >= this.maxPerWorkspace) {
      const [oldest] = shelf.decided;
      if (oldest === undefined) {
        throw new ApprovalsStoreFullError(`workspace ${workspaceId}`, this.maxPerWorkspace);
      }
      this.evict(workspaceId, oldest);
    }
    if (this.total >= this.maxTotal) {
      const [oldest] = this.decidedOrder.values();
      if (oldest === undefined) throw new ApprovalsStoreFullError('the store', this.maxTotal);
      this.evict(oldest.workspaceId, oldest.approvalId);
    }
  }

  private evict(workspaceId: string, approvalId: string): void {
    const shelf = this.workspaces.get(workspaceId);
    if (!shelf?.approvals.delete(approvalId)) return;
    shelf.decided.delete(approvalId);
    this.decidedOrder.delete(keyOf(workspaceId, approvalId));
    this.total--;
    // An emptied workspace goes too, so workspaces seen once do not pile up.
    if (shelf.approvals.size === 0) this.workspaces.delete(workspaceId);
  }
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`InMemoryApprovalsRepository: ${option} must be a positive integer`);
  }
  return value;
}
