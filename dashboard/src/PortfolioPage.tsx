/**
 * The portfolio: what has been paid, what is owed, withheld and still contingent, per contract
 * and rolled up per provider, district and payer, with the forecast of every contract's payout.
 */
import { useEffect, useState } from "react";
import { api, type Forecast, type RollupRow, type Status } from "./api.ts";
import { href } from "./App.tsx";
import { RangeChart } from "./charts.tsx";
import { money, num } from "./format.ts";

function Kpi({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return (
    <div className="kpi" {...(testid ? { "data-testid": testid } : {})}>
      <span className="label">{label}</span>
      <span className="value">{value}</span>
    </div>
  );
}

function RollupTable({ title, rows, currency }: { title: string; rows: RollupRow[]; currency: string }) {
  return (
    <section className="rollup">
      <h3>{title}</h3>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th className="n">Contracts</th>
            <th className="n">Students</th>
            <th className="n">Paid</th>
            <th className="n">Owed</th>
            <th className="n">Withheld</th>
            <th className="n">Contingent</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.name}</td>
              <td className="n">{r.contracts}</td>
              <td className="n">{r.students}</td>
              <td className="n">{money(r.paid, currency)}</td>
              <td className="n">{money(r.owed, currency)}</td>
              <td className="n">{money(r.withheld, currency)}</td>
              <td className="n">{money(r.contingent, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function PortfolioPage({ status, asOf }: { status: Status; asOf: string }) {
  const c = status.currency;
  const [forecast, setForecast] = useState<Forecast[]>();
  const [tab, setTab] = useState<"provider" | "district" | "payer">("provider");
  useEffect(() => {
    let stale = false;
    setForecast(undefined);
    if (asOf) void api.forecast(asOf).then((f) => !stale && setForecast(f.contracts), () => undefined);
    return () => {
      stale = true;
    };
  }, [asOf]);
  return (
    <>
      <h1>{status.portfolio}</h1>
      <p className="muted">
        As of {status.date}
        {status.intermediary ? `, managed by ${status.intermediary}` : ""}. Paid: settled in the ledger. Owed: earned by the latest drop but not yet settled. Contingent: the most
        that can still be earned.
      </p>
      <div className="kpis">
        <Kpi label="Paid" value={money(status.total.paid, c)} testid="kpi-paid" />
        <Kpi label="Owed" value={money(status.total.owed, c)} testid="kpi-owed" />
        <Kpi label="Withheld" value={money(status.total.withheld, c)} />
        <Kpi label="Contingent" value={money(status.total.contingent, c)} />
        <Kpi label="Contracts" value={String(status.total.contracts)} />
        <Kpi label="Students" value={status.total.students.toLocaleString("en-US")} />
      </div>
      <section>
        <h2>Contracts</h2>
        <table className="contracts" data-testid="portfolio-table">
          <thead>
            <tr>
              <th>Contract</th>
              <th>District</th>
              <th>Provider</th>
              <th>Latest drop</th>
              <th className="n">Students</th>
              <th className="n">Paid</th>
              <th className="n">Owed</th>
              <th className="n">Withheld</th>
              <th className="n">Contingent</th>
              <th>Caps</th>
              <th>Escalation</th>
              <th>Data</th>
              <th>Next deadline</th>
            </tr>
          </thead>
          <tbody>
            {status.contracts.map((r) => {
              const esc = r.escalations.filter((e) => e.period);
              const level = Math.max(0, ...esc.map((e) => e.level));
              const q = r.quality;
              const att = r.drop?.ledger?.attestations.length ?? 0;
              return (
                <tr key={r.id} data-testid={`row-${r.id}`}>
                  <td>
                    <a href={href({ page: "contract", id: r.id, asOf })}>{r.id}</a>
                  </td>
                  <td>{r.district.name}</td>
                  <td>{r.provider.name}</td>
                  <td>
                    {r.drop ? (
                      <>
                        {r.drop.id}
                        {r.drop.supersedes ? " (correction)" : ""} <span className={`tag ${att ? "ok" : "warn"}`}>{att ? "attested" : "not attested"}</span>
                      </>
                    ) : (
                      "none yet"
                    )}
                  </td>
                  <td className="n">{r.students}</td>
                  <td className="n">{money(r.paid, c)}</td>
                  <td className="n">{money(r.owed, c)}</td>
                  <td className="n">{money(r.withheld, c)}</td>
                  <td className="n">{money(r.contingent, c)}</td>
                  <td>{[r.caps.contract?.binds ? "contract cap binds" : "", r.caps.studentsAtCap ? `${r.caps.studentsAtCap} at student cap` : ""].filter(Boolean).join(", ") || "-"}</td>
                  <td>
                    {esc.length ? <span className={`level level-${Math.min(level, 4)}`}>level {level}</span> : "-"}
                    {esc.some((e) => e.withholding) ? " withholding" : ""}
                  </td>
                  <td>{!r.drop ? "-" : !r.ran ? "stopped" : q && q.errors ? `${q.errors} errors` : q && q.warnings ? `${q.warnings} warnings` : "ok"}</td>
                  <td>{r.deadlines[0] ? `${r.deadlines[0].date} ${r.deadlines[0].what}` : "-"}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={4}>Total</td>
              <td className="n">{status.total.students}</td>
              <td className="n">{money(status.total.paid, c)}</td>
              <td className="n">{money(status.total.owed, c)}</td>
              <td className="n">{money(status.total.withheld, c)}</td>
              <td className="n">{money(status.total.contingent, c)}</td>
              <td colSpan={4} />
            </tr>
          </tfoot>
        </table>
      </section>
      <section>
        <div className="tabs">
          {(["provider", "district", "payer"] as const).map((t) => (
            <button key={t} className={tab === t ? "current" : ""} onClick={() => setTab(t)}>
              By {t}
            </button>
          ))}
        </div>
        {tab === "provider" && <RollupTable title="By provider" rows={status.byProvider} currency={c} />}
        {tab === "district" && <RollupTable title="By district" rows={status.byDistrict} currency={c} />}
        {tab === "payer" && <RollupTable title="By payer" rows={status.byPayer} currency={c} />}
      </section>
      <section>
        <h2>Forecast of each contract's final payout</h2>
        {forecast ? (
          <RangeChart
            title="From the data so far and each contract's simulation (200 simulated outcomes)"
            currency={c}
            rows={forecast.map((f) => ({ label: f.id, p5: num(f.p5), p95: num(f.p95), expected: num(f.expected), certain: num(f.certain) }))}
          />
        ) : (
          <p className="muted" data-testid="forecast-loading">
            Simulating…
          </p>
        )}
      </section>
    </>
  );
}
