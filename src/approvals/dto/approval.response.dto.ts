import { type ApprovalStatus } from '@app/approval-events';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { APPROVAL_STATUS_VALUES } from '../approvals.constants';
import type { ApprovalRecord } from '../approvals.repository';
import { EXPIRY_ACTOR, EXPIRY_POLICIES, type ExpiryPolicy } from '../lifecycle/approval-deadline';

/**
 * The approval as the API returns it, for the OpenAPI document only: handlers return the
 * store's `ApprovalRecord`, which this class mirrors field for field.
 */
export class ApprovalResponseDto implements ApprovalRecord {
  @ApiProperty({ example: '3f0c6c1e-8a4b-4c1e-9a57-2f0b1d6a9e11' })
  id: string;

  @ApiProperty({ example: 'ws1' })
  workspaceId: string;

  @ApiProperty({ example: 'send_email' })
  action: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  payload?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'agent-7',
    description: 'The id of the principal that created it (a JWT `sub` or an API key `id`).',
  })
  requestedBy?: string;

  @ApiPropertyOptional({
    example: 'Alice Example <alice@example.com>',
    description: 'The requester’s label of whom it asks for; not an identity.',
  })
  requestedFor?: string;

  @ApiProperty({ enum: APPROVAL_STATUS_VALUES, example: 'pending' })
  status: ApprovalStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { reason: 'Wrong recipient', notes: 'Ask Bob first' },
    description:
      'A human decision: { reason?, notes? }. Ended at its deadline: { cause: "expired", expiresAt, onExpiry }.',
  })
  resolution?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'alice',
    description: `The id of the principal that decided or cancelled it; "${EXPIRY_ACTOR}" when the deadline did.`,
  })
  resolvedBy?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  resolvedAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Deadline: still pending then, the store ends it as onExpiry says.',
  })
  expiresAt?: string;

  @ApiPropertyOptional({ enum: EXPIRY_POLICIES, description: 'Set with expiresAt.' })
  onExpiry?: ExpiryPolicy;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the one reminder is due.' })
  remindAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the reminder was sent (approval:reminder): the approval is overdue.',
  })
  remindedAt?: string;
}
