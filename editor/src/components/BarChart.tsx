/** Horizontal bars drawn by hand in SVG: one bar per label, the value written at its end. */
export interface Bar {
  label: string;
  value: number;
  /** the value as shown, e.g. "$1,980.00" */
  display: string;
}

export interface BarChartProps {
  title: string;
  bars: Bar[];
}

const ROW = 26;
const LABEL_WIDTH = 130;
const WIDTH = 420;
const VALUE_WIDTH = 90;

export function BarChart({ title, bars }: BarChartProps) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = bars.length * ROW + 8;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.display}`).join(", ")}`} viewBox={`0 0 ${WIDTH} ${height}`} width="100%">
        {bars.map((b, i) => {
          const y = 4 + i * ROW;
          const w = max > 0 ? Math.max(0, (b.value / max) * plot) : 0;
          return (
            <g key={b.label}>
              <text x={LABEL_WIDTH - 6} y={y + ROW / 2 + 4} textAnchor="end" className="chart-label">
                {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
              </text>
              <rect x={LABEL_WIDTH} y={y + 3} width={w} height={ROW - 8} className="bar">
                <title>{`${b.label}: ${b.display}`}</title>
              </rect>
              <text x={LABEL_WIDTH + w + 6} y={y + ROW / 2 + 4} className="chart-value">
                {b.display}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
