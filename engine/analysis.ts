/**
 * Analysis without data: from ContractIR to the bounds of what one student can earn.
 *
 * Input: a checked contract. Output: for each payment clause the smallest and largest
 * amount it can pay one student (after weights), which clauses can never pay together
 * (a clause whose condition requires `not "Other"`), and the largest and smallest total
 * per student after the cap and floor. Bounds come from interval arithmetic over the
 * amount expressions; an amount that depends on an unbounded value (e.g. `$10 * sessions`)
 * has no upper bound, reported as `undefined`.
 */
import type * as A from "../language/ast.ts";
import type { ClauseIR, ContractIR } from "../language/check/ir.ts";
import { Rational } from "./rational.ts";

/** A closed interval; undefined ends are unbounded. */
export interface Bounds {
  lo?: Rational;
  hi?: Rational;
}

const exact = (r: Rational): Bounds => ({ lo: r, hi: r });
const UNBOUNDED: Bounds = {};

function add(a: Bounds, b: Bounds): Bounds {
  return { lo: a.lo && b.lo ? a.lo.add(b.lo) : undefined, hi: a.hi && b.hi ? a.hi.add(b.hi) : undefined };
}
function neg(a: Bounds): Bounds {
  return { lo: a.hi?.neg(), hi: a.lo?.neg() };
}
function mul(a: Bounds, b: Bounds): Bounds {
  if (!a.lo || !a.hi || !b.lo || !b.hi) {
    // unbounded: only the sign of non-negative factors is known
    const nonNeg = (x: Bounds) => x.lo && !x.lo.isNegative();
    if (nonNeg(a) && nonNeg(b)) return { lo: a.lo!.mul(b.lo!), hi: undefined };
    return UNBOUNDED;
  }
  const ps = [a.lo.mul(b.lo), a.lo.mul(b.hi), a.hi.mul(b.lo), a.hi.mul(b.hi)];
  return { lo: ps.reduce((m, x) => Rational.min(m, x)), hi: ps.reduce((m, x) => Rational.max(m, x)) };
}
function div(a: Bounds, b: Bounds): Bounds {
  if (b.lo && b.hi && b.lo.eq(b.hi) && !b.lo.isZero()) return mul(a, exact(Rational.ONE.div(b.lo)));
  return UNBOUNDED;
}
function hull(a: Bounds, b: Bounds): Bounds {
  return { lo: a.lo && b.lo ? Rational.min(a.lo, b.lo) : undefined, hi: a.hi && b.hi ? Rational.max(a.hi, b.hi) : undefined };
}

/** Bounds of a numeric or money expression for one student. */
export function boundsOf(e: A.Expr, ir: ContractIR, seen = new Set<string>()): Bounds {
  switch (e.$type) {
    case "NumberLit": return exact(Rational.parse(e.value));
    case "MoneyLit": return exact(e.negative ? Rational.parse(e.value).neg() : Rational.parse(e.value));
    case "PercentLit": return exact(Rational.parse(e.value).div(100));
    case "NameRef": {
      const m = ir.metrics.get(e.name);
      if (m && !seen.has(e.name)) return boundsOf(m.expr, ir, new Set([...seen, e.name]));
      const f = ir.fields.get(e.name);
      if (f && (f.type === "count")) return { lo: Rational.ZERO };
      if (f && f.type === "percent") return { lo: Rational.ZERO };
      return UNBOUNDED;
    }
    case "Unary": return e.op === "-" ? neg(boundsOf(e.operand, ir, seen)) : UNBOUNDED;
    case "Arithmetic": {
      let acc = boundsOf(e.operands[0]!, ir, seen);
      for (let i = 1; i < e.operands.length; i++) {
        const r = boundsOf(e.operands[i]!, ir, seen);
        switch (e.ops[i - 1]!) {
          case "+": acc = add(acc, r); break;
          case "-": acc = add(acc, neg(r)); break;
          case "*": acc = mul(acc, r); break;
          case "/": acc = div(acc, r); break;
        }
      }
      return acc;
    }
    case "PercentOf": return mul(boundsOf(e.percent, ir, seen), boundsOf(e.of, ir, seen));
    case "Otherwise": return e.values.map((v) => boundsOf(v, ir, seen)).reduce(hull);
    case "CountMet": return { lo: Rational.ZERO, hi: Rational.of(e.items.length) };
    case "MonthStarts": return { lo: Rational.ZERO };
    default: return UNBOUNDED;
  }
}

export interface ClauseBounds {
  clause: string;
  name: string;
  /** smallest and largest amount for a student the clause applies to, weights included */
  min?: Rational;
  max?: Rational;
  /**
   * the least every student on the roster is paid by the clause, when it pays every student
   * whatever the data (no group, no condition, an amount that cannot be missing); else undefined
   */
  always?: Rational;
}

function weightBounds(c: ClauseIR): Bounds {
  // each weight may or may not apply: the product ranges over every subset
  let lo = Rational.ONE;
  let hi = Rational.ONE;
  for (const w of c.weights) {
    const f = Rational.parse(w.factor.value);
    if (f.gt(Rational.ONE)) hi = hi.mul(f);
    else lo = lo.mul(f);
  }
  return { lo, hi };
}

export function clauseBounds(c: ClauseIR, ir: ContractIR): ClauseBounds {
  let b: Bounds;
  if (c.decl.amount.$type === "FixedAmount") b = boundsOf(c.decl.amount.amount, ir);
  else {
    const tiers = c.decl.amount.tiers.map((t) => boundsOf(t.amount, ir));
    b = tiers.reduce(hull);
  }
  const d = c.decl;
  const unconditional = d.population === "all" && !d.condition && d.amount.$type === "FixedAmount" && !readsOptional(d.amount.amount, ir);
  const always = unconditional && b.lo ? mul({ lo: b.lo, hi: b.lo }, weightBounds(c)).lo : undefined;
  // a clause that is not met pays nothing
  b = hull(b, exact(Rational.ZERO));
  const w = mul(b, weightBounds(c));
  return { clause: c.id, name: c.name, min: w.lo, max: w.hi, ...(always ? { always } : {}) };
}

/** Whether an expression reads an optional field, directly or through metrics: its value may be missing. */
function readsOptional(e: A.Expr, ir: ContractIR, seen = new Set<string>()): boolean {
  const walk = (x: A.Expr): boolean => {
    switch (x.$type) {
      case "NameRef": {
        if (ir.fields.get(x.name)?.optional) return true;
        const m = ir.metrics.get(x.name);
        if (!m || seen.has(x.name)) return false;
        seen.add(x.name);
        return walk(m.expr);
      }
      // the chain is missing only when its last value is
      case "Otherwise": return walk(x.values[x.values.length - 1]!);
      case "Binary": return walk(x.left) || walk(x.right);
      case "Logical": return x.operands.some(walk);
      // a division by zero is missing too
      case "Arithmetic": {
        const divisorMayBeZero = x.ops.some((op, i) => {
          const d = x.operands[i + 1]!;
          return op === "/" && !(d.$type === "NumberLit" && !Rational.parse(d.value).isZero());
        });
        return divisorMayBeZero || x.operands.some(walk);
      }
      case "Unary": return walk(x.operand);
      case "PercentOf": return walk(x.percent) || walk(x.of);
      case "MonthStarts": return walk(x.from) || walk(x.through);
      default: return false;
    }
  };
  return walk(e);
}

/** Pairs of clauses that can never both pay: one requires `not "Other"` in a conjunction. */
export function exclusivePairs(ir: ContractIR): [string, string][] {
  const pairs: [string, string][] = [];
  const required = (e: A.Expr | undefined, out: Set<string>): void => {
    if (!e) return;
    if (e.$type === "Logical" && e.op === "and") for (const o of e.operands) required(o, out);
    if (e.$type === "Unary" && e.op === "not" && e.operand.$type === "ClauseRef") out.add(e.operand.name);
  };
  for (const c of ir.clauses) {
    const nots = new Set<string>();
    required(c.decl.condition, nots);
    for (const n of nots) {
      const other = ir.clauses.find((x) => x.name === n);
      if (other) pairs.push([other.id, c.id]);
    }
  }
  return pairs;
}

export interface StudentBounds {
  clauses: ClauseBounds[];
  /** the most one student can be paid, after the student cap; undefined when unbounded */
  max?: Rational;
  /** the least (penalties can make it negative), after the floor */
  min?: Rational;
  /** the clauses that together give the maximum */
  maxClauses: string[];
}

/** The largest and smallest amount one student can earn under the contract. */
export function studentBounds(ir: ContractIR): StudentBounds {
  const clauses = ir.clauses.map((c) => clauseBounds(c, ir));
  const exclusive = exclusivePairs(ir);
  // clauses that exclude no other clause always join the maximum; only the others are combined
  const involved = new Set(exclusive.flat());
  const free = clauses.filter((c) => !involved.has(c.clause));
  const tied = clauses.filter((c) => involved.has(c.clause));
  const n = tied.length;
  let best: { total?: Rational; set: string[] } | undefined;
  let worst: Rational | undefined = Rational.ZERO;
  // try every set of the exclusive clauses that can pay together
  for (let mask = 0; mask < 1 << Math.min(n, 16); mask++) {
    const chosen = new Set(tied.filter((_, i) => mask & (1 << i)).map((c) => c.clause));
    if (exclusive.some(([a, b]) => chosen.has(a) && chosen.has(b))) continue;
    // a free clause that can pay nothing adds nothing to the maximum, and is not named in it
    const set = clauses.filter((c) => chosen.has(c.clause) || (free.includes(c) && !(c.max && c.max.isZero())));
    let total: Rational | undefined = Rational.ZERO;
    for (const c of set) total = total && c.max ? total.add(c.max) : undefined;
    if (!best || (best.total && (!total || total.gt(best.total)))) best = { total, set: set.map((c) => c.clause) };
  }
  // the least: what every student gets, and every penalty that can apply
  for (const c of clauses) worst = worst && c.min ? worst.add(c.always && !c.always.isNegative() ? c.always : Rational.min(Rational.ZERO, c.min)) : undefined;
  let max = best?.total;
  if (ir.studentCap) {
    const cap = Rational.parse(ir.studentCap.amount.value);
    max = max ? Rational.min(max, cap) : cap;
  }
  let min = worst;
  if (ir.floor) {
    const floor = Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1);
    min = min ? Rational.max(min, floor) : floor;
  }
  return { clauses, max, min, maxClauses: best?.set ?? [] };
}
