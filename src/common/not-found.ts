import { NotFoundException } from '@nestjs/common';

/**
 * The 404 of an approval that is absent, in another workspace, or in a workspace the
 * caller may not see: one answer for all three, so tenants cannot probe each other's ids.
 */
export function approvalNotFound(approvalId: string): NotFoundException {
  return new NotFoundException(`Approval ${approvalId} not found`);
}

/**
 * The 404 of a workspace-level route (list, create, event tokens) in a workspace the caller
 * may not see. It is answered whether or not the workspace holds anything.
 */
export function workspaceNotFound(workspaceId: string): NotFoundException {
  return new NotFoundException(`Workspace ${workspaceId} not found`);
}
