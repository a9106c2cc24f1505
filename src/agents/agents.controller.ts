import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApprovalEventsShutdownError } from '@app/approval-events';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { WorkspaceParamsDto } from '../approvals/dto/approval-params.dto';
import { abortOnHangUp } from '../common/hang-up';
import { SendEmailDto } from './dto/send-email.dto';
import { type AgentResult, EmailAgent } from './email-agent.service';
import { Outbox, type SentEmail } from './outbox';
import { CurrentPrincipal, type Principal, Requires } from '../auth';

@ApiTags('agents')
@Controller('workspaces/:workspaceId/agents')
export class AgentsController {
  constructor(
    private readonly agent: EmailAgent,
    private readonly outbox: Outbox,
  ) {}

  /** Creates an approval as the caller, so it needs what creating one needs. */
  @Post('email')
  @Requires('create')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Ask a human to approve an email, wait for the decision, then send it or not',
    description:
      'Answers with `outcome`: `sent`, `refused`, `cancelled` or `timed_out` (the approval is then withdrawn). Hanging up withdraws it too.',
  })
  @ApiOkResponse({ description: 'The outcome and the approval it rests on.' })
  async sendEmail(
    @Param() { workspaceId }: WorkspaceParamsDto,
    @Body() email: SendEmailDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<AgentResult> {
    const hangUp = abortOnHangUp(response);
    try {
      return await this.agent.send(workspaceId, email, principal, hangUp.signal);
    } catch (error) {
      if (error instanceof ApprovalEventsShutdownError) {
        throw new ServiceUnavailableException('The server is shutting down; ask again');
      }
      throw error;
    } finally {
      hangUp.release();
    }
  }

  @Get('email')
  @Requires('read')
  @ApiOperation({ summary: 'Emails the agent has sent in this workspace' })
  sent(@Param() { workspaceId }: WorkspaceParamsDto): SentEmail[] {
    return this.outbox.list(workspaceId);
  }
}
