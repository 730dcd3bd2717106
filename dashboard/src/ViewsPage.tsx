/**
 * Views by role: what a district, a provider, a funder or an evaluator sees of the portfolio.
 * A funder sees aggregates only, with cells about fewer than the minimum of students suppressed.
 */
import { useEffect, useState } from "react";
import { api, type Status, type View } from "./api.ts";
import { money } from "./format.ts";

const ROLES = ["district", "provider", "funder", "evaluator"] as const;

export function ViewsPage({ status, asOf }: { status: Status; asOf: string }) {
  const [role, setRole] = useState<(typeof ROLES)[number]>("funder");
  const choices =
    role === "district" ? status.byDistrict.map((d) => [d.key, d.name]) : role === "provider" ? status.byProvider.map((d) => [d.key, d.name]) : role === "funder" ? [...new Set(status.contracts.flatMap((c) => c.payers.filter((x) => x.role === "funder").map((x) => x.name)))].sort().map((n) => [n, n]) : [];
  const [who, setWho] = useState("");
  const [view, setView] = useState<View>();
  const [error, setError] = useState<string>();
  useEffect(() => setWho(choices[0]?.[0] ?? ""), [role]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    let stale = false;
    setView(undefined);
    setError(undefined);
    if (role !== "evaluator" && !who) return;
    api.view(role, asOf, who || undefined).then((v) => !stale && setView(v), (e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [role, who, asOf]);
  const c = status.currency;
  return (
    <>
      <h1>Views by role</h1>
      <div className="form">
        <label>
          Role{" "}
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])} data-testid="view-role">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        {choices.length > 0 && (
          <label>
            For{" "}
            <select value={who} onChange={(e) => setWho(e.target.value)} data-testid="view-for">
              {choices.map(([k, n]) => (
                <option key={k} value={k}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      {view && (
        <>
          <p>
            {view.name}: {view.contracts.length} contract{view.contracts.length === 1 ? "" : "s"}
            {view.studentIds ? `; students identified by ${view.studentIds}` : ""}.
          </p>
          <table>
            <thead>
              <tr>
                <th>Contract</th>
                <th className="n">Students</th>
                <th className="n">Paid</th>
                <th className="n">Withheld</th>
                <th className="n">Contingent</th>
              </tr>
            </thead>
            <tbody>
              {view.contracts.map((x) => (
                <tr key={x.id}>
                  <td>{x.id}</td>
                  <td className="n">{x.students}</td>
                  <td className="n">{money(x.paid, c)}</td>
                  <td className="n">{money(x.withheld, c)}</td>
                  <td className="n">{money(x.contingent, c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.equity && (
            <>
              <h2>Across the portfolio, by subgroup</h2>
              <table data-testid="equity-table">
                <thead>
                  <tr>
                    <th>Dimension</th>
                    <th>Group</th>
                    <th className="n">Students</th>
                    <th className="n">Paid</th>
                    <th className="n">Outcome payments (students)</th>
                  </tr>
                </thead>
                <tbody>
                  {view.equity.portfolio.groups.map((g) => (
                    <tr key={`${g.dimension}/${g.group}`}>
                      <td>{g.dimension}</td>
                      <td>{g.group}</td>
                      <td className="n">{g.students.suppressed ? "suppressed" : g.students.students}</td>
                      <td className="n">{g.paid.suppressed ? "suppressed" : money(g.paid.amount, c)}</td>
                      <td className="n">{!g.clauses["outcome"] ? "-" : g.clauses["outcome"].suppressed ? "suppressed" : `${money(g.clauses["outcome"].amount, c)} (${g.clauses["outcome"].students})`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted">Cells about fewer than {view.minCell} students, and those that would reveal them by subtraction, are suppressed.</p>
            </>
          )}
          {view.students && (
            <>
              <h2>Student lines ({view.students.length})</h2>
              <table>
                <thead>
                  <tr>
                    <th>Contract</th>
                    <th>Student</th>
                    <th>Clause</th>
                    <th>Status</th>
                    <th className="n">Paid</th>
                  </tr>
                </thead>
                <tbody>
                  {view.students.slice(0, 200).map((l, i) => (
                    <tr key={i}>
                      <td>{l.contract}</td>
                      <td className="mono">{l.student.length > 20 ? `${l.student.slice(0, 12)}…` : l.student}</td>
                      <td>{l.clauseName}</td>
                      <td>{l.status}</td>
                      <td className="n">{money(l.paid, c)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {view.students.length > 200 && <p className="muted">The first 200 of {view.students.length} lines; the command line gives them all (obc portfolio view --csv).</p>}
            </>
          )}
        </>
      )}
    </>
  );
}
