/**
 * Statements for payers: for one payer (a district, a fund, a grant) and one period, what the
 * ledger recorded for it across the portfolio's contracts, reconciled to the ledger to the cent.
 *
 *   buildStatement(portfolio, ledgerLines, runs, { payer, from, to }) → Statement
 *   statementNumber(payer, from, to)
 *
 * A settlement belongs to the period in which it was recorded (its `created_at` date). The
 * statement gives, per contract, what was settled before the period, the period's payments and
 * adjustments (each adjustment grouped by its reason), the net amount of the period, the total
 * to date, and what escalation withholdings hold back from the payer's share in the latest run
 * (not payable until released). It adds up: opening + net = closing, and the closing balance is
 * checked against the ledger's own figure: the database's sum of the payer's lines, less the
 * lines recorded after the period.
 *
 * Privacy: a district's statement lists its students' lines by key; a funder's lists counts only.
 */
import { defaultPayer, type ContractIR } from "../../language/check/ir.ts";
import type { Portfolio, PortfolioContract } from "./format.ts";
import type { LedgerLineRow, LedgerTotal } from "./ledger.ts";
import type { ContractRun } from "./run.ts";
import { contractStatus, payerName } from "./status.ts";

export interface StatementRow {
  contract: string;
  clause: string;
  clauseName: string;
  kind: "payment" | "adjustment";
  /** the ledger's reason, for adjustments; "" for payments */
  reason: string;
  lines: number;
  students: number;
  /** cents */
  amount: bigint;
}

export interface StatementContract {
  id: string;
  title: string;
  district: string;
  provider: string;
  /** the contract's name for this payer (its alias or role) */
  payerKey: string;
  opening: bigint;
  payments: bigint;
  adjustments: bigint;
  net: bigint;
  closing: bigint;
  withheld: bigint;
  settlements: { id: number; recorded: string; asOf: string }[];
}

export interface StatementDetail {
  settlement: number;
  recorded: string;
  contract: string;
  /** the student's key (district statements only; "" for cohort payments) */
  student: string;
  clause: string;
  period: string;
  kind: "payment" | "adjustment";
  amount: bigint;
  reason: string;
}

export interface Statement {
  schema: "obc.statement/1";
  number: string;
  portfolio: string;
  intermediary?: string;
  payer: string;
  /** the payer is a district party of the contracts (student keys are shown) */
  district: boolean;
  currency: string;
  from: string;
  to: string;
  /** the day the statement is issued (the clock is an input; default the period's end) */
  issued: string;
  opening: bigint;
  payments: bigint;
  adjustments: bigint;
  net: bigint;
  closing: bigint;
  withheld: bigint;
  contracts: StatementContract[];
  rows: StatementRow[];
  /** the period's ledger lines (district statements: with student keys) */
  detail: StatementDetail[];
  /** the ledger's own figure for this payer by the end of the period: the database's sum of its lines, less those recorded later */
  ledger: { lines: number; total: bigint; reconciles: boolean };
}

/** Initials of a payer's name, for statement numbers: "Regional Tutoring Fund" → "RTF". */
function initials(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0 && !/^(of|the|and|for)$/i.test(w));
  return (words.map((w) => w[0]!.toUpperCase()).join("") || "P").slice(0, 8);
}

const isWholeMonth = (from: string, to: string) => {
  if (from.slice(0, 7) !== to.slice(0, 7) || from.slice(8) !== "01") return false;
  const [y, m] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  return to === new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The statement's number: payer initials and the month (`RTF-2027-01`), or the period's dates. */
export function statementNumber(payer: string, from: string, to: string): string {
  return isWholeMonth(from, to) ? `${initials(payer)}-${to.slice(0, 7)}` : `${initials(payer)}-${from.replaceAll("-", "")}-${to.replaceAll("-", "")}`;
}

/** Every payer named in the portfolio's contracts, sorted. */
export function payersOf(p: Portfolio): string[] {
  const names = new Set<string>();
  for (const c of p.contracts) for (const key of payerKeys(c.ir)) names.add(payerName(c.ir, key));
  return [...names].sort();
}

/** The contract's names for its payers: the funding section's parties, else the one paying party. */
function payerKeys(ir: ContractIR): string[] {
  if (ir.funding && ir.funding.shares.length > 0) return ir.funding.shares.map((s) => s.party);
  const d = defaultPayer(ir);
  return d !== undefined ? [d] : [];
}

export interface StatementOptions {
  payer: string;
  from: string;
  to: string;
  issued?: string;
}

/**
 * Builds one payer's statement for a period. `runs` are the contracts' latest runs as of `to`
 * (for what is withheld); `totals` are the ledger's own sums of the lines recorded by `to`.
 */
export function buildStatement(p: Portfolio, lines: readonly LedgerLineRow[], totals: readonly LedgerTotal[], runs: readonly ContractRun[], o: StatementOptions): Statement {
  const day = (l: LedgerLineRow) => l.createdAt.slice(0, 10);
  const runOf = new Map(runs.map((r) => [r.contract.id, r]));
  const mine: { c: PortfolioContract; key: string }[] = [];
  for (const c of p.contracts) for (const key of payerKeys(c.ir)) if (payerName(c.ir, key) === o.payer) mine.push({ c, key });
  const byContract = new Map<string, LedgerLineRow[]>();
  for (const l of lines) {
    const list = byContract.get(l.contract);
    if (list) list.push(l);
    else byContract.set(l.contract, [l]);
  }
  const district = mine.length > 0 && mine.every(({ c, key }) => c.ir.parties.find((x) => x.id === key)?.role === "district");
  const contracts: StatementContract[] = [];
  const rows: StatementRow[] = [];
  const detail: StatementDetail[] = [];
  for (const { c, key } of mine) {
    const all = (byContract.get(c.identity) ?? []).filter((l) => l.payer === key);
    const before = all.filter((l) => day(l) < o.from);
    const during = all.filter((l) => day(l) >= o.from && day(l) <= o.to);
    const sum = (ls: LedgerLineRow[]) => ls.reduce((a, l) => a + l.amount, 0n);
    const payments = sum(during.filter((l) => l.kind === "payment"));
    const adjustments = sum(during.filter((l) => l.kind === "adjustment"));
    const opening = sum(before);
    const clauseName = new Map(c.ir.clauses.map((x) => [x.id, x.name] as const));
    for (const co of c.ir.cohorts) clauseName.set(co.id, co.name);
    const groups = new Map<string, StatementRow & { keys: Set<string> }>();
    for (const l of during) {
      const reason = l.kind === "payment" ? "" : l.reason;
      const k = JSON.stringify([l.clause, l.kind, reason]);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { contract: c.id, clause: l.clause, clauseName: clauseName.get(l.clause) ?? l.clause, kind: l.kind, reason, lines: 0, students: 0, amount: 0n, keys: new Set() }));
      g.lines++;
      g.amount += l.amount;
      if (l.studentKey !== "") g.keys.add(l.studentKey);
      detail.push({ settlement: l.settlement, recorded: l.createdAt, contract: c.id, student: district ? l.studentKey : "", clause: l.clause, period: l.period, kind: l.kind, amount: l.amount, reason: l.reason });
    }
    const order = new Map(c.ir.clauses.map((x, i) => [x.id, i] as const));
    rows.push(
      ...[...groups.values()]
        .sort((a, b) => (order.get(a.clause) ?? 1e9) - (order.get(b.clause) ?? 1e9) || a.clause.localeCompare(b.clause) || a.kind.localeCompare(b.kind) || a.reason.localeCompare(b.reason))
        .map(({ keys, ...r }) => ({ ...r, students: keys.size })),
    );
    const settlements = [...new Map(during.map((l) => [l.settlement, { id: l.settlement, recorded: l.createdAt, asOf: l.asOf }])).values()].sort((a, b) => a.id - b.id);
    const status = contractStatus(c, runOf.get(c.id), (byContract.get(c.identity) ?? []).filter((l) => day(l) <= o.to), o.to);
    contracts.push({
      id: c.id,
      title: c.title,
      district: c.district.name,
      provider: c.provider.name,
      payerKey: key,
      opening,
      payments,
      adjustments,
      net: payments + adjustments,
      closing: opening + payments + adjustments,
      withheld: status.payers.find((x) => x.key === key)?.withheld ?? 0n,
      settlements,
    });
  }
  const total = (f: (x: StatementContract) => bigint) => contracts.reduce((a, x) => a + f(x), 0n);
  // the ledger's own figure: the database's sums of this payer's lines (all of them), less the
  // lines recorded after the period
  const keyOf = new Map(mine.map(({ c, key }) => [c.identity, key]));
  let ledgerLines = 0;
  let ledgerTotal = 0n;
  for (const t of totals) {
    if (keyOf.get(t.contract) !== t.payer) continue;
    ledgerLines += t.lines;
    ledgerTotal += t.total;
  }
  for (const l of lines) {
    if (keyOf.get(l.contract) !== l.payer || day(l) <= o.to) continue;
    ledgerLines--;
    ledgerTotal -= l.amount;
  }
  const closing = total((x) => x.closing);
  return {
    schema: "obc.statement/1",
    number: statementNumber(o.payer, o.from, o.to),
    portfolio: p.name,
    ...(p.intermediary !== undefined ? { intermediary: p.intermediary } : {}),
    payer: o.payer,
    district,
    currency: p.currency,
    from: o.from,
    to: o.to,
    issued: o.issued ?? o.to,
    opening: total((x) => x.opening),
    payments: total((x) => x.payments),
    adjustments: total((x) => x.adjustments),
    net: total((x) => x.net),
    closing,
    withheld: total((x) => x.withheld),
    contracts,
    rows,
    detail,
    ledger: { lines: ledgerLines, total: ledgerTotal, reconciles: ledgerTotal === closing },
  };
}
