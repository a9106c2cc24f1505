import {
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { MAX_ID_LENGTH, RESOLVED_STATUSES } from '../approval-events.constants';
import type { ApprovalResult, ResolvedApprovalStatus } from '../interfaces/approval.interface';

/** Printable ASCII without spaces, as the manager requires. */
export const ID_PATTERN = /^[\x21-\x7e]+$/;

/** The `approval:resolved` body a producer publishes, checked at the edge. */
export class ApprovalResolvedEventDto implements ApprovalResult {
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ID_LENGTH)
  @Matches(ID_PATTERN)
  approvalId: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ID_LENGTH)
  @Matches(ID_PATTERN)
  workspaceId: string;

  @IsIn([...RESOLVED_STATUSES])
  status: ResolvedApprovalStatus;

  @IsOptional()
  @IsObject()
  resolution?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  resolvedBy?: string;

  @IsISO8601({ strict: true })
  @MaxLength(64)
  resolvedAt: string;
}

/** The `subscribe` / `unsubscribe` body. */
export class WorkspaceSubscriptionDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ID_LENGTH)
  @Matches(ID_PATTERN)
  workspaceId: string;
}
