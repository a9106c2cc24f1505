import {
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import {
  ID_PATTERN,
  MAX_ID_LENGTH,
  MAX_RESOLVED_BY_LENGTH,
  MAX_TIMESTAMP_LENGTH,
  RESOLVED_STATUSES,
} from '../approval-events.constants';
import type { ApprovalResult, ResolvedApprovalStatus } from '../interfaces/approval.interface';
import type { WorkspaceSubscription } from '../interfaces/approval-socket-events.interface';

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
  @MaxLength(MAX_RESOLVED_BY_LENGTH)
  resolvedBy?: string;

  @IsISO8601({ strict: true })
  @MaxLength(MAX_TIMESTAMP_LENGTH)
  resolvedAt: string;
}

/** Only a key that is absent is optional: `null` or `''` is refused, never read as "all". */
const present = (_object: object, value: unknown) => value !== undefined;

/**
 * The `subscribe` / `unsubscribe` body: `{ workspaceId }` for one workspace, `{}` for every
 * workspace the token may see; `channel: 'approvals'` is allowed beside either.
 */
export class WorkspaceSubscriptionDto implements WorkspaceSubscription {
  @ValidateIf(present)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ID_LENGTH)
  @Matches(ID_PATTERN)
  workspaceId?: string;

  @ValidateIf(present)
  @IsIn(['approvals'])
  channel?: 'approvals';
}
