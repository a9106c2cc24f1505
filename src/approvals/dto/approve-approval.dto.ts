import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MAX_ACTOR_LENGTH, MAX_NOTES_LENGTH } from '../approvals.constants';

/** Body of `POST …/approve`. */
export class ApproveApprovalDto {
  @ApiProperty({ example: 'alice', minLength: 1, maxLength: MAX_ACTOR_LENGTH })
  @IsString()
  @Length(1, MAX_ACTOR_LENGTH)
  resolvedBy: string;

  @ApiPropertyOptional({ example: 'Looks fine', maxLength: MAX_NOTES_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NOTES_LENGTH)
  notes?: string;
}
