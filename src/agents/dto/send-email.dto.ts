import { DEFAULT_WAIT_TIMEOUT_MS, MAX_WAIT_TIMEOUT_MS } from '../../approvals/approvals.constants';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { MultiLineText, SingleLineText } from '../../common/validators/text.validators';

/**
 * Body of `POST /api/workspaces/:workspaceId/agents/email`. `to` and `subject` become mail
 * header fields, so they are single-line (CR and LF above all refused: header injection);
 * `body` is free text and may hold line feeds.
 */
export class SendEmailDto {
  @ApiProperty({ example: 'bob@example.com' })
  @IsEmail()
  @SingleLineText()
  @MaxLength(254)
  to: string;

  @ApiProperty({ example: 'Quarterly report', minLength: 1, maxLength: 200 })
  @IsString()
  @SingleLineText()
  @Length(1, 200)
  subject: string;

  @ApiPropertyOptional({ example: 'Please find it attached.', maxLength: 5_000 })
  @IsOptional()
  @IsString()
  @MultiLineText()
  @MaxLength(5_000)
  body?: string;

  @ApiPropertyOptional({
    description: 'How long the agent waits for a human; on timeout the approval is cancelled.',
    minimum: 0,
    maximum: MAX_WAIT_TIMEOUT_MS,
    default: DEFAULT_WAIT_TIMEOUT_MS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_TIMEOUT_MS)
  timeoutMs?: number;
}
