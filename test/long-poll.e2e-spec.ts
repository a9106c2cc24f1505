import type { Approval } from '@app/approval-events';
import request from 'supertest';
import {
  authAs,
  approvalsPath,
  countStoreReads,
  createApproval,
  decide,
  delay,
  eventually,
  hostMetric,
  rawGet,
  readApproval,
  sample,
  type RunningHost,
  startHost,
} from './support';

const WS = 'ws-wait';
const OTHER_WS = 'ws-elsewhere';

const waitPath = (approvalId: string, workspaceId = WS) =>
  approvalsPath(workspaceId, approvalId, 'wait');

/** Resolves once the host counts `count` waits in progress. */
const waitsPending = (host: RunningHost, count: number) =>
  eventually(`approval_waits_pending to be ${count}`, async () =>
    (await hostMetric(host.url, 'approval_waits_pending')) === count ? true : undefined,
  );

describe('GET …/approvals/:approvalId/wait (long poll)', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  it('wakes 200 concurrent long polls on one approval with one decision, before any poll could', async () => {
    const approval = await createApproval(host.url, WS);
    const reads = countStoreReads(host, approval.id);
    const answeredAt: number[] = [];
    const polls = Array.from({ length: 200 }, () =>
      request(host.url)
        .get(waitPath(approval.id))
        .set(authAs('agent'))
        .query({ timeoutMs: 15_000 })
        .then((response) => {
          answeredAt.push(Date.now());
          return response;
        }),
    );
    await waitsPending(host, 200);
    expect(answeredAt).toHaveLength(0);

    const decidedAt = Date.now();
    const decided = await decide(host.url, WS, approval.id, 'approve');
    const responses = await Promise.all(polls);

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual(decided);
    }
    // Under the host's 5 s poll interval: only the event can have answered (the fallback
    // counter below says so too). Loopback takes ~1 s for 200 answers at a load of 3; the
    // margin is for a CI machine at 10.
    expect(Math.max(...answeredAt) - decidedAt).toBeLessThan(4_000);
    await waitsPending(host, 0);
    // The 200 waits shared one watch: one read to start, one for the event, one wake.
    expect(reads()).toBe(2);
    const metrics = await request(host.url).get('/metrics').expect(200);
    expect(sample(metrics.text, 'approval_wake_latency_seconds_count')).toBe(1);
    expect(sample(metrics.text, 'approval_events_received_total', { source: 'in_process' })).toBe(
      1,
    );
    expect(sample(metrics.text, 'approval_wait_fallback_total')).toBe(0);
  });

  it('answers at once for an approval that is already decided', async () => {
    const approval = await createApproval(host.url, WS);
    const decided = await decide(host.url, WS, approval.id, 'reject', {
      resolvedBy: 'bob',
      reason: 'no',
    });

    const started = Date.now();
    await request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 10_000 })
      .expect(200, decided);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 200 with the pending approval when timeoutMs runs out', async () => {
    const approval = await createApproval(host.url, WS);

    const started = Date.now();
    const response = await request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 200 })
      .expect(200);

    expect(response.body).toEqual(approval);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await waitsPending(host, 0);
  });

  it('answers at once with the pending approval when timeoutMs is 0', async () => {
    const approval = await createApproval(host.url, WS);

    await request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 0 })
      .expect(200, approval);
  });

  it('waits 30 s by default: still waiting well after a short wait would have ended', async () => {
    const approval = await createApproval(host.url, WS);
    let answered = false;
    const poll = request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .then((response) => {
        answered = true;
        return response;
      });
    await waitsPending(host, 1);

    await delay(300);
    expect(answered).toBe(false);
    const decided = await decide(host.url, WS, approval.id, 'approve');
    expect((await poll).body).toEqual(decided);
  });

  it('answers 400 when timeoutMs is out of range or not an integer, or the query is unknown', async () => {
    const approval = await createApproval(host.url, WS);
    const cases: [string, Record<string, string>][] = [
      ['negative', { timeoutMs: '-1' }],
      ['over 120 000', { timeoutMs: '120001' }],
      ['not a number', { timeoutMs: 'soon' }],
      ['not an integer', { timeoutMs: '1.5' }],
      ['an unknown query parameter', { timeout: '5' }],
    ];

    for (const [name, query] of cases) {
      const response = await request(host.url)
        .get(waitPath(approval.id))
        .set(authAs('agent'))
        .query(query);
      expect({ name, status: response.status, body: response.body }).toEqual({
        name,
        status: 400,
        body: expect.objectContaining({ statusCode: 400, error: 'Bad Request' }),
      });
    }
    expect(await hostMetric(host.url, 'approval_waits_pending')).toBe(0);
  });

  it('accepts the bounds 0 and 120 000', async () => {
    const approval = await createApproval(host.url, WS);
    await decide(host.url, WS, approval.id, 'approve');

    await request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 0 })
      .expect(200);
    await request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 120_000 })
      .expect(200);
  });

  it('answers 404 for an absent approval and for one in another workspace', async () => {
    const elsewhere = await createApproval(host.url, OTHER_WS);

    await request(host.url)
      .get(waitPath('no-such-approval'))
      .set(authAs('agent'))
      .query({ timeoutMs: 5_000 })
      .expect(404);
    await request(host.url)
      .get(waitPath(elsewhere.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 5_000 })
      .expect(404);
    await waitsPending(host, 0);
  });

  it('ends every wait with the cancelled approval when it is cancelled', async () => {
    const approval = await createApproval(host.url, WS);
    // `.then` sends the request now; supertest sends nothing until it is awaited.
    const polls = Array.from({ length: 3 }, () =>
      request(host.url)
        .get(waitPath(approval.id))
        .set(authAs('agent'))
        .query({ timeoutMs: 15_000 })
        .then((response) => response),
    );
    await waitsPending(host, 3);

    const cancelled = await decide(host.url, WS, approval.id, 'cancel', { reason: 'withdrawn' });

    expect(cancelled).toMatchObject({ status: 'cancelled', resolution: { reason: 'withdrawn' } });
    for (const response of await Promise.all(polls)) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual(cancelled);
    }
    await waitsPending(host, 0);
  });

  it('is not woken by a decision in another workspace', async () => {
    const mine = await createApproval(host.url, WS);
    const theirs = await createApproval(host.url, OTHER_WS);
    let answered = false;
    const poll = request(host.url)
      .get(waitPath(mine.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 15_000 })
      .then((response) => {
        answered = true;
        return response;
      });
    await waitsPending(host, 1);

    await decide(host.url, OTHER_WS, theirs.id, 'approve');
    await delay(200);
    expect(answered).toBe(false);
    await expect(readApproval(host.url, WS, mine.id)).resolves.toMatchObject({ status: 'pending' });

    const decided = await decide(host.url, WS, mine.id, 'approve');
    expect((await poll).body).toEqual(decided);
  });

  it('ends the wait of a client that hangs up', async () => {
    const approval = await createApproval(host.url, WS);
    const poll = rawGet(`${host.url}${waitPath(approval.id)}?timeoutMs=60000`, authAs('agent'));
    await waitsPending(host, 1);

    poll.request.destroy();

    await waitsPending(host, 0);
    await expect(poll.outcome).resolves.toMatchObject({ kind: 'closed' });
    // The host is still fine, and the approval still pending for whoever asks next.
    await expect(readApproval(host.url, WS, approval.id)).resolves.toMatchObject({
      status: 'pending',
    });
  });

  it('ends only the wait of the client that hung up, not the others on the same approval', async () => {
    const approval = await createApproval(host.url, WS);
    const leaving = rawGet(`${host.url}${waitPath(approval.id)}?timeoutMs=60000`, authAs('agent'));
    const stayingResponse = request(host.url)
      .get(waitPath(approval.id))
      .set(authAs('agent'))
      .query({ timeoutMs: 15_000 })
      .then((response) => response);
    await waitsPending(host, 2);

    leaving.request.destroy();
    await waitsPending(host, 1);

    const decided: Approval = await decide(host.url, WS, approval.id, 'approve');
    const response = await stayingResponse;
    expect(response.status).toBe(200);
    expect(response.body).toEqual(decided);
  });
});
