import type { Registry } from 'prom-client';

/**
 * The value of one sample in Prometheus text, e.g.
 * `sample(text, 'approval_events_received_total', { source: 'gateway' })`; 0 when absent
 * (prom-client omits labelled series never incremented).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (wanted.every((label) => present.includes(label)) && present.length === wanted.length) {
      return Number(match[3]);
    }
  }
  return 0;
}

/** One sample from a registry in this process. */
export async function registryMetric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return sample(await registry.metrics(), name, labels);
}
