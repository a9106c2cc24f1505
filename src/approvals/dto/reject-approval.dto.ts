import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_REASON_LENGTH } from '../approvals.constants';
import { ApproveApprovalDto } from './approve-approval.dto';
import { NoControlCharacters } from '../../common/validators/no-control-characters.validator';

/** Body of `POST …/reject`: an approval's body plus why. */
export class RejectApprovalDto extends ApproveApprovalDto {
  @ApiPropertyOptional({ example: 'Wrong recipient', maxLength: MAX_REASON_LENGTH })
  @IsOptional()
  @IsString()
  @NoControlCharacters()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;
}
