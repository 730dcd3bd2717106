/**
 * Where a portfolio stands on a date: per contract, and rolled up per provider, district and
 * payer, what has been paid (the ledger), what the latest drops earn, what is withheld, what is
 * owed (earned but not yet settled), what is still contingent, which caps bind, the escalation
 * level, the latest drop's data quality and the next deadlines.
 *
 *   portfolioStatus(portfolio, runs, ledgerLines, date) → PortfolioStatus
 *
 * Definitions (cents, exact):
 * - earned: what the latest drop's run owes, after caps and withholding (the ledger's rule,
 *   `owedByRun`); paid: the sum of the contract's ledger lines; owed = earned − paid.
 * - withheld: what escalation withholdings hold back in the latest run.
 * - contingent: the most the contract can still pay beyond what it earns now. A student's line
 *   is still open when its clause is due after the run's date, or has no due date and the term
 *   has not ended, and it is not yet met; an open line can pay at most the clause's largest
 *   amount times the student's weight; of two clauses that exclude each other only the larger
 *   counts (and none when the other is met); the student's cap and the contract's cap bound the
 *   sums. Null when a clause's amount has no upper bound and no cap bounds it.
 * - a payer's share of a contingent amount is split as the contract splits a line.
 */
import type * as A from "../../language/ast.ts";
import type { ClauseIR, ContractIR } from "../../language/check/ir.ts";
import { boundsOf, clauseBounds, exclusivePairs } from "../../engine/analysis.ts";
import type { RunResult } from "../../engine/index.ts";
import { Rational } from "../../engine/rational.ts";
import { fundingSplit } from "../../engine/settle.ts";
import { owedByRun, toCents } from "../ledger/index.ts";
import type { Drop, Party, Portfolio, PortfolioContract } from "./format.ts";
import type { DropRecord } from "../ledger/index.ts";
import { ledgerDropOf, type LedgerLineRow } from "./ledger.ts";
import { type ContractRun } from "./run.ts";

export interface PayerAmounts {
  /** the contract's name for the payer (its alias or role) */
  key: string;
  /** the payer's name in the contract's parties */
  name: string;
  /** the payer's role in the contract (district, funder, payor…) */
  role: string;
  earned: bigint;
  paid: bigint;
  owed: bigint;
  withheld: bigint;
  contingent: bigint | null;
}

export interface EscalationState {
  name: string;
  /** the latest checkpoint's period (absent: no checkpoint yet) */
  period?: string;
  level: number;
  actions: string[];
  withholding?: string;
  terminationRight: boolean;
}

export interface Deadline {
  date: string;
  kind: "clause" | "cohort" | "settlement" | "checkpoint" | "term-end";
  what: string;
}

export interface DropQuality {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  errors: number;
  warnings: number;
  /** problems by code (never a value) */
  codes: Record<string, number>;
}

export interface ContractStatus {
  id: string;
  title: string;
  district: Party;
  provider: Party;
  drop?: Pick<Drop, "id" | "asOf" | "received" | "suppliedBy" | "supersedes" | "reason"> & {
    /** the drop in the ledger: its number, attestations and the settlements made from it (absent: not recorded yet) */
    ledger?: { id: number; attestations: { by: string; role: string; at: string }[]; settlements: number[] };
  };
  /** false when the latest drop's data stopped the run */
  ran: boolean;
  students: number;
  earned: bigint;
  paid: bigint;
  owed: bigint;
  withheld: bigint;
  contingent: bigint | null;
  caps: { contract?: { cap: bigint; binds: boolean }; studentCap?: bigint; studentsAtCap: number };
  escalations: EscalationState[];
  quality?: DropQuality;
  deadlines: Deadline[];
  payers: PayerAmounts[];
  /** the latest settlement recorded for the contract */
  lastSettlement?: { id: number; asOf: string; createdAt: string };
}

export interface Rollup {
  key: string;
  name: string;
  contracts: number;
  students: number;
  earned: bigint;
  paid: bigint;
  owed: bigint;
  withheld: bigint;
  contingent: bigint | null;
}

export interface PortfolioStatus {
  portfolio: string;
  date: string;
  currency: string;
  contracts: ContractStatus[];
  byProvider: Rollup[];
  byDistrict: Rollup[];
  byPayer: Rollup[];
  total: Rollup;
}

// ───────────────────────────── contingent ─────────────────────────────

const maxOf = (e: A.Expr, ir: ContractIR): Rational | undefined => {
  const b = boundsOf(e, ir);
  return b.hi === undefined ? undefined : Rational.max(b.hi, Rational.ZERO);
};

/** The largest amount a clause can pay one student before weights (undefined: unbounded). */
function clauseMax(c: ClauseIR, ir: ContractIR): Rational | undefined {
  const a = c.decl.amount;
  if (a.$type === "FixedAmount") return maxOf(a.amount, ir);
  let best: Rational | undefined = Rational.ZERO;
  for (const t of a.tiers) {
    const m = maxOf(t.amount, ir);
    best = best === undefined || m === undefined ? undefined : Rational.max(best, m);
  }
  return best;
}

/** Whether a clause's decision can still change after `asOf`. */
export function clauseOpen(c: { decl: { due?: { value: string } } }, asOf: string, ir: ContractIR): boolean {
  if (c.decl.due) return c.decl.due.value > asOf;
  return ir.term === undefined || asOf < ir.term.end;
}

const ceilCents = (r: Rational): bigint => {
  const c = r.mul(100);
  const n = c.numerator;
  const d = c.denominator;
  return n >= 0n ? (n + d - 1n) / d : n / d;
};

/** The fields an expression (or any AST node: an amount, a clause) reads, through metrics and conditions. */
export function fieldsRead(e: { $type: string } | undefined, ir: ContractIR, out = new Set<string>(), seen = new Set<string>()): Set<string> {
  if (!e || typeof e !== "object") return out;
  if (e.$type === "NameRef") {
    const name = (e as A.NameRef).name;
    const m = ir.metrics.get(name);
    if (m && !seen.has(name)) {
      seen.add(name);
      fieldsRead(m.expr, ir, out, seen);
    } else if (ir.fields.has(name)) out.add(name);
    return out;
  }
  for (const v of Object.values(e)) {
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "$type" in x) fieldsRead(x as { $type: string }, ir, out, seen);
    if (v && typeof v === "object" && "$type" in v) fieldsRead(v as { $type: string }, ir, out, seen);
  }
  return out;
}

/**
 * Whether a student outside a group now may join it later: its condition reads a field that
 * accrues (a count or a decimal, such as sessions or hours) or may still arrive (optional).
 */
function groupMayChange(ir: ContractIR, pop: A.PopulationName): boolean {
  if (pop === "all") return false;
  const fields = fieldsRead(ir.populations[pop]?.condition, ir);
  return [...fields].some((f) => {
    const info = ir.fields.get(f)!;
    return info.optional || info.type === "count" || info.type === "decimal";
  });
}

/** The contingent amount of one run (cents), or null when unbounded. */
export function contingentOf(ir: ContractIR, result: RunResult): bigint | null {
  const asOf = result.asOf ?? ir.term?.end ?? "9999-12-31";
  const byId = new Map(ir.clauses.map((c) => [c.id, c]));
  const maxes = new Map(ir.clauses.map((c) => [c.id, clauseMax(c, ir)]));
  // clauses a student without a line may still earn: open, for a group that may still change
  const joinable = ir.clauses.filter((c) => clauseOpen(c, asOf, ir) && groupMayChange(ir, c.decl.population));
  const weightedMax = new Map(joinable.map((c) => [c.id, clauseBounds(c, ir).max]));
  const pairs = exclusivePairs(ir);
  const studentCap = ir.studentCap ? toCents(Rational.parse(ir.studentCap.amount.value).toDecimalString(2)) : undefined;
  let total: bigint | null = 0n;
  for (const s of result.students) {
    const open = new Map<string, bigint | null>();
    const met = new Set<string>();
    for (const l of s.lines) {
      const c = byId.get(l.clause);
      if (!c) continue;
      if (l.status === "met") met.add(l.clause);
      if (l.status === "met" || !clauseOpen(c, asOf, ir)) continue;
      const m = maxes.get(l.clause);
      open.set(l.clause, m === undefined ? null : ceilCents(m.mul(Rational.parse(l.weight))));
    }
    for (const c of joinable) {
      if (s.lines.some((l) => l.clause === c.id)) continue;
      const m = weightedMax.get(c.id);
      open.set(c.id, m === undefined ? null : ceilCents(Rational.max(m, Rational.ZERO)));
    }
    for (const [a, b] of pairs) {
      if (met.has(a)) open.delete(b);
      if (met.has(b)) open.delete(a);
      if (open.has(a) && open.has(b)) {
        const va = open.get(a)!;
        const vb = open.get(b)!;
        // keep the larger (an unbounded one wins)
        if (va === null || (vb !== null && va >= vb)) open.delete(b);
        else open.delete(a);
      }
    }
    let sum: bigint | null = 0n;
    for (const v of open.values()) sum = sum === null || v === null ? null : sum + v;
    if (studentCap !== undefined) {
      const room = studentCap - toCents(s.total);
      sum = sum === null ? room : sum < room ? sum : room;
    }
    if (sum !== null && sum < 0n) sum = 0n;
    total = total === null || sum === null ? null : total + sum;
  }
  for (const co of ir.cohorts) {
    if (!co.decl.due || co.decl.due.value <= asOf) continue;
    const m = maxOf(co.decl.amount, ir);
    total = total === null || m === undefined ? null : total + ceilCents(m);
  }
  if (ir.contractCap) {
    const room = toCents(Rational.parse(ir.contractCap.amount.value).toDecimalString(2)) - toCents(result.totals.paid);
    const bounded = room < 0n ? 0n : room;
    total = total === null ? bounded : total < bounded ? total : bounded;
  }
  return total;
}

// ───────────────────────────── deadlines ─────────────────────────────

const lastDay = (period: string) => {
  const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const nextMonth = (period: string) => {
  const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
};

/** The contract's dates after `date`: clause and cohort deadlines, settlement dates, the next checkpoint, the end of the term. */
export function deadlinesAfter(ir: ContractIR, date: string, result?: RunResult, limit = 6): Deadline[] {
  const out: Deadline[] = [];
  for (const c of ir.clauses) if (c.decl.due && c.decl.due.value > date) out.push({ date: c.decl.due.value, kind: "clause", what: `${c.name} due` });
  for (const c of ir.cohorts) if (c.decl.due && c.decl.due.value > date) out.push({ date: c.decl.due.value, kind: "cohort", what: `${c.name} due` });
  for (const s of ir.settlement) if (s > date) out.push({ date: s, kind: "settlement", what: "settlement date" });
  for (const e of ir.escalations) {
    const cps = result?.escalations.find((x) => x.name === e.name)?.checkpoints ?? [];
    const last = cps[cps.length - 1]?.period;
    const monthly = /^\d{4}-\d{2}$/.test(last ?? "") || e.over?.decl.period?.name === "month";
    if (!monthly) continue;
    // the next monthly checkpoint after the last one reported (or the month of the date)
    let p = last ? nextMonth(last) : date.slice(0, 7);
    while (lastDay(p) <= date) p = nextMonth(p);
    const due = lastDay(p);
    if (!ir.term || due <= ir.term.end) out.push({ date: due, kind: "checkpoint", what: `${e.name} checkpoint ${p}` });
  }
  if (ir.term && ir.term.end > date) out.push({ date: ir.term.end, kind: "term-end", what: "end of the term" });
  out.sort((a, b) => a.date.localeCompare(b.date) || a.what.localeCompare(b.what));
  return out.slice(0, limit);
}

// ───────────────────────────── status ─────────────────────────────

/** Each escalation's state at the run's latest checkpoint (level 0 before the first). */
export function escalationStates(ir: ContractIR, result: RunResult | undefined): EscalationState[] {
  return ir.escalations.map((e) => {
    const cps = result?.escalations.find((x) => x.name === e.name)?.checkpoints ?? [];
    const cp = cps[cps.length - 1];
    return cp
      ? { name: e.name, period: cp.period, level: cp.level, actions: cp.actions, ...(cp.withholding ? { withholding: cp.withholding } : {}), terminationRight: cp.terminationRight }
      : { name: e.name, level: 0, actions: [], terminationRight: false };
  });
}

function quality(result: RunResult): DropQuality {
  const q: DropQuality = { rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, errors: 0, warnings: 0, codes: {} };
  for (const f of result.dataQuality.files) {
    q.rowsRead += f.rowsRead;
    q.rowsAccepted += f.rowsAccepted;
    q.rowsRejected += f.rowsRejected;
  }
  for (const p of [...result.dataQuality.files.flatMap((f) => f.problems), ...result.dataQuality.problems]) {
    if (p.severity === "error") q.errors++;
    else q.warnings++;
    q.codes[p.code] = (q.codes[p.code] ?? 0) + 1;
  }
  return q;
}

/** The payer's name in the contract (the party whose id is the funding key). */
export function payerName(ir: ContractIR, key: string): string {
  return ir.parties.find((p) => p.id === key)?.name ?? key;
}

/** The status of one contract from its latest run and its ledger lines. */
export function contractStatus(c: PortfolioContract, run: ContractRun | undefined, lines: readonly LedgerLineRow[], date: string, drops: readonly DropRecord[] = []): ContractStatus {
  const ir = c.ir;
  const result = run?.result;
  const payers = new Map<string, PayerAmounts>();
  const payer = (key: string) => {
    let p = payers.get(key);
    if (!p) payers.set(key, (p = { key, name: payerName(ir, key), role: ir.parties.find((x) => x.id === key)?.role ?? key, earned: 0n, paid: 0n, owed: 0n, withheld: 0n, contingent: 0n }));
    return p;
  };
  // every payer of the contract appears, even before anything is paid
  for (const s of ir.funding?.shares ?? []) payer(s.party);
  if (!ir.funding) for (const k of Object.keys(fundingSplit(ir, 0n))) payer(k);

  let paid = 0n;
  let last: ContractStatus["lastSettlement"];
  for (const l of lines) {
    paid += l.amount;
    payer(l.payer).paid += l.amount;
    if (!last || l.settlement > last.id) last = { id: l.settlement, asOf: l.asOf, createdAt: l.createdAt };
  }
  let earned = 0n;
  let withheld = 0n;
  let contingent: bigint | null = 0n;
  if (result) {
    for (const o of owedByRun(result).values()) {
      earned += o.cents;
      payer(o.payer).earned += o.cents;
    }
    withheld = toCents(result.totals.withheld);
    // a payer's withheld share: what its lines fund less what it owes
    const gross = new Map<string, bigint>();
    for (const s of result.students) for (const l of s.lines) for (const [k, v] of Object.entries(l.funding)) gross.set(k, (gross.get(k) ?? 0n) + toCents(v));
    for (const co of result.cohorts) for (const [k, v] of Object.entries(co.funding)) gross.set(k, (gross.get(k) ?? 0n) + toCents(v));
    for (const [k, g] of gross) payer(k).withheld = g - payer(k).earned;
    contingent = contingentOf(ir, result);
    if (contingent !== null) for (const [k, v] of Object.entries(fundingSplit(ir, contingent))) payer(k).contingent = v;
    else for (const p of payers.values()) p.contingent = null;
  }
  for (const p of payers.values()) p.owed = p.earned - p.paid;
  const studentCap = ir.studentCap ? toCents(Rational.parse(ir.studentCap.amount.value).toDecimalString(2)) : undefined;
  const cc = result?.totals.contractCap;
  return {
    id: c.id,
    title: c.title,
    district: c.district,
    provider: c.provider,
    ...(run?.drop
      ? {
          drop: {
            id: run.drop.id,
            asOf: run.drop.asOf,
            received: run.drop.received,
            suppliedBy: run.drop.suppliedBy,
            ...(run.drop.supersedes !== undefined ? { supersedes: run.drop.supersedes, reason: run.drop.reason } : {}),
            ...ledgerOf(ledgerDropOf(drops, c, run.inputs), date),
          },
        }
      : {}),
    ran: !!result,
    students: result?.students.length ?? 0,
    earned,
    paid,
    owed: earned - paid,
    withheld,
    contingent,
    caps: {
      ...(cc ? { contract: { cap: toCents(cc.cap), binds: cc.binds } } : ir.contractCap ? { contract: { cap: toCents(Rational.parse(ir.contractCap.amount.value).toDecimalString(2)), binds: false } } : {}),
      ...(studentCap !== undefined ? { studentCap } : {}),
      studentsAtCap: studentCap === undefined || !result ? 0 : result.students.filter((s) => toCents(s.uncapped) > studentCap).length,
    },
    escalations: escalationStates(ir, result),
    ...(result ? { quality: quality(result) } : {}),
    deadlines: deadlinesAfter(ir, date, result),
    payers: [...payers.values()].sort((a, b) => a.name.localeCompare(b.name)),
    ...(last ? { lastSettlement: last } : {}),
  };
}

/** What the ledger knew of a drop at the end of `date`. */
function ledgerOf(r: DropRecord | undefined, date: string): { ledger?: NonNullable<ContractStatus["drop"]>["ledger"] } {
  if (!r || r.recordedAt.slice(0, 10) > date) return {};
  return {
    ledger: {
      id: r.id,
      attestations: r.attestations.filter((a) => a.at.slice(0, 10) <= date).map((a) => ({ by: a.by, role: a.role, at: a.at })),
      settlements: r.settlements,
    },
  };
}

const addOpt = (a: bigint | null, b: bigint | null) => (a === null || b === null ? null : a + b);

function rollup(key: string, name: string, parts: { students: number; earned: bigint; paid: bigint; owed: bigint; withheld: bigint; contingent: bigint | null }[], contracts: number): Rollup {
  const r: Rollup = { key, name, contracts, students: 0, earned: 0n, paid: 0n, owed: 0n, withheld: 0n, contingent: 0n };
  for (const p of parts) {
    r.students += p.students;
    r.earned += p.earned;
    r.paid += p.paid;
    r.owed += p.owed;
    r.withheld += p.withheld;
    r.contingent = addOpt(r.contingent, p.contingent);
  }
  return r;
}

/** The portfolio's status on `date` from each contract's latest run and the ledger's lines and drops. */
export function portfolioStatus(p: Portfolio, runs: readonly ContractRun[], lines: readonly LedgerLineRow[], date: string, drops: readonly DropRecord[] = []): PortfolioStatus {
  const byContract = new Map<string, LedgerLineRow[]>();
  // the ledger as it stood at the end of the day
  for (const l of lines) {
    if (l.createdAt.slice(0, 10) > date) continue;
    const list = byContract.get(l.contract);
    if (list) list.push(l);
    else byContract.set(l.contract, [l]);
  }
  const runOf = new Map(runs.map((r) => [r.contract.id, r]));
  const contracts = p.contracts.map((c) => contractStatus(c, runOf.get(c.id), byContract.get(c.identity) ?? [], date, drops));
  const group = (parties: Party[], pick: (s: ContractStatus) => Party) =>
    parties.map((x) => {
      const mine = contracts.filter((s) => pick(s).id === x.id);
      return rollup(x.id, x.name, mine, mine.length);
    });
  // payers are named by the contracts' parties: one row per name across the portfolio
  const payerNames = [...new Set(contracts.flatMap((s) => s.payers.map((x) => x.name)))].sort();
  const byPayer = payerNames.map((name) => {
    const parts = contracts.flatMap((s) => s.payers.filter((x) => x.name === name).map((x) => ({ ...x, students: 0 })));
    const r = rollup(name, name, parts, parts.length);
    r.students = contracts.filter((s) => s.payers.some((x) => x.name === name)).reduce((a, s) => a + s.students, 0);
    return r;
  });
  return {
    portfolio: p.name,
    date,
    currency: p.currency,
    contracts,
    byProvider: group(p.providers, (s) => s.provider),
    byDistrict: group(p.districts, (s) => s.district),
    byPayer,
    total: rollup("all", p.name, contracts, contracts.length),
  };
}
