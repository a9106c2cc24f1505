/**
 * The full-size hostile-load probe of issue 19, by hand, against a host you started:
 *
 *   ulimit -n 65536   # the probe's own sockets need descriptors too (raise as root if need be)
 *   node -r ts-node/register/transpile-only test/load/probe.ts \
 *     --url http://127.0.0.1:3000 --attack partial --count 22500 --hold 75
 *
 * `--attack` is `partial` (sockets that sent half a request), `long-poll` (waits on one
 * pending approval, each on its own connection) or `raw` (Socket.io transports that never
 * join a namespace). The attack comes from 127.0.0.1; `/health` and a legitimate wait are
 * checked from 127.0.0.9 all along. `--api-key` is sent on the REST
 * calls when the host wants one. Loopback only: the probe refuses any other target.
 * Prints one JSON line a second and a summary; everything it opened is closed at the end.
 */
import { parseArgs } from 'node:util';
import { type Attack, longPolls, partialRequests, rawTransports } from './support/attacks';
import { watchHealth } from './support/health-watch';
import { legitWait, pendingWaitPath } from './support/legit-wait';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    attack: { type: 'string', default: 'partial' },
    count: { type: 'string', default: '22500' },
    hold: { type: 'string', default: '75' },
    /** The agent's key (`AGENT_KEY` from `npm start`'s log by default). */
    'api-key': { type: 'string', default: process.env.AGENT_KEY },
    /** The approver's key, for the legitimate waits' decisions (`APPROVER_KEY` by default). */
    'approver-key': { type: 'string', default: process.env.APPROVER_KEY },
  },
});

const url = values.url.replace(/\/$/, '');
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(url)) {
  throw new Error('The probe only targets a host on this machine (127.0.0.0/8, localhost, [::1])');
}
if (!values['api-key'] || !values['approver-key']) {
  throw new Error('Give --api-key and --approver-key (or AGENT_KEY and APPROVER_KEY) of the host');
}
const headers = { 'x-api-key': values['api-key'] };
const credentials = { agent: headers, approver: { 'x-api-key': values['approver-key'] } };
const target = { url, count: Number(values.count) };

async function launch(): Promise<Attack> {
  switch (values.attack) {
    case 'partial':
      return partialRequests(target);
    case 'long-poll':
      return longPolls({ ...target, headers, path: await pendingWaitPath(url, 'probe', headers) });
    case 'raw':
      return rawTransports(target);
    default:
      throw new Error(`--attack must be partial, long-poll or raw, not ${values.attack}`);
  }
}

/** How many waits ended with each status (`reset`, `timeout`, 429, ...). */
function countBy(waits: { status: number | string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of waits) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

async function main(): Promise<void> {
  const health = watchHealth(url);
  const start = Date.now();
  const attack = await launch();
  const seconds = () => Math.round((Date.now() - start) / 1000);
  const ticker = setInterval(() => {
    const failures = health.failures.length;
    console.log(
      JSON.stringify({
        s: seconds(),
        opened: attack.opened,
        refused: attack.refused,
        closedByHost: attack.closedByHost,
        open: attack.open,
        statuses: Object.fromEntries(attack.statuses),
        healthProbes: health.probes.length,
        healthFailures: failures,
      }),
    );
  }, 1_000);
  await attack.started;
  const startedAfterS = seconds();
  const waits = [];
  while (Date.now() - start < Number(values.hold) * 1000) {
    waits.push(await legitWait(url, 'probe-legit', credentials));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  clearInterval(ticker);
  attack.stop();
  await health.stop();
  console.log(
    JSON.stringify(
      {
        attack: values.attack,
        count: target.count,
        allAttemptsMadeAfterS: startedAfterS,
        opened: attack.opened,
        refused: attack.refused,
        closedByHost: attack.closedByHost,
        statuses: Object.fromEntries(attack.statuses),
        health: {
          probes: health.probes.length,
          failures: health.failures.length,
          longestOutageMs: health.longestOutageMs,
        },
        legitWaits: {
          tried: waits.length,
          wokenApproved: waits.filter((wait) => wait.approvalStatus === 'approved').length,
          failed: countBy(waits.filter((wait) => wait.approvalStatus !== 'approved')),
          slowestWakeMs: Math.max(0, ...waits.map((wait) => wait.wakeMs ?? 0)),
        },
      },
      null,
      2,
    ),
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
