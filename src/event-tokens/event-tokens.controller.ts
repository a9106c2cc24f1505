import { Body, Controller, Param, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApprovalEventTokens } from '@app/approval-events';
import { WorkspaceParamsDto } from '../approvals/dto/approval-params.dto';
import { IssueEventTokenDto } from './issue-event-token.dto';
import { Requires } from '../auth';

export interface IssuedEventToken {
  token: string;
  workspaceId: string;
  expiresAt: string;
}

const DEFAULT_TTL_SECONDS = 3_600;

/**
 * Issues Socket.io subscriber tokens scoped to one workspace, for clients that must hear
 * one tenant's decisions and no other's. A principal gets them for its own workspaces only
 * (any other is a 404, from `AuthGuard`), so a token never widens what it may hear.
 * Agents, approvers (whose inbox is live through one) and admins may ask.
 */
@ApiTags('events')
@Controller('workspaces/:workspaceId/event-tokens')
export class EventTokensController {
  constructor(private readonly tokens: ApprovalEventTokens) {}

  @Post()
  @Requires('issue_event_tokens')
  @ApiOperation({ summary: 'Issue a subscriber token for this workspace only' })
  @ApiCreatedResponse({ description: '`{ token, workspaceId, expiresAt }`' })
  issue(
    @Param() { workspaceId }: WorkspaceParamsDto,
    @Body() body: IssueEventTokenDto,
  ): IssuedEventToken {
    if (!this.tokens.enabled) {
      throw new ServiceUnavailableException('Scoped tokens need APPROVAL_EVENTS_JWT_SECRET');
    }
    const ttlSeconds = body.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    return {
      token: this.tokens.issueSubscriberToken([workspaceId], ttlSeconds),
      workspaceId,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    };
  }
}
