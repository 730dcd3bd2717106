/**
 * Settling a portfolio: each contract's latest drop in force on a date is run and recorded in
 * the one ledger, paying only the difference from what that contract has already been paid.
 *
 *   settlePortfolio(portfolio, ledger, { date, now, dryRun?, only? }) → ContractSettlement[]
 *
 * Each contract settles in its own transaction. A contract is refused, and nothing is recorded
 * for it, when its drop's data have errors (a row with a bad or blank required cell is kept by
 * a run with the value missing, which could pay less than is owed): the district corrects the
 * drop, and the correction is settled. The same drop settles once (`duplicate` after that).
 */
import type { ContractIR } from "../../language/check/ir.ts";
import { fromCents } from "../ledger/index.ts";
import type { Portfolio } from "./format.ts";
import type { DeskLedger } from "./ledger.ts";
import { dataErrors, runPortfolio } from "./run.ts";

export interface ContractSettlement {
  contract: string;
  title: string;
  drop?: string;
  /** the drop's as-of date: the run's clock */
  asOf?: string;
  status: "recorded" | "duplicate" | "unchanged" | "no-drop" | "refused";
  /** why a contract was refused, in one line without data values */
  reason?: string;
  settlementId?: number;
  lines: number;
  /** cents */
  payments: bigint;
  adjustments: bigint;
  net: bigint;
}

export interface SettlePortfolioOptions {
  /** which drops are in force: those received by this day */
  date: string;
  /** when the settlements are recorded (ISO 8601), from the caller's clock */
  now: string;
  dryRun?: boolean;
  /** only these contract ids */
  only?: ReadonlySet<string>;
}

/** Settles every contract's latest drop in force on `date`, in the portfolio's order. */
export async function settlePortfolio(p: Portfolio, ledger: DeskLedger, o: SettlePortfolioOptions): Promise<ContractSettlement[]> {
  const runs = await runPortfolio(p, o.date, o.only);
  const out: ContractSettlement[] = [];
  for (const r of runs) {
    const base = { contract: r.contract.id, title: r.contract.title, lines: 0, payments: 0n, adjustments: 0n, net: 0n };
    if (!r.drop) {
      out.push({ ...base, status: "no-drop" });
      continue;
    }
    const at = { drop: r.drop.id, asOf: r.drop.asOf };
    const errors = dataErrors(r).length;
    if (!r.ok || !r.result || errors > 0) {
      out.push({ ...base, ...at, status: "refused", reason: `the drop's data have ${errors} error${errors === 1 ? "" : "s"}; correct the drop before it is settled` });
      continue;
    }
    const ir: ContractIR = r.contract.ir;
    const outcome = await ledger.settle(
      { contractSource: r.contract.source, result: r.result, inputs: r.inputs, asOf: r.drop.asOf, createdAt: o.now, ir },
      { ...(o.dryRun ? { dryRun: true } : {}) },
    );
    out.push({
      ...base,
      ...at,
      status: outcome.status,
      ...(outcome.settlementId !== undefined ? { settlementId: outcome.settlementId } : {}),
      lines: outcome.lines.length,
      payments: outcome.payments,
      adjustments: outcome.adjustments,
      net: outcome.net,
    });
  }
  return out;
}

/** The outcome as JSON (amounts as decimal strings). */
export function settlementJson(s: ContractSettlement) {
  return {
    ...s,
    payments: fromCents(s.payments),
    adjustments: fromCents(s.adjustments),
    net: fromCents(s.net),
  };
}
