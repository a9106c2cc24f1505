import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';
import { MaxJsonBytes } from '../../common/validators/max-json-bytes.validator';
import { MAX_ACTION_LENGTH, MAX_ACTOR_LENGTH, MAX_PAYLOAD_BYTES } from '../approvals.constants';
import { JsonText, SingleLineText } from '../../common/validators/text.validators';

/** Body of `POST /workspaces/:workspaceId/approvals`: what an agent asks a human to allow. */
export class CreateApprovalDto {
  @ApiProperty({ example: 'send_email', minLength: 1, maxLength: MAX_ACTION_LENGTH })
  @IsString()
  @SingleLineText()
  @Length(1, MAX_ACTION_LENGTH)
  action: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { to: 'bob@example.com' },
    description: `Details of the action; at most ${MAX_PAYLOAD_BYTES} bytes as JSON.`,
  })
  @IsOptional()
  @IsObject()
  @JsonText()
  @MaxJsonBytes(MAX_PAYLOAD_BYTES)
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'agent-7', minLength: 1, maxLength: MAX_ACTOR_LENGTH })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @Length(1, MAX_ACTOR_LENGTH)
  requestedBy?: string;
}
