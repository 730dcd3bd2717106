/**
 * Pricing by simulation (`obc simulate` in the editor): the assumptions, a "Simulate" button
 * that runs engine/fast/simulate.ts in the worker, the CLI's table (total per cohort, per
 * student, per clause; how often each cap binds) and a histogram of the total per cohort.
 */
import { useId, useState } from "react";
import { formatMoney } from "../money.ts";
import type { SimulateMessage, SimulationOptions } from "../service/protocol.ts";
import { EDITOR_SIM_DEFAULTS, parseSimulationForm, SIM_BINS, type SimFormKey } from "../service/simulation.ts";
import { Histogram } from "./Histogram.tsx";

export interface SimulationPanelProps {
  /** simulates the current text in the worker */
  onSimulate: (options: SimulationOptions) => Promise<SimulateMessage>;
  currency?: string;
}

const D = EDITOR_SIM_DEFAULTS;
const FIELDS = [
  { key: "cohort", label: "Cohort size (students)", initial: String(D.cohort) },
  { key: "runs", label: "Runs (simulated cohorts)", initial: String(D.runs) },
  { key: "seed", label: "Seed", initial: String(D.seed) },
  { key: "baseline", label: "Baseline score (mean, sd)", initial: `${D.baseline.mean}, ${D.baseline.sd}` },
  { key: "growth", label: "Growth in score points (mean, sd)", initial: `${D.growth.mean}, ${D.growth.sd}` },
  { key: "attendance", label: "Attendance and other counts (mean, sd)", initial: `${D.attendance.mean}, ${D.attendance.sd}` },
  { key: "missing", label: "Share of optional values missing", initial: String(D.missing) },
  { key: "pTrue", label: "Chance a yes/no value is true", initial: String(D.pTrue) },
] as const;
type Key = SimFormKey;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function SimulationPanel({ onSimulate, currency }: SimulationPanelProps) {
  const base = useId();
  const [values, setValues] = useState<Record<Key, string>>(() => Object.fromEntries(FIELDS.map((f) => [f.key, f.initial])) as Record<Key, string>);
  const [running, setRunning] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [answer, setAnswer] = useState<SimulateMessage>();

  const run = async () => {
    const options = parseSimulationForm(values);
    if (typeof options === "string") {
      setFormError(options);
      return;
    }
    setFormError(undefined);
    setRunning(true);
    try {
      setAnswer(await onSimulate(options));
    } finally {
      setRunning(false);
    }
  };

  const r = answer?.result;
  const cur = r?.contract.currency ?? currency;
  const money = (s: string) => formatMoney(s, cur);
  const rows = r
    ? [
        { label: "total per cohort", s: r.total, id: "total" },
        { label: "per student", s: r.perStudent, id: "student" },
        ...Object.entries(r.byClause).map(([id, s]) => ({ label: `clause ${id} (per cohort)`, s, id: `clause-${id}` })),
      ]
    : [];

  return (
    <section className="simulation" aria-labelledby={`${base}-heading`}>
      <h2 id={`${base}-heading`}>Pricing by simulation</h2>
      <p className="small">Draws synthetic cohorts from these assumptions and runs the contract on each (as <code>obc simulate</code>). The same seed gives the same result.</p>
      <form
        className="run-form sim-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        {FIELDS.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`${base}-${f.key}`}>{f.label}</label>
            <input
              id={`${base}-${f.key}`}
              name={f.key}
              type="text"
              inputMode={f.key === "baseline" || f.key === "growth" || f.key === "attendance" ? "text" : "decimal"}
              value={values[f.key]}
              onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
            />
          </div>
        ))}
        <button type="submit" className="primary" disabled={running}>
          {running ? "Simulating…" : "Simulate"}
        </button>
      </form>
      <div aria-live="polite">
        {formError && <p className="error-text" role="alert">{formError}</p>}
        {answer?.error && <p className="error-text" role="alert">{answer.error}</p>}
        {r && (
          <div className="sim-results">
            <p className="small" data-testid="sim-heading">
              {r.contract.title}
              {r.contract.version ? ` (version ${r.contract.version})` : ""}: {r.assumptions.runs} simulated cohorts of {r.assumptions.cohort} students, seed {r.assumptions.seed}
              {answer.ms ? ` (${(answer.ms / 1000).toFixed(1)} s)` : ""}
            </p>
            <table className="sim-table">
              <caption>What the contract pays, over the simulated cohorts</caption>
              <thead>
                <tr>
                  <th scope="col"><span className="sr-only">figure</span></th>
                  <th scope="col">mean</th>
                  <th scope="col">5th pct</th>
                  <th scope="col">median</th>
                  <th scope="col">95th pct</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} data-row={row.id}>
                    <th scope="row">{row.label}</th>
                    <td className="num" data-testid={row.id === "total" ? "sim-total-mean" : undefined}>{money(row.s.mean)}</td>
                    <td className="num">{money(row.s.p5)}</td>
                    <td className="num">{money(row.s.p50)}</td>
                    <td className="num">{money(row.s.p95)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.caps.length > 0 && (
              <table className="sim-caps">
                <caption>How often each cap binds</caption>
                <thead>
                  <tr>
                    <th scope="col">cap</th>
                    <th scope="col">binds in</th>
                    <th scope="col">students at the cap</th>
                  </tr>
                </thead>
                <tbody>
                  {r.caps.map((k) => (
                    <tr key={k.cap}>
                      <th scope="row">{k.cap}</th>
                      <td className="num">{pct(k.bindsInRuns)} of cohorts</td>
                      <td className="num">{k.studentsAtCap !== undefined ? pct(k.studentsAtCap) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {r.divisionsByZero > 0 && <p className="small">Note: {r.divisionsByZero} divisions by zero were read as missing values.</p>}
            {answer.totals && (
              <div className="sim-histogram">
                <Histogram
                  title="Total paid per simulated cohort"
                  values={answer.totals}
                  bins={SIM_BINS}
                  unit={["cohort", "cohorts"]}
                  axisLabel="total per cohort"
                />
              </div>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
