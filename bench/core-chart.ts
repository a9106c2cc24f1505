import { loadavg } from 'node:os';
import { CONTENDER_LABELS, type ContenderName } from './wait-contenders';
import { PEER_PENDING, type ContenderFigures } from './wait-peers';
import { writeWakeChart, type LatencySeries } from './wake-chart';

/** How each line of the chart looks: the library solid, the peers dashed. */
const CHART_LINES: readonly { name: ContenderName; label: string; color: string }[] = [
  { name: 'bridge', label: `events, in-process bus: ${CONTENDER_LABELS.bridge}`, color: '#1f4e9c' },
  { name: 'manager', label: CONTENDER_LABELS.manager, color: '#8c3bbf' },
  { name: 'map', label: `peer: ${CONTENDER_LABELS.map}`, color: '#666666' },
  { name: 'eventemitter2', label: `peer: ${CONTENDER_LABELS.eventemitter2}`, color: '#d62728' },
  { name: 'rxjs', label: `peer: ${CONTENDER_LABELS.rxjs}`, color: '#e69500' },
];

/**
 * The `core` suite's picture, `bench/results/wake-latency.svg`: each contender's dispatch
 * times with {@link PEER_PENDING} pending, and the polling baseline's simulated wakes.
 * Returns the file written.
 */
export function drawWakeChart(
  peers: Readonly<Record<ContenderName, ContenderFigures>>,
  pollingUs: readonly number[],
): Promise<string> {
  const series: LatencySeries[] = CHART_LINES.map(({ name, label, color }) => ({
    label,
    color,
    dashed: name !== 'bridge' && name !== 'manager',
    sortedUs: peers[name].sortedDispatchUs,
  }));
  series.push({
    label: 'polling every 5 s: the bridge with useEvents: false (simulated clock)',
    color: '#2ca02c',
    sortedUs: pollingUs,
  });
  return writeWakeChart(
    series,
    `Wake latency by percentile, ${PEER_PENDING.toLocaleString('en').replace(/,/g, ' ')} waits pending`,
    [
      'from the resolution event to the waiting code resuming; each wait on its own',
      `approval, one process per contender; Node ${process.versions.node.split('.')[0]}, a shared 2-core`,
      `machine (1-minute load average ${loadavg()[0].toFixed(1)} when drawn)`,
    ],
  );
}
