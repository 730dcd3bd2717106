/**
 * The portfolio's view of the settlement ledger (node/ledger/): one ledger holds every contract
 * of the portfolio (lines are kept by contract title); the desk settles into it and reads
 * every line back for reports and statements.
 *
 *   openDeskLedger(path) → DeskLedger { settle, history, lines, close }
 *
 * Asynchronous, so that a ledger on a database server fits behind the same interface.
 */
import {
  DEFAULT_LEDGER,
  history as ledgerHistory,
  openLedger,
  settle as ledgerSettle,
  type Ledger,
  type SettleInput,
  type SettleOptions,
  type SettleOutcome,
  type SettlementSummary,
} from "../ledger/index.ts";

export { DEFAULT_LEDGER };

/** One ledger line with the settlement it belongs to. */
export interface LedgerLineRow {
  settlement: number;
  createdAt: string;
  asOf: string;
  contract: string;
  contractVersion?: string;
  /** "" for cohort payments */
  studentKey: string;
  clause: string;
  period: string;
  payer: string;
  kind: "payment" | "adjustment";
  /** cents */
  amount: bigint;
  reason: string;
}

export interface DeskLedger {
  readonly location: string;
  settle(input: SettleInput, opts?: SettleOptions): Promise<SettleOutcome>;
  /** every settlement, oldest first */
  history(): Promise<SettlementSummary[]>;
  /** every line, in the order settlement, student, clause, period, payer, line */
  lines(filter?: { contract?: string }): Promise<LedgerLineRow[]>;
  close(): Promise<void>;
}

/** Opens (creating when absent) an SQLite ledger. */
export function openDeskLedger(path: string, opts: { now?: string; readonly?: boolean } = {}): DeskLedger {
  const db: Ledger = openLedger(path, { ...(opts.now !== undefined ? { now: opts.now } : {}), ...(opts.readonly ? { readonly: true } : {}) });
  return {
    location: path,
    settle: async (input, o) => ledgerSettle(db, input, o),
    history: async () => ledgerHistory(db),
    lines: async (filter = {}) => {
      const rows = db
        .prepare(
          `SELECT s.id, s.created_at, s.as_of, s.contract_title, s.contract_version,
                  l.student_key, l.clause, l.period, l.payer, l.kind, l.amount_cents, l.reason
             FROM lines l JOIN settlements s ON s.id = l.settlement_id
            WHERE (? IS NULL OR s.contract_title = ?)
            ORDER BY s.id, l.student_key, l.clause, l.period, l.payer, l.id`,
        )
        .safeIntegers(true)
        .all(filter.contract ?? null, filter.contract ?? null) as Record<string, unknown>[];
      return rows.map((r) => ({
        settlement: Number(r["id"]),
        createdAt: String(r["created_at"]),
        asOf: String(r["as_of"]),
        contract: String(r["contract_title"]),
        ...(r["contract_version"] !== null ? { contractVersion: String(r["contract_version"]) } : {}),
        studentKey: String(r["student_key"]),
        clause: String(r["clause"]),
        period: String(r["period"]),
        payer: String(r["payer"]),
        kind: r["kind"] as "payment" | "adjustment",
        amount: BigInt(r["amount_cents"] as bigint),
        reason: String(r["reason"]),
      }));
    },
    close: async () => {
      db.close();
    },
  };
}
