import * as http from 'node:http';

export interface HealthProbe {
  /** Status, or `reset`/`timeout` when the host never answered, and how long it took. */
  outcome: number | 'reset' | 'timeout';
  ms: number;
}

export interface HealthWatch {
  readonly probes: readonly HealthProbe[];
  /** Probes that did not answer 200. */
  readonly failures: readonly HealthProbe[];
  /** Longest run of consecutive failed probes, in ms of wall time. */
  readonly longestOutageMs: number;
  stop(): Promise<void>;
}

/**
 * Where a probe's own checks come from: another address than the attack's (127.0.0.1), as
 * a load balancer's health check is another client than the attacker. Any 127.x.y.z is
 * this machine on Linux.
 */
export const CHECKS_FROM = '127.0.0.9';

/** One `GET /health` on a fresh connection, as a load balancer's check would make it. */
export function probeHealth(url: string, timeoutMs = 2_000): Promise<HealthProbe> {
  const start = Date.now();
  return new Promise((resolve) => {
    const options = { agent: false, timeout: timeoutMs, localAddress: CHECKS_FROM };
    const request = http.get(`${url}/health`, options, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ outcome: response.statusCode ?? 0, ms: Date.now() - start }),
      );
    });
    request.on('timeout', () => {
      request.destroy();
      resolve({ outcome: 'timeout', ms: Date.now() - start });
    });
    request.on('error', () => resolve({ outcome: 'reset', ms: Date.now() - start }));
  });
}

/**
 * Checks `/health` every `intervalMs` until stopped, one probe at a time, each given
 * `timeoutMs` to answer, and keeps every answer: what an orchestrator would see of the host
 * during an attack.
 */
export function watchHealth(url: string, intervalMs = 250, timeoutMs = 2_000): HealthWatch {
  const probes: (HealthProbe & { at: number })[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      probes.push({ ...(await probeHealth(url, timeoutMs)), at });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    probes,
    get failures() {
      return probes.filter((probe) => probe.outcome !== 200);
    },
    get longestOutageMs() {
      let longest = 0;
      let since: number | undefined;
      for (const probe of probes) {
        if (probe.outcome === 200) since = undefined;
        else {
          since ??= probe.at;
          longest = Math.max(longest, probe.at + probe.ms - since);
        }
      }
      return longest;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
