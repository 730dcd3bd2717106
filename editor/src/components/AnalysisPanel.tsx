/**
 * What the contract can cost, from its text alone: the most and least one student can earn,
 * each clause's range, and the exposure for a cohort size the user types.
 */
import { useId } from "react";
import { formatMoney, fromCents, toCents } from "../money.ts";
import type { BoundsDTO } from "../service/protocol.ts";

export interface AnalysisPanelProps {
  bounds?: BoundsDTO;
  currency?: string;
  /** the cohort size as typed (shared with the summary's exposure figures) */
  cohort: string;
  onCohortChange: (value: string) => void;
}

function yesNo(value: boolean | undefined, yes: string, no: string, unknown: string): string {
  return value === undefined ? unknown : value ? yes : no;
}

export function AnalysisPanel({ bounds, currency, cohort, onCohortChange }: AnalysisPanelProps) {
  const inputId = useId();
  if (!bounds) return <p className="muted">The analysis appears once the text holds a contract.</p>;

  const n = /^\d+$/.test(cohort.trim()) ? BigInt(cohort.trim()) : undefined;
  const exposure = bounds.maxPerStudent !== undefined && n !== undefined ? fromCents(toCents(bounds.maxPerStudent) * n) : undefined;
  const studentCapBinds =
    bounds.studentCap === undefined ? false : bounds.uncappedMax === undefined ? true : toCents(bounds.uncappedMax) > toCents(bounds.studentCap);
  const contractCapBinds =
    bounds.contractCap === undefined ? false : exposure === undefined ? (n === undefined ? undefined : true) : toCents(exposure) > toCents(bounds.contractCap);
  const money = (m: string | undefined) => formatMoney(m, currency);

  return (
    <section className="analysis" aria-labelledby="analysis-heading">
      <h2 id="analysis-heading">What it can cost</h2>
      <dl className="figures">
        <div>
          <dt>Most one student can earn</dt>
          <dd>{bounds.maxPerStudent === undefined ? "no upper limit" : money(bounds.maxPerStudent)}</dd>
        </div>
        <div>
          <dt>Least one student can earn</dt>
          <dd>{bounds.minPerStudent === undefined ? "no lower limit" : money(bounds.minPerStudent)}</dd>
        </div>
        <div>
          <dt>
            <label htmlFor={inputId}>Cohort size (students)</label>
          </dt>
          <dd>
            <input id={inputId} type="number" min="0" step="1" inputMode="numeric" value={cohort} onChange={(e) => onCohortChange(e.target.value)} />
          </dd>
        </div>
        <div>
          <dt>Exposure (most per student × cohort size)</dt>
          <dd data-testid="exposure">{n === undefined ? "enter a whole number" : exposure === undefined ? "no upper limit" : money(exposure)}</dd>
        </div>
      </dl>
      <ul className="caps" aria-label="Caps">
        <li>
          <strong>Student cap: </strong>
          {bounds.studentCap === undefined
            ? "there is none."
            : yesNo(studentCapBinds, `it can bind: the clauses can add up to ${bounds.uncappedMax === undefined ? "an unlimited amount" : money(bounds.uncappedMax)}, above the cap of ${money(bounds.studentCap)}.`, `it cannot bind: the clauses add up to at most ${money(bounds.uncappedMax)}, within the cap of ${money(bounds.studentCap)}.`, "")}
        </li>
        <li>
          <strong>Contract cap: </strong>
          {bounds.contractCap === undefined
            ? "there is none."
            : yesNo(contractCapBinds, `it can bind: the exposure can exceed the cap of ${money(bounds.contractCap)}.`, `it cannot bind: the exposure stays within the cap of ${money(bounds.contractCap)}.`, "enter a cohort size.")}
        </li>
      </ul>
      {bounds.maxClauses.length > 0 && <p className="small">The maximum comes from: {bounds.maxClauses.map((id) => bounds.clauses.find((c) => c.id === id)?.name ?? id).join(", ")}.</p>}
      {bounds.clauses.length > 0 && <table className="data">
        <caption>Each clause, per student (weights included)</caption>
        <thead>
          <tr>
            <th scope="col">Clause</th>
            <th scope="col" className="num">Least</th>
            <th scope="col" className="num">Most</th>
          </tr>
        </thead>
        <tbody>
          {bounds.clauses.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td className="num">{c.min === undefined ? "no limit" : money(c.min)}</td>
              <td className="num">{c.max === undefined ? "no limit" : money(c.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>}
      {bounds.cohortClauses.length > 0 && (
        <p className="small">Cohort clauses pay per cohort, not per student, and are not in these figures: {bounds.cohortClauses.join(", ")}.</p>
      )}
    </section>
  );
}
