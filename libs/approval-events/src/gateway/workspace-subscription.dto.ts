import { IsIn, IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ID_PATTERN, MAX_ID_LENGTH } from '../approval-events.constants';
import type { WorkspaceSubscription } from '../interfaces/approval-socket-events.interface';

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
