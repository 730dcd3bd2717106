/** The results of a run, section by section. */
import type { RunMessage } from "../service/protocol.ts";
import { formatMoney, moneyValue } from "../money.ts";
import { BarChart } from "./BarChart.tsx";
import { DataQuality } from "./DataQuality.tsx";
import { EscalationsTable } from "./EscalationsTable.tsx";
import { Histogram } from "./Histogram.tsx";
import { StudentsTable } from "./StudentsTable.tsx";
import { TotalsTables } from "./TotalsTables.tsx";

export function RunResults({ answer }: { answer: RunMessage }) {
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
  return (
    <div className="run-results">
      <p className="small">
        {result.contract.title}
        {result.contract.version ? `, version ${result.contract.version}` : ""}
        {result.asOf ? `, as of ${result.asOf}` : ""}: {result.students.length} students. Results are for the text as it was when you pressed Run.
      </p>
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
