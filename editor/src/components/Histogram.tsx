/** A histogram drawn by hand in SVG: how many students fall in each range of totals. */
import { formatMoney } from "../money.ts";

export interface HistogramProps {
  title: string;
  /** the values, in dollars */
  values: number[];
  bins?: number;
  /** what is counted: singular and plural (default students) */
  unit?: [string, string];
  /** the label under the axis (default "total per student") */
  axisLabel?: string;
}

const WIDTH = 420;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 40 };

export function histogramBins(values: number[], count: number): { from: number; to: number; n: number }[] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo === hi) return [{ from: lo, to: hi, n: values.length }];
  const step = (hi - lo) / count;
  const bins = Array.from({ length: count }, (_, i) => ({ from: lo + i * step, to: lo + (i + 1) * step, n: 0 }));
  for (const v of values) bins[Math.min(count - 1, Math.floor((v - lo) / step))]!.n++;
  return bins;
}

export function Histogram({ title, values, bins = 8, unit = ["student", "students"], axisLabel = "total per student" }: HistogramProps) {
  const data = histogramBins(values, bins);
  const maxN = Math.max(1, ...data.map((b) => b.n));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = data.length > 0 ? plotW / data.length : 0;
  const label = (b: { from: number; to: number }) => `${formatMoney(b.from.toFixed(2))}–${formatMoney(b.to.toFixed(2))}`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}: ${data.map((b) => `${b.n} ${unit[1]} from ${label(b)}`).join("; ")}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%">
        <line x1={PAD.left} y1={PAD.top + plotH} x2={WIDTH - PAD.right} y2={PAD.top + plotH} className="axis" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + plotH} className="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="chart-label">{maxN}</text>
        <text x={PAD.left - 4} y={PAD.top + plotH} textAnchor="end" className="chart-label">0</text>
        {data.map((b, i) => {
          const h = (b.n / maxN) * plotH;
          const x = PAD.left + i * barW;
          return (
            <g key={i}>
              <rect x={x + 2} y={PAD.top + plotH - h} width={Math.max(1, barW - 4)} height={h} className="bar">
                <title>{`${b.n} ${b.n === 1 ? unit[0] : unit[1]}: ${label(b)}`}</title>
              </rect>
              {b.n > 0 && (
                <text x={x + barW / 2} y={PAD.top + plotH - h - 3} textAnchor="middle" className="chart-value">{b.n}</text>
              )}
            </g>
          );
        })}
        {data.length > 0 && (
          <>
            <text x={PAD.left} y={HEIGHT - PAD.bottom + 16} className="chart-label">{formatMoney(data[0]!.from.toFixed(2))}</text>
            <text x={WIDTH - PAD.right} y={HEIGHT - PAD.bottom + 16} textAnchor="end" className="chart-label">{formatMoney(data[data.length - 1]!.to.toFixed(2))}</text>
            <text x={PAD.left + plotW / 2} y={HEIGHT - 6} textAnchor="middle" className="chart-label">{axisLabel}</text>
          </>
        )}
      </svg>
    </figure>
  );
}
