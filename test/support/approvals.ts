import type { Approval } from '@app/approval-events';
import request from 'supertest';
import { authAs, authAsId } from './principals';

/** Path of a workspace's approvals, or of one approval and an optional action under it. */
export const approvalsPath = (workspaceId: string, approvalId?: string, action?: string) =>
  ['/api/workspaces', workspaceId, 'approvals', approvalId, action]
    .filter((part) => part !== undefined)
    .join('/');

/**
 * The credential a decision route needs from the suites' principals: the approver approves
 * and rejects, the agent (which requested) cancels.
 */
export const authToDecide = (action: 'approve' | 'reject' | 'cancel') =>
  authAs(action === 'cancel' ? 'agent' : 'approver');

/** Creates a pending approval through the REST API, as the agent unless told, and returns it. */
export async function createApproval(
  hostUrl: string,
  workspaceId: string,
  body: Record<string, unknown> = { action: 'send_email' },
  headers: Record<string, string> = authAs('agent'),
): Promise<Approval> {
  const response = await request(hostUrl)
    .post(approvalsPath(workspaceId))
    .set(headers)
    .send(body)
    .expect(201);
  return response.body as Approval;
}

/**
 * Decides an approval through the REST API (expects 200) and returns it. It decides as the
 * test principal `body.resolvedBy` names, if one does (`{ resolvedBy: 'bob' }` decides as
 * bob), else as {@link authToDecide} says, unless `headers` say otherwise.
 */
export async function decide(
  hostUrl: string,
  workspaceId: string,
  approvalId: string,
  action: 'approve' | 'reject' | 'cancel',
  body: Record<string, unknown> = {},
  headers: Record<string, string> = authAsId(body.resolvedBy) ?? authToDecide(action),
): Promise<Approval> {
  const response = await request(hostUrl)
    .post(approvalsPath(workspaceId, approvalId, action))
    .set(headers)
    .send(body)
    .expect(200);
  return response.body as Approval;
}

/** Reads an approval through the REST API (expects 200), as the agent unless told. */
export async function readApproval(
  hostUrl: string,
  workspaceId: string,
  approvalId: string,
  headers: Record<string, string> = authAs('agent'),
): Promise<Approval> {
  const response = await request(hostUrl)
    .get(approvalsPath(workspaceId, approvalId))
    .set(headers)
    .expect(200);
  return response.body as Approval;
}
