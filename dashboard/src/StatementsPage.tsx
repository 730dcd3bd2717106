/**
 * Statements: a payer's numbered statement for a month or any period, as Word, Excel or CSV,
 * reconciled to the ledger by the desk before it is sent.
 */
import { useState } from "react";
import { api, type Status } from "./api.ts";
import { money, monthEnd } from "./format.ts";

export function StatementsPage({ status, asOf }: { status: Status; asOf: string }) {
  const payers = status.byPayer.map((p) => p.name);
  const [payer, setPayer] = useState(payers[0] ?? "");
  const [from, setFrom] = useState(`${asOf.slice(0, 7)}-01`);
  const [to, setTo] = useState(monthEnd(asOf.slice(0, 7)));
  const row = status.byPayer.find((p) => p.name === payer);
  return (
    <>
      <h1>Statements</h1>
      <p className="muted">A numbered statement per payer and period: the lines paid, adjustments with their reasons, withheld amounts and balances, reconciled to the ledger to the cent.</p>
      <div className="form">
        <label>
          Payer{" "}
          <select value={payer} onChange={(e) => setPayer(e.target.value)} data-testid="payer">
            {payers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      {row && (
        <p>
          {row.name} has been paid {money(row.paid, status.currency)} to {status.date} over {row.contracts} contract{row.contracts === 1 ? "" : "s"}; {money(row.withheld, status.currency)} is withheld.
        </p>
      )}
      <ul className="downloads">
        {(["docx", "xlsx", "csv"] as const).map((f) => (
          <li key={f}>
            <a href={api.statementUrl(payer, from, to, f)} download data-testid={`download-${f}`}>
              {f === "docx" ? "Word statement" : f === "xlsx" ? "Excel statement (with every ledger line of the period)" : "CSV statement"}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
