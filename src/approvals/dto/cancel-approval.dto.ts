import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MAX_ACTOR_LENGTH, MAX_REASON_LENGTH } from '../approvals.constants';
import { SingleLineText } from '../../common/validators/text.validators';

/** Body of `POST …/cancel`. Everything is optional: the requester may withdraw without a word. */
export class CancelApprovalDto {
  @ApiPropertyOptional({
    example: 'agent-7',
    minLength: 1,
    maxLength: MAX_ACTOR_LENGTH,
    description:
      'Optional: the host records the cancelling principal’s id. If given it must be that id (400 otherwise).',
  })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @Length(1, MAX_ACTOR_LENGTH)
  resolvedBy?: string;

  @ApiPropertyOptional({ example: 'No longer needed', maxLength: MAX_REASON_LENGTH })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;
}
