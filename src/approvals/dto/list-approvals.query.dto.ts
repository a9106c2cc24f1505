import { type ApprovalStatus } from '@app/approval-events';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalInteger } from '../../common/validators/decimal-integer.transform';
import { APPROVAL_STATUS_VALUES, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../approvals.constants';

/** Query of `GET /workspaces/:workspaceId/approvals`. */
export class ListApprovalsQueryDto {
  @ApiPropertyOptional({ enum: APPROVAL_STATUS_VALUES })
  @IsOptional()
  @IsIn(APPROVAL_STATUS_VALUES)
  status?: ApprovalStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit: number = DEFAULT_LIST_LIMIT;
}
