/**
 * The ledger's answers as JSON, amounts as decimal strings: `obc settle --json`, `obc ledger
 * --json` and the HTTP service's ledger routes give the same shapes.
 */
import { fromCents, type BalanceBy, type SettlementSummary, type SettleOutcome } from "./index.ts";

/**
 * A settlement's outcome as JSON: amounts as decimal strings; the drop the files were recorded
 * as and the ledger's head after it (`SEQ:HASH`, to keep outside the ledger), unless nothing
 * was written (a dry run: no head).
 */
export function settleOutcomeJson(o: SettleOutcome & { drop?: number }, currency: string, head: string | undefined) {
  return {
    status: o.status,
    ...(o.settlementId !== undefined ? { settlement: o.settlementId } : {}),
    contract: o.contract,
    currency,
    payments: fromCents(o.payments),
    adjustments: fromCents(o.adjustments),
    net: fromCents(o.net),
    ...(o.roster !== undefined ? { roster: o.roster } : {}),
    ...(o.previousRoster !== undefined ? { previousRoster: o.previousRoster } : {}),
    ...(o.accepted ? { accepted: o.accepted } : {}),
    lines: o.lines.map((l) => ({ student: l.studentKey, clause: l.clause, ...(l.period ? { period: l.period } : {}), payer: l.payer, kind: l.kind, amount: fromCents(l.amount), reason: l.reason })),
    ...(o.drop !== undefined && head !== undefined ? { drop: o.drop } : {}),
    ...(head !== undefined ? { head } : {}),
  };
}

/** The history of settlements as JSON. */
export function settlementsJson(settlements: readonly SettlementSummary[]) {
  return settlements.map((s) => ({ ...s, payments: fromCents(s.payments), adjustments: fromCents(s.adjustments), net: fromCents(s.net) }));
}

/** What has been paid in all per student key, clause or payer, as JSON. */
export function balancesJson(by: BalanceBy, currency: string, rows: readonly { key: string; cents: bigint; lines: number }[]) {
  return { by, currency, balances: rows.map((r) => ({ key: r.key, amount: fromCents(r.cents), lines: r.lines })) };
}
