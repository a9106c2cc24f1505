import {
  ApprovalEventManager,
  ApprovalEventsShutdownError,
  ApprovalQueueBridge,
} from '@app/approval-events';
import {
  approvalsPath,
  authAs,
  connectedToBus,
  createApproval,
  eventually,
  handled,
  hostMetric,
  rawGet,
  rawRequest,
  startHost,
  startWorker,
} from './support';

const WS = 'ws-shutdown';
/** Far longer than the bound below, so a wait that only ended by timing out would fail. */
const LONG_WAIT_MS = 60_000;
const CLOSE_BOUND_MS = 5_000;

/** `promise`, or a rejection naming `what` if it takes longer than `ms`. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('Shutdown with waits pending', () => {
  it('ends the long polls in flight when the host closes: an answer or a closed connection, not a hang', async () => {
    const host = await startHost();
    const approval = await createApproval(host.url, WS);
    const polls = Array.from({ length: 3 }, () =>
      rawGet(
        `${host.url}${approvalsPath(WS, approval.id, 'wait')}?timeoutMs=${LONG_WAIT_MS}`,
        authAs('agent'),
      ),
    );
    const agent = rawRequest(
      'POST',
      `${host.url}/api/workspaces/${WS}/agents/email`,
      { to: 'bob@example.com', subject: 'Hi', timeoutMs: LONG_WAIT_MS },
      authAs('agent'),
    );
    await eventually(
      'four waits in progress',
      async () => (await hostMetric(host.url, 'approval_waits_pending')) === 4,
    );
    const manager = host.app.get(ApprovalEventManager);

    const closing = handled(host.close());
    const [pollOutcomes, agentOutcome] = await within(
      'ending the requests in flight',
      CLOSE_BOUND_MS,
      Promise.all([Promise.all(polls.map((call) => call.outcome)), agent.outcome]),
    );

    for (const outcome of pollOutcomes) {
      // "Shutting down; wait again" (503) or a dropped connection are both fine; an answer
      // claiming a decision that never happened is not.
      if (outcome.kind === 'response') expect(outcome.status).toBe(503);
    }
    expect(agentOutcome.kind === 'closed' || agentOutcome.status !== 200).toBe(true);
    await within('closing the host', CLOSE_BOUND_MS, closing);
    expect(manager.pendingCount).toBe(0);
  });

  it('rejects a worker’s pending waitForApproval with ApprovalEventsShutdownError when the worker closes', async () => {
    const host = await startHost();
    const worker = await startWorker({ hostUrl: host.url, workspaces: [WS] });
    const manager = worker.app.get(ApprovalEventManager);
    await connectedToBus(manager);
    const approval = await createApproval(host.url, WS);
    const waits = [1, 2].map(() =>
      handled(
        worker.app
          .get(ApprovalQueueBridge)
          .waitForApproval(WS, approval.id, { timeoutMs: LONG_WAIT_MS }),
      ),
    );
    await eventually('both waits in progress', () => manager.pendingCount === 2);

    await within('closing the worker', CLOSE_BOUND_MS, worker.close());

    for (const wait of waits) {
      await expect(wait).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
      await expect(wait).rejects.toMatchObject({ name: 'ApprovalEventsShutdownError' });
    }
    expect(manager.pendingCount).toBe(0);
  });

  it('closes a worker that is polling because the bus is down, leaving nothing open', async () => {
    const host = await startHost();
    const worker = await startWorker({
      hostUrl: host.url,
      workspaces: [WS],
      token: 'refused-token-0123456789',
    });
    const manager = worker.app.get(ApprovalEventManager);
    const approval = await createApproval(host.url, WS);
    const wait = handled(
      worker.app
        .get(ApprovalQueueBridge)
        .waitForApproval(WS, approval.id, { timeoutMs: LONG_WAIT_MS, pollIntervalMs: 50 }),
    );
    await eventually('the wait', () => manager.pendingCount === 1);
    expect(manager.isConnected).toBe(false);

    await within('closing the worker', CLOSE_BOUND_MS, worker.close());

    await expect(wait).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
    // --detectOpenHandles fails the run if a poll timer or socket outlived the worker.
  });
});
