import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  authAs,
  approvalsPath,
  decide,
  eventually,
  hostMetric,
  rawRequest,
  readApproval,
  type RunningHost,
  startHost,
} from './support';

const WS = 'ws-agents';
const agentPath = (workspaceId = WS) => `/api/workspaces/${workspaceId}/agents/email`;
const EMAIL = { to: 'bob@example.com', subject: 'Quarterly report' };

/** The pending approval the agent opened, found through the list as a reviewer would. */
async function agentApproval(host: RunningHost): Promise<Approval> {
  return eventually('the agent’s approval to be listed', async () => {
    const response = await request(host.url)
      .get(approvalsPath(WS))
      .set(authAs('agent'))
      .query({ status: 'pending' })
      .expect(200);
    const [approval] = response.body as Approval[];
    return approval;
  });
}

/** Starts the agent's request; it answers only once the approval is decided. */
function askAgent(
  host: RunningHost,
  body: Record<string, unknown> = { ...EMAIL, timeoutMs: 15_000 },
) {
  return request(host.url)
    .post(agentPath())
    .set(authAs('agent'))
    .send(body)
    .then((response) => response);
}

describe('Email agent (POST /api/workspaces/:workspaceId/agents/email)', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  it('waits for the human, and sends once the approval is approved', async () => {
    const answer = askAgent(host);
    const approval = await agentApproval(host);
    expect(approval).toMatchObject({
      action: 'send_email',
      payload: EMAIL,
      // The caller of the demo route, whose request it is (was the label 'email-agent').
      requestedBy: 'agent-7',
      status: 'pending',
    });
    await eventually(
      'the agent to be waiting',
      async () => (await hostMetric(host.url, 'approval_waits_pending')) === 1,
    );

    const decided = await decide(host.url, WS, approval.id, 'approve');

    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ outcome: 'sent', approval: decided });
    const outbox = await request(host.url).get(agentPath()).set(authAs('agent')).expect(200);
    expect(outbox.body).toEqual([
      expect.objectContaining({ workspaceId: WS, approvalId: approval.id, ...EMAIL }),
    ]);
  });

  it('refuses to send once the approval is rejected', async () => {
    const answer = askAgent(host);
    const approval = await agentApproval(host);

    const decided = await decide(host.url, WS, approval.id, 'reject', {
      resolvedBy: 'carol',
      reason: 'Not yet',
    });

    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ outcome: 'refused', approval: decided });
    await request(host.url).get(agentPath()).set(authAs('agent')).expect(200, []);
  });

  it('reports cancelled when the approval is cancelled', async () => {
    const answer = askAgent(host);
    const approval = await agentApproval(host);

    const decided = await decide(host.url, WS, approval.id, 'cancel', {
      reason: 'Changed my mind',
    });

    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ outcome: 'cancelled', approval: decided });
    await request(host.url).get(agentPath()).set(authAs('agent')).expect(200, []);
  });

  it('times out after a small timeoutMs and withdraws (cancels) its approval', async () => {
    const response = await request(host.url)
      .post(agentPath())
      .set(authAs('agent'))
      .send({ ...EMAIL, timeoutMs: 100 })
      .expect(200);

    expect(response.body).toMatchObject({
      outcome: 'timed_out',
      approval: { status: 'cancelled', resolvedBy: 'agent-7', action: 'send_email' },
    });
    const approval = response.body.approval as Approval;
    await expect(readApproval(host.url, WS, approval.id)).resolves.toEqual(approval);
    await request(host.url).get(agentPath()).set(authAs('agent')).expect(200, []);
    expect(await hostMetric(host.url, 'approval_waits_pending')).toBe(0);
  });

  it('withdraws (cancels) its approval when the client hangs up', async () => {
    const call = rawRequest(
      'POST',
      `${host.url}${agentPath()}`,
      { ...EMAIL, timeoutMs: 60_000 },
      authAs('agent'),
    );
    const approval = await agentApproval(host);
    await eventually(
      'the agent to be waiting',
      async () => (await hostMetric(host.url, 'approval_waits_pending')) === 1,
    );

    call.request.destroy();

    const withdrawn = await eventually('the approval to be withdrawn', async () => {
      const current = await readApproval(host.url, WS, approval.id);
      return current.status === 'cancelled' ? current : undefined;
    });
    expect(withdrawn).toMatchObject({ resolvedBy: 'agent-7' });
    expect(await hostMetric(host.url, 'approval_waits_pending')).toBe(0);
    await request(host.url).get(agentPath()).set(authAs('agent')).expect(200, []);
  });

  it('answers 400 to bad bodies and opens no approval', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['no recipient', { subject: 'Hi' }],
      ['a recipient that is not an email', { to: 'bob', subject: 'Hi' }],
      ['no subject', { to: 'bob@example.com' }],
      ['timeoutMs over 120 000', { ...EMAIL, timeoutMs: 120_001 }],
      ['a negative timeoutMs', { ...EMAIL, timeoutMs: -1 }],
      ['an unknown field', { ...EMAIL, cc: 'eve@example.com' }],
    ];

    for (const [name, body] of cases) {
      const response = await request(host.url).post(agentPath()).set(authAs('agent')).send(body);
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
    }
    await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200, []);
  });

  it('refuses control characters in header fields with a 400 naming the field', async () => {
    const cases: [field: 'subject' | 'to', body: Record<string, unknown>][] = [
      ['subject', { ...EMAIL, subject: 'Hi\r\nBcc: eve@example.com' }],
      ['subject', { ...EMAIL, subject: 'Hi\nthere' }],
      ['subject', { ...EMAIL, subject: 'tab\there' }],
      ['subject', { ...EMAIL, subject: 'C1\u0085next line' }],
      ['to', { ...EMAIL, to: 'bob@example.com\r\nBcc: eve@example.com' }],
    ];
    for (const [field, body] of cases) {
      const response = await request(host.url).post(agentPath()).set(authAs('agent')).send(body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(`^${field} must not contain a control, line break or bidi character`),
          ),
        ]),
      );
    }
    // The body is free text: line feeds stay allowed there (CR does not: one line ending).
    const ok = await request(host.url)
      .post(agentPath())
      .set(authAs('agent'))
      .send({ ...EMAIL, body: 'Line one\nLine two', timeoutMs: 0 });
    expect(ok.status).toBe(200);
  });
});
