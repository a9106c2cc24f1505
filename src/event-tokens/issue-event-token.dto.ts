import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_SCOPED_TOKEN_TTL_SECONDS } from '@app/approval-events';

/** Body of `POST /api/workspaces/:workspaceId/event-tokens`. */
export class IssueEventTokenDto {
  @ApiPropertyOptional({ minimum: 60, maximum: MAX_SCOPED_TOKEN_TTL_SECONDS, default: 3_600 })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(MAX_SCOPED_TOKEN_TTL_SECONDS)
  ttlSeconds?: number;
}
