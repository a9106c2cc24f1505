import type { Approval } from '@app/approval-events';
import request from 'supertest';

/** Path of a workspace's approvals, or of one approval and an optional action under it. */
export const approvalsPath = (workspaceId: string, approvalId?: string, action?: string) =>
  ['/api/workspaces', workspaceId, 'approvals', approvalId, action]
    .filter((part) => part !== undefined)
    .join('/');

/** Creates a pending approval through the REST API and returns it. */
export async function createApproval(
  hostUrl: string,
  workspaceId: string,
  body: Record<string, unknown> = { action: 'send_email' },
  headers: Record<string, string> = {},
): Promise<Approval> {
  const response = await request(hostUrl)
    .post(approvalsPath(workspaceId))
    .set(headers)
    .send(body)
    .expect(201);
  return response.body as Approval;
}

/** Decides an approval through the REST API (expects 200) and returns it. */
export async function decide(
  hostUrl: string,
  workspaceId: string,
  approvalId: string,
  action: 'approve' | 'reject' | 'cancel',
  body: Record<string, unknown> = action === 'cancel' ? {} : { resolvedBy: 'alice' },
  headers: Record<string, string> = {},
): Promise<Approval> {
  const response = await request(hostUrl)
    .post(approvalsPath(workspaceId, approvalId, action))
    .set(headers)
    .send(body)
    .expect(200);
  return response.body as Approval;
}

/** Reads an approval through the REST API (expects 200). */
export async function readApproval(
  hostUrl: string,
  workspaceId: string,
  approvalId: string,
  headers: Record<string, string> = {},
): Promise<Approval> {
  const response = await request(hostUrl)
    .get(approvalsPath(workspaceId, approvalId))
    .set(headers)
    .expect(200);
  return response.body as Approval;
}
