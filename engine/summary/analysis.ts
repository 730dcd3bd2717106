/**
 * Analysis for a cohort: from a checked contract and a cohort size to the figures of the
 * key-terms table, as plain JSON.
 *
 * Input: a ContractIR and `{ cohortSize }`. Output (`ContractAnalysis`, money as "1580.00",
 * shares as "68.35%", `null` where the contract states no bound):
 * - per student: the largest and smallest total (from `studentBounds`, after the student cap
 *   and the floor), the bounds of each clause, the clauses that give the maximum, the pairs
 *   of clauses that are never paid together;
 * - the contingent share (the share at risk): the part of the per-student maximum that comes
 *   from clauses whose payment depends on students' outcomes, whatever their kind: clauses
 *   whose conditions, tiers or amount read an assessment score (a `score` field), directly,
 *   through metrics or through a clause they refer to; after the student cap is shared among
 *   the clauses of the maximum as the cap says;
 * - for the cohort: the largest and smallest total (per-student bounds × N plus cohort
 *   payments, the largest capped by the contract cap), and the bounds of each cohort payment;
 * - caps: whether each cap can bind, and from which cohort size a contract or clause cap does.
 *
 * A cap "can bind" when the analysis cannot rule it out: the student cap when the largest
 * sum of clauses that can pay together exceeds it; the contract cap when N × the maximum
 * (plus cohort payments) exceeds it. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ClauseIR, ContractIR } from "../../language/check/ir.ts";
import { exclusivePairs, studentBounds, type StudentBounds } from "../analysis.ts";
import { Rational } from "../rational.ts";
import { subExpressions } from "./english.ts";

export interface AnalysisOptions {
  /** the number of students in the cohort (default 100) */
  cohortSize?: number;
}

export interface ClauseFigure {
  clause: string;
  name: string;
  kind: A.ClauseKind;
  contingent: boolean;
  min: string | null;
  max: string | null;
  /** what every student on the roster is paid by the clause, whatever the data; null when not every student is */
  always: string | null;
}

export interface CohortClauseFigure {
  clause: string;
  name: string;
  /** true when the payment is made once per period of a data set */
  perPeriod: boolean;
  /** bounds of one payment (one period's payment when perPeriod) for the cohort size */
  min: string | null;
  max: string | null;
}

export interface CapFigure {
  amount: string;
  allocation: A.CapAllocation;
  canBind: boolean;
}

export interface ContractAnalysis {
  schema: "obc.analysis/1";
  contract: { title: string; version?: string; currency: string };
  cohortSize: number;
  perStudent: {
    /** the most one student can be paid, after the student cap */
    max: string | null;
    /** the largest sum of clauses that can pay together, before the student cap */
    uncappedMax: string | null;
    /** the least one student can be paid, after the floor */
    min: string | null;
    /** the clauses that together give the maximum, by id */
    maxClauses: string[];
    /** the sum of every clause's maximum, ignoring that some are never paid together */
    sumOfClauseMaxima: string | null;
    clauses: ClauseFigure[];
    /** pairs of clause ids never paid to the same student */
    exclusive: [string, string][];
  };
  contingent: {
    /** the contingent part of the per-student maximum */
    amount: string | null;
    /** contingent ÷ maximum */
    share: string | null;
    clauses: string[];
  };
  cohort: {
    /** the most the contract can pay for the cohort, after the contract cap */
    largestTotal: string | null;
    /** before the contract cap */
    largestUncapped: string | null;
    smallestTotal: string | null;
    cohortClauses: CohortClauseFigure[];
  };
  caps: {
    student?: CapFigure & { /** the naive test: the cap is below the sum of every clause's maximum */ belowSumOfClauseMaxima: boolean };
    contract?: CapFigure & { /** the smallest cohort size at which the cap binds when every student earns the maximum */ bindsFromCohortSize: number | null };
    clauses: (CapFigure & { clause: string; name: string; bindsFromCohortSize: number | null })[];
  };
  floor?: string;
}

/**
 * The clauses whose payment depends on students' outcomes: their conditions, tiers or amount
 * read an assessment score (a field of type `score`), directly, through metrics or conditions,
 * or through a clause they refer to. Penalties are left out: they are never part of the
 * maximum. Decided from what the conditions read, not from the clause's kind.
 */
export function contingentClauses(ir: ContractIR): Set<string> {
  const out = new Set<string>();
  const readsScore = (e: A.Expr | undefined, seen: Set<string>): boolean => {
    if (!e) return false;
    for (const x of subExpressions(e)) {
      if (x.$type === "NameRef" && !seen.has(x.name)) {
        seen.add(x.name);
        if (ir.fields.get(x.name)?.type === "score") return true;
        if (readsScore(ir.metrics.get(x.name)?.expr, seen)) return true;
      }
      if (x.$type === "ClauseRef" && !seen.has(`"${x.name}`)) {
        seen.add(`"${x.name}`);
        const other = ir.clauses.find((c) => c.name === x.name);
        if (other && clauseReadsScore(other, seen)) return true;
      }
    }
    return false;
  };
  const clauseReadsScore = (c: ClauseIR, seen: Set<string>): boolean => {
    const d = c.decl;
    if (readsScore(d.condition, seen)) return true;
    if (d.amount.$type === "FixedAmount") return readsScore(d.amount.amount, seen);
    return d.amount.tiers.some((t) => readsScore(t.condition, seen) || readsScore(t.amount, seen));
  };
  for (const c of ir.clauses) if (c.kind !== "penalty" && clauseReadsScore(c, new Set())) out.add(c.id);
  return out;
}

const m = (r: Rational | undefined): string | null => (r ? r.toDecimalString(2) : null);
const share = (r: Rational): string => `${r.mul(100).toDecimalString(2)}%`;
const capOf = (c: A.CapDecl): Rational => Rational.parse(c.amount.value);

/** Bounds of a value: undefined ends are unbounded. */
interface Iv { lo?: Rational; hi?: Rational }
const exact = (r: Rational): Iv => ({ lo: r, hi: r });
const addIv = (a: Iv, b: Iv): Iv => ({ lo: a.lo && b.lo ? a.lo.add(b.lo) : undefined, hi: a.hi && b.hi ? a.hi.add(b.hi) : undefined });
const negIv = (a: Iv): Iv => ({ lo: a.hi?.neg(), hi: a.lo?.neg() });
const hullIv = (a: Iv, b: Iv): Iv => ({
  lo: a.lo && b.lo ? Rational.min(a.lo, b.lo) : undefined,
  hi: a.hi && b.hi ? Rational.max(a.hi, b.hi) : undefined,
});
function mulIv(a: Iv, b: Iv): Iv {
  if (!a.lo || !a.hi || !b.lo || !b.hi) {
    const nonNeg = (x: Iv) => x.lo && !x.lo.isNegative();
    if (nonNeg(a) && nonNeg(b)) return { lo: a.lo!.mul(b.lo!) };
    return {};
  }
  const ps = [a.lo.mul(b.lo), a.lo.mul(b.hi), a.hi.mul(b.lo), a.hi.mul(b.hi)];
  return { lo: ps.reduce((x, y) => Rational.min(x, y)), hi: ps.reduce((x, y) => Rational.max(x, y)) };
}
function divIv(a: Iv, b: Iv): Iv {
  if (b.lo && b.hi && b.lo.eq(b.hi) && !b.lo.isZero()) return mulIv(a, exact(Rational.ONE.div(b.lo)));
  return {};
}

/** Bounds of a cohort clause's expression for a cohort of `n` (or `n` rows per period). */
function cohortBounds(e: A.Expr, lets: Map<string, A.Expr>, n: number, seen = new Set<string>()): Iv {
  const rec = (x: A.Expr) => cohortBounds(x, lets, n, seen);
  switch (e.$type) {
    case "NumberLit": return exact(Rational.parse(e.value));
    case "MoneyLit": return exact(e.negative ? Rational.parse(e.value).neg() : Rational.parse(e.value));
    case "PercentLit": return exact(Rational.parse(e.value).div(100));
    case "NameRef": {
      const d = lets.get(e.name);
      if (d && !seen.has(e.name)) return cohortBounds(d, lets, n, new Set([...seen, e.name]));
      return {};
    }
    case "Aggregate":
      if (e.fn === "count") return { lo: Rational.ZERO, hi: Rational.of(n) };
      if (e.fn === "share") return { lo: Rational.ZERO, hi: Rational.ONE };
      if (e.value) {
        const v = rec(e.value);
        const zero = Rational.ZERO;
        return { lo: v.lo ? Rational.min(zero, v.lo.mul(n)) : undefined, hi: v.hi ? Rational.max(zero, v.hi.mul(n)) : undefined };
      }
      return {};
    case "Unary": return e.op === "-" ? negIv(rec(e.operand)) : {};
    case "Arithmetic": {
      let acc = rec(e.operands[0]!);
      for (let i = 1; i < e.operands.length; i++) {
        const r = rec(e.operands[i]!);
        switch (e.ops[i - 1]!) {
          case "+": acc = addIv(acc, r); break;
          case "-": acc = addIv(acc, negIv(r)); break;
          case "*": acc = mulIv(acc, r); break;
          case "/": acc = divIv(acc, r); break;
        }
      }
      return acc;
    }
    case "PercentOf": return mulIv(rec(e.percent), rec(e.of));
    case "Otherwise": return e.values.map(rec).reduce(hullIv);
    case "CountMet": return { lo: Rational.ZERO, hi: Rational.of(e.items.length) };
    default: return {};
  }
}

/** The per-student figures: the contributions of the maximum set after the student cap. */
function contingentPart(ir: ContractIR, b: StudentBounds): { amount?: Rational; clauses: string[] } {
  const byId = new Map(b.clauses.map((c) => [c.clause, c]));
  const set = ir.clauses.filter((c) => b.maxClauses.includes(c.id));
  const maxima = set.map((c) => ({ c, v: byId.get(c.id)?.max }));
  if (maxima.some((x) => x.v === undefined)) return { clauses: [] };
  const uncapped = maxima.reduce((s, x) => s.add(x.v!), Rational.ZERO);
  let contributions = maxima.map((x) => ({ c: x.c, v: x.v! }));
  if (ir.studentCap && uncapped.gt(capOf(ir.studentCap))) {
    const cap = capOf(ir.studentCap);
    if (ir.studentCap.allocation === "in-order") {
      let left = cap;
      contributions = contributions.map((x) => {
        const take = x.v.isNegative() ? x.v : Rational.max(Rational.ZERO, Rational.min(x.v, left));
        if (!x.v.isNegative()) left = left.sub(take);
        return { c: x.c, v: take };
      });
    } else {
      contributions = contributions.map((x) => ({ c: x.c, v: x.v.mul(cap).div(uncapped) }));
    }
  }
  const contingent = contingentClauses(ir);
  const cont = contributions.filter((x) => contingent.has(x.c.id));
  return { amount: cont.reduce((s, x) => s.add(x.v), Rational.ZERO), clauses: cont.map((x) => x.c.id) };
}

/** The smallest n ≥ 1 with n × each > cap (and fixed + n × each > cap), or null when none. */
function bindsFrom(cap: Rational, each: Rational | undefined, fixed = Rational.ZERO): number | null {
  if (!each || !each.gt(Rational.ZERO)) return fixed.gt(cap) ? 1 : null;
  const room = cap.sub(fixed);
  if (room.isNegative()) return 1;
  return Number(room.div(each).floor()) + 1;
}

/** The analysis of a contract for a cohort of `cohortSize` students (see the file comment). */
export function analyzeContract(ir: ContractIR, opts: AnalysisOptions = {}): ContractAnalysis {
  const n = Math.max(0, Math.floor(opts.cohortSize ?? 100));
  const b = studentBounds(ir);
  const byId = new Map(b.clauses.map((c) => [c.clause, c]));
  const contingent = contingentClauses(ir);
  const clauses: ClauseFigure[] = ir.clauses.map((c) => ({
    clause: c.id,
    name: c.name,
    kind: c.kind,
    contingent: contingent.has(c.id),
    min: m(byId.get(c.id)?.min),
    max: m(byId.get(c.id)?.max),
    always: m(byId.get(c.id)?.always),
  }));
  const maxOf = (id: string) => byId.get(id)?.max;
  const uncappedMax = b.maxClauses.every((id) => maxOf(id)) ? b.maxClauses.reduce((s, id) => s.add(maxOf(id)!), Rational.ZERO) : undefined;
  const sumAll = b.clauses.every((c) => c.max) ? b.clauses.reduce((s, c) => s.add(c.max!), Rational.ZERO) : undefined;
  const exclusive = exclusivePairs(ir);

  const cont = contingentPart(ir, b);
  const contingentShare = b.max && cont.amount && b.max.gt(Rational.ZERO) ? share(cont.amount.div(b.max)) : null;

  // cohort payments
  const cohortClauses: CohortClauseFigure[] = ir.cohorts.map((co) => {
    const lets = new Map(co.decl.lets.map((l) => [l.name.name, l.expr]));
    let iv = cohortBounds(co.decl.amount, lets, n);
    if (co.decl.condition) iv = hullIv(iv, exact(Rational.ZERO));
    return { clause: co.id, name: co.name, perPeriod: !!co.over, min: m(iv.lo), max: m(iv.hi) };
  });
  const cohortIv = (pick: "lo" | "hi"): Rational | undefined => {
    let total: Rational | undefined = Rational.ZERO;
    for (const c of cohortClauses) {
      const v = pick === "hi" ? c.max : c.min;
      if (c.perPeriod) {
        // the number of periods is not fixed: unbounded unless every payment is zero
        if (v === null || !Rational.parse(v).isZero()) return undefined;
        continue;
      }
      total = total && v !== null ? total.add(Rational.parse(v)) : undefined;
    }
    return total;
  };
  const cohortHi = cohortIv("hi");
  const cohortLo = cohortIv("lo");
  const perStudentTotalHi = b.max ? b.max.mul(n) : n === 0 ? Rational.ZERO : undefined;
  const largestUncapped = perStudentTotalHi && cohortHi ? perStudentTotalHi.add(cohortHi) : undefined;
  let largest = largestUncapped;
  if (ir.contractCap) largest = largest ? Rational.min(largest, capOf(ir.contractCap)) : capOf(ir.contractCap);
  const perStudentTotalLo = b.min ? b.min.mul(n) : n === 0 ? Rational.ZERO : undefined;
  const smallest = perStudentTotalLo && cohortLo ? perStudentTotalLo.add(cohortLo) : undefined;

  const caps: ContractAnalysis["caps"] = { clauses: [] };
  if (ir.studentCap) {
    const cap = capOf(ir.studentCap);
    caps.student = {
      amount: m(cap)!,
      allocation: ir.studentCap.allocation,
      canBind: !uncappedMax || uncappedMax.gt(cap),
      belowSumOfClauseMaxima: !sumAll || cap.lt(sumAll),
    };
  }
  if (ir.contractCap) {
    const cap = capOf(ir.contractCap);
    const fixed = cohortHi ?? Rational.ZERO;
    caps.contract = {
      amount: m(cap)!,
      allocation: ir.contractCap.allocation,
      canBind: !largestUncapped || largestUncapped.gt(cap),
      bindsFromCohortSize: cohortHi === undefined ? null : bindsFrom(cap, b.max, fixed),
    };
  }
  for (const c of ir.clauses) {
    for (const cap of c.caps) {
      const amount = capOf(cap);
      const each = maxOf(c.id);
      caps.clauses.push({
        clause: c.id,
        name: c.name,
        amount: m(amount)!,
        allocation: cap.allocation,
        canBind: !each || each.mul(n).gt(amount),
        bindsFromCohortSize: bindsFrom(amount, each),
      });
    }
  }
  const floor = ir.floor ? Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1) : undefined;

  return {
    schema: "obc.analysis/1",
    contract: { title: ir.title, ...(ir.version !== undefined ? { version: ir.version } : {}), currency: ir.currency },
    cohortSize: n,
    perStudent: {
      max: m(b.max),
      uncappedMax: m(uncappedMax),
      min: m(b.min),
      maxClauses: b.maxClauses,
      sumOfClauseMaxima: m(sumAll),
      clauses,
      exclusive,
    },
    contingent: { amount: m(cont.amount), share: contingentShare, clauses: cont.clauses },
    cohort: { largestTotal: m(largest), largestUncapped: m(largestUncapped), smallestTotal: m(smallest), cohortClauses },
    caps,
    ...(floor ? { floor: m(floor)! } : {}),
  };
}
