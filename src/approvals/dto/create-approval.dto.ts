import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MaxJsonBytes } from '../../common/validators/max-json-bytes.validator';
import { MAX_ACTION_LENGTH, MAX_ACTOR_LENGTH, MAX_PAYLOAD_BYTES } from '../approvals.constants';
import {
  DEFAULT_EXPIRY_POLICY,
  EXPIRY_POLICIES,
  type ExpiryPolicy,
  MAX_LIFECYCLE_DELAY_MS,
  MIN_LIFECYCLE_DELAY_MS,
} from '../lifecycle/approval-deadline';
import { IsDeadline, NeedsDeadline, RemindsBeforeDeadline } from '../lifecycle/schedule.validators';
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
  @SingleLineText()
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
  @SingleLineText()
  @Length(1, MAX_ACTOR_LENGTH)
  requestedFor?: string;

  @ApiPropertyOptional({
    minimum: MIN_LIFECYCLE_DELAY_MS,
    maximum: MAX_LIFECYCLE_DELAY_MS,
    example: 3_600_000,
    description:
      'Deadline, in ms from now: still pending then, the store ends it as onExpiry says. Not with expiresAt.',
  })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIFECYCLE_DELAY_MS)
  @Max(MAX_LIFECYCLE_DELAY_MS)
  expiresInMs?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-24T17:00:00Z',
    description:
      'Deadline as an ISO-8601 date-time with a zone, in the future and within 30 days. Not with expiresInMs.',
  })
  @IsOptional()
  @IsDeadline()
  expiresAt?: string;

  @ApiPropertyOptional({
    enum: EXPIRY_POLICIES,
    default: DEFAULT_EXPIRY_POLICY,
    description:
      'At the deadline: expire (status expired), reject (rejected) or approve (auto_approved), each with resolvedBy "system:expiry". Needs a deadline.',
  })
  @IsOptional()
  @IsIn(EXPIRY_POLICIES)
  @NeedsDeadline()
  onExpiry?: ExpiryPolicy;

  @ApiPropertyOptional({
    minimum: MIN_LIFECYCLE_DELAY_MS,
    maximum: MAX_LIFECYCLE_DELAY_MS,
    example: 900_000,
    description:
      'Once this many ms after creation, if still pending, subscribers get one approval:reminder hint. Less than the deadline.',
  })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIFECYCLE_DELAY_MS)
  @Max(MAX_LIFECYCLE_DELAY_MS)
  @RemindsBeforeDeadline()
  remindAfterMs?: number;
}
