import {
  ApprovalQueueBridge,
  ApprovalCancelledException,
  ApprovalEventsShutdownError,
  ApprovalExpiredError,
  ApprovalNotFoundError,
  ApprovalTimeoutError,
  ApprovalWaitLimitError,
  type Approval,
} from '@app/approval-events';
import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  ServiceUnavailableException,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { abortOnHangUp } from '../common/hang-up';
import { approvalNotFound } from '../common/not-found';
import { ActsOnRequest } from '../common/http/json-or-credential.guard';
import { WaitsPerAddressInterceptor } from '../common/http/waits-per-address.interceptor';
import { ApprovalsService } from './approvals.service';
import { FOUR_EYES_MESSAGE } from './decision-policy';
import { ApprovalParamsDto, WorkspaceParamsDto } from './dto/approval-params.dto';
import { ApprovalResponseDto } from './dto/approval.response.dto';
import { ApproveApprovalDto } from './dto/approve-approval.dto';
import { CancelApprovalDto } from './dto/cancel-approval.dto';
import { CreateApprovalDto } from './dto/create-approval.dto';
import { ListApprovalsQueryDto } from './dto/list-approvals.query.dto';
import { RejectApprovalDto } from './dto/reject-approval.dto';
import { WaitApprovalQueryDto } from './dto/wait-approval.query.dto';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from './lifecycle/idempotency-key';
import { OpenApprovalsLimitFilter } from './lifecycle/open-approvals-limit.filter';
import { CurrentPrincipal, type Principal, Requires } from '../auth';

/**
 * One decision route: `POST :approvalId/{verb}`, 200 with the decided approval, 404, 409.
 * Approving and rejecting need `decide` and pass the decision policy (four-eyes);
 * cancelling needs `cancel`, and the requester may withdraw its own approval;
 * a JSON content type or a credential header required, so no cross-site form can act.
 */
const DecisionRoute = (verb: 'approve' | 'reject' | 'cancel', summary: string) =>
  applyDecorators(
    Post(`:approvalId/${verb}`),
    verb === 'cancel'
      ? Requires('cancel')
      : Requires('decide', { forbidden: `Or: ${FOUR_EYES_MESSAGE}.` }),
    ActsOnRequest(),
    HttpCode(HttpStatus.OK),
    ApiOperation({ summary }),
    ApiOkResponse({ type: ApprovalResponseDto }),
    ApiConflictResponse({
      type: ApprovalResponseDto,
      description: 'Not pending any more; the body is the approval as it is now.',
    }),
  );

/**
 * The approvals REST API of one workspace (the Foundation module). Requests, decisions and
 * a long-poll wait for agents that cannot hold a Socket.io connection.
 */
@ApiTags('approvals')
@ApiBadRequestResponse({ description: 'Invalid path, query or body.' })
@Controller('workspaces/:workspaceId/approvals')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly bridge: ApprovalQueueBridge,
  ) {}

  /**
   * Opens a pending approval, requested by the caller; a human decides it later, or its
   * deadline does. With an `Idempotency-Key` a retried create (same key, same body) answers
   * 200 with the approval the first one made and `Idempotent-Replayed: true`, so a dropped
   * response never makes a second approval.
   */
  @Post()
  @Requires('create')
  @UseFilters(OpenApprovalsLimitFilter)
  @ApiOperation({ summary: 'Ask for an approval' })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, scoped to the workspace and the requester, kept 24 h (IDEMPOTENCY_KEY_TTL_MS): the same key with the same body answers the first approval again.`,
  })
  @ApiCreatedResponse({ type: ApprovalResponseDto })
  @ApiOkResponse({
    type: ApprovalResponseDto,
    description: `A replay of an earlier create with this Idempotency-Key and body (header ${IDEMPOTENT_REPLAYED_HEADER}: true): that approval, as it is now.`,
  })
  @ApiUnprocessableEntityResponse({
    description: 'This Idempotency-Key was already used with a different body.',
  })
  @ApiTooManyRequestsResponse({
    description:
      'The requester already has MAX_OPEN_APPROVALS_PER_REQUESTER pending approvals in this workspace (with Retry-After).',
  })
  @ApiServiceUnavailableResponse({
    description:
      'The store is full of pending approvals, or cannot be reached (then with Retry-After).',
  })
  async create(
    @Param() { workspaceId }: WorkspaceParamsDto,
    @Body() body: CreateApprovalDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<Approval> {
    const { approval, replayed } = await this.approvals.createOrReplay(
      workspaceId,
      body,
      principal,
      { idempotencyKey },
    );
    if (replayed) {
      response.statusCode = HttpStatus.OK;
      response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    }
    return approval;
  }

  /** Newest first, so a reviewer's inbox needs no sorting. */
  @Get()
  @Requires('read')
  @ApiOperation({ summary: 'List approvals, newest first' })
  @ApiOkResponse({ type: ApprovalResponseDto, isArray: true })
  list(
    @Param() { workspaceId }: WorkspaceParamsDto,
    @Query() query: ListApprovalsQueryDto,
  ): Promise<Approval[]> {
    return this.approvals.list(workspaceId, query);
  }

  /** One approval; 404 also for another workspace's, so tenants cannot probe ids. */
  @Get(':approvalId')
  @Requires('read')
  @ApiOperation({ summary: 'Read one approval' })
  @ApiOkResponse({ type: ApprovalResponseDto })
  get(@Param() { workspaceId, approvalId }: ApprovalParamsDto): Promise<Approval> {
    return this.approvals.get(workspaceId, approvalId);
  }

  /** Approves; exactly one of two racing decisions wins, the other gets 409. */
  @DecisionRoute('approve', 'Approve a pending approval')
  approve(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: ApproveApprovalDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Approval> {
    return this.approvals.approve(workspaceId, approvalId, body, principal);
  }

  /** Rejects; decided as {@link approve}. */
  @DecisionRoute('reject', 'Reject a pending approval')
  reject(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: RejectApprovalDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Approval> {
    return this.approvals.reject(workspaceId, approvalId, body, principal);
  }

  /** Withdraws; its waiters end with the cancelled approval. Decided as {@link approve}. */
  @DecisionRoute('cancel', 'Cancel a pending approval')
  cancel(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: CancelApprovalDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Approval> {
    return this.approvals.cancel(workspaceId, approvalId, body, principal);
  }

  /**
   * Long poll: answers as soon as the approval is decided (cancelled and expired included), or with the
   * still-pending approval when `timeoutMs` runs out, so a client loops without ever
   * parsing an error for "not yet". The wait is the library's, event-driven, so an idle
   * long poll costs no reads. A client that hangs up ends its wait at once.
   */
  @Get(':approvalId/wait')
  @Requires('read')
  @UseInterceptors(WaitsPerAddressInterceptor)
  @ApiTooManyRequestsResponse({
    description: 'This address holds too many long-polls (HTTP_MAX_WAITS_PER_IP); see Retry-After.',
  })
  @ApiOperation({ summary: 'Wait until the approval is decided or the time runs out' })
  @ApiOkResponse({
    type: ApprovalResponseDto,
    description: 'The decided approval, or the pending one when the time ran out.',
  })
  async wait(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Query() { timeoutMs }: WaitApprovalQueryDto,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<Approval | undefined> {
    // Ends the wait when the client hangs up; see abortOnHangUp for why the response's 'close'.
    const hangUp = abortOnHangUp(response);
    try {
      return await this.bridge.waitForApproval(workspaceId, approvalId, {
        timeoutMs,
        signal: hangUp.signal,
      });
    } catch (error) {
      // Nobody is listening any more: answer nothing rather than log a 500 per hang-up.
      if (hangUp.signal.aborted) return undefined;
      return this.settleWait(error, workspaceId, approvalId);
    } finally {
      hangUp.release();
    }
  }

  /** Turns the bridge's ways of ending into the contract's answers. */
  private async settleWait(
    error: unknown,
    workspaceId: string,
    approvalId: string,
  ): Promise<Approval> {
    if (
      error instanceof ApprovalTimeoutError ||
      error instanceof ApprovalCancelledException ||
      error instanceof ApprovalExpiredError
    ) {
      // Each carries the final read; without it (that read failed), read the store directly.
      return error.approval ?? this.approvals.get(workspaceId, approvalId);
    }
    if (error instanceof ApprovalNotFoundError) {
      throw approvalNotFound(approvalId);
    }
    if (error instanceof ApprovalEventsShutdownError) {
      throw new ServiceUnavailableException('The server is shutting down; wait again');
    }
    if (error instanceof ApprovalWaitLimitError) {
      throw new HttpException(error.message, HttpStatus.TOO_MANY_REQUESTS);
    }
    throw error;
  }
}
