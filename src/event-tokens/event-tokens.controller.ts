import { API_KEY_SCHEME } from '../common/api.constants';
import { Body, Controller, Param, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApprovalEventTokens } from '@app/approval-events';
import { WorkspaceParamsDto } from '../approvals/dto/approval-params.dto';
import { IssueEventTokenDto } from './issue-event-token.dto';

export interface IssuedEventToken {
  token: string;
  workspaceId: string;
  expiresAt: string;
}

const DEFAULT_TTL_SECONDS = 3_600;

/**
 * Issues Socket.io subscriber tokens scoped to one workspace, for clients that must hear
 * one tenant's decisions and no other's. Behind the API key like the rest of `/api`.
 */
@ApiTags('events')
@ApiSecurity(API_KEY_SCHEME)
@Controller('workspaces/:workspaceId/event-tokens')
export class EventTokensController {
  constructor(private readonly tokens: ApprovalEventTokens) {}

  @Post()
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
