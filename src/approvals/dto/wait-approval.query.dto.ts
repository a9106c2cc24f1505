import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalInteger } from '../../common/validators/decimal-integer.transform';
import { DEFAULT_WAIT_TIMEOUT_MS, MAX_WAIT_TIMEOUT_MS } from '../approvals.constants';

/** Query of `GET …/wait`. */
export class WaitApprovalQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_WAIT_TIMEOUT_MS,
    default: DEFAULT_WAIT_TIMEOUT_MS,
    description: 'How long to hold the request open before answering with the pending approval.',
  })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_TIMEOUT_MS)
  timeoutMs: number = DEFAULT_WAIT_TIMEOUT_MS;
}
