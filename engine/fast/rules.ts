/**
 * The rule compiler: the contract's json-rules-engine rules (the `RuleSet` JSON) → synchronous
 * closures over a `Frame`.
 *
 * What is reproduced of json-rules-engine 7.3 (see node_modules/json-rules-engine/dist/rule.js):
 * - Rules run in priority order, highest first; rules of one priority see the same state, and
 *   the success/failure events of a priority (which set the groups of students and the clause
 *   results) take effect before the next priority runs.
 * - Inside `all`/`any`, conditions are ordered by priority; every fact of these rule sets has
 *   the default priority, so there is one priority set and every child is evaluated
 *   (`Promise.all`), with no short-circuit; the result is `every`/`some` of the children. An
 *   empty `all` or `any` is true; a single child is the result of that child.
 * - Every leaf that is evaluated gets `factResult`, `valueResult` and `result`; the trace tree
 *   built here has those properties, so `traceConditions` reads it exactly as it reads the
 *   engine's `RuleResult.conditions`.
 * - Fact values are cached for the run (the almanac cache): a `clause:` or `population:` fact
 *   keeps the value of its first read; other facts are memoized by the frame as by `Context`.
 * - Operators are OBC's own (`obcGte`, …), evaluated as `engine/run.ts` defines them.
 *
 * When a rule set is outside what is reproduced (a state-setting rule sharing its priority with
 * another rule, a priority below 1) compilation throws `FastUnsupported` and the caller uses
 * the reference engine. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { Condition, LeafCondition, ObcRule } from "../compile.ts";
import { compareOp, type RV } from "../evaluate.ts";
import { decodeLiteral } from "../run.ts";
import { bareOf, compareTyped, FastUnsupported, rvOf, type Compiled, type Frame, type Scope, type SK } from "./expr.ts";

const CMP: Record<string, A.BinaryOp> = { obcLt: "<", obcLte: "<=", obcGt: ">", obcGte: ">=", obcEq: "=", obcNe: "!=" };

/** What a leaf's trace node carries (the json-rules-engine condition after evaluation). */
export interface TraceLeaf {
  name: string;
  fact: string;
  operator: string;
  value: LeafCondition["value"];
  factResult: RV;
  valueResult: unknown;
  result: boolean;
}
export type TraceNode = TraceLeaf | { all: TraceNode[] } | { any: TraceNode[] };

type Test = (f: Frame) => boolean;
type Traced = (f: Frame) => { result: boolean; node: TraceNode };

/** Why a rule set cannot take the lean path, or undefined when every leaf is well-typed. */
export interface LeafInfo {
  /** a leaf whose result is not provably `isTrue` of the condition it was compiled from */
  untyped: boolean;
  /** ids of the clauses whose `clause:` fact the rule reads */
  clauses: string[];
}

export interface CompiledRule {
  rule: ObcRule;
  name: string;
  priority: number;
  /** decides the rule, evaluating every leaf as json-rules-engine does */
  test: Test;
  /** decides the rule and returns the condition tree with every leaf's values */
  traced: (f: Frame) => { result: boolean; conditions: TraceNode };
  /** true when the rule's event changes state (a group of students or a clause result) */
  setsState: boolean;
  info: LeafInfo;
}

const literal = (s: string): Compiled => {
  const b = bareOf(decodeLiteral(s));
  return { sk: b.sk, fn: () => b.value, isConst: true, value: b.value };
};

function leafTest(scope: Scope, leaf: LeafCondition, info: LeafInfo): { test: Test; traced: Traced } {
  const fc = scope.fact(leaf.fact);
  if (leaf.fact.startsWith("clause:")) info.clauses.push(leaf.fact.slice(7));
  const F = fc.fn;
  const v = leaf.value;
  const valueFact = v !== null && typeof v === "object" && !Array.isArray(v) ? scope.fact(v.fact) : undefined;
  let test: Test;
  const op = leaf.operator;
  if (CMP[op]) {
    const vc = valueFact ?? (typeof v === "string" ? literal(v) : undefined);
    if (!vc) throw new FastUnsupported(`unexpected value of ${leaf.name}`);
    const cop = CMP[op]!;
    if (valueFact && leaf.value && typeof leaf.value === "object" && "fact" in leaf.value && leaf.value.fact.startsWith("clause:")) info.clauses.push(leaf.value.fact.slice(7));
    if (!(fc.sk !== "rv" && vc.sk !== "rv" && category(fc.sk) === category(vc.sk))) info.untyped = true;
    if ((cop === "<" || cop === "<=" || cop === ">" || cop === ">=") && (category(fc.sk) === 2 || category(fc.sk) === 4)) info.untyped = true;
    if (fc.sk !== "rv" && vc.sk !== "rv") {
      // (json-rules-engine reads the value side first; facts read under one state give the same values in any order)
      const cmp = compareTyped(cop, fc, vc);
      test = (f) => cmp(f) === true;
    } else {
      const FR = asRV(fc);
      const VR = asRV(vc);
      test = (f) => {
        const b = VR(f);
        const a = FR(f);
        const r = compareOp(cop, a, b);
        return r.kind === "boolean" && r.value;
      };
    }
  } else if (op === "obcIn" || op === "obcNotIn") {
    if (!Array.isArray(v)) throw new FastUnsupported(`unexpected value of ${leaf.name}`);
    const lits = v.map(decodeLiteral);
    const want = op === "obcIn";
    if (fc.sk === "rv" || lits.some((l) => !sameCategory(bareOf(l).sk, fc.sk))) info.untyped = true;
    if (fc.sk !== "rv") {
      const sk = fc.sk;
      const bare = lits.map(bareOf).filter((b) => sameCategory(b.sk, sk)).map((b) => b.value);
      const eq = equality(sk);
      test = (f) => {
        const x = F(f);
        if (x === undefined) return false;
        let found = false;
        for (let i = 0; i < bare.length; i++) if (eq(x, bare[i])) { found = true; break; }
        return found === want;
      };
    } else {
      test = (f) => {
        const x = F(f) as RV;
        if (x.kind === "missing") return false;
        const found = lits.some((l) => { const c = compareOp("=", x, l); return c.kind === "boolean" && c.value; });
        return found === want;
      };
    }
  } else if (op === "obcIsMissing" || op === "obcIsPresent") {
    const want = op === "obcIsMissing";
    test = fc.sk === "rv" ? (f) => ((F(f) as RV).kind === "missing") === want : (f) => (F(f) === undefined) === want;
  } else if (op === "obcIs") {
    if (typeof v !== "boolean") throw new FastUnsupported(`unexpected value of ${leaf.name}`);
    if (fc.sk !== "boolean") info.untyped = true;
    if (fc.sk === "boolean") test = (f) => F(f) === v;
    else if (fc.sk === "rv") test = (f) => { const x = F(f) as RV; return x.kind === "boolean" && x.value === v; };
    else test = (f) => { F(f); return false; };
  } else {
    throw new FastUnsupported(`unknown operator ${op}`);
  }
  const FR = asRV(fc);
  const VR = valueFact ? asRV(valueFact) : undefined;
  const traced: Traced = (f) => {
    const result = test(f);
    // facts are memoized or first-read cached, so reading them again gives the same values
    const node: TraceLeaf = {
      name: leaf.name,
      fact: leaf.fact,
      operator: leaf.operator,
      value: leaf.value,
      factResult: FR(f),
      valueResult: VR ? VR(f) : leaf.value,
      result,
    };
    return { result, node };
  };
  return { test, traced };
}

function asRV(c: Compiled): (f: Frame) => RV {
  const g = c.fn;
  const sk = c.sk;
  return sk === "rv" ? g : (f) => rvOf(sk, g(f));
}

const category = (sk: SK): number =>
  sk === "number" || sk === "money" || sk === "percent" ? 1 : sk === "boolean" ? 2 : sk === "date" ? 3 : sk === "text" ? 4 : 0;
const sameCategory = (a: SK, b: SK): boolean => category(a) !== 0 && category(a) === category(b);

function equality(sk: SK): (a: unknown, b: unknown) => boolean {
  if (category(sk) === 1) {
    return (a, b) => (typeof a === "number" && typeof b === "number" ? a === b : typeof a !== "number" && typeof b !== "number" ? (a as { cmp(x: unknown): number }).cmp(b) === 0 : false);
  }
  return (a, b) => a === b;
}

function compileCondition(scope: Scope, c: Condition, info: LeafInfo): { test: Test; traced: Traced } {
  if ("fact" in c) return leafTest(scope, c, info);
  const isAll = "all" in c;
  const kids = (isAll ? (c as { all: Condition[] }).all : (c as { any: Condition[] }).any).map((k) => compileCondition(scope, k, info));
  const wrap = (nodes: TraceNode[]): TraceNode => (isAll ? { all: nodes } : { any: nodes });
  if (kids.length === 0) return { test: () => true, traced: () => ({ result: true, node: wrap([]) }) };
  if (kids.length === 1) {
    const k = kids[0]!;
    return { test: k.test, traced: (f) => { const r = k.traced(f); return { result: r.result, node: wrap([r.node]) }; } };
  }
  const tests = kids.map((k) => k.test);
  const n = tests.length;
  const test: Test = isAll
    ? (f) => { let ok = true; for (let i = 0; i < n; i++) if (!tests[i]!(f)) ok = false; return ok; }
    : (f) => { let ok = false; for (let i = 0; i < n; i++) if (tests[i]!(f)) ok = true; return ok; };
  const traced: Traced = (f) => {
    const rs = kids.map((k) => k.traced(f));
    const result = isAll ? rs.every((r) => r.result) : rs.some((r) => r.result);
    return { result, node: wrap(rs.map((r) => r.node)) };
  };
  return { test, traced };
}

/** Compiles rules for a scope; returns them in json-rules-engine's run order, grouped by priority. */
export function compileRules(scope: Scope, rules: ObcRule[]): CompiledRule[][] {
  const compiled: CompiledRule[] = rules.map((rule) => {
    const priority = parseInt(String(rule.priority), 10);
    if (!(priority > 0)) throw new FastUnsupported(`priority ${rule.priority} of ${rule.name}`);
    const info: LeafInfo = { untyped: false, clauses: [] };
    const top = compileCondition(scope, rule.conditions, info);
    const role = rule.event.params.role;
    return {
      rule,
      name: rule.name,
      priority,
      test: top.test,
      traced: (f) => { const r = top.traced(f); return { result: r.result, conditions: r.node }; },
      setsState: (role === "population" && !!rule.event.params.population) || (role === "clause" && !!rule.event.params.clause),
      info,
    };
  });
  const byPriority = new Map<number, CompiledRule[]>();
  for (const r of compiled) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const groups = [...byPriority.entries()].sort(([a], [b]) => b - a).map(([, g]) => g);
  for (const g of groups) {
    if (g.length > 1 && g.some((r) => r.setsState)) throw new FastUnsupported("a rule that sets state shares its priority");
  }
  return groups;
}
