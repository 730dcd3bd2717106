/** A run's totals: paid, uncapped and withheld; by clause; by payer; and cohort payments. */
import type { RunResult } from "../../../engine/index.ts";
import { formatMoney } from "../money.ts";

export function TotalsTables({ result }: { result: RunResult }) {
  const money = (m: string | undefined) => formatMoney(m, result.contract.currency);
  const t = result.totals;
  const names = new Map<string, string>();
  for (const s of result.students) for (const l of s.lines) names.set(l.clause, l.clauseName);
  for (const c of result.cohorts) names.set(c.clause, c.clauseName);
  return (
    <section className="totals" aria-labelledby="totals-heading">
      <h3 id="totals-heading">Totals</h3>
      <dl className="figures">
        <div>
          <dt>Total paid</dt>
          <dd className="big" data-testid="total-paid">{money(t.paid)}</dd>
        </div>
        <div>
          <dt>Before caps</dt>
          <dd>{money(t.uncapped)}</dd>
        </div>
        <div>
          <dt>Withheld</dt>
          <dd>{money(t.withheld)}</dd>
        </div>
        {t.contractCap && (
          <div>
            <dt>Contract cap</dt>
            <dd>
              {money(t.contractCap.cap)}: {t.contractCap.binds ? `binds (each payment scaled by ${t.contractCap.factor})` : "does not bind"}
            </dd>
          </div>
        )}
      </dl>
      <div className="side-by-side">
        <table className="data">
          <caption>By clause</caption>
          <thead>
            <tr><th scope="col">Clause</th><th scope="col" className="num">Paid</th></tr>
          </thead>
          <tbody>
            {Object.entries(t.byClause).map(([id, amount]) => (
              <tr key={id}><th scope="row">{names.get(id) ?? id}</th><td className="num">{money(amount)}</td></tr>
            ))}
          </tbody>
        </table>
        <table className="data">
          <caption>By payer</caption>
          <thead>
            <tr><th scope="col">Payer</th><th scope="col" className="num">Pays</th></tr>
          </thead>
          <tbody>
            {Object.entries(t.byPayer).map(([payer, amount]) => (
              <tr key={payer}><th scope="row">{payer}</th><td className="num">{money(amount)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.cohorts.length > 0 && (
        <table className="data">
          <caption>Cohort payments</caption>
          <thead>
            <tr>
              <th scope="col">Clause</th><th scope="col">Period</th><th scope="col">Status</th>
              <th scope="col" className="num">Paid</th><th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {result.cohorts.map((c, i) => (
              <tr key={i}>
                <th scope="row">{c.clauseName}</th>
                <td>{c.period ?? "whole cohort"}</td>
                <td><span className={`status status-${c.status}`}>{c.status}</span></td>
                <td className="num">{money(c.paid)}</td>
                <td>{c.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
