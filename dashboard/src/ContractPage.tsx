/**
 * One contract: what it has paid and what is still contingent over the months, its forecast and
 * students on track, its escalation timeline, outcomes and payments by subgroup, its drops with
 * the actions on them (a new drop, attest, settle) and its payers' statements.
 */
import { useEffect, useState, type FormEvent } from "react";
import { api, type Aggregate, type ContractPage as Page, type Forecast } from "./api.ts";
import { href } from "./App.tsx";
import { Bars, LineChart, RangeChart, Timeline, type Bar } from "./charts.tsx";
import { base64Of, money, monthEnd, num } from "./format.ts";

function EquityCharts({ agg, currency }: { agg: Aggregate; currency: string }) {
  const dims = [...new Set(agg.groups.map((g) => g.dimension))];
  return (
    <div className="equity">
      {dims.map((d) => {
        const bars: Bar[] = agg.groups
          .filter((g) => g.dimension === d)
          .map((g) => {
            const n = g.students.students;
            const paid = g.paid.amount;
            const value = n !== undefined && paid !== undefined && n > 0 ? num(paid) / n : null;
            return { group: g.group, value, label: value === null ? "-" : `${money(value.toFixed(2), currency)} per student (${n})` };
          });
        return <Bars key={d} title={d} bars={bars} />;
      })}
      {dims.length === 0 && <p className="muted">The contract's data has no subgroup fields.</p>}
      <p className="muted">Paid per student by subgroup; groups about fewer than {agg.minCell} students, and the cells that would reveal them, are suppressed.</p>
    </div>
  );
}

export function ContractPage({ id, asOf, version, onChanged }: { id: string; asOf: string; version: number; onChanged: () => void }) {
  const [page, setPage] = useState<Page>();
  const [forecast, setForecast] = useState<Forecast>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [who, setWho] = useState("");
  const [role, setRole] = useState<"district" | "evaluator">("district");
  const [busy, setBusy] = useState(false);
  const [month, setMonth] = useState("");

  useEffect(() => {
    let stale = false;
    setError(undefined);
    api.contract(id, asOf || undefined).then(
      (p) => {
        if (stale) return;
        setPage(p);
        setMonth((m) => m || p.date.slice(0, 7));
      },
      (e: Error) => !stale && setError(e.message),
    );
    setForecast(undefined);
    if (asOf) void api.contractForecast(id, asOf).then((f) => !stale && setForecast(f), () => undefined);
    return () => {
      stale = true;
    };
  }, [id, asOf, version]);

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await what());
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!page) return error ? <p className="error">{error}</p> : <p className="muted">Loading…</p>;
  const s = page.status;
  const c = page.currency;
  const latest = s.drop?.id;

  const onUpload = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    void act(async () => {
      // the files' bytes as they are (a workbook as much as a CSV), so the ledger's hashes are the district's files'
      const files: Record<string, { name: string; base64: string }> = {};
      for (const [k, v] of data.entries()) if (k.startsWith("file:") && v instanceof File && v.size > 0) files[k.slice(5)] = { name: v.name, base64: base64Of(new Uint8Array(await v.arrayBuffer())) };
      const supersedes = String(data.get("supersedes") ?? "");
      const reason = String(data.get("reason") ?? "").trim();
      const r = await api.addDrop(id, {
        asOf: String(data.get("asOf")),
        suppliedBy: String(data.get("suppliedBy")),
        files,
        ...(supersedes ? { supersedes, ...(reason ? { reason } : {}) } : {}),
      });
      form.reset();
      return `Drop ${r.drop} recorded in the ledger as drop ${r.ledgerDrop}, with its files' hashes. It is settled once attested.`;
    });
  };

  return (
    <>
      <p>
        <a href={href({ page: "portfolio", asOf })}>← Portfolio</a>
      </p>
      <h1 data-testid="contract-title">{page.title}</h1>
      <p className="muted">
        {s.district.name} × {s.provider.name}
        {page.term ? `, ${page.term.start} to ${page.term.end}` : ""}. As of {page.date}.
      </p>
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
      <div className="kpis">
        <div className="kpi" data-testid="contract-paid">
          <span className="label">Paid</span>
          <span className="value">{money(s.paid, c)}</span>
        </div>
        <div className="kpi" data-testid="contract-owed">
          <span className="label">Owed</span>
          <span className="value">{money(s.owed, c)}</span>
        </div>
        <div className="kpi">
          <span className="label">Withheld</span>
          <span className="value">{money(s.withheld, c)}</span>
        </div>
        <div className="kpi">
          <span className="label">Contingent</span>
          <span className="value">{money(s.contingent, c)}</span>
        </div>
        <div className="kpi">
          <span className="label">Students</span>
          <span className="value">{s.students}</span>
        </div>
        <div className="kpi">
          <span className="label">Caps</span>
          <span className="value small">{[s.caps.contract ? `contract ${money(s.caps.contract.cap, c)}${s.caps.contract.binds ? " binds" : ""}` : "", s.caps.studentsAtCap ? `${s.caps.studentsAtCap} at the student cap` : ""].filter(Boolean).join("; ") || "-"}</span>
        </div>
      </div>

      <section className="grid2">
        <LineChart
          title="Paid, earned and still contingent, month by month"
          currency={c}
          labels={page.series.map((x) => x.date)}
          lines={[
            { name: "paid (ledger)", className: "paid", values: page.series.map((x) => num(x.paid)) },
            { name: "earned (latest drop)", className: "earned", values: page.series.map((x) => num(x.earned)) },
            { name: "still contingent", className: "contingent", values: page.series.map((x) => (x.contingent === null ? null : num(x.contingent))) },
          ]}
        />
        <div>
          <h2>Forecast of the final payout</h2>
          {forecast ? (
            <>
              <RangeChart title={`${forecast.runs} simulated outcomes from the data as of ${forecast.dataAsOf ?? "-"}`} currency={c} rows={[{ label: id, p5: num(forecast.p5), p95: num(forecast.p95), expected: num(forecast.expected), certain: num(forecast.certain) }]} />
              <p data-testid="forecast-text">
                Expected {money(forecast.expected, c)}; 90% between {money(forecast.p5, c)} and {money(forecast.p95, c)}; {money(forecast.certain, c)} already certain.
              </p>
              <table>
                <thead>
                  <tr>
                    <th>Clause</th>
                    <th>Due</th>
                    <th className="n">Met</th>
                    <th className="n">On track</th>
                    <th className="n">At risk</th>
                    <th className="n">Not met</th>
                  </tr>
                </thead>
                <tbody>
                  {forecast.tracks.map((t) => (
                    <tr key={t.clause}>
                      <td>{t.name}</td>
                      <td>{t.due ?? "end of term"}</td>
                      <td className="n">{t.met}</td>
                      <td className="n">{t.onTrack}</td>
                      <td className="n">{t.atRisk}</td>
                      <td className="n">{t.notMet}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p className="muted">Simulating…</p>
          )}
        </div>
      </section>

      <section>
        <h2>Escalation</h2>
        {page.escalations.map((e) => (
          <Timeline key={e.name} name={e.name} checkpoints={e.checkpoints} />
        ))}
        {page.escalations.length === 0 && <p className="muted">The contract has no escalation protocol, or no checkpoint yet.</p>}
        <h3>Next deadlines</h3>
        <ul>
          {s.deadlines.map((d) => (
            <li key={`${d.date} ${d.what}`}>
              {d.date}: {d.what}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>Outcomes and payments by subgroup</h2>
        {page.equity ? <EquityCharts agg={page.equity} currency={c} /> : <p className="muted">No drop yet.</p>}
      </section>

      <section>
        <h2>Data drops</h2>
        <table data-testid="drops">
          <thead>
            <tr>
              <th>Drop</th>
              <th>Data as of</th>
              <th>Received</th>
              <th>Supplied by</th>
              <th>Correction</th>
              <th>Ledger</th>
              <th>Attested</th>
              <th>Settled</th>
            </tr>
          </thead>
          <tbody>
            {page.drops.filter((d) => d.arrived).map((d) => (
              <tr key={d.id} data-testid={`drop-${d.id}`} className={d.id === latest ? "latest" : d.inForce ? "" : "superseded"}>
                <td>{d.id}</td>
                <td>{d.asOf}</td>
                <td>{d.received.slice(0, 16).replace("T", " ")}</td>
                <td>{d.suppliedBy}</td>
                <td>{d.supersedes ? `replaces ${d.supersedes}: ${d.reason}` : d.inForce ? "" : "superseded"}</td>
                <td>{d.ledger ? `drop ${d.ledger.id}` : "not recorded"}</td>
                <td>
                  {d.ledger && d.ledger.attestations.length > 0 ? (
                    d.ledger.attestations.map((a) => `${a.by} (${a.role}), ${a.at.slice(0, 10)}`).join("; ")
                  ) : d.inForce ? (
                    <button disabled={busy || !who.trim()} data-testid={`attest-${d.id}`} onClick={() => act(async () => ((await api.attest(id, d.id, who.trim(), role)), `Drop ${d.id} attested by ${who.trim()} (${role}).`))}>
                      Attest
                    </button>
                  ) : (
                    "-"
                  )}
                </td>
                <td>{d.ledger && d.ledger.settlements.length ? d.ledger.settlements.map((x) => `#${x}`).join(", ") : "-"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <label>
            Attest as{" "}
            <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="name, office" data-testid="attest-by" />
          </label>
          <select value={role} onChange={(e) => setRole(e.target.value as "district" | "evaluator")} data-testid="attest-role">
            <option value="district">for the district</option>
            <option value="evaluator">as the evaluator</option>
          </select>
          <button
            disabled={busy || !latest}
            data-testid="settle"
            onClick={() =>
              act(async () => {
                const r = await api.settle(id, page.date);
                if (r.status === "recorded") return `Settlement ${r.settlementId} recorded from drop ${r.drop}: ${r.lines} lines, net ${money(r.net, c)}.`;
                if (r.status === "duplicate") return `Drop ${r.drop} was settled before (settlement ${r.settlementId}): nothing new.`;
                if (r.status === "unchanged") return `Drop ${r.drop} owes exactly what was paid: nothing recorded.`;
                throw new Error(r.reason ?? `not settled (${r.status})`);
              })
            }
          >
            Settle the latest drop
          </button>
        </div>
        <details className="upload">
          <summary>Record a new drop</summary>
          <form onSubmit={onUpload} data-testid="upload">
            <label>
              Data as of <input type="date" name="asOf" required defaultValue={page.date} />
            </label>
            <label>
              Supplied by <input name="suppliedBy" required defaultValue={s.district.name} />
            </label>
            {page.dataSets.map((set) => (
              <label key={set}>
                {set} <input type="file" name={`file:${set}`} accept=".csv,.xlsx,.json,text/csv" data-testid={`upload-${set}`} />
              </label>
            ))}
            <label>
              Corrects{" "}
              <select name="supersedes" defaultValue="">
                <option value="">nothing (a new drop)</option>
                {page.drops.filter((d) => d.inForce && d.arrived).map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.id}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Reason for the correction <input name="reason" />
            </label>
            <button type="submit" disabled={busy}>
              Record the drop
            </button>
          </form>
        </details>
      </section>

      <section>
        <h2>Statements</h2>
        <p>
          <label>
            Month <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} data-testid="statement-month" />
          </label>
        </p>
        <ul className="downloads">
          {s.payers.map((p) => (
            <li key={p.key}>
              {p.name}:{" "}
              {(["docx", "xlsx", "csv"] as const).map((f) => (
                <a key={f} href={api.statementUrl(p.name, `${month}-01`, monthEnd(month), f)} download data-testid={`statement-${p.key}-${f}`}>
                  {f === "docx" ? "Word" : f === "xlsx" ? "Excel" : "CSV"}
                </a>
              ))}
            </li>
          ))}
        </ul>
      </section>

      {page.dataQuality && (
        <section>
          <h2>Data quality of the latest drop</h2>
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th>Data set</th>
                <th className="n">Rows read</th>
                <th className="n">Accepted</th>
                <th className="n">Rejected</th>
                <th>Problems</th>
              </tr>
            </thead>
            <tbody>
              {page.dataQuality.files.map((f) => (
                <tr key={f.file}>
                  <td>{f.file}</td>
                  <td>{f.dataSet}</td>
                  <td className="n">{f.rowsRead}</td>
                  <td className="n">{f.rowsAccepted}</td>
                  <td className="n">{f.rowsRejected}</td>
                  <td>{f.problems.map((p) => `${p.code}: ${p.message}`).join(" ") || "none"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
