/**
 * Names, types and units of expressions.
 *
 * Input: an expression AST and the scope it sits in. Output: its static type (`Ty`), the
 * optional fields that can leave it undecided ("missing"), and diagnostics for unknown
 * names, mismatched units (money vs percent vs score vs count vs date) and values used
 * where a condition is needed. Never throws; an ill-typed piece gets type `error`, and no
 * second diagnostic is reported about it.
 */
import type * as A from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { MAX_DEFINITION_DEPTH, MAX_PRODUCT_DEGREE } from "../limits.ts";
import { productDegree } from "./degree.ts";
import type { Ty } from "./ir.ts";
import { FUNCTIONS, paramsWords, resultType } from "./functions.ts";

export interface NameInfo {
  type: Ty;
  /** the names of optional fields this name reads (it may be missing when one of them is) */
  missing: Set<string>;
  kind: "field" | "metric" | "condition" | "let" | "measure";
  span: A.Span;
  /** for a definition: how deep its expression nests, counting the definitions it reads (see {@link ExprChecker.measure}) */
  depth?: number;
  /** for a definition: how many values it multiplies together (see check/degree.ts) */
  degree?: number;
}

/**
 * How deep the expression being typed sits: `stack` counts every `expr` call still open
 * (across definitions typed on the way), `depth` those since the definition being typed began,
 * and `reach` the deepest point of that definition, definitions it reads included. Shared by
 * every checker, since a metric is typed while a clause that reads it is being typed.
 */
const nesting = { stack: 0, depth: 0, reach: 0, reported: false };

/** Starts the checking of a contract: the bound on nesting is reported at most once per contract. */
export function resetNesting(): void {
  Object.assign(nesting, { stack: 0, depth: 0, reach: 0, reported: false });
}

/** Where names are looked up. Scopes chain to a parent (e.g. a cohort's lets, then student fields). */
export interface Scope {
  lookup(name: string): NameInfo | undefined;
  names(): string[];
  /** how aggregates read rows in this scope: `students` (a population is needed) or a period's rows */
  rows?: { kind: "period"; scope: Scope } | { kind: "students"; scope: Scope };
  /** clause names that `"Clause"` references may use */
  clauses?: Set<string>;
  /** populations that are declared */
  populations?: Set<string>;
  /**
   * The data sets of events a student-level expression may aggregate (`count of sessions`),
   * by name, with the scope of one row and the field that dates the rows, and the per-period
   * data sets a run may skip the weeks of (`excluding holidays`).
   */
  events?: EventScopes;
}

export interface EventScopes {
  sets: Map<string, { scope: Scope; dated?: string }>;
  calendars: Set<string>;
  /** every event aggregate typed, in order, each given its `slot` */
  found: A.EventAggregate[];
}

let eventSlots = 0;

const NUMERIC: ReadonlySet<Ty> = new Set(["number", "integer", "count", "decimal"]);

export function isNumeric(t: Ty): boolean {
  return NUMERIC.has(t);
}

/** Words for a type in messages: "a score", "an amount of money". */
export function tyWords(t: Ty): string {
  switch (t) {
    case "number": return "a number";
    case "integer": return "a whole number";
    case "count": return "a count";
    case "decimal": return "a number";
    case "score": return "a score";
    case "percent": return "a percentage";
    case "money": return "an amount of money";
    case "boolean": return "a yes/no value";
    case "date": return "a date";
    case "text": return "text";
    case "error": return "an invalid value";
  }
}

function describeExpr(e: A.Expr): string {
  switch (e.$type) {
    case "NameRef": return e.name;
    case "MoneyLit": return `$${e.value}`;
    case "PercentLit": return `${e.value}%`;
    case "NumberLit": return e.value;
    case "DateLit": return e.value;
    case "StringLit": return `"${e.value}"`;
    case "BoolLit": return String(e.value);
    default: return "this value";
  }
}

export interface Typed {
  type: Ty;
  missing: Set<string>;
}

const union = (...sets: Set<string>[]): Set<string> => new Set(sets.flatMap((s) => [...s]));

/** Fields `x` such that `e` is `x is missing` (negated=false) or `x is present` (negated=true). */
function guardFields(e: A.Expr, negated: boolean): Set<string> {
  if (e.$type === "IsMissing" && e.negated === negated && e.operand.$type === "NameRef") return new Set([e.operand.name]);
  if (e.$type === "Logical" && e.op === (negated ? "and" : "or")) return union(...e.operands.map((o) => guardFields(o, negated)));
  return new Set();
}

export class ExprChecker {
  constructor(readonly diagnostics: Diagnostic[], private readonly clause?: string) {}

  private report(d: Diagnostic): void {
    if (this.clause && !d.clause) d.clause = this.clause;
    this.diagnostics.push(d);
  }

  /** Checks an expression that must be a condition. */
  condition(e: A.Expr, scope: Scope): Typed {
    const t = this.expr(e, scope);
    if (t.type !== "boolean" && t.type !== "error") {
      this.report(diag("OBC3003", { type: tyWords(t.type) }, { span: e.span, label: "not a condition" }));
      return { type: "error", missing: t.missing };
    }
    return t;
  }

  /** Checks an expression that must be an amount of money. */
  money(e: A.Expr, scope: Scope): Typed {
    const t = this.expr(e, scope);
    if (t.type !== "money" && t.type !== "error") {
      this.report(diag("OBC3004", { type: tyWords(t.type) }, { span: e.span, label: "not money" }));
      return { type: "error", missing: t.missing };
    }
    return t;
  }

  /**
   * Types a definition's expression with `f`, and measures how deep it nests, the
   * definitions it reads included: the depth every later stage recurses to when it
   * evaluates, compiles or describes the definition.
   */
  measure<T>(f: () => T): { value: T; depth: number } {
    const saved = { depth: nesting.depth, reach: nesting.reach };
    nesting.depth = 0;
    nesting.reach = 0;
    try {
      const value = f();
      return { value, depth: nesting.reach };
    } finally {
      nesting.depth = saved.depth;
      nesting.reach = saved.reach;
    }
  }

  /** Reports once, where the bound is passed, that an expression nests too deeply; its type is then `error`. */
  private tooDeep(e: A.Expr): Typed {
    if (!nesting.reported) {
      nesting.reported = true;
      this.report(diag("OBC2025", { limit: String(MAX_DEFINITION_DEPTH) }, { span: e.span, label: `more than ${MAX_DEFINITION_DEPTH} levels deep` }));
    }
    return { type: "error", missing: new Set() };
  }

  expr(e: A.Expr, scope: Scope): Typed {
    if (nesting.stack >= MAX_DEFINITION_DEPTH || nesting.depth >= MAX_DEFINITION_DEPTH) return this.tooDeep(e);
    nesting.stack++;
    nesting.depth++;
    if (nesting.depth > nesting.reach) nesting.reach = nesting.depth;
    try {
      return this.exprAt(e, scope);
    } finally {
      nesting.stack--;
      nesting.depth--;
    }
  }

  private exprAt(e: A.Expr, scope: Scope): Typed {
    const none = new Set<string>();
    switch (e.$type) {
      case "NumberLit": return { type: "number", missing: none };
      case "MoneyLit": return { type: "money", missing: none };
      case "PercentLit": return { type: "percent", missing: none };
      case "DateLit": return { type: "date", missing: none };
      case "StringLit": return { type: "text", missing: none };
      case "BoolLit": return { type: "boolean", missing: none };
      case "NameRef": {
        const info = scope.lookup(e.name);
        if (!info) {
          const s = didYouMean(e.name, scope.names());
          this.report(
            diag(
              "OBC2001",
              s ? { name: `'${e.name}'`, suggestion: `'${s}'` } : { name: `'${e.name}'` },
              { span: e.span, label: "not declared" },
              s ? { suggestions: [{ message: `Replace with '${s}'`, span: e.span, replacement: s }] } : {},
            ),
          );
          return { type: "error", missing: none };
        }
        if (info.depth !== undefined && info.type !== "error") {
          const reach = nesting.depth + info.depth;
          if (reach > MAX_DEFINITION_DEPTH) return this.tooDeep(e);
          if (reach > nesting.reach) nesting.reach = reach;
        }
        return { type: info.type, missing: info.missing };
      }
      case "ClauseRef": {
        if (!scope.clauses) {
          this.report(diag("OBC2021", { name: `"${e.name}"` }, { span: e.span, label: "not allowed here" }));
          return { type: "error", missing: none };
        }
        const clauses = scope.clauses;
        if (!clauses.has(e.name)) {
          const s = didYouMean(e.name, [...clauses]);
          this.report(
            diag(
              "OBC2002",
              s ? { name: `"${e.name}"`, suggestion: `"${s}"` } : { name: `"${e.name}"` },
              { span: e.span, label: "no such clause" },
              s ? { suggestions: [{ message: `Replace with "${s}"`, span: e.span, replacement: `"${s}"` }] } : {},
            ),
          );
          return { type: "error", missing: none };
        }
        return { type: "boolean", missing: none };
      }
      case "Unary": {
        if (e.op === "not") {
          const t = this.condition(e.operand, scope);
          return { type: t.type === "error" ? "error" : "boolean", missing: t.missing };
        }
        const t = this.expr(e.operand, scope);
        if (t.type === "error") return t;
        if (!isNumeric(t.type) && t.type !== "money" && t.type !== "score" && t.type !== "percent") {
          this.report(diag("OBC3002", { op: "negate", left: tyWords(t.type), right: "nothing", why: "only numbers and amounts can be negative" }, { span: e.span, label: "cannot be negative" }));
          return { type: "error", missing: t.missing };
        }
        return t;
      }
      case "Binary":
        return this.comparison(e, scope);
      case "Logical":
        return this.logical(e, scope);
      case "Arithmetic":
        return this.boundedDegree(e, scope, this.arithmeticChain(e, scope));
      case "InList": {
        const v = this.expr(e.value, scope);
        let missing = v.missing;
        for (const item of e.items) {
          const it = this.expr(item, scope);
          missing = union(missing, it.missing);
          if (v.type !== "error" && it.type !== "error" && !comparable(v.type, it.type)) {
            this.report(diag("OBC3001", { left: describeExpr(e.value), right: describeExpr(item), why: `${tyWords(v.type)} is not ${tyWords(it.type)}` }, { span: item.span, label: tyWords(it.type) }));
          }
        }
        return { type: v.type === "error" ? "error" : "boolean", missing };
      }
      case "IsMissing": {
        const v = this.expr(e.operand, scope);
        return { type: v.type === "error" ? "error" : "boolean", missing: none };
      }
      case "Otherwise": {
        // as if written (a otherwise b) otherwise c: each fallback for everything before it
        let v = this.expr(e.values[0]!, scope);
        for (let i = 1; i < e.values.length; i++) {
          const fallback = e.values[i]!;
          const f = this.expr(fallback, scope);
          if (v.type !== "error" && f.type !== "error" && !comparable(v.type, f.type)) {
            const before = i === 1 ? describeExpr(e.values[0]!) : "this value";
            this.report(diag("OBC3001", { left: before, right: describeExpr(fallback), why: `${tyWords(v.type)} cannot fall back to ${tyWords(f.type)}` }, { span: fallback.span, label: tyWords(f.type) }));
            v = { type: "error", missing: none };
            continue;
          }
          v = { type: v.type === "error" ? f.type : v.type, missing: f.missing };
        }
        return v;
      }
      case "PercentOf": {
        const p = this.expr(e.percent, scope);
        const of = this.expr(e.of, scope);
        if (of.type === "error" || p.type === "error") return { type: "error", missing: union(p.missing, of.missing) };
        if (of.type === "date" || of.type === "boolean" || of.type === "text") {
          this.report(diag("OBC3002", { op: "take a percentage of", left: tyWords(of.type), right: "a percentage", why: "only numbers and amounts have percentages" }, { span: e.of.span, label: tyWords(of.type) }));
          return { type: "error", missing: none };
        }
        return this.boundedDegree(e, scope, { type: of.type, missing: union(p.missing, of.missing) });
      }
      case "MonthStarts": {
        const f = this.expr(e.from, scope);
        const t = this.expr(e.through, scope);
        for (const [side, typed] of [[e.from, f], [e.through, t]] as const) {
          if (typed.type !== "date" && typed.type !== "error") {
            this.report(diag("OBC3002", { op: "count months between", left: tyWords(typed.type), right: "a date", why: "both ends must be dates" }, { span: side.span, label: "not a date" }));
          }
        }
        return { type: "count", missing: union(f.missing, t.missing) };
      }
      case "CountMet": {
        for (const item of e.items) this.condition(item, scope);
        // a listed condition that reads a missing value is not met: the count is always decided
        return { type: "count", missing: none };
      }
      case "Aggregate":
        return this.aggregate(e, scope);
      case "Call":
        return this.call(e, scope);
      case "EventAggregate":
        return this.eventAggregate(e, scope);
      case "DateShift": {
        const d = this.expr(e.date, scope);
        const n = this.expr(e.amount, scope);
        const missing = union(d.missing, n.missing);
        if (d.type === "error" || n.type === "error") return { type: "error", missing };
        if (d.type !== "date") {
          this.report(diag("OBC3002", { op: e.op === "+" ? "add" : "take", left: `${describeExpr(e.amount)} ${e.unit}`, right: tyWords(d.type), why: "a duration only moves a date" }, { span: e.opSpan, label: `${tyWords(d.type)} ${e.op} a duration` }));
          return { type: "error", missing };
        }
        if (!isWhole(e.amount, n.type)) {
          this.report(diag("OBC3002", { op: e.op === "+" ? "add" : "take", left: `${describeExpr(e.amount)} ${e.unit}`, right: "a date", why: `a date moves by a whole number of ${e.unit}, and this is ${tyWords(n.type)}` }, { span: e.amount.span, label: "not a whole number" }));
          return { type: "error", missing };
        }
        return { type: "date", missing };
      }
    }
  }

  private call(e: A.Call, scope: Scope): Typed {
    const f = FUNCTIONS.get(e.name);
    const args = e.args.map((a) => this.expr(a, scope));
    const missing = union(...args.map((a) => a.missing));
    if (!f) {
      const s = didYouMean(e.name, [...FUNCTIONS.keys()]);
      this.report(diag("OBC2801", s ? { name: `'${e.name}'`, functions: [...FUNCTIONS.keys()].join(", "), suggestion: `'${s}'` } : { name: `'${e.name}'`, functions: [...FUNCTIONS.keys()].join(", ") }, { span: e.nameSpan, label: "no such function" },
        s ? { suggestions: [{ message: `Replace with '${s}'`, span: e.nameSpan, replacement: s }] } : {}));
      return { type: "error", missing };
    }
    if (args.length !== f.params.length) {
      this.report(diag("OBC3802", { name: f.name, expected: paramsWords(f), given: args.length === 1 ? "one" : String(args.length), usage: `\`${f.usage}\`` }, { span: e.span, label: `${args.length} given` }));
      return { type: "error", missing };
    }
    let ok = true;
    f.params.forEach((p, i) => {
      const t = args[i]!.type;
      if (t === "error") ok = false;
      else if (!p.types.includes(t)) {
        ok = false;
        this.report(diag("OBC3803", { name: f.name, expected: p.words, found: tyWords(t), usage: `\`${f.usage}\`` }, { span: e.args[i]!.span, label: tyWords(t) }));
      }
    });
    if (!ok) return { type: "error", missing };
    const result = resultType(f, args.map((a) => a.type));
    if (result === undefined) {
      const types = args.slice(f.name === "choose" ? 1 : 0).map((a) => tyWords(a.type));
      this.report(diag("OBC3804", { name: f.name, types: types.join(" and "), usage: `\`${f.usage}\`` }, { span: e.span, label: types.join(" and ") }));
      return { type: "error", missing };
    }
    return { type: result, missing };
  }

  private eventAggregate(e: A.EventAggregate, scope: Scope): Typed {
    const none = new Set<string>();
    const set = scope.events?.sets.get(e.events.name);
    if (!set) {
      const names = [...(scope.events?.sets.keys() ?? [])];
      const s = didYouMean(e.events.name, names);
      this.report(diag("OBC2802", { name: `'${e.events.name}'`, sets: names.length ? names.map((n) => `'${n}'`).join(", ") : "none" }, { span: e.events.span, label: "not a data set of events" },
        s ? { suggestions: [{ message: `Replace with '${s}'`, span: e.events.span, replacement: s }] } : {}));
      return { type: "error", missing: none };
    }
    if ((e.fn === "weeks" || e.fn === "run" || e.fn === "earliest" || e.fn === "latest") && !set.dated) {
      this.report(diag("OBC2803", { name: `'${e.events.name}'` }, { span: e.span, label: "the rows have no date" }));
      return { type: "error", missing: none };
    }
    if (e.excluding && !scope.events!.calendars.has(e.excluding.name)) {
      const names = [...scope.events!.calendars];
      this.report(diag("OBC2804", { name: `'${e.excluding.name}'`, sets: names.length ? names.map((n) => `'${n}'`).join(", ") : "none" }, { span: e.excluding.span, label: "not a data set of dates" }));
      return { type: "error", missing: none };
    }
    if (e.atLeast && (e.atLeast.value.includes(".") || Number(e.atLeast.value) < 1)) {
      this.report(diag("OBC3805", { n: e.atLeast.value }, { span: e.atLeast.span, label: "not a whole number of rows" }));
      return { type: "error", missing: none };
    }
    if (e.where) this.condition(e.where, set.scope);
    let type: Ty = "count";
    let missing = none;
    if (e.value) {
      const v = this.expr(e.value, set.scope);
      if (v.type === "error") return { type: "error", missing: none };
      const ordered = isNumeric(v.type) || v.type === "money" || v.type === "percent" || v.type === "score" || v.type === "date";
      const addable = isNumeric(v.type) || v.type === "money" || v.type === "percent" || v.type === "score";
      if ((e.fn === "sum" && !addable) || ((e.fn === "highest" || e.fn === "lowest") && !ordered)) {
        this.report(diag("OBC3002", { op: e.fn === "sum" ? "add up" : `take the ${e.fn} of`, left: tyWords(v.type), right: tyWords(v.type), why: e.fn === "sum" ? "only numbers and amounts can be added" : "only numbers, amounts, scores, percentages and dates are ordered" }, { span: e.value.span, label: tyWords(v.type) }));
        return { type: "error", missing: none };
      }
      type = v.type === "number" ? "decimal" : v.type;
      // a sum is zero over no rows; the others are missing over no rows
      if (e.fn !== "sum") missing = new Set([`${e.fn} of ${e.events.name}`]);
    }
    e.type = type;
    if (!e.slot) e.slot = `event:${++eventSlots}`;
    if (!scope.events!.found.includes(e)) scope.events!.found.push(e);
    return { type, missing };
  }

  private aggregate(e: A.Aggregate, scope: Scope): Typed {
    const none = new Set<string>();
    const rows = scope.rows;
    if (!rows) {
      this.report(diag("OBC3008", { fn: e.fn }, { span: e.span, label: "not in a cohort clause" }));
      return { type: "error", missing: none };
    }
    if (rows.kind === "students" && !e.population) {
      this.report(diag("OBC2023", { fn: e.fn }, { span: e.span, label: "say which students" }));
      return { type: "error", missing: none };
    }
    if (e.population && e.population !== "all" && !(scope.populations ?? new Set()).has(e.population)) {
      this.report(diag("OBC2007", { population: e.population }, { span: e.span, label: `${e.population} students are not defined` }));
    }
    if (e.where) this.condition(e.where, rows.scope);
    if (e.fn === "sum") {
      if (!e.value) return { type: "error", missing: none };
      const v = this.expr(e.value, rows.scope);
      if (v.type === "boolean" || v.type === "date" || v.type === "text") {
        this.report(diag("OBC3002", { op: "add up", left: tyWords(v.type), right: tyWords(v.type), why: "only numbers and amounts can be added" }, { span: e.value.span, label: tyWords(v.type) }));
        return { type: "error", missing: none };
      }
      if (v.type !== "error") e.unit = v.type === "money" || v.type === "percent" ? v.type : "number";
      return { type: v.type, missing: none };
    }
    return { type: e.fn === "share" ? "percent" : "count", missing: none };
  }

  /** `a and b and c`: typed as if nested to the left, ((a and b) and c). */
  private logical(e: A.Logical, scope: Scope): Typed {
    const negated = e.op === "and";
    let acc = this.condition(e.operands[0]!, scope);
    // the guards (`x is present` under and, `x is missing` under or) of the operands so far
    let guards = guardFields(e.operands[0]!, negated);
    for (let i = 1; i < e.operands.length; i++) {
      const operand = e.operands[i]!;
      const r = this.condition(operand, scope);
      const own = guardFields(operand, negated);
      const guarded = guards.size > 0 ? guards : own;
      const missing = new Set([...union(acc.missing, r.missing)].filter((f) => !guarded.has(f)));
      acc = { type: acc.type === "error" || r.type === "error" ? "error" : "boolean", missing };
      guards = union(guards, own);
    }
    return acc;
  }

  /** `a + b - c`: typed step by step from the left; a step whose units do not combine is reported at its operator. */
  /** A product of more than MAX_PRODUCT_DEGREE values is refused where it passes the bound (OBC2028). */
  private boundedDegree(e: A.Arithmetic | A.PercentOf, scope: Scope, t: Typed): Typed {
    if (t.type === "error") return t;
    const degree = productDegree(e, (n) => scope.lookup(n)?.degree);
    if (degree <= MAX_PRODUCT_DEGREE) return t;
    this.report(diag("OBC2028", { limit: String(MAX_PRODUCT_DEGREE) }, { span: e.span, label: `more than ${MAX_PRODUCT_DEGREE} values multiplied` }));
    return { type: "error", missing: t.missing };
  }

  private arithmeticChain(e: A.Arithmetic, scope: Scope): Typed {
    const first = this.expr(e.operands[0]!, scope);
    let type = first.type;
    let missing = first.missing;
    for (let i = 1; i < e.operands.length; i++) {
      const r = this.expr(e.operands[i]!, scope);
      missing = union(missing, r.missing);
      if (type === "error" || r.type === "error") {
        type = "error";
        continue;
      }
      const op = e.ops[i - 1]!;
      const t = arithmetic(op, type, r.type);
      if (!t) {
        const verb = { "+": "add", "-": "take the difference of", "*": "multiply", "/": "divide" }[op];
        this.report(
          diag("OBC3002", { op: verb, left: tyWords(type), right: tyWords(r.type), why: arithmeticWhy(op, type, r.type) }, { span: e.opSpans[i - 1]!, label: `${tyWords(type)} ${op} ${tyWords(r.type)}` }),
        );
        type = "error";
        continue;
      }
      type = t;
    }
    return { type, missing };
  }

  private comparison(e: A.Binary, scope: Scope): Typed {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    const missing = union(l.missing, r.missing);
    if (l.type === "error" || r.type === "error") return { type: "error", missing };
    if (!comparable(l.type, r.type)) {
      const [pct, other, otherExpr] = l.type === "percent" ? [e.left, r.type, e.right] : [e.right, l.type, e.left];
      if ((l.type === "percent" || r.type === "percent") && other === "number" && otherExpr.$type === "NumberLit") {
        const value = asPercentPoints(otherExpr.value);
        this.report(
          diag("OBC3005", { field: describeExpr(pct), value }, { span: otherExpr.span, label: "a plain number" }, {
            suggestions: [{ message: `Write ${value}%`, span: otherExpr.span, replacement: `${value}%` }],
          }),
        );
      } else {
        this.report(
          diag("OBC3001", { left: describeExpr(e.left), right: describeExpr(e.right), why: `${tyWords(l.type)} is not ${tyWords(r.type)}` }, { span: e.span, label: `${tyWords(l.type)} compared with ${tyWords(r.type)}` }),
        );
      }
      return { type: "error", missing };
    }
    if ((e.op !== "=" && e.op !== "!=") && (l.type === "boolean" || l.type === "text")) {
      this.report(diag("OBC3001", { left: describeExpr(e.left), right: describeExpr(e.right), why: `${tyWords(l.type)} has no order; use = or !=` }, { span: e.opSpan, label: "no order" }));
      return { type: "error", missing };
    }
    return { type: "boolean", missing };
  }
}

/** Whether an amount of days, weeks or months is a whole number: an integer or count, or a literal without decimals. */
function isWhole(e: A.Expr, t: Ty): boolean {
  if (e.$type === "NumberLit") return !e.value.includes(".");
  return t === "integer" || t === "count";
}

/** A plain number as percent points: 30 stays 30; a fraction such as 0.85 becomes 85. */
function asPercentPoints(text: string): string {
  if (!text.startsWith("0.")) return text;
  const digits = text.slice(2);
  const whole = (digits.slice(0, 2).padEnd(2, "0")).replace(/^0/, "") || "0";
  const rest = digits.slice(2);
  return rest ? `${whole}.${rest}` : whole;
}

/** Whether values of two types can be compared with each other. */
export function comparable(a: Ty, b: Ty): boolean {
  if (a === b) return true;
  const scoreOrNum = (t: Ty) => isNumeric(t) || t === "score";
  if (scoreOrNum(a) && scoreOrNum(b)) return true;
  // a ratio of counts (e.g. attended / scheduled) compares with a percentage
  if ((a === "percent" && b === "decimal") || (a === "decimal" && b === "percent")) return true;
  return false;
}

/** The type of `l op r` for arithmetic, or undefined when the units do not combine. */
export function arithmetic(op: A.BinaryOp, l: Ty, r: Ty): Ty | undefined {
  const num = isNumeric;
  switch (op) {
    case "+":
    case "-":
      if (l === "money" && r === "money") return "money";
      if (l === "percent" && r === "percent") return "percent";
      if (l === "score" && (r === "score" || num(r))) return "score";
      if (num(l) && r === "score") return "score";
      if (num(l) && num(r)) return l === r && (l === "count" || l === "integer") ? l : "decimal";
      return undefined;
    case "*":
      // an amount per unit: per point of growth ($10 * growth), per session, per percentage
      if (l === "money" && (num(r) || r === "percent" || r === "score")) return "money";
      if (r === "money" && (num(l) || l === "percent" || l === "score")) return "money";
      if (l === "score" && num(r)) return "score";
      if (num(l) && r === "score") return "score";
      if (l === "percent" && num(r)) return "percent";
      if (num(l) && r === "percent") return "percent";
      if (num(l) && num(r)) return "decimal";
      return undefined;
    case "/":
      if (l === "money" && num(r)) return "money";
      if (l === "money" && r === "money") return "decimal";
      if (l === "score" && num(r)) return "score";
      if (l === "score" && r === "score") return "decimal";
      if (l === "percent" && num(r)) return "percent";
      if (num(l) && num(r)) return "decimal";
      return undefined;
    default:
      return undefined;
  }
}

function arithmeticWhy(op: A.BinaryOp, l: Ty, r: Ty): string {
  if ((l === "date") !== (r === "date") && (op === "+" || op === "-") && (isNumeric(l) || isNumeric(r))) return "a date moves by days, weeks or months: write the unit, as in `achieved_on + 90 days`";
  if (l === "date" || r === "date") return "dates cannot be used in arithmetic; use `days_between(a, b)` or `months_between(a, b)` to count the time between two dates";
  if (l === "money" && r === "money" && op === "*") return "two amounts of money cannot be multiplied";
  if ((l === "money") !== (r === "money")) return "an amount of money only combines with another amount (for + and -) or with a plain number (for * and /)";
  if (l === "percent" || r === "percent") return "a percentage only combines with another percentage, or applies to an amount with `of`";
  return `${tyWords(l)} and ${tyWords(r)} are measured in different units`;
}
