/**
 * The reference evaluator: expression AST + environment → runtime value.
 *
 * Input: an expression of a checked contract and an `Env` that answers names (fields,
 * metrics, clause results, aggregates). Output: a runtime value (`RV`). Logic is
 * three-valued: a comparison that reads a missing value is `missing` (unknown), `and` is
 * false as soon as one side is false, `or` true as soon as one side is true. Arithmetic is
 * exact (rationals); money stays in exact major units until a rounding rule applies.
 * Evaluation always terminates: the language has no loops or recursion (cycles between
 * metrics are rejected by the checker).
 */
import type * as A from "../language/ast.ts";
import type { Value } from "./data.ts";
import { Rational } from "./rational.ts";
import { FUNCTIONS } from "../language/check/functions.ts";
import { callFunction, MEASURE_FUNCTIONS, shiftDate } from "./functions.ts";

export type RV =
  | { kind: "number"; value: Rational }
  | { kind: "money"; value: Rational }
  | { kind: "percent"; value: Rational }
  | { kind: "boolean"; value: boolean }
  | { kind: "date"; value: string }
  | { kind: "text"; value: string }
  | { kind: "missing" };

export const MISSING: RV = { kind: "missing" };
export const TRUE: RV = { kind: "boolean", value: true };
export const FALSE: RV = { kind: "boolean", value: false };

/** Runtime failures are a closed set, reported as data. */
export type RuntimeFailure = "division-by-zero";

export interface Env {
  /** the value of a field, metric, condition, let or measure */
  name(name: string): RV;
  /** whether a payment clause's condition is met (after its missing-value rule) */
  clause(name: string): RV;
  /** rows for aggregates: each row's own environment; undefined outside cohort clauses */
  rows?(population: A.PopulationName | undefined): Env[];
  /** records a runtime failure (e.g. a division by zero) at a source span */
  fail?(failure: RuntimeFailure, span: A.Span): void;
}

export function fromValue(v: Value): RV {
  switch (v.kind) {
    case "money":
      return { kind: "money", value: v.exact ?? Rational.of(v.cents, 100n) };
    default:
      return v as RV;
  }
}

export function bool(b: boolean): RV {
  return b ? TRUE : FALSE;
}

function num(v: RV): Rational | undefined {
  return v.kind === "number" || v.kind === "money" || v.kind === "percent" ? v.value : undefined;
}

/** Compares two present values; returns undefined when they cannot be ordered. */
export function compareRV(a: RV, b: RV): number | undefined {
  if (a.kind === "date" && b.kind === "date") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === "text" && b.kind === "text") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === "boolean" && b.kind === "boolean") return a.value === b.value ? 0 : a.value ? 1 : -1;
  const x = num(a);
  const y = num(b);
  if (x && y) return x.cmp(y);
  return undefined;
}

export function compareOp(op: A.BinaryOp, a: RV, b: RV): RV {
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  const c = compareRV(a, b);
  if (c === undefined) return MISSING;
  switch (op) {
    case "<": return bool(c < 0);
    case "<=": return bool(c <= 0);
    case ">": return bool(c > 0);
    case ">=": return bool(c >= 0);
    case "=": return bool(c === 0);
    case "!=": return bool(c !== 0);
    default: return MISSING;
  }
}

/**
 * Exact arithmetic on runtime values, shared by the reference and the fast evaluator.
 * Missing propagates; a division by zero is missing, and `onDivisionByZero` records it.
 */
export function arithmeticRV(op: A.BinaryOp, a: RV, b: RV, onDivisionByZero: () => void): RV {
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  const x = num(a);
  const y = num(b);
  if (!x || !y) return MISSING;
  // the unit of the result: money wins, then percent; a ratio of two like units is a number
  const kind: "money" | "percent" | "number" =
    a.kind === "money" || b.kind === "money"
      ? op === "/" && a.kind === "money" && b.kind === "money" ? "number" : "money"
      : a.kind === "percent" || b.kind === "percent"
        ? op === "/" && a.kind === "percent" && b.kind === "percent" ? "number" : "percent"
        : "number";
  switch (op) {
    case "+": return { kind, value: x.add(y) };
    case "-": return { kind, value: x.sub(y) };
    case "*": return { kind, value: x.mul(y) };
    case "/":
      if (y.isZero()) {
        onDivisionByZero();
        return MISSING;
      }
      return { kind, value: x.div(y) };
    default: return MISSING;
  }
}

function arith(op: A.BinaryOp, a: RV, b: RV, env: Env, span: A.Span): RV {
  return arithmeticRV(op, a, b, () => env.fail?.("division-by-zero", span));
}

/** Number of first days of a month D with from <= D <= through (ISO dates). */
export function monthStarts(from: string, through: string): number {
  if (through < from) return 0;
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  // the first month start on or after `from`
  if (from.slice(8, 10) !== "01") {
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  const [ty, tm] = [Number(through.slice(0, 4)), Number(through.slice(5, 7))];
  const count = (ty - y) * 12 + (tm - m) + 1;
  return Math.max(0, count);
}

export function evaluate(e: A.Expr, env: Env): RV {
  switch (e.$type) {
    case "NumberLit": return { kind: "number", value: Rational.parse(e.value) };
    case "MoneyLit": {
      const v = Rational.parse(e.value);
      return { kind: "money", value: e.negative ? v.neg() : v };
    }
    case "PercentLit": return { kind: "percent", value: Rational.parse(e.value).div(100) };
    case "DateLit": return { kind: "date", value: e.value };
    case "StringLit": return { kind: "text", value: e.value };
    case "BoolLit": return bool(e.value);
    case "NameRef": return env.name(e.name);
    case "ClauseRef": return env.clause(e.name);
    case "Unary": {
      const v = evaluate(e.operand, env);
      if (v.kind === "missing") return MISSING;
      if (e.op === "not") return v.kind === "boolean" ? bool(!v.value) : MISSING;
      const x = num(v);
      return x ? ({ kind: v.kind, value: x.neg() } as RV) : MISSING;
    }
    case "Binary": return compareOp(e.op, evaluate(e.left, env), evaluate(e.right, env));
    case "Logical": {
      // left to right, as ((a and b) and c): stops at the first decisive value (false for and, true for or)
      const decisive = e.op === "or";
      let acc = evaluate(e.operands[0]!, env);
      for (let i = 1; i < e.operands.length; i++) {
        if (acc.kind === "boolean" && acc.value === decisive) return acc;
        const r = evaluate(e.operands[i]!, env);
        if (r.kind === "boolean" && r.value === decisive) acc = r;
        else acc = acc.kind === "missing" || r.kind === "missing" ? MISSING : bool(!decisive);
      }
      return acc;
    }
    case "Arithmetic": {
      // every operand is evaluated, then combined from the left, as ((a + b) - c)
      let acc = evaluate(e.operands[0]!, env);
      for (let i = 1; i < e.operands.length; i++) acc = arith(e.ops[i - 1]!, acc, evaluate(e.operands[i]!, env), env, e.opSpans[i - 1]!);
      return acc;
    }
    case "InList": {
      const v = evaluate(e.value, env);
      if (v.kind === "missing") return MISSING;
      let found = false;
      let unknown = false;
      for (const item of e.items) {
        const c = compareOp("=", v, evaluate(item, env));
        if (c.kind === "missing") unknown = true;
        else if (c.kind === "boolean" && c.value) found = true;
      }
      if (found) return bool(!e.negated);
      if (unknown) return MISSING;
      return bool(e.negated);
    }
    case "IsMissing": {
      const v = evaluate(e.operand, env);
      return bool((v.kind === "missing") !== e.negated);
    }
    case "Otherwise": {
      for (const v of e.values) {
        const x = evaluate(v, env);
        if (x.kind !== "missing") return x;
      }
      return MISSING;
    }
    case "PercentOf": {
      const p = evaluate(e.percent, env);
      const of = evaluate(e.of, env);
      if (p.kind !== "percent" || of.kind === "missing") return MISSING;
      const x = num(of);
      return x ? ({ kind: of.kind, value: x.mul(p.value) } as RV) : MISSING;
    }
    case "MonthStarts": {
      const f = evaluate(e.from, env);
      const t = evaluate(e.through, env);
      if (f.kind !== "date" || t.kind !== "date") return MISSING;
      return { kind: "number", value: Rational.of(monthStarts(f.value, t.value)) };
    }
    case "CountMet": {
      let n = 0;
      for (const item of e.items) {
        const v = evaluate(item, env);
        if (v.kind === "boolean" && v.value) n++;
      }
      return { kind: "number", value: Rational.of(n) };
    }
    case "Call": {
      // `choose(c, a, b)`: only the value chosen is evaluated
      if (FUNCTIONS.get(e.name)?.lazy) return chooseRV(evaluate(e.args[0]!, env), () => evaluate(e.args[1]!, env), () => evaluate(e.args[2]!, env));
      return callRV(e, e.args.map((a) => evaluate(a, env)));
    }
    case "DateShift": return shiftRV(e, evaluate(e.date, env), evaluate(e.amount, env));
    // each student's value, computed once from the rows of events (engine/events.ts); a
    // student with no rows has none joined, and reads the aggregate of no rows
    case "EventAggregate": {
      const v = env.name(e.slot!);
      return v.kind === "missing" ? eventsOfNone(e) : v;
    }
    case "Aggregate": {
      const rows = env.rows?.(e.population) ?? [];
      const chosen = e.where ? rows.filter((r) => { const v = evaluate(e.where!, r); return v.kind === "boolean" && v.value; }) : rows;
      if (e.fn === "count") return { kind: "number", value: Rational.of(chosen.length) };
      if (e.fn === "share") {
        if (rows.length === 0) return MISSING;
        return { kind: "percent", value: Rational.of(chosen.length, rows.length) };
      }
      let total: RV | undefined;
      for (const r of chosen) {
        const v = evaluate(e.value!, r);
        if (v.kind === "missing") continue;
        total = total ? arith("+", total, v, env, e.span) : v;
      }
      return total ?? emptySum(e);
    }
  }
}

/** `choose(c, a, b)`: `a` when `c` holds, `b` when it does not, missing when `c` is missing. */
export function chooseRV(c: RV, then: () => RV, otherwise: () => RV): RV {
  if (c.kind !== "boolean") return MISSING;
  return c.value ? then() : otherwise();
}

/** A function call on evaluated arguments (engine/functions.ts), as an RV of the function's result type. */
export function callRV(e: A.Call, args: RV[]): RV {
  const measure = MEASURE_FUNCTIONS[e.name];
  if (measure) {
    const values: Rational[] = [];
    for (const a of args) {
      if (a.kind !== "number" && a.kind !== "money" && a.kind !== "percent") return MISSING;
      values.push(a.value);
    }
    return { kind: (args[0] as { kind: "number" | "money" | "percent" }).kind, value: measure(values) };
  }
  const bare = args.map((a) => (a.kind === "date" || a.kind === "text" ? a.value : a.kind === "number" && a.value.isInteger() ? Number(a.value.numerator) : undefined));
  const v = callFunction(e.name, bare);
  if (v === undefined) return MISSING;
  return typeof v === "number" ? { kind: "number", value: Rational.of(v) } : { kind: FUNCTIONS.get(e.name)!.result === "date" ? "date" : "text", value: v };
}

/** `d + N days` on evaluated values: missing when either is missing. */
export function shiftRV(e: A.DateShift, d: RV, n: RV): RV {
  if (d.kind !== "date" || n.kind !== "number" || !n.value.isInteger()) return MISSING;
  const v = shiftDate(d.value, e.op, Number(n.value.numerator), e.unit);
  return v === undefined ? MISSING : { kind: "date", value: v };
}

/**
 * An aggregate of events over no rows: zero for a count, a number of weeks or a sum (in the
 * unit of its value), missing for earliest, latest, highest and lowest.
 */
export function eventsOfNone(e: A.EventAggregate): RV {
  switch (e.fn) {
    case "count":
    case "weeks":
    case "run":
      return { kind: "number", value: Rational.ZERO };
    case "sum":
      return { kind: e.type === "money" ? "money" : e.type === "percent" ? "percent" : "number", value: Rational.ZERO };
    default:
      return MISSING;
  }
}

/** A `sum of (…)` over no rows, or over missing values only: zero, in the unit of the summed value. */
export function emptySum(e: A.Aggregate): RV {
  return { kind: e.unit ?? "number", value: Rational.ZERO };
}

/** A value as text for reasons and outputs: "71", "73.8%", "$1,080.00", "2026-10-01", "missing". */
export function showRV(v: RV, percentPlaces = 1): string {
  switch (v.kind) {
    case "missing": return "missing";
    case "boolean": return v.value ? "yes" : "no";
    case "date":
    case "text": return v.value;
    case "percent": return `${v.value.mul(100).toDecimalString(percentPlaces)}%`;
    case "money": {
      const s = v.value.toDecimalString(2);
      const neg = s.startsWith("-");
      const [w, f] = (neg ? s.slice(1) : s).split(".");
      return `${neg ? "-" : ""}$${w!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
    }
    case "number": {
      if (v.value.isInteger()) return v.value.toString();
      const exact = v.value.toString();
      return exact.includes("/") ? v.value.toDecimalString(4) : exact;
    }
  }
}
