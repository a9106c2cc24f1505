import {
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_RESOLVED_EVENT,
  type Approval,
  type ApprovalStatus,
  toApprovalResult,
  type ResolvedApprovalStatus,
} from '@app/approval-events';
import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  Optional,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { type Principal } from '../auth';
import { approvalNotFound } from '../common/not-found';
import type { Environment } from '../config/environment';
import { assertActorIsPrincipal } from './actor-fields';
import { DEFAULT_LIST_LIMIT } from './approvals.constants';
import { type ApprovalRecord, ApprovalsRepository, isReplayOf } from './approvals.repository';
import type { ApproveApprovalDto } from './dto/approve-approval.dto';
import type { CancelApprovalDto } from './dto/cancel-approval.dto';
import type { CreateApprovalDto } from './dto/create-approval.dto';
import type { RejectApprovalDto } from './dto/reject-approval.dto';
import { DecisionPolicy } from './decision-policy';
import { emitStored } from './emit-stored';
import { newApprovalOf } from './new-approval';
import { ApprovalsStoreFullError } from './errors/approvals-store-full.error';
import { IdempotencyKeyReusedError } from './errors/idempotency-key-reused.error';
import { DEFAULT_IDEMPOTENCY_KEY_TTL_MS, requestFingerprint } from './lifecycle/idempotency-key';
import { DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER } from './lifecycle/lifecycle.config';

/** How to create, beyond the body and who asks. */
export interface CreateContext {
  /** A validated `Idempotency-Key` (`parseIdempotencyKey`). */
  idempotencyKey?: string;
}

/** A create's answer: the approval, and whether an earlier create with the key made it. */
export interface CreatedApproval {
  approval: ApprovalRecord;
  replayed: boolean;
}

/** Who decided and why, as one decision route receives it. */
interface DecisionInput {
  /** The authenticated principal; the decision is recorded under its id. */
  principal: Principal;
  /** What the body said `resolvedBy` is: absent, or the principal's id (400 otherwise). */
  claimedResolvedBy: string | undefined;
  /** Fields of `resolution`; undefined ones are left out. */
  details: Record<string, string | undefined>;
}

/**
 * The approvals use cases. A decision goes to the store first and, only once the store
 * says it won, becomes an `approval.resolved` event: an event never announces a decision
 * that is not stored, and a losing (409) decision announces nothing.
 *
 * Every use case takes the authenticated {@link Principal} it acts for: `requestedBy` and
 * `resolvedBy` are always a principal's id, never what a body says.
 *
 * @example
 * const approval = await approvals.create('ws1', { action: 'send_email' }, agent);
 * await approvals.approve('ws1', approval.id, {}, approver);
 */
@Injectable()
export class ApprovalsService {
  private readonly logger = new Logger(ApprovalsService.name);
  private readonly maxOpenPerRequester: number;
  private readonly idempotencyKeyTtlMs: number;

  constructor(
    @Inject(ApprovalsRepository) private readonly repository: ApprovalsRepository,
    private readonly events: EventEmitter2,
    private readonly decisionPolicy: DecisionPolicy,
    @Optional() config?: ConfigService<Environment, true>,
  ) {
    this.maxOpenPerRequester =
      config?.get('MAX_OPEN_APPROVALS_PER_REQUESTER', { infer: true }) ??
      DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER;
    this.idempotencyKeyTtlMs =
      config?.get('IDEMPOTENCY_KEY_TTL_MS', { infer: true }) ?? DEFAULT_IDEMPOTENCY_KEY_TTL_MS;
  }

  /**
   * Opens a pending approval with a fresh random id, requested by `requester`, then
   * announces it as an `approval.requested` event (what a live inbox shows). See
   * {@link createOrReplay}.
   *
   * @throws as {@link createOrReplay}.
   */
  async create(
    workspaceId: string,
    input: CreateApprovalDto,
    requester: Principal,
    context: CreateContext = {},
  ): Promise<Approval> {
    return (await this.createOrReplay(workspaceId, input, requester, context)).approval;
  }

  /**
   * Opens a pending approval with a fresh random id and its deadline and reminder resolved
   * to absolute times, then announces it as an `approval.requested` event. With an
   * idempotency key seen before for the same body, returns that create's approval as it is
   * now, `replayed`, and announces nothing.
   *
   * @throws BadRequestException when the body's `requestedBy` and `requestedFor` disagree.
   * @throws ServiceUnavailableException when the store is full of pending approvals.
   * @throws OpenApprovalsLimitError when the requester is at `MAX_OPEN_APPROVALS_PER_REQUESTER`.
   * @throws UnprocessableEntityException when the key came with another body.
   */
  async createOrReplay(
    workspaceId: string,
    input: CreateApprovalDto,
    requester: Principal,
    context: CreateContext = {},
  ): Promise<CreatedApproval> {
    const requested = newApprovalOf(workspaceId, input, requester);
    const key = context.idempotencyKey;
    const approval = await this.store(() =>
      this.repository.create(requested, {
        maxOpenPerRequester: this.maxOpenPerRequester,
        idempotency:
          key === undefined
            ? undefined
            : {
                key,
                fingerprint: requestFingerprint(input),
                ttlMs: this.idempotencyKeyTtlMs,
              },
      }),
    );
    const replayed = isReplayOf(requested, approval);
    if (!replayed)
      emitStored(this.events, this.logger, APPROVAL_REQUESTED_EVENT, approval, approval.id);
    return { approval, replayed };
  }

  /** The store's own refusals of a create, as HTTP answers. */
  private async store(create: () => Promise<ApprovalRecord>): Promise<ApprovalRecord> {
    try {
      return await create();
    } catch (error) {
      if (error instanceof ApprovalsStoreFullError) {
        throw new ServiceUnavailableException(error.message);
      }
      if (error instanceof IdempotencyKeyReusedError) {
        throw new UnprocessableEntityException(error.message);
      }
      throw error;
    }
  }

  /** The workspace's approvals, newest first. */
  list(
    workspaceId: string,
    query: { status?: ApprovalStatus; limit?: number } = {},
  ): Promise<Approval[]> {
    return this.repository.list(workspaceId, {
      status: query.status,
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
    });
  }

  /**
   * One approval.
   *
   * @throws NotFoundException when absent or in another workspace (the two look alike, so
   *   ids of other tenants cannot be probed).
   */
  async get(workspaceId: string, approvalId: string): Promise<Approval> {
    const approval = await this.repository.findOne(workspaceId, approvalId);
    if (!approval) throw approvalNotFound(approvalId);
    return approval;
  }

  /**
   * Approves a pending approval as `decider`, if the {@link DecisionPolicy} allows it.
   *
   * @throws BadRequestException when the body's `resolvedBy` is not the decider's id.
   * @throws ForbiddenException when the policy says no (the requester itself, say).
   * @throws ConflictException with the current approval as its body when not pending.
   * @throws NotFoundException when absent.
   */
  approve(
    workspaceId: string,
    approvalId: string,
    input: ApproveApprovalDto,
    decider: Principal,
  ): Promise<Approval> {
    return this.decide(workspaceId, approvalId, 'approved', {
      principal: decider,
      claimedResolvedBy: input.resolvedBy,
      details: { notes: input.notes },
    });
  }

  /** Rejects a pending approval; `reason` and `notes` go into `resolution`. Throws as {@link approve}. */
  reject(
    workspaceId: string,
    approvalId: string,
    input: RejectApprovalDto,
    decider: Principal,
  ): Promise<Approval> {
    return this.decide(workspaceId, approvalId, 'rejected', {
      principal: decider,
      claimedResolvedBy: input.resolvedBy,
      details: { reason: input.reason, notes: input.notes },
    });
  }

  /**
   * Withdraws a pending approval; waiters end with it cancelled. The requester may cancel
   * its own approval: four-eyes is about deciding, not withdrawing. Throws as
   * {@link approve}, except for the policy's 403.
   */
  cancel(
    workspaceId: string,
    approvalId: string,
    input: CancelApprovalDto | undefined,
    canceller: Principal,
  ): Promise<Approval> {
    return this.decide(workspaceId, approvalId, 'cancelled', {
      principal: canceller,
      claimedResolvedBy: input?.resolvedBy,
      details: { reason: input?.reason },
    });
  }

  /**
   * Stores a decision as `input.principal`. Approving and rejecting ask the decision policy
   * first, on the approval as stored: the policy rests on who requested it, which never
   * changes once stored, so that read cannot race the decision, which stays atomic on
   * `pending`. Cancelling does not: the requester may withdraw its own approval.
   */
  private async decide(
    workspaceId: string,
    approvalId: string,
    status: ResolvedApprovalStatus,
    input: DecisionInput,
  ): Promise<Approval> {
    assertActorIsPrincipal('resolvedBy', input.claimedResolvedBy, input.principal);
    if (status !== 'cancelled') {
      this.decisionPolicy.assertMayDecide(input.principal, await this.get(workspaceId, approvalId));
    }
    const resolution = definedFields(input.details);
    const outcome = await this.repository.decide(workspaceId, approvalId, {
      status,
      resolvedBy: input.principal.id,
      resolution,
      resolvedAt: new Date().toISOString(),
    });
    if (outcome.outcome === 'not_found') throw approvalNotFound(approvalId);
    if (outcome.outcome === 'conflict') throw new ConflictException(outcome.approval);
    this.announce(outcome.approval);
    return outcome.approval;
  }

  /** Tells in-process listeners (the approval events library) that a decision was stored. */
  private announce(approval: Approval): void {
    const result = toApprovalResult(approval);
    emitStored(this.events, this.logger, APPROVAL_RESOLVED_EVENT, result, approval.id);
  }
}

/** `details` without its undefined fields, or `undefined` when nothing is left. */
function definedFields(
  details: Record<string, string | undefined>,
): Record<string, string> | undefined {
  const entries = Object.entries(details).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
