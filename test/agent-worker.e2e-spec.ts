import {
  type Approval,
  ApprovalEventManager,
  ApprovalEventsMetrics,
  ApprovalQueueBridge,
} from '@app/approval-events';
import { RemoteAgent } from '../apps/agent-worker/src/remote-agent.service';
import { InMemoryApprovalsRepository } from '../src/approvals/in-memory-approvals.repository';
import {
  authAs,
  API_KEY,
  approvalsPath,
  connectedToBus,
  createApproval,
  decide,
  delay,
  disconnectedFromBus,
  eventually,
  handled,
  registryMetric,
  type RunningWorker,
  startHost,
  countStoreReads,
  startTcpProxy,
  startWorker,
} from './support';
import request from 'supertest';
import { Logger } from '@nestjs/common';

const WS = 'ws-remote';
const OTHER_WS = 'ws-not-subscribed';
const KEY = { 'x-api-key': API_KEY };
/** Short, so a fallback poll is seen quickly; far below the module's 5 s default. */
const POLL_INTERVAL_MS = 100;
const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';

function workerParts(worker: RunningWorker) {
  return {
    manager: worker.app.get(ApprovalEventManager),
    bridge: worker.app.get(ApprovalQueueBridge),
    registry: worker.app.get(ApprovalEventsMetrics).registry,
  };
}

describe('Agent worker against the host (remote case)', () => {
  it('a REST decision on the host wakes a bridge wait in the worker through the bus', async () => {
    const host = await startHost({ env: { API_KEY } });
    const worker = await startWorker({ hostUrl: host.url, workspaces: [WS], apiKey: API_KEY });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const approval = await createApproval(host.url, WS, { action: 'deploy' }, KEY);
    const reads = countStoreReads(host, approval.id);

    const wait = handled(bridge.waitForApproval(WS, approval.id, { timeoutMs: 15_000 }));
    await eventually('the worker’s first read', () => reads() === 1);
    expect(manager.pendingCount).toBe(1);
    // The worker's legacy API_KEY is an agent's, which cannot decide: the approver does.
    const decided = await decide(host.url, WS, approval.id, 'approve', { resolvedBy: 'alice' });
    const decidedAt = Date.now();

    await expect(wait).resolves.toEqual(decided);
    expect(Date.now() - decidedAt).toBeLessThan(2_000);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
    expect(await registryMetric(registry, 'approval_wait_fallback_total')).toBe(0);
    // One read to start, one for the event: no polling while the bus is up.
    expect(reads()).toBe(2);
    expect(manager.pendingCount).toBe(0);
  });

  it('RemoteAgent requests an approval over REST and waits for the human', async () => {
    const host = await startHost({ env: { API_KEY } });
    const worker = await startWorker({ hostUrl: host.url, workspaces: [WS], apiKey: API_KEY });
    const { manager } = workerParts(worker);
    await connectedToBus(manager);

    const outcome = handled(
      worker.app
        .get(RemoteAgent)
        .requestAndWait(WS, 'send_email', { to: 'bob@example.com' }, { timeoutMs: 15_000 }),
    );
    const requested = await eventually('the worker’s approval on the host', async () => {
      const response = await request(host.url).get(approvalsPath(WS)).set(KEY).expect(200);
      return (response.body as Approval[])[0];
    });
    expect(requested).toMatchObject({
      action: 'send_email',
      // The worker's principal: its legacy API_KEY (was the label 'agent-worker').
      requestedBy: 'api-key',
      status: 'pending',
    });
    await eventually('the worker to wait', () => manager.pendingCount === 1);

    const decided = await decide(host.url, WS, requested.id, 'reject', { resolvedBy: 'bob' });

    await expect(outcome).resolves.toEqual(decided);
  });

  it('does not hear resolutions of workspaces it did not subscribe to', async () => {
    const host = await startHost();
    const worker = await startWorker({ hostUrl: host.url, workspaces: [WS] });
    const { manager, registry } = workerParts(worker);
    await connectedToBus(manager);
    const mine = await createApproval(host.url, WS);
    const theirs = await createApproval(host.url, OTHER_WS);

    await decide(host.url, OTHER_WS, theirs.id, 'approve');
    await decide(host.url, WS, mine.id, 'approve');

    await eventually(
      'its own workspace’s resolution',
      async () =>
        (await registryMetric(registry, 'approval_events_received_total', {
          source: 'remote_bus',
        })) === 1,
    );
    await delay(50);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
  });

  it('subscribes on demand: a wait in a workspace it was not configured with is woken by the event', async () => {
    const host = await startHost();
    const worker = await startWorker({ hostUrl: host.url, workspaces: [WS] });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const approval = await createApproval(host.url, OTHER_WS);
    const reads = countStoreReads(host, approval.id);
    // A poll interval far beyond the test: only an event can end this wait in time.
    const wait = handled(
      bridge.waitForApproval(OTHER_WS, approval.id, { timeoutMs: 15_000, pollIntervalMs: 60_000 }),
    );
    // The start read, then the reconcile read once the on-demand subscribe is acknowledged.
    await eventually('the on-demand subscription to be acknowledged', () => reads() === 2);
    const decided = await decide(host.url, OTHER_WS, approval.id, 'approve');
    const decidedAt = Date.now();

    await expect(wait).resolves.toEqual(decided);
    expect(Date.now() - decidedAt).toBeLessThan(1_000);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
    expect(await registryMetric(registry, 'approval_wait_fallback_total')).toBe(0);
    expect(reads()).toBe(3);
  });

  it('polls, and warns once, where the bus refuses the workspace of a wait (scoped token)', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const issued = await request(host.url)
      .post(`/api/workspaces/${WS}/event-tokens`)
      .set(authAs('agent'))
      .send({ ttlSeconds: 600 })
      .expect(201);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const worker = await startWorker({
      hostUrl: host.url,
      workspaces: [WS],
      token: issued.body.token,
    });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const mine = await createApproval(host.url, WS);
    const theirs = await createApproval(host.url, OTHER_WS);
    const options = { timeoutMs: 15_000, pollIntervalMs: POLL_INTERVAL_MS };
    const refusedWaits = [1, 2].map(() =>
      handled(bridge.waitForApproval(OTHER_WS, theirs.id, options)),
    );
    const coveredWait = handled(bridge.waitForApproval(WS, mine.id, options));
    await eventually('the refusal to be logged', () =>
      warn.mock.calls.some(([message]) =>
        String(message).includes(`workspace ${OTHER_WS} refused`),
      ),
    );
    expect(manager.isConnected).toBe(true); // the link stays up for the workspaces it covers

    const decided = await decide(host.url, OTHER_WS, theirs.id, 'approve');
    const decidedAt = Date.now();
    await expect(Promise.all(refusedWaits)).resolves.toEqual([decided, decided]);
    expect(Date.now() - decidedAt).toBeLessThan(POLL_INTERVAL_MS * 1.1 + 500);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'poll' }),
    ).toBe(1);

    const mineDecided = await decide(host.url, WS, mine.id, 'approve');
    await expect(coveredWait).resolves.toEqual(mineDecided);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
    const refusals = warn.mock.calls.filter(([message]) =>
      String(message).includes(`workspace ${OTHER_WS} refused`),
    );
    expect(refusals).toHaveLength(1);
    warn.mockRestore();
  });

  it('with EVENT_BUS_WORKSPACES=*, one subscription covers every workspace: no per-workspace subscribe', async () => {
    const host = await startHost();
    const worker = await startWorker({ hostUrl: host.url, workspaces: ['*'] });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const approval = await createApproval(host.url, OTHER_WS);
    const reads = countStoreReads(host, approval.id);
    const wait = handled(
      bridge.waitForApproval(OTHER_WS, approval.id, { timeoutMs: 15_000, pollIntervalMs: 60_000 }),
    );
    await eventually('the first read', () => reads() === 1);
    await delay(100);
    expect(reads()).toBe(1); // covered from the start: no reconcile read after a subscribe
    const decided = await decide(host.url, OTHER_WS, approval.id, 'approve');
    const decidedAt = Date.now();
    await expect(wait).resolves.toEqual(decided);
    expect(Date.now() - decidedAt).toBeLessThan(1_000);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
  });

  it('with a scoped token and EVENT_BUS_WORKSPACES=*, covers the token’s workspaces and polls the rest', async () => {
    const host = await startHost({ env: { APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const issued = await request(host.url)
      .post(`/api/workspaces/${WS}/event-tokens`)
      .set(authAs('agent'))
      .send({ ttlSeconds: 600 })
      .expect(201);
    const worker = await startWorker({
      hostUrl: host.url,
      workspaces: ['*'],
      token: issued.body.token,
    });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const mine = await createApproval(host.url, WS);
    const theirs = await createApproval(host.url, OTHER_WS);
    const options = { timeoutMs: 15_000, pollIntervalMs: POLL_INTERVAL_MS };
    const mineWait = handled(
      bridge.waitForApproval(WS, mine.id, { ...options, pollIntervalMs: 60_000 }),
    );
    const theirsWait = handled(bridge.waitForApproval(OTHER_WS, theirs.id, options));
    await delay(3 * POLL_INTERVAL_MS);
    const decidedMine = await decide(host.url, WS, mine.id, 'approve');
    const decidedTheirs = await decide(host.url, OTHER_WS, theirs.id, 'reject');
    await expect(mineWait).resolves.toEqual(decidedMine);
    await expect(theirsWait).resolves.toEqual(decidedTheirs);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'poll' }),
    ).toBe(1);
  });

  it('with the wrong token, is refused by the bus and falls back to polling', async () => {
    const host = await startHost();
    const worker = await startWorker({
      hostUrl: host.url,
      workspaces: [WS],
      token: 'wrong-token-0123456789abcdef',
    });
    const { manager, bridge, registry } = workerParts(worker);
    const approval = await createApproval(host.url, WS);
    const reads = countStoreReads(host, approval.id);

    const wait = handled(
      bridge.waitForApproval(WS, approval.id, {
        timeoutMs: 15_000,
        pollIntervalMs: POLL_INTERVAL_MS,
      }),
    );
    await eventually('a few polls', () => reads() >= 3);
    expect(manager.isConnected).toBe(false);
    const decided = await decide(host.url, WS, approval.id, 'approve');

    await expect(wait).resolves.toEqual(decided);
    expect(await registryMetric(registry, 'approval_wait_fallback_total')).toBe(1);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'poll' }),
    ).toBe(1);
  });

  it('polls while the bus link is down, ends a wait by polling, and stops polling once the bus is back', async () => {
    // The bus is reached through a TCP relay, so the link can be cut and restored while
    // the host (and its REST API, which the polls need) keeps running with its store.
    const host = await startHost();
    const bus = await startTcpProxy(host.port);
    const worker = await startWorker({ hostUrl: host.url, busUrl: bus.url, workspaces: [WS] });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const missed = await createApproval(host.url, WS, { action: 'decided-while-down' });
    const later = await createApproval(host.url, WS, { action: 'decided-after-reconnect' });
    const missedReads = countStoreReads(host, missed.id);
    const laterReads = countStoreReads(host, later.id);
    const options = { timeoutMs: 15_000, pollIntervalMs: POLL_INTERVAL_MS };
    const missedWait = handled(bridge.waitForApproval(WS, missed.id, options));
    // Three waits on one approval share one poller.
    const laterWaits = [1, 2, 3].map(() => handled(bridge.waitForApproval(WS, later.id, options)));
    await eventually(
      'every wait to have read once',
      () => missedReads() === 1 && laterReads() === 1,
    );
    await delay(3 * POLL_INTERVAL_MS);
    expect(laterReads()).toBe(1); // no polling while the bus is up

    await bus.down();
    await disconnectedFromBus(manager);
    const readsAtCut = laterReads();
    const cutAt = Date.now();
    await eventually('polls of the pending approval', () => laterReads() >= readsAtCut + 3);
    // One poller per approval, however many wait on it: about one read per interval.
    const pollWindowMs = Date.now() - cutAt;
    expect(laterReads() - readsAtCut).toBeLessThanOrEqual(
      Math.ceil(pollWindowMs / (0.9 * POLL_INTERVAL_MS)) + 1,
    );

    const decided = await decide(host.url, WS, missed.id, 'approve');
    await expect(missedWait).resolves.toEqual(decided);
    expect(manager.isConnected).toBe(false); // found by polling, not by an event
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'poll' }),
    ).toBe(1);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(0);

    await bus.up();
    await connectedToBus(manager);
    await delay(3 * POLL_INTERVAL_MS); // reads begun at the reconnect land before the baseline
    const readsAfterReconnect = laterReads();
    await delay(6 * POLL_INTERVAL_MS);
    expect(laterReads()).toBe(readsAfterReconnect); // polling stopped

    const laterDecided = await decide(host.url, WS, later.id, 'reject', { resolvedBy: 'bob' });
    await expect(Promise.all(laterWaits)).resolves.toEqual([
      laterDecided,
      laterDecided,
      laterDecided,
    ]);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
    expect(await registryMetric(registry, 'approval_wait_fallback_total')).toBe(4);
    expect(manager.pendingCount).toBe(0);
  });

  it('survives a host restart on the same port (durable store) and catches the decision it missed', async () => {
    // The in-memory store dies with a host, so both hosts share one: the stand-in for
    // DATABASE_URL. The decision is written while no host runs, so no event ever
    // announces it; the worker can only learn it by reading.
    const repository = new InMemoryApprovalsRepository();
    const first = await startHost({ repository });
    const worker = await startWorker({ hostUrl: first.url, workspaces: [WS] });
    const { manager, bridge, registry } = workerParts(worker);
    await connectedToBus(manager);
    const missed = await createApproval(first.url, WS);
    const later = await createApproval(first.url, WS);
    const missedReads = countStoreReads(repository, missed.id);
    const laterReads = countStoreReads(repository, later.id);
    const options = { timeoutMs: 15_000, pollIntervalMs: POLL_INTERVAL_MS };
    const missedWait = handled(bridge.waitForApproval(WS, missed.id, options));
    const laterWait = handled(bridge.waitForApproval(WS, later.id, options));
    await eventually(
      'both waits to have read once',
      () => missedReads() === 1 && laterReads() === 1,
    );

    await first.close();
    await disconnectedFromBus(manager);
    const decision = await repository.decide(WS, missed.id, {
      status: 'approved',
      resolvedBy: 'alice',
      resolvedAt: new Date().toISOString(),
    });
    expect(decision.outcome).toBe('decided');
    const second = await startHost({ repository, port: first.port });

    await expect(missedWait).resolves.toMatchObject({
      id: missed.id,
      status: 'approved',
      resolvedBy: 'alice',
    });
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'poll' }),
    ).toBe(1);
    await connectedToBus(manager);

    const laterDecided = await decide(second.url, WS, later.id, 'approve');
    await expect(laterWait).resolves.toEqual(laterDecided);
    expect(
      await registryMetric(registry, 'approval_events_received_total', { source: 'remote_bus' }),
    ).toBe(1);
  });
});
