import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  colour: string;
  /** One value per x (null: a gap). */
  values: (number | null)[];
  /** Drawn as bars rather than a line. */
  bars?: boolean;
  /** A second y axis (on the right) for this series. */
  scale?: string;
  /** A fixed range for its axis (percentages: 0–100) instead of one fitted to the values. */
  range?: [number, number];
}

/** A ratio 0–1 as a percentage for a table ("97.3 %"; "—" when unknown). */
export const percent = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)} %`);

/** The x of a day bucket (`YYYY-MM-DD`, a local day): its midday, in Unix seconds. */
export const dayX = (day: string) => Date.parse(`${day}T12:00:00`) / 1000;

/** A series of ratios 0–1 (null: unknown) drawn as percentages on a 0–100 axis. */
export const percentSeries = (label: string, colour: string, ratios: (number | null)[]): Series => ({
  label,
  colour,
  range: [0, 100],
  values: ratios.map((r) => (r == null ? null : r * 100)),
});

/**
 * A time chart (uPlot): x in Unix seconds, one or two y scales. Redrawn when the data change; sized
 * to its container's width.
 */
export function TimeChart({
  x,
  series,
  height = 220,
  testId,
}: {
  x: number[];
  series: Series[];
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height,
        scales: {
          x: { time: true },
          ...Object.fromEntries(
            series.filter((s) => s.range).map((s) => [s.scale ?? 'y', { range: s.range }]),
          ),
        },
        axes: [
          // Time labels ("10:45pm") are wide: at least 80 px apart, so they never run together.
          { space: 80 },
          ...scales.map((scale, i) => ({
            scale,
            side: i === 0 ? 3 : 1,
            label: series.find((s) => (s.scale ?? 'y') === scale)!.label,
            grid: { show: i === 0 },
          })),
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            fill: s.bars ? `${s.colour}55` : undefined,
            scale: s.scale ?? 'y',
            paths: s.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
            points: { show: true, size: x.length > 60 ? 3 : 5 },
          })),
        ],
      },
      // One point (a first clearing, say) would get an x range of years: empty hours either side.
      (x.length === 1
        ? [[x[0]! - 3600, x[0]!, x[0]! + 3600], ...series.map((s) => [null, s.values[0] ?? null, null])]
        : [x, ...series.map((s) => s.values)]) as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [x, series, height]);
  return <div className="chart" ref={box} data-testid={testId} data-points={x.length} />;
}
