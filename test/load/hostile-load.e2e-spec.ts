import {
  GATEWAY_CONNECT_TIMEOUT_MS,
  GATEWAY_MAX_TRANSPORTS_PER_IP,
} from '@app/approval-events/internal';
import * as http from 'node:http';
import { authAs, hostMetric, type RunningHost, startHost, track } from '../support';
import { type Attack, longPolls, partialRequests, rawTransports } from './support/attacks';
import { CHECKS_FROM, probeHealth, watchHealth } from './support/health-watch';
import { legitWait, pendingWaitPath } from './support/legit-wait';

/** The legitimate agent and approver: another principal decides each legitimate wait. */
const LEGIT = { agent: authAs('agent'), approver: authAs('approver') };

/**
 * The hostile-load probe of issue 19 at CI size: one address (127.0.0.1) attacks, while
 * `/health` and a legitimate agent's long-poll run from another (127.0.0.9), as a load
 * balancer and other clients would. `test/load/probe.ts` runs the same attacks at full size
 * against a host you started (the README's figures).
 */

/**
 * Small caps, so a few hundred sockets reach them at once; a headers timeout longer than an
 * attack takes to open on a loaded machine, so no slot frees up before it has been opened.
 */
const HEADERS_TIMEOUT_MS = 3_000;
const CAPS = {
  HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  HTTP_REQUEST_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  HTTP_MAX_CONNECTIONS_PER_IP: '200',
  HTTP_MAX_WAITS_PER_IP: '50',
};

/** The attack is stopped after the test, whatever happened. */
function tracked<T extends Attack>(attack: T): T {
  track('attack', () => attack.stop());
  return attack;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `/health` from {@link CHECKS_FROM} while `during` runs, and the statuses it answered. */
async function healthDuring(host: RunningHost, during: () => Promise<void>): Promise<unknown[]> {
  // 200 is the claim; up to 5 s to answer allows for a CI machine running other suites.
  const health = watchHealth(host.url, 100, 5_000);
  try {
    await during();
  } finally {
    await health.stop();
  }
  expect(health.probes.length).toBeGreaterThan(3);
  return health.failures.map((probe) => probe.outcome);
}

describe('hostile load from one address', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost({ env: CAPS });
  });

  it('caps half-sent requests per address and closes them at the headers timeout', async () => {
    const failures = await healthDuring(host, async () => {
      const attack = tracked(partialRequests({ url: host.url, count: 600 }));
      await attack.started;
      await until(() => attack.refused >= 400, HEADERS_TIMEOUT_MS, '400 refusals');
      expect(attack.open).toBeLessThanOrEqual(200);
      await expect(legitWait(host.url, 'ws-legit', LEGIT)).resolves.toMatchObject({
        status: 200,
        approvalStatus: 'approved',
      });
      // Checked every second: none outlives its headers timeout by more than a second.
      await until(
        () => attack.open === 0,
        HEADERS_TIMEOUT_MS + 2_000,
        'the half-sent requests to be closed',
      );
      expect(attack.closedByHost).toBe(600 - attack.refused);
    });
    expect(failures).toEqual([]);
  });

  it('answers the long-polls past the per-address cap 429 with Retry-After', async () => {
    const path = await pendingWaitPath(host.url, 'ws-attack', authAs('agent'));
    const failures = await healthDuring(host, async () => {
      const attack = tracked(
        longPolls({ url: host.url, count: 150, path, headers: authAs('agent') }),
      );
      await attack.started;
      await until(() => (attack.statuses.get(429) ?? 0) >= 100, 5_000, '100 answers 429');
      expect(attack.open).toBe(50);
      const refused = await new Promise<http.IncomingMessage>((resolve) =>
        http.get(`${host.url}${path}`, { agent: false, headers: authAs('agent') }, resolve),
      );
      refused.resume();
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('5');
      // Another address's wait is not held up, and resolves when the decision comes.
      await expect(legitWait(host.url, 'ws-legit', LEGIT)).resolves.toMatchObject({
        status: 200,
        approvalStatus: 'approved',
      });
      attack.stop();
      // Each hang-up gives its slot back: the attacker's address may wait again.
      await until(() => attack.open === 0, 1_000, 'the long-polls to close');
      const again = tracked(longPolls({ url: host.url, count: 1, path, headers: authAs('agent') }));
      await again.started;
      expect(again.opened).toBe(1);
    });
    expect(failures).toEqual([]);
  });

  it('bounds raw Socket.io transports per address, closes them unjoined, and counts both', async () => {
    const rejectedBefore = await hostMetric(host.url, 'approval_events_rejected_total', {
      reason: 'unauthorized',
    });
    const failures = await healthDuring(host, async () => {
      const attack = tracked(
        rawTransports({ url: host.url, count: GATEWAY_MAX_TRANSPORTS_PER_IP + 50 }),
      );
      await attack.started;
      expect(attack.opened).toBe(GATEWAY_MAX_TRANSPORTS_PER_IP);
      expect(attack.refused).toBe(50);
      await until(
        () => attack.closedByHost === attack.opened,
        GATEWAY_CONNECT_TIMEOUT_MS + 3_000,
        'the transports that joined no namespace to be closed',
      );
    });
    expect(failures).toEqual([]);
    const rejected =
      (await hostMetric(host.url, 'approval_events_rejected_total', { reason: 'unauthorized' })) -
      rejectedBefore;
    expect(rejected).toBe(GATEWAY_MAX_TRANSPORTS_PER_IP + 50);
  }, 20_000);
});

describe('timeouts a long-poll lives with', () => {
  it('lets a long-poll outlive the request timeout: its request is complete', async () => {
    const host = await startHost({ env: CAPS });
    const path = await pendingWaitPath(
      host.url,
      'ws-slow',
      authAs('agent'),
      HEADERS_TIMEOUT_MS + 1_500,
    );
    const started = Date.now();
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get(
          `${host.url}${path}`,
          { agent: false, localAddress: CHECKS_FROM, headers: authAs('agent') },
          resolve,
        )
        .on('error', reject),
    );
    answer.resume();
    expect(answer.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS + 1_400);
  });

  it('holds no more connections in all than HTTP_MAX_CONNECTIONS', async () => {
    const host = await startHost({
      env: { ...CAPS, HTTP_MAX_CONNECTIONS: '50', HTTP_MAX_CONNECTIONS_PER_IP: '0' },
    });
    const attack = tracked(partialRequests({ url: host.url, count: 120 }));
    await attack.started;
    await until(() => attack.refused >= 70, HEADERS_TIMEOUT_MS, '70 refusals');
    expect(attack.open).toBeLessThanOrEqual(50);
    await until(() => attack.open === 0, HEADERS_TIMEOUT_MS + 2_000, 'the sockets to be closed');
    expect(attack.closedByHost).toBe(120 - attack.refused);
    await expect(probeHealth(host.url)).resolves.toMatchObject({ outcome: 200 });
  });
});
