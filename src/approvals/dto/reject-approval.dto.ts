import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_REASON_LENGTH } from '../approvals.constants';
import { ApproveApprovalDto } from './approve-approval.dto';
import { SingleLineText } from '../../common/validators/text.validators';

/** Body of `POST …/reject`: an approval's body plus why. */
export class RejectApprovalDto extends ApproveApprovalDto {
  @ApiPropertyOptional({ example: 'Wrong recipient', maxLength: MAX_REASON_LENGTH })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;
}
