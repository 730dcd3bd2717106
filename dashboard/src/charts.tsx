/**
 * The dashboard's charts, drawn in SVG with no chart library: amounts over time, forecast
 * ranges, an escalation timeline and bars by subgroup. Amounts arrive as decimal strings; they
 * are turned into numbers only to place marks, never to print them.
 */
import { money, short } from "./format.ts";

const W = 720;

interface Line {
  name: string;
  className: string;
  values: (number | null)[];
}

/** Amounts per date, one polyline each (a missing value breaks the line). */
export function LineChart({ labels, lines, currency, title }: { labels: string[]; lines: Line[]; currency: string; title: string }) {
  const H = 220;
  const pad = { l: 70, r: 34, t: 16, b: 36 };
  const max = Math.max(1, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null)));
  const x = (i: number) => pad.l + (labels.length <= 1 ? 0 : (i * (W - pad.l - pad.r)) / (labels.length - 1));
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return (
    <figure className="chart" data-testid="chart-over-time">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="grid" />
            <text x={pad.l - 6} y={y(t) + 4} className="axis" textAnchor="end">
              {short(t, currency)}
            </text>
          </g>
        ))}
        {labels.map((l, i) => (
          <text key={l} x={x(i)} y={H - pad.b + 16} className="axis" textAnchor="middle">
            {l.slice(0, 7)}
          </text>
        ))}
        {lines.map((line) => {
          const segments: string[][] = [[]];
          line.values.forEach((v, i) => {
            if (v === null) segments.push([]);
            else segments[segments.length - 1]!.push(`${x(i)},${y(v)}`);
          });
          return (
            <g key={line.name} className={line.className}>
              {segments.filter((s) => s.length > 0).map((s, k) => (
                <polyline key={k} points={s.join(" ")} fill="none" />
              ))}
              {line.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={3} />))}
            </g>
          );
        })}
      </svg>
      <div className="legend">
        {lines.map((l) => (
          <span key={l.name} className={`key ${l.className}`}>
            {l.name}
          </span>
        ))}
      </div>
    </figure>
  );
}

export interface RangeRow {
  label: string;
  p5: number;
  p95: number;
  expected: number;
  certain: number;
  /** what the latest drop earns now */
  earned?: number;
}

/** Forecast ranges: a bar from the 5th to the 95th percentile, a dot at the expected value, a tick at the certain part. */
export function RangeChart({ rows, currency, title }: { rows: RangeRow[]; currency: string; title: string }) {
  const rowH = 22;
  const pad = { l: 190, r: 20, t: 10, b: 28 };
  const H = pad.t + pad.b + rows.length * rowH;
  const max = Math.max(1, ...rows.map((r) => r.p95));
  const x = (v: number) => pad.l + (v / max) * (W - pad.l - pad.r);
  return (
    <figure className="chart narrow" data-testid="chart-forecast">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {[0, 0.5, 1].map((f) => (
          <text key={f} x={x(f * max)} y={H - 8} className="axis" textAnchor="middle">
            {short(f * max, currency)}
          </text>
        ))}
        {rows.map((r, i) => {
          const cy = pad.t + i * rowH + rowH / 2;
          return (
            <g key={r.label}>
              <text x={pad.l - 8} y={cy + 4} className="axis" textAnchor="end">
                {r.label}
              </text>
              <rect x={x(r.p5)} y={cy - 5} width={Math.max(1, x(r.p95) - x(r.p5))} height={10} className="range" />
              <line x1={x(r.certain)} x2={x(r.certain)} y1={cy - 8} y2={cy + 8} className="certain" />
              <circle cx={x(r.expected)} cy={cy} r={4} className="expected">
                <title>{`${r.label}: expected ${money(r.expected.toFixed(2), currency)}, 90% between ${money(r.p5.toFixed(2), currency)} and ${money(r.p95.toFixed(2), currency)}`}</title>
              </circle>
            </g>
          );
        })}
      </svg>
      <div className="legend">
        <span className="key range">90% range</span>
        <span className="key expected">expected</span>
        <span className="key certain">already certain</span>
      </div>
    </figure>
  );
}

/** Escalation levels per checkpoint: one cell per period, darker for higher levels. */
export function Timeline({ name, checkpoints }: { name: string; checkpoints: { period: string; level: number; actions: string[]; withholding?: string; terminationRight: boolean }[] }) {
  return (
    <figure className="chart" data-testid="chart-escalation">
      <figcaption>Escalation “{name}”: level at each checkpoint</figcaption>
      <div className="timeline">
        {checkpoints.map((c) => (
          <div key={c.period} className={`cell level-${Math.min(c.level, 4)}`} title={[`${c.period}: level ${c.level}`, ...c.actions, c.withholding ? `withholding: ${c.withholding}` : "", c.terminationRight ? "may terminate" : ""].filter(Boolean).join("\n")}>
            <span className="period">{c.period}</span>
            <span className="level">{c.level}</span>
          </div>
        ))}
        {checkpoints.length === 0 && <p className="muted">No checkpoint yet.</p>}
      </div>
    </figure>
  );
}

export interface Bar {
  group: string;
  value: number | null;
  label: string;
}

/** Bars per group of a dimension; a suppressed group shows as such, never as zero. */
export function Bars({ title, bars }: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  return (
    <div className="bars" data-testid="chart-equity">
      <h4>{title}</h4>
      {bars.map((b) => (
        <div key={b.group} className="bar-row">
          <span className="group">{b.group}</span>
          {b.value === null ? (
            <span className="suppressed">suppressed (fewer than the minimum)</span>
          ) : (
            <span className="bar" style={{ width: `${Math.max(2, (b.value / max) * 60)}%` }} />
          )}
          <span className="value">{b.label}</span>
        </div>
      ))}
    </div>
  );
}
