import { API_KEY_SCHEME } from '../common/api.constants';
import {
  ApprovalQueueBridge,
  ApprovalCancelledException,
  ApprovalEventsShutdownError,
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
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { abortOnHangUp } from '../common/hang-up';
import { ActsOnRequest } from '../common/http/json-or-credential.guard';
import { WaitsPerAddressInterceptor } from '../common/http/waits-per-address.interceptor';
import { ApprovalsService, notFound } from './approvals.service';
import { ApprovalParamsDto, WorkspaceParamsDto } from './dto/approval-params.dto';
import { ApprovalResponseDto } from './dto/approval.response.dto';
import { ApproveApprovalDto } from './dto/approve-approval.dto';
import { CancelApprovalDto } from './dto/cancel-approval.dto';
import { CreateApprovalDto } from './dto/create-approval.dto';
import { ListApprovalsQueryDto } from './dto/list-approvals.query.dto';
import { RejectApprovalDto } from './dto/reject-approval.dto';
import { WaitApprovalQueryDto } from './dto/wait-approval.query.dto';

/**
 * One decision route: `POST :approvalId/{verb}`, 200 with the decided approval, 404, 409;
 * a JSON content type or a credential header required, so no cross-site form can act.
 */
const DecisionRoute = (verb: 'approve' | 'reject' | 'cancel', summary: string) =>
  applyDecorators(
    Post(`:approvalId/${verb}`),
    ActsOnRequest(),
    HttpCode(HttpStatus.OK),
    ApiOperation({ summary }),
    ApiOkResponse({ type: ApprovalResponseDto }),
    ApiNotFoundResponse({ description: 'Absent or in another workspace.' }),
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
@ApiSecurity(API_KEY_SCHEME)
@ApiBadRequestResponse({ description: 'Invalid path, query or body.' })
@ApiUnauthorizedResponse({ description: 'API_KEY is set and x-api-key is missing or wrong.' })
@Controller('workspaces/:workspaceId/approvals')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly bridge: ApprovalQueueBridge,
  ) {}

  /** Opens a pending approval; a human decides it later. */
  @Post()
  @ApiOperation({ summary: 'Ask for an approval' })
  @ApiCreatedResponse({ type: ApprovalResponseDto })
  @ApiServiceUnavailableResponse({
    description:
      'The store is full of pending approvals, or cannot be reached (then with Retry-After).',
  })
  create(
    @Param() { workspaceId }: WorkspaceParamsDto,
    @Body() body: CreateApprovalDto,
  ): Promise<Approval> {
    return this.approvals.create(workspaceId, body);
  }

  /** Newest first, so a reviewer's inbox needs no sorting. */
  @Get()
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
  @ApiOperation({ summary: 'Read one approval' })
  @ApiOkResponse({ type: ApprovalResponseDto })
  @ApiNotFoundResponse({ description: 'Absent or in another workspace.' })
  get(@Param() { workspaceId, approvalId }: ApprovalParamsDto): Promise<Approval> {
    return this.approvals.get(workspaceId, approvalId);
  }

  /** Approves; exactly one of two racing decisions wins, the other gets 409. */
  @DecisionRoute('approve', 'Approve a pending approval')
  approve(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: ApproveApprovalDto,
  ): Promise<Approval> {
    return this.approvals.approve(workspaceId, approvalId, body);
  }

  /** Rejects; decided as {@link approve}. */
  @DecisionRoute('reject', 'Reject a pending approval')
  reject(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: RejectApprovalDto,
  ): Promise<Approval> {
    return this.approvals.reject(workspaceId, approvalId, body);
  }

  /** Withdraws; its waiters end with the cancelled approval. Decided as {@link approve}. */
  @DecisionRoute('cancel', 'Cancel a pending approval')
  cancel(
    @Param() { workspaceId, approvalId }: ApprovalParamsDto,
    @Body() body: CancelApprovalDto,
  ): Promise<Approval> {
    return this.approvals.cancel(workspaceId, approvalId, body);
  }

  /**
   * Long poll: answers as soon as the approval is decided (cancelled included), or with the
   * still-pending approval when `timeoutMs` runs out, so a client loops without ever
   * parsing an error for "not yet". The wait is the library's, event-driven, so an idle
   * long poll costs no reads. A client that hangs up ends its wait at once.
   */
  @Get(':approvalId/wait')
  @UseInterceptors(WaitsPerAddressInterceptor)
  @ApiTooManyRequestsResponse({
    description: 'This address holds too many long-polls (HTTP_MAX_WAITS_PER_IP); see Retry-After.',
  })
  @ApiOperation({ summary: 'Wait until the approval is decided or the time runs out' })
  @ApiOkResponse({
    type: ApprovalResponseDto,
    description: 'The decided approval, or the pending one when the time ran out.',
  })
  @ApiNotFoundResponse({ description: 'Absent or in another workspace.' })
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
    if (error instanceof ApprovalTimeoutError || error instanceof ApprovalCancelledException) {
      // Both carry the final read; without it (that read failed), read the store directly.
      return error.approval ?? this.approvals.get(workspaceId, approvalId);
    }
    if (error instanceof ApprovalNotFoundError) {
      throw notFound(approvalId);
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
