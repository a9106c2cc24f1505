import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { ID_PATTERN } from '../approvals.constants';

const ID_MESSAGE = (name: string) => `${name} must be 1 to 128 characters of [A-Za-z0-9_.:-]`;

/** Path of the workspace-level routes. Checked so an odd id never reaches the store or a log. */
export class WorkspaceParamsDto {
  @ApiProperty({ example: 'ws1', pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: ID_MESSAGE('workspaceId') })
  workspaceId: string;
}

/** Path of the routes on one approval. */
export class ApprovalParamsDto extends WorkspaceParamsDto {
  @ApiProperty({ example: '3f0c6c1e-8a4b-4c1e-9a57-2f0b1d6a9e11', pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: ID_MESSAGE('approvalId') })
  approvalId: string;
}
