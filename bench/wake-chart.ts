import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { RESULTS_DIR } from './report';
import { percentile } from './stats';

/** One line of the chart: wake latencies in microseconds, sorted ascending. */
export interface LatencySeries {
  readonly label: string;
  readonly sortedUs: readonly number[];
  /** A CSS colour; the series are told apart by colour first, dashes second. */
  readonly color: string;
  /** Drawn dashed: a peer, beside the solid lines of the library itself. */
  readonly dashed?: boolean;
}

interface CurvePoint {
  readonly series: string;
  /** `1 / (1 - p)`: 1 at the minimum, 10 at p90, 1 000 at p99.9, so the tail gets room. */
  readonly x: number;
  readonly percentile: number;
  readonly us: number;
}

/** Points per decade of `1 / (1 - p)`: smooth enough, and a small SVG. */
const POINTS_PER_DECADE = 20;

/**
 * Percentiles from 0 up to the highest one the samples can tell apart (p99.9 for 1 000), at
 * even steps of `log10(1 / (1 - p))`. A value of 0 (a simulated clock's same-millisecond
 * wake) cannot sit on a log axis, so it is left out.
 */
function percentileCurve({ label, sortedUs }: LatencySeries): CurvePoint[] {
  const steps = Math.floor(POINTS_PER_DECADE * Math.log10(sortedUs.length));
  const points: CurvePoint[] = [];
  for (let step = 0; step <= steps; step++) {
    const x = 10 ** (step / POINTS_PER_DECADE);
    const p = 100 - 100 / x;
    const us = percentile(sortedUs, p);
    if (us > 0) points.push({ series: label, x, percentile: p, us });
  }
  return points;
}

/** Powers of ten from just below `min` to just above `max`: the axis's domain and ticks. */
function decades(min: number, max: number): number[] {
  const values: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
    values.push(10 ** exp);
  }
  return values;
}

/** Color and dashes share one legend: same field, same (absent) title, same layout. */
const LEGEND = {
  title: null,
  orient: 'bottom',
  direction: 'vertical',
  labelLimit: 600,
  symbolSize: 500,
  symbolStrokeWidth: 2,
} as const;

/** `1 µs`, `10 ms`, `5 s`: microseconds as a reader would say them. */
const DURATION_LABEL =
  "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' s'" +
  " : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' ms'" +
  " : format(datum.value, '~g') + ' µs'";

/**
 * The Vega-Lite spec: one line per series, both axes logarithmic, the legend below. Without
 * a canvas, Vega estimates text widths generously (0.8 em a character) and sizes the SVG to
 * fit, so titles stay short and the subtitle comes in lines.
 */
export function wakeChartSpec(
  series: readonly LatencySeries[],
  title: string,
  subtitle: readonly string[],
): TopLevelSpec {
  const labels = series.map((s) => s.label);
  const points = series.flatMap(percentileCurve);
  const yTicks = decades(
    Math.min(...points.map((p) => p.us)),
    Math.max(...points.map((p) => p.us)),
  );
  const xTicks = [1, 2, 10, 100, 1_000].filter((x) => x <= Math.max(...points.map((p) => p.x)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: [...subtitle], anchor: 'start', subtitleColor: '#444' },
    width: 640,
    height: 380,
    background: 'white',
    padding: 12,
    data: { values: points },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        scale: { type: 'log', domain: [1, xTicks.at(-1)!], nice: false },
        axis: {
          title: 'percentile of waits woken (log scale of 1 / (1 − p))',
          values: xTicks,
          labelExpr: "format(100 - 100 / datum.value, '.3~f') + '%'",
          grid: true,
        },
      },
      y: {
        field: 'us',
        type: 'quantitative',
        scale: { type: 'log', domain: [yTicks[0], yTicks.at(-1)!], nice: false },
        axis: {
          title: 'wake latency (log scale)',
          values: yTicks,
          labelExpr: DURATION_LABEL,
          grid: true,
        },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: labels, range: series.map((s) => s.color) },
        legend: LEGEND,
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        scale: { domain: labels, range: series.map((s) => (s.dashed ? [6, 3] : [1, 0])) },
        legend: LEGEND,
      },
    },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12 },
    },
  };
}

/** Renders the chart with Vega's headless SVG renderer (no browser, no canvas) to `file`. */
export async function writeWakeChart(
  series: readonly LatencySeries[],
  title: string,
  subtitle: readonly string[],
  file = join(RESULTS_DIR, 'wake-latency.svg'),
): Promise<string> {
  const view = new View(parse(compile(wakeChartSpec(series, title, subtitle)).spec), {
    renderer: 'none',
  });
  try {
    await writeFile(file, `${await view.toSVG()}\n`);
  } finally {
    view.finalize();
  }
  return file;
}
