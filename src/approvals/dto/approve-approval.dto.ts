import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MAX_ACTOR_LENGTH, MAX_NOTES_LENGTH } from '../approvals.constants';
import { MultiLineText, SingleLineText } from '../../common/validators/text.validators';

/** Body of `POST …/approve`. */
export class ApproveApprovalDto {
  /** The host records the deciding principal; a different value here is refused (400). */
  @ApiPropertyOptional({
    example: 'alice',
    minLength: 1,
    maxLength: MAX_ACTOR_LENGTH,
    description:
      'Optional: the host records the deciding principal’s id. If given it must be that id (400 otherwise).',
  })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @Length(1, MAX_ACTOR_LENGTH)
  resolvedBy?: string;

  @ApiPropertyOptional({ example: 'Looks fine', maxLength: MAX_NOTES_LENGTH })
  @IsOptional()
  @IsString()
  @MultiLineText()
  @MaxLength(MAX_NOTES_LENGTH)
  notes?: string;
}
