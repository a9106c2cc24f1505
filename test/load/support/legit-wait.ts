import * as http from 'node:http';
import { CHECKS_FROM } from './health-watch';

/** What a legitimate client got while an attack ran: its wait's answer, or why it had none. */
export interface LegitWaitOutcome {
  status: number | 'reset' | 'timeout';
  approvalStatus?: string;
  /** From the decision to the wait's answer. */
  wakeMs?: number;
}

function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  headers: http.OutgoingHttpHeaders,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number | 'reset' | 'timeout'; body?: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(`${url}${path}`, {
      method,
      agent: false,
      timeout: timeoutMs,
      localAddress: CHECKS_FROM,
      headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: Record<string, unknown> | undefined;
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
    request.on('timeout', () => {
      request.destroy();
      resolve({ status: 'timeout' });
    });
    request.on('error', () => resolve({ status: 'reset' }));
    request.end(json);
  });
}

/** The credential headers of the legitimate agent (creates, waits) and approver (decides). */
export interface LegitCredentials {
  agent: http.OutgoingHttpHeaders;
  approver: http.OutgoingHttpHeaders;
}

/**
 * A legitimate agent's long-poll, start to end: creates an approval, waits on it, has it
 * approved by another principal 300 ms later and reports what the wait answered and how
 * fast. Every request goes from {@link CHECKS_FROM}, not the attacker's address.
 */
export async function legitWait(
  url: string,
  workspaceId: string,
  credentials: LegitCredentials,
): Promise<LegitWaitOutcome> {
  const headers = credentials.agent;
  const base = `/api/workspaces/${workspaceId}/approvals`;
  const created = await call(url, 'POST', base, headers, { action: 'legit_wait' });
  if (created.status !== 201 || typeof created.body?.id !== 'string') {
    return { status: created.status };
  }
  const id = created.body.id;
  const waiting = call(
    url,
    'GET',
    `${base}/${id}/wait?timeoutMs=10000`,
    headers,
    undefined,
    15_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const decidedAt = Date.now();
  const decided = await call(url, 'POST', `${base}/${id}/approve`, credentials.approver, {});
  if (decided.status !== 200) return { status: decided.status };
  const answer = await waiting;
  return {
    status: answer.status,
    approvalStatus: answer.body?.status as string | undefined,
    wakeMs: Date.now() - decidedAt,
  };
}

/** A pending approval for the attack's long-polls to wait on; returns its wait path. */
export async function pendingWaitPath(
  url: string,
  workspaceId: string,
  headers: http.OutgoingHttpHeaders,
  timeoutMs = 120_000,
): Promise<string> {
  const base = `/api/workspaces/${workspaceId}/approvals`;
  const created = await call(url, 'POST', base, headers, { action: 'attack_target' });
  if (created.status !== 201) throw new Error(`could not create the target: ${created.status}`);
  return `${base}/${String(created.body?.id)}/wait?timeoutMs=${timeoutMs}`;
}
