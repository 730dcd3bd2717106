/**
 * The results of a run, section by section: a warning by the totals when rows were rejected
 * or data is missing (with links to those rows in the data-quality report), the totals, charts,
 * students, escalations and the data-quality report; and the results as CSV or JSON.
 */
import type { RunResult } from "../../../engine/index.ts";
import { allProblems, problemWhere, resultsCsv } from "../../../engine/report.ts";
import { baseName, download } from "../download.ts";
import { formatMoney, moneyValue } from "../money.ts";
import type { RunMessage } from "../service/protocol.ts";
import { BarChart } from "./BarChart.tsx";
import { DataQuality, problemAnchor } from "./DataQuality.tsx";
import { EscalationsTable } from "./EscalationsTable.tsx";
import { Histogram } from "./Histogram.tsx";
import { StudentsTable } from "./StudentsTable.tsx";
import { TotalsTables } from "./TotalsTables.tsx";

/** At most this many rejected rows are linked from the warning by name. */
const LINKED_ROWS = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The warning by the totals: what they leave out, with links to the rows. */
export function DataWarning({ result }: { result: RunResult }) {
  const rejected = result.dataQuality.files.reduce((n, f) => n + f.rowsRejected, 0);
  const missing = result.students.filter((s) => s.lines.some((l) => l.status === "missing")).length;
  const problems = allProblems(result);
  const errors = problems.map((p, i) => ({ p, i })).filter(({ p }) => p.severity === "error");
  if (rejected === 0 && missing === 0 && errors.length === 0) return null;
  const go = (i: number) => (e: React.MouseEvent) => {
    e.preventDefault();
    const row = document.getElementById(problemAnchor(i));
    row?.scrollIntoView({ block: "center" });
    row?.focus();
  };
  const parts = [
    rejected > 0 ? `${plural(rejected, "row")} of data ${rejected === 1 ? "was" : "were"} rejected and ${rejected === 1 ? "is" : "are"} not in these totals` : undefined,
    missing > 0 ? `${plural(missing, "student")} ${missing === 1 ? "has" : "have"} missing data (“missing” in the table: those clauses pay nothing)` : undefined,
    rejected === 0 && errors.length > 0 ? `the data has ${plural(errors.length, "error")}` : undefined,
  ].filter(Boolean);
  return (
    <div className="data-warning" role="alert" data-testid="data-warning">
      <strong>Check the data before relying on these totals:</strong> {parts.join("; ")}.
      {errors.length > 0 && (
        <>
          {" "}Rows:{" "}
          {errors.slice(0, LINKED_ROWS).map(({ p, i }, k) => (
            <span key={i}>
              {k > 0 && ", "}
              <a href={`#${problemAnchor(i)}`} onClick={go(i)}>{problemWhere(p)}</a>
            </span>
          ))}
          {errors.length > LINKED_ROWS && ` and ${errors.length - LINKED_ROWS} more`}.
        </>
      )}{" "}
      <a href="#data-quality" onClick={(e) => (e.preventDefault(), document.getElementById("data-quality")?.focus(), document.getElementById("data-quality")?.scrollIntoView())}>
        See the data-quality report
      </a>
      .
    </div>
  );
}

export function RunResults({ answer, fileName }: { answer: RunMessage; fileName: string }) {
  const result = answer.result;
  if (!result) return answer.problems.length > 0 ? <DataQuality problems={answer.problems} /> : null;
  const names = new Map<string, string>();
  for (const s of result.students) for (const l of s.lines) names.set(l.clause, l.clauseName);
  for (const c of result.cohorts) names.set(c.clause, c.clauseName);
  const bars = Object.entries(result.totals.byClause).map(([id, amount]) => ({
    label: names.get(id) ?? id,
    value: moneyValue(amount),
    display: formatMoney(amount, result.contract.currency),
  }));
  const base = baseName(fileName);
  return (
    <div className="run-results">
      <p className="small">
        {result.contract.title}
        {result.contract.version ? `, version ${result.contract.version}` : ""}
        {result.asOf ? `, as of ${result.asOf}` : ""}: {result.students.length} students. Results are for the text as it was when you pressed Run.
      </p>
      <div className="export-bar">
        <span className="small muted">Download the results:</span>
        <button type="button" onClick={() => download(`${base}-results.csv`, resultsCsv(result), "text/csv;charset=utf-8")}>CSV</button>
        <button type="button" onClick={() => download(`${base}-results.json`, JSON.stringify(result, null, 2) + "\n", "application/json")} title="The same JSON as obc run --json">JSON</button>
      </div>
      <DataWarning result={result} />
      <TotalsTables result={result} />
      <div className="charts">
        {bars.length > 0 && <BarChart title="Payments by clause" bars={bars} />}
        {result.students.length > 0 && <Histogram title="Students by total paid" values={result.students.map((s) => moneyValue(s.total))} />}
      </div>
      {result.students.length > 0 && <StudentsTable result={result} />}
      <EscalationsTable result={result} />
      <DataQuality result={result} problems={answer.problems} />
    </div>
  );
}
