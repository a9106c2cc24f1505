import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';
import { MaxJsonBytes } from '../../common/validators/max-json-bytes.validator';
import { MAX_ACTION_LENGTH, MAX_ACTOR_LENGTH, MAX_PAYLOAD_BYTES } from '../approvals.constants';
import { NoControlCharacters } from '../../common/validators/no-control-characters.validator';

/** Body of `POST /workspaces/:workspaceId/approvals`: what an agent asks a human to allow. */
export class CreateApprovalDto {
  @ApiProperty({ example: 'send_email', minLength: 1, maxLength: MAX_ACTION_LENGTH })
  @IsString()
  @NoControlCharacters()
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
  @NoControlCharacters()
  @MaxJsonBytes(MAX_PAYLOAD_BYTES)
  payload?: Record<string, unknown>;

  /**
   * Deprecated: the host records the creating principal as `requestedBy`. A value equal to
   * that id is accepted; any other is kept as `requestedFor` (the label it always was).
   */
  @ApiPropertyOptional({
    example: 'agent-7',
    minLength: 1,
    maxLength: MAX_ACTOR_LENGTH,
    deprecated: true,
    description:
      'Ignored when it is the caller’s own principal id; any other value is stored as `requestedFor`. The approval’s `requestedBy` is always the caller.',
  })
  @IsOptional()
  @IsString()
  @NoControlCharacters()
  @Length(1, MAX_ACTOR_LENGTH)
  requestedBy?: string;

  @ApiPropertyOptional({
    example: 'Alice Example <alice@example.com>',
    minLength: 1,
    maxLength: MAX_ACTOR_LENGTH,
    description:
      'On whose behalf the caller asks: a label shown to approvers, not an identity (nothing is granted by it).',
  })
  @IsOptional()
  @IsString()
  @NoControlCharacters()
  @Length(1, MAX_ACTOR_LENGTH)
  requestedFor?: string;
}
