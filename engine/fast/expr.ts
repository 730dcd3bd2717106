/**
 * The closure compiler for OBC expressions: expression AST → a JS closure over a `Frame`.
 *
 * Semantics are those of the reference evaluator (`engine/evaluate.ts`), exactly: three-valued
 * logic, exact arithmetic, missing propagation, division by zero recorded as a failure and
 * read as missing, `otherwise`, `N% of`, `month starts`, `count of`, aggregates. Metrics
 * (and lets, measures) are memoized per frame on first evaluation, as the reference `Context`
 * does, so even the order-dependent corner cases (a metric that reads a clause before the
 * clause is decided) give the same values, and the same number of division-by-zero failures.
 *
 * Speed comes from static kinds. Every expression gets a static kind (SK) when its runtime
 * kind is provably fixed: a field's kind from its declared type, a literal's, an arithmetic
 * result's from its operands' by the reference's unit rule, and so on. A closure of static
 * kind returns a bare value, `undefined` meaning missing:
 *   number | money | percent → `N` (a safe-integer `number` or a `Rational`, see num.ts)
 *   boolean → `boolean`;  date | text → `string`
 * An expression whose kind is not provably fixed gets kind "rv" and a closure that returns a
 * reference `RV`, computed by a literal transcription of `evaluate`. Static kinds only choose
 * a representation; they never change a result.
 *
 * No `eval` or `new Function`: every closure is written here. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ClauseIR } from "../../language/check/ir.ts";
import { eventsOfNone, arithmeticRV, callRV, compareOp, emptySum, FALSE, MISSING, monthStarts, shiftRV, TRUE, type RV } from "../evaluate.ts";
import { FUNCTIONS } from "../../language/check/functions.ts";
import { callFunction, shiftDate } from "../functions.ts";
import { Rational } from "../rational.ts";
import { nAdd, nCmp, nDiv, nIsZero, nMul, nNeg, norm, nSub, toRat, type N } from "./num.ts";

export type SK = "number" | "money" | "percent" | "boolean" | "date" | "text" | "rv";
// biome-ignore lint: closures return values of several representations
export type Fn = (f: Frame) => any;
export interface Compiled {
  sk: SK;
  fn: Fn;
  /** set when the value is a constant (a literal) */
  isConst?: boolean;
  value?: unknown;
  /** set when the value is read from a slot of the frame (a field) */
  slot?: number;
  /** for `and`/`or`: the operands of the whole chain of that operator */
  chain?: { op: string; fns: Fn[]; tests: (SlotTest | undefined)[] };
  /** set for a condition that is a simple test of one slot (see `runSlotTest`) */
  test?: SlotTest;
}

/**
 * A condition on one slot, as data, so that chains of them run in one closure:
 * code 1–6 number <, <=, >, >=, =, != a constant; 11–14 text or date <, <=, >, >= a constant;
 * 20 / 21 in / not in a list of constants; 30 / 31 is missing / is present; 40 a yes/no field.
 */
export interface SlotTest {
  slot: number;
  code: number;
  k: unknown;
  list: unknown[];
  unknownAlways: boolean;
}

/** The value of a slot test: true, false or undefined (unknown), exactly as its closure gives it. */
export function runSlotTest(t: SlotTest, slots: unknown[]): boolean | undefined {
  const x = slots[t.slot];
  switch (t.code) {
    case 30: return x === undefined;
    case 31: return x !== undefined;
  }
  if (x === undefined) return undefined;
  switch (t.code) {
    case 1: return typeof x === "number" ? x < (t.k as number) : nCmp(x as N, t.k as number) < 0;
    case 2: return typeof x === "number" ? x <= (t.k as number) : nCmp(x as N, t.k as number) <= 0;
    case 3: return typeof x === "number" ? x > (t.k as number) : nCmp(x as N, t.k as number) > 0;
    case 4: return typeof x === "number" ? x >= (t.k as number) : nCmp(x as N, t.k as number) >= 0;
    case 5: return x === t.k;
    case 6: return x !== t.k;
    case 11: return (x as string) < (t.k as string);
    case 12: return (x as string) <= (t.k as string);
    case 13: return (x as string) > (t.k as string);
    case 14: return (x as string) >= (t.k as string);
    case 20:
    case 21: {
      const l = t.list;
      for (let i = 0; i < l.length; i++) if (x === l[i]) return t.code === 20;
      return t.unknownAlways ? undefined : t.code === 21;
    }
    case 40: return x as boolean;
  }
  return undefined;
}

const NUM_CODES: Record<string, number> = { "<": 1, "<=": 2, ">": 3, ">=": 4, "=": 5, "!=": 6 };
const STR_CODES: Record<string, number> = { "<": 11, "<=": 12, ">": 13, ">=": 14 };

function slotTestOf(op: A.BinaryOp, l: Compiled, r: Compiled): SlotTest | undefined {
  if (l.slot === undefined || !r.isConst) return undefined;
  const cl = cat(l.sk);
  if (cl !== cat(r.sk)) return undefined;
  if (cl === 1 && typeof r.value === "number") return { slot: l.slot, code: NUM_CODES[op]!, k: r.value, list: [], unknownAlways: false };
  if (cl === 3 && typeof r.value === "string" && STR_CODES[op]) return { slot: l.slot, code: STR_CODES[op]!, k: r.value, list: [], unknownAlways: false };
  return undefined;
}

/** Raised for contracts the fast engine does not handle; callers fall back to the reference engine. */
export class FastUnsupported extends Error {}

export const POPS = ["eligible", "identified", "served"] as const;
export const popIndex = (p: string): number => POPS.indexOf(p as (typeof POPS)[number]);

/**
 * The state of one evaluation (a student, a row, a cohort period). A frame may be reused for
 * many students: `reset()` forgets every memoized value in O(1) with a generation counter.
 */
export class Frame {
  gen = 1;
  readonly memoGen: Int32Array;
  readonly memo: unknown[];
  /** per clause index: undefined until the clause's rule is decided */
  readonly clauseMet: (boolean | undefined)[];
  /** first-read cache of `clause:` and `population:` facts (json-rules-engine caches fact values per run) */
  readonly factGen: Int32Array;
  readonly factVal: unknown[];
  /** eligible, identified, served */
  readonly pops: (boolean | undefined)[] = [undefined, undefined, undefined];
  fails = 0;
  /** clause values fixed for this generation (lean path), by clause index */
  readonly cfGen: Int32Array;
  readonly cfVal: (boolean | undefined)[];
  rowsFor: ((p: A.PopulationName | undefined) => Frame[]) | undefined = undefined;
  /** precomputed aggregate values (streaming cohorts), by aggregate node */
  aggregates: Map<A.Aggregate, RV> | undefined = undefined;

  constructor(
    public slots: unknown[],
    nMemo: number,
    nClauses: number,
    nFacts: number,
  ) {
    this.memoGen = new Int32Array(nMemo);
    this.memo = new Array<unknown>(nMemo).fill(undefined);
    this.clauseMet = new Array<boolean | undefined>(nClauses).fill(undefined);
    this.factGen = new Int32Array(nFacts);
    this.factVal = new Array<unknown>(nFacts).fill(undefined);
    this.cfGen = new Int32Array(nClauses);
    this.cfVal = new Array<boolean | undefined>(nClauses).fill(undefined);
  }

  reset(): void {
    this.gen++;
    this.fails = 0;
    this.clauseMet.fill(undefined);
    this.pops[0] = this.pops[1] = this.pops[2] = undefined;
  }
}

// ───────────── values ─────────────

export const isNumericSK = (sk: SK): boolean => sk === "number" || sk === "money" || sk === "percent";
/** comparison category: 1 numeric, 2 boolean, 3 date, 4 text, 0 unknown (rv) */
const cat = (sk: SK): number =>
  sk === "number" || sk === "money" || sk === "percent" ? 1 : sk === "boolean" ? 2 : sk === "date" ? 3 : sk === "text" ? 4 : 0;

/** A bare value of static kind `sk` as a reference RV. */
export function rvOf(sk: SK, v: unknown): RV {
  if (sk === "rv") return v as RV;
  if (v === undefined) return MISSING;
  switch (sk) {
    case "number":
    case "money":
    case "percent":
      return { kind: sk, value: toRat(v as N) };
    case "boolean":
      return v ? TRUE : FALSE;
    case "date":
    case "text":
      return { kind: sk, value: v as string };
  }
}

/** A reference RV as a bare value of its own kind (the kind is returned too). */
export function bareOf(v: RV): { sk: SK; value: unknown } {
  switch (v.kind) {
    case "missing": return { sk: "rv", value: undefined };
    case "number":
    case "money":
    case "percent": return { sk: v.kind, value: norm(v.value) };
    case "boolean":
    case "date":
    case "text": return { sk: v.kind, value: v.value };
  }
}

const missingOf = (sk: SK): unknown => (sk === "rv" ? MISSING : undefined);

function constant(sk: SK, value: unknown): Compiled {
  return { sk, fn: () => value, isConst: true, value };
}

/** The RV closure of a compiled expression. */
export function rvFn(c: Compiled): (f: Frame) => RV {
  if (c.sk === "rv") return c.fn;
  if (c.isConst) {
    const v = rvOf(c.sk, c.value);
    return () => v;
  }
  const g = c.fn;
  switch (c.sk) {
    case "number":
    case "money":
    case "percent": {
      const kind = c.sk;
      return (f) => {
        const v = g(f);
        return v === undefined ? MISSING : { kind, value: toRat(v) };
      };
    }
    case "boolean":
      return (f) => {
        const v = g(f);
        return v === undefined ? MISSING : v ? TRUE : FALSE;
      };
    default: {
      const kind = c.sk as "date" | "text";
      return (f) => {
        const v = g(f);
        return v === undefined ? MISSING : { kind, value: v };
      };
    }
  }
}

/** `isTrue` of a compiled condition, as a closure returning true / false / undefined (unknown). */
export function tri(c: Compiled): (f: Frame) => boolean | undefined {
  if (c.sk === "boolean") return c.fn;
  if (c.sk === "rv") {
    const g = c.fn;
    return (f) => {
      const v = g(f) as RV;
      return v.kind === "boolean" ? v.value : undefined;
    };
  }
  // a present value of another kind is neither true nor missing: model it as `false`-like non-boolean
  const g = c.fn;
  return (f) => (g(f) === undefined ? undefined : NOT_BOOLEAN);
}
/** marker for a present value that is not a yes/no value (only ill-typed contracts produce it) */
export const NOT_BOOLEAN = null as unknown as boolean;

// ───────────── generic (reference) arithmetic on RVs ─────────────

function num(v: RV): Rational | undefined {
  return v.kind === "number" || v.kind === "money" || v.kind === "percent" ? v.value : undefined;
}

/** The reference evaluator's arithmetic, counting divisions by zero in the frame. */
export function arithRV(op: A.BinaryOp, a: RV, b: RV, f: Frame): RV {
  return arithmeticRV(op, a, b, () => f.fails++);
}

function arithKind(op: A.BinaryOp, a: SK, b: SK): SK {
  if (a === "money" || b === "money") return op === "/" && a === "money" && b === "money" ? "number" : "money";
  if (a === "percent" || b === "percent") return op === "/" && a === "percent" && b === "percent" ? "number" : "percent";
  return "number";
}

const COMPARISONS = new Set(["<", "<=", ">", ">=", "=", "!="]);

/** A test of a comparison result c (-1, 0, 1) for an operator. */
function opTest(op: A.BinaryOp): (c: number) => boolean {
  switch (op) {
    case "<": return (c) => c < 0;
    case "<=": return (c) => c <= 0;
    case ">": return (c) => c > 0;
    case ">=": return (c) => c >= 0;
    case "=": return (c) => c === 0;
    case "!=": return (c) => c !== 0;
    default: throw new FastUnsupported(`not a comparison: ${op}`);
  }
}

const strCmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const boolCmp = (a: boolean, b: boolean): number => (a === b ? 0 : a ? 1 : -1);
/** the comparator of a category */
function comparator(c: number): (a: never, b: never) => number {
  return (c === 1 ? nCmp : c === 2 ? boolCmp : strCmp) as (a: never, b: never) => number;
}

/**
 * A typed comparison closure: reads both sides (left first), unknown when either is missing.
 * Specialised for a numeric left side against a constant safe integer, the commonest leaf.
 */
export function compareTyped(op: A.BinaryOp, l: Compiled, r: Compiled): Fn {
  const L = l.fn;
  const R = r.fn;
  const cl = cat(l.sk);
  const cr = cat(r.sk);
  if (cl !== cr) {
    return (f) => {
      L(f);
      R(f);
      return undefined;
    };
  }
  if (cl === 1 && r.isConst && typeof r.value === "number" && l.slot !== undefined) {
    const k = r.value;
    const s = l.slot;
    switch (op) {
      case "<": return (f) => { const a = f.slots[s] as N | undefined; return a === undefined ? undefined : typeof a === "number" ? a < k : nCmp(a, k) < 0; };
      case "<=": return (f) => { const a = f.slots[s] as N | undefined; return a === undefined ? undefined : typeof a === "number" ? a <= k : nCmp(a, k) <= 0; };
      case ">": return (f) => { const a = f.slots[s] as N | undefined; return a === undefined ? undefined : typeof a === "number" ? a > k : nCmp(a, k) > 0; };
      case ">=": return (f) => { const a = f.slots[s] as N | undefined; return a === undefined ? undefined : typeof a === "number" ? a >= k : nCmp(a, k) >= 0; };
      case "=": return (f) => { const a = f.slots[s]; return a === undefined ? undefined : a === k; };
      case "!=": return (f) => { const a = f.slots[s]; return a === undefined ? undefined : a !== k; };
    }
  }
  if (cl === 3 && r.isConst && l.slot !== undefined) {
    const k = r.value as string;
    const s = l.slot;
    switch (op) {
      case "<": return (f) => { const a = f.slots[s] as string | undefined; return a === undefined ? undefined : a < k; };
      case "<=": return (f) => { const a = f.slots[s] as string | undefined; return a === undefined ? undefined : a <= k; };
      case ">": return (f) => { const a = f.slots[s] as string | undefined; return a === undefined ? undefined : a > k; };
      case ">=": return (f) => { const a = f.slots[s] as string | undefined; return a === undefined ? undefined : a >= k; };
      default: break;
    }
  }
  if (cl === 1 && r.isConst && typeof r.value === "number") {
    const k = r.value;
    switch (op) {
      case "<": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a < k : nCmp(a, k) < 0; };
      case "<=": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a <= k : nCmp(a, k) <= 0; };
      case ">": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a > k : nCmp(a, k) > 0; };
      case ">=": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a >= k : nCmp(a, k) >= 0; };
      case "=": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a === k : false; };
      case "!=": return (f) => { const a = L(f); return a === undefined ? undefined : typeof a === "number" ? a !== k : true; };
    }
  }
  if (cl === 3 && r.isConst) {
    const k = r.value as string;
    switch (op) {
      case "<": return (f) => { const a = L(f); return a === undefined ? undefined : a < k; };
      case "<=": return (f) => { const a = L(f); return a === undefined ? undefined : a <= k; };
      case ">": return (f) => { const a = L(f); return a === undefined ? undefined : a > k; };
      case ">=": return (f) => { const a = L(f); return a === undefined ? undefined : a >= k; };
      default: break;
    }
  }
  const cmp = comparator(cl) as (a: unknown, b: unknown) => number;
  const test = opTest(op);
  return (f) => {
    const a = L(f);
    const b = R(f);
    if (a === undefined || b === undefined) return undefined;
    return test(cmp(a, b));
  };
}

// ───────────── scopes ─────────────

export interface FieldSlot {
  slot: number;
  sk: SK;
}

export interface ScopeSpec {
  /** names read from the frame's slots */
  fields: Map<string, FieldSlot>;
  /** metrics, conditions, lets or measures, memoized per frame */
  defs: Map<string, A.Expr>;
  /** the synthesized expression facts of the rule set, memoized per frame when read as facts */
  exprs: Map<string, A.Expr>;
  /**
   * Clause references. Absent: a reference is always missing (no clause is ever decided in
   * this scope). "live": `frame.clauseMet` holds each clause rule's result as it is decided,
   * and a reference is three-valued as `Context.clauseFact` decides it (with `info`).
   * "fixed": `frame.clauseMet` holds each clause's final value, set before evaluation.
   */
  clauses?: {
    byName: Map<string, number>;
    byId: Map<string, number>;
    count: number;
    mode: "live" | "fixed";
    info?: { clauses: ClauseIR[]; asOf?: string };
  };
  /** the scope of the rows an aggregate reads (students or a period's rows); absent: no rows */
  rows?: Scope;
  /** aggregates are read from `frame.aggregates` (precomputed by streaming) instead of rows */
  precomputedAggregates?: boolean;
}

const SLOT_SK: Record<A.FieldTypeName, SK> = {
  integer: "number",
  count: "number",
  decimal: "number",
  score: "number",
  percent: "percent",
  money: "money",
  boolean: "boolean",
  date: "date",
  text: "text",
};
export const fieldSK = (t: A.FieldTypeName): SK => SLOT_SK[t];

/** A compilation scope: how names resolve, and the memo layout of its frames. */
export class Scope {
  readonly fields: Map<string, FieldSlot>;
  readonly defs: Map<string, A.Expr>;
  readonly exprs: Map<string, A.Expr>;
  readonly clauses: ScopeSpec["clauses"];
  readonly rows: Scope | undefined;
  readonly precomputedAggregates: boolean;
  /** memo slots: defs first, then expression facts */
  readonly memoIndex = new Map<string, number>();
  /** first-read fact cache slots (clause: and population: facts) */
  readonly factIndex = new Map<string, number>();
  private readonly cache = new Map<A.Expr, Compiled>();
  private readonly defCache = new Map<string, Compiled>();
  private readonly factCache = new Map<string, Compiled>();
  private readonly busy = new Set<string>();
  readonly nSlots: number;
  /** set when an expression compiled in this scope divides (a division may record a failure) */
  divides = false;

  constructor(spec: ScopeSpec) {
    this.fields = spec.fields;
    this.defs = spec.defs;
    this.exprs = spec.exprs;
    this.clauses = spec.clauses;
    this.rows = spec.rows;
    this.precomputedAggregates = spec.precomputedAggregates ?? false;
    for (const n of this.defs.keys()) {
      if (this.fields.has(n)) throw new FastUnsupported(`the name ${n} is both a field and a definition`);
      this.memoIndex.set(n, this.memoIndex.size);
    }
    for (const id of this.exprs.keys()) if (!this.memoIndex.has(id)) this.memoIndex.set(id, this.memoIndex.size);
    let max = -1;
    for (const f of this.fields.values()) max = Math.max(max, f.slot);
    this.nSlots = max + 1;
  }

  get nMemo(): number {
    return this.memoIndex.size;
  }

  /** A frame for this scope (facts used by compiled rules must be compiled before frames are made). */
  frame(slots: unknown[] = new Array<unknown>(this.nSlots).fill(undefined)): Frame {
    return new Frame(slots, this.nMemo, this.clauses?.count ?? 0, Math.max(1, this.factIndex.size));
  }

  // ── names and facts ──

  /** `Context.name(n)`: a field, else a memoized definition, else missing. */
  name(n: string): Compiled {
    const field = this.fields.get(n);
    if (field) {
      const s = field.slot;
      return { sk: field.sk, fn: (f) => f.slots[s], slot: s, test: field.sk === "boolean" ? { slot: s, code: 40, k: undefined, list: [], unknownAlways: false } : undefined };
    }
    if (this.defs.has(n)) return this.def(n);
    return constant("rv", MISSING);
  }

  private def(n: string): Compiled {
    const hit = this.defCache.get(n);
    if (hit) return hit;
    if (this.busy.has(n)) throw new FastUnsupported(`${n} is defined in terms of itself`);
    this.busy.add(n);
    const inner = this.compile(this.defs.get(n)!);
    this.busy.delete(n);
    // a small definition whose value can never change nor record a failure is cheaper to recompute than to memoize
    const c = this.pureSmall(n) ? inner : this.memoized(this.memoIndex.get(n)!, inner);
    this.defCache.set(n, c);
    return c;
  }

  private readonly pure = new Map<string, boolean>();
  /** A definition of at most 7 nodes that (through the definitions it reads) neither divides, reads a clause, nor aggregates. */
  private pureSmall(n: string): boolean {
    let size = 0;
    const ok = (e: A.Expr, top: boolean): boolean => {
      if (top) size++;
      switch (e.$type) {
        case "ClauseRef":
        case "Aggregate": return false;
        case "NameRef": {
          if (!this.defs.has(e.name) || this.fields.has(e.name)) return true;
          const hit = this.pure.get(e.name);
          if (hit !== undefined) return hit;
          this.pure.set(e.name, false); // (cycles are rejected elsewhere)
          const r = ok(this.defs.get(e.name)!, false);
          this.pure.set(e.name, r);
          return r;
        }
        case "Binary": return ok(e.left, top) && ok(e.right, top);
        // a chain of n operands counts as the n − 1 nodes it stands for
        case "Logical":
          if (top) size += e.operands.length - 2;
          return e.operands.every((o) => ok(o, top));
        case "Arithmetic":
          if (e.ops.includes("/")) return false;
          if (top) size += e.operands.length - 2;
          return e.operands.every((o) => ok(o, top));
        case "Unary": return ok(e.operand, top);
        case "InList": return ok(e.value, top) && e.items.every((i) => ok(i, top));
        case "IsMissing": return ok(e.operand, top);
        case "Otherwise":
          if (top) size += e.values.length - 2;
          return e.values.every((v) => ok(v, top));
        case "PercentOf": return ok(e.percent, top) && ok(e.of, top);
        case "MonthStarts": return ok(e.from, top) && ok(e.through, top);
        case "Call": return e.args.every((a) => ok(a, top));
        case "DateShift": return ok(e.date, top) && ok(e.amount, top);
        case "CountMet": return e.items.every((i) => ok(i, top));
        default: return true;
      }
    };
    return ok(this.defs.get(n)!, true) && size <= 7;
  }

  private memoized(i: number, inner: Compiled): Compiled {
    if (inner.isConst) return inner;
    const g = inner.fn;
    const miss = missingOf(inner.sk);
    return {
      sk: inner.sk,
      fn: (f) => {
        if (f.memoGen[i] === f.gen) return f.memo[i];
        f.memoGen[i] = f.gen;
        f.memo[i] = miss; // guards against cycles, as the reference does
        const r = g(f);
        f.memo[i] = r;
        return r;
      },
    };
  }

  /** `Context.fact(id)`: the value a rule's condition reads for a fact id. */
  fact(id: string): Compiled {
    const hit = this.factCache.get(id);
    if (hit) return hit;
    let c: Compiled;
    if (id === "$true") c = constant("boolean", true);
    else if (id.startsWith("clause:")) {
      const idx = this.clauses?.byId.get(id.slice(7));
      c = idx === undefined ? constant("rv", MISSING) : this.firstRead(id, this.clauseFact(idx), "boolean");
    } else if (id.startsWith("population:")) {
      const p = popIndex(id.slice(11));
      c = p < 0 ? constant("boolean", false) : this.firstRead(id, (f) => f.pops[p] ?? false, "boolean");
    } else if (this.exprs.has(id)) {
      c = this.memoized(this.memoIndex.get(id)!, this.compile(this.exprs.get(id)!));
    } else c = this.name(id);
    this.factCache.set(id, c);
    return c;
  }

  /** A fact whose value json-rules-engine caches at its first read in a run. */
  private firstRead(id: string, read: Fn, sk: SK): Compiled {
    if (!this.factIndex.has(id)) this.factIndex.set(id, this.factIndex.size);
    const i = this.factIndex.get(id)!;
    return {
      sk,
      fn: (f) => {
        if (f.factGen[i] === f.gen) return f.factVal[i];
        f.factGen[i] = f.gen;
        const v = read(f);
        f.factVal[i] = v;
        return v;
      },
    };
  }

  private readonly clauseFacts = new Map<number, Fn>();
  /** `Context.clauseFact(id)` for the clause at index idx: true, false or undefined (missing). */
  clauseFact(idx: number): Fn {
    const hit = this.clauseFacts.get(idx);
    if (hit) return hit;
    const cl = this.clauses!;
    let fn: Fn;
    const c = cl.info?.clauses[idx];
    if (cl.mode === "fixed" || !c) {
      fn = (f) => f.clauseMet[idx];
    } else {
      const d = c.decl;
      const asOf = cl.info!.asOf;
      const notDue = !!(asOf && d.due && d.due.value > asOf);
      const pop = d.population === "all" ? -2 : popIndex(d.population);
      // compiled on first use: a clause's condition may refer to other clauses
      let cond: ((f: Frame) => boolean | undefined) | undefined | null = null;
      let tiers: ((f: Frame) => boolean | undefined)[] | undefined;
      const prepare = () => {
        cond = d.condition ? tri(this.compile(d.condition)) : undefined;
        tiers = d.amount.$type === "TieredAmount" ? d.amount.tiers.filter((t) => t.condition).map((t) => tri(this.compile(t.condition!))) : undefined;
      };
      fn = (f) => {
        if (f.cfGen[idx] === f.gen) return f.cfVal[idx];
        const met = f.clauseMet[idx];
        if (met === undefined) return undefined;
        if (notDue) return false;
        if (met) return true;
        if (pop !== -2 && (pop < 0 || f.pops[pop] !== true)) return false;
        if (cond === null) prepare();
        const cv = cond ? cond(f) : true;
        if (cv !== true) return cv === undefined ? undefined : false;
        if (tiers) {
          let missing = false;
          for (let i = 0; i < tiers.length; i++) if (tiers[i]!(f) === undefined) missing = true;
          return missing ? undefined : false;
        }
        return false;
      };
    }
    this.clauseFacts.set(idx, fn);
    return fn;
  }

  // ── expressions ──

  compile(e: A.Expr): Compiled {
    const hit = this.cache.get(e);
    if (hit) return hit;
    const c = this.compileNode(e);
    this.cache.set(e, c);
    return c;
  }

  private compileNode(e: A.Expr): Compiled {
    switch (e.$type) {
      case "NumberLit": return constant("number", norm(Rational.parse(e.value)));
      case "MoneyLit": {
        const v = Rational.parse(e.value);
        return constant("money", norm(e.negative ? v.neg() : v));
      }
      case "PercentLit": return constant("percent", norm(Rational.parse(e.value).div(100)));
      case "DateLit": return constant("date", e.value);
      case "StringLit": return constant("text", e.value);
      case "BoolLit": return constant("boolean", e.value);
      case "NameRef": return this.name(e.name);
      case "ClauseRef": {
        // `clauseIds.get(name) ?? name`: the name, else the text taken as a clause id
        const idx = this.clauses ? (this.clauses.byName.get(e.name) ?? this.clauses.byId.get(e.name)) : undefined;
        if (idx === undefined) return constant("boolean", undefined);
        return { sk: "boolean", fn: this.clauseFact(idx) };
      }
      case "Unary": return this.unary(e);
      case "Binary": return this.comparison(e);
      case "Logical": return this.logical(e);
      case "Arithmetic": return this.arithmetic(e);
      case "InList": return this.inList(e);
      case "IsMissing": {
        const o = this.compile(e.operand);
        const g = o.fn;
        const neg = e.negated;
        if (o.sk === "rv") return { sk: "boolean", fn: (f) => ((g(f) as RV).kind === "missing") !== neg };
        if (o.slot !== undefined) {
          const sl = o.slot;
          const test: SlotTest = { slot: sl, code: neg ? 31 : 30, k: undefined, list: [], unknownAlways: false };
          return { sk: "boolean", fn: neg ? (f) => f.slots[sl] !== undefined : (f) => f.slots[sl] === undefined, test };
        }
        return { sk: "boolean", fn: (f) => (g(f) === undefined) !== neg };
      }
      case "Otherwise": {
        const parts = e.values.map((v) => this.compile(v));
        const sk = parts[0]!.sk;
        if (sk !== "rv" && parts.every((p) => p.sk === sk)) {
          if (parts.length === 2) {
            const V = parts[0]!.fn;
            const F = parts[1]!.fn;
            return { sk, fn: (f) => { const x = V(f); return x === undefined ? F(f) : x; } };
          }
          const fs = parts.map((p) => p.fn);
          return { sk, fn: (f) => { for (let i = 0; i < fs.length; i++) { const x = fs[i]!(f); if (x !== undefined) return x; } return undefined; } };
        }
        const fs = parts.map(rvFn);
        return { sk: "rv", fn: (f) => { for (let i = 0; i < fs.length - 1; i++) { const x = fs[i]!(f) as RV; if (x.kind !== "missing") return x; } return fs[fs.length - 1]!(f); } };
      }
      case "PercentOf": {
        const p = this.compile(e.percent);
        const of = this.compile(e.of);
        if (p.sk === "percent" && isNumericSK(of.sk)) {
          const P = p.fn;
          const O = of.fn;
          return { sk: of.sk, fn: (f) => { const x = P(f); const y = O(f); return x === undefined || y === undefined ? undefined : nMul(y, x); } };
        }
        const P = rvFn(p);
        const O = rvFn(of);
        return {
          sk: "rv",
          fn: (f) => {
            const x = P(f);
            const y = O(f);
            if (x.kind !== "percent" || y.kind === "missing") return MISSING;
            const n = num(y);
            return n ? ({ kind: y.kind, value: n.mul(x.value) } as RV) : MISSING;
          },
        };
      }
      case "MonthStarts": {
        const a = this.compile(e.from);
        const b = this.compile(e.through);
        if (a.sk === "date" && b.sk === "date") {
          const F = a.fn;
          const T = b.fn;
          return { sk: "number", fn: (f) => { const x = F(f); const y = T(f); return x === undefined || y === undefined ? undefined : monthStarts(x, y); } };
        }
        const F = rvFn(a);
        const T = rvFn(b);
        return {
          sk: "rv",
          fn: (f) => {
            const x = F(f);
            const y = T(f);
            if (x.kind !== "date" || y.kind !== "date") return MISSING;
            return { kind: "number", value: Rational.of(monthStarts(x.value, y.value)) };
          },
        };
      }
      case "CountMet": {
        const items = e.items.map((i) => tri(this.compile(i)));
        return {
          sk: "number",
          fn: (f) => {
            let n = 0;
            for (let i = 0; i < items.length; i++) if (items[i]!(f) === true) n++;
            return n;
          },
        };
      }
      case "Aggregate": return this.aggregate(e);
      // each student's value, computed once from the rows of events (engine/events.ts); a
      // student with no rows has none joined, and reads the aggregate of no rows
      case "EventAggregate": {
        const c = this.name(e.slot!);
        const none = eventsOfNone(e);
        if (none.kind === "missing") return c;
        const g = c.fn;
        if (c.sk === "rv") return { sk: "rv", fn: (f) => { const v = g(f) as RV; return v.kind === "missing" ? none : v; } };
        return { sk: c.sk, fn: (f) => { const v = g(f); return v === undefined ? 0 : v; } };
      }
      case "Call": {
        if (FUNCTIONS.get(e.name)?.lazy) {
          const c = tri(this.compile(e.args[0]!));
          const a = rvFn(this.compile(e.args[1]!));
          const b = rvFn(this.compile(e.args[2]!));
          return { sk: "rv", fn: (f) => { const v = c(f); return v === true ? a(f) : v === false ? b(f) : MISSING; } };
        }
        const args = e.args.map((a) => this.compile(a));
        const sig = FUNCTIONS.get(e.name);
        const sk: SK | undefined = sig?.result === "text" ? "text" : sig?.result === "date" ? "date" : sig?.result === "integer" ? "number" : undefined;
        if (sk && args.every((a) => a.sk === "date" || a.sk === "text")) {
          const fs = args.map((a) => a.fn);
          const name = e.name;
          if (fs.length === 1) {
            const A0 = fs[0]!;
            return { sk, fn: (f) => callFunction(name, [A0(f)]) };
          }
          return { sk, fn: (f) => callFunction(name, fs.map((g) => g(f))) };
        }
        const fs = args.map(rvFn);
        return { sk: "rv", fn: (f) => callRV(e, fs.map((g) => g(f))) };
      }
      case "DateShift": {
        const d = this.compile(e.date);
        const n = this.compile(e.amount);
        if (d.sk === "date" && n.sk === "number") {
          const D = d.fn;
          const N0 = n.fn;
          const op = e.op;
          const unit = e.unit;
          return {
            sk: "date",
            fn: (f) => {
              const x = D(f) as string | undefined;
              const k = N0(f) as N | undefined;
              if (x === undefined || k === undefined) return undefined;
              if (typeof k === "number") return Number.isInteger(k) ? shiftDate(x, op, k, unit) : undefined;
              const v = shiftRV(e, { kind: "date", value: x }, { kind: "number", value: toRat(k) });
              return v.kind === "date" ? v.value : undefined;
            },
          };
        }
        const D = rvFn(d);
        const N1 = rvFn(n);
        return { sk: "rv", fn: (f) => shiftRV(e, D(f), N1(f)) };
      }
    }
  }

  private unary(e: A.Unary): Compiled {
    const o = this.compile(e.operand);
    const g = o.fn;
    if (o.sk === "rv") {
      if (e.op === "not") return { sk: "rv", fn: (f) => { const v = g(f) as RV; return v.kind === "missing" ? MISSING : v.kind === "boolean" ? (v.value ? FALSE : TRUE) : MISSING; } };
      return {
        sk: "rv",
        fn: (f) => {
          const v = g(f) as RV;
          if (v.kind === "missing") return MISSING;
          const x = num(v);
          return x ? ({ kind: v.kind, value: x.neg() } as RV) : MISSING;
        },
      };
    }
    if (e.op === "not") {
      if (o.sk === "boolean") return { sk: "boolean", fn: (f) => { const v = g(f); return v === undefined ? undefined : !v; } };
      return { sk: "boolean", fn: (f) => { g(f); return undefined; } };
    }
    if (isNumericSK(o.sk)) {
      if (o.isConst) return constant(o.sk, o.value === undefined ? undefined : nNeg(o.value as N));
      return { sk: o.sk, fn: (f) => { const v = g(f); return v === undefined ? undefined : nNeg(v); } };
    }
    return { sk: "rv", fn: (f) => { g(f); return MISSING; } };
  }

  /** `a and b and c`: left to right, stopping at the first decisive value, as the reference. */
  private logical(e: A.Logical): Compiled {
    const decisive = e.op === "or";
    const parts = e.operands.map((o) => this.compile(o));
    if (parts.every((p) => p.sk === "boolean")) {
      // an operand that is itself a chain of the same operator (`a and (b and c)`) joins this one
      const list = parts.flatMap((p) => (p.chain?.op === e.op ? p.chain.fns : [p.fn]));
      const tests = parts.flatMap((p) => (p.chain?.op === e.op ? p.chain.tests : [p.test]));
      const chain = { op: e.op, fns: list, tests };
      if (tests.every((t) => t !== undefined)) {
        // every operand is a slot test: one closure, no calls
        const ts = tests as SlotTest[];
        const n = ts.length;
        if (decisive) {
          return { sk: "boolean", chain, fn: (f) => { const sl = f.slots; let u = false; for (let i = 0; i < n; i++) { const v = runSlotTest(ts[i]!, sl); if (v === true) return true; if (v === undefined) u = true; } return u ? undefined : false; } };
        }
        return { sk: "boolean", chain, fn: (f) => { const sl = f.slots; let u = false; for (let i = 0; i < n; i++) { const v = runSlotTest(ts[i]!, sl); if (v === false) return false; if (v === undefined) u = true; } return u ? undefined : true; } };
      }
      if (tests.some((t) => t !== undefined)) {
        const ts = tests;
        const fs = list;
        const n = fs.length;
        if (decisive) {
          return { sk: "boolean", chain, fn: (f) => { let u = false; for (let i = 0; i < n; i++) { const t = ts[i]; const v = t !== undefined ? runSlotTest(t, f.slots) : fs[i]!(f); if (v === true) return true; if (v === undefined) u = true; } return u ? undefined : false; } };
        }
        return { sk: "boolean", chain, fn: (f) => { let u = false; for (let i = 0; i < n; i++) { const t = ts[i]; const v = t !== undefined ? runSlotTest(t, f.slots) : fs[i]!(f); if (v === false) return false; if (v === undefined) u = true; } return u ? undefined : true; } };
      }
      if (list.length > 2) {
        const fs = list;
        const n = fs.length;
        if (decisive) {
          return { sk: "boolean", chain, fn: (f) => { let u = false; for (let i = 0; i < n; i++) { const v = fs[i]!(f); if (v === true) return true; if (v === undefined) u = true; } return u ? undefined : false; } };
        }
        return { sk: "boolean", chain, fn: (f) => { let u = false; for (let i = 0; i < n; i++) { const v = fs[i]!(f); if (v === false) return false; if (v === undefined) u = true; } return u ? undefined : true; } };
      }
      const [l, r] = parts as [Compiled, Compiled];
      if (l.slot !== undefined && r.slot !== undefined) {
        const a1 = l.slot;
        const b1 = r.slot;
        if (decisive) {
          return { sk: "boolean", chain, fn: (f) => { const a = f.slots[a1]; if (a === true) return true; const b = f.slots[b1]; if (b === true) return true; return a === undefined || b === undefined ? undefined : false; } };
        }
        return { sk: "boolean", chain, fn: (f) => { const a = f.slots[a1]; if (a === false) return false; const b = f.slots[b1]; if (b === false) return false; return a === undefined || b === undefined ? undefined : true; } };
      }
      const L = l.fn;
      const R = r.fn;
      if (decisive) {
        return { sk: "boolean", chain, fn: (f) => { const a = L(f); if (a === true) return true; const b = R(f); if (b === true) return true; return a === undefined || b === undefined ? undefined : false; } };
      }
      return { sk: "boolean", chain, fn: (f) => { const a = L(f); if (a === false) return false; const b = R(f); if (b === false) return false; return a === undefined || b === undefined ? undefined : true; } };
    }
    // operands of other kinds: the reference's evaluation, transcribed, over the whole chain
    const fs = parts.map(rvFn);
    const n = fs.length;
    return {
      sk: "rv",
      fn: (f) => {
        let acc = fs[0]!(f) as RV;
        for (let i = 1; i < n; i++) {
          if (acc.kind === "boolean" && acc.value === decisive) return acc;
          const b = fs[i]!(f) as RV;
          if (b.kind === "boolean" && b.value === decisive) acc = b;
          else acc = acc.kind === "missing" || b.kind === "missing" ? MISSING : decisive ? FALSE : TRUE;
        }
        return acc;
      },
    };
  }

  private comparison(e: A.Binary): Compiled {
    const l = this.compile(e.left);
    const r = this.compile(e.right);
    if (l.sk !== "rv" && r.sk !== "rv") return { sk: "boolean", fn: compareTyped(e.op, l, r), test: slotTestOf(e.op, l, r) };
    const L = rvFn(l);
    const R = rvFn(r);
    const op = e.op;
    return { sk: "rv", fn: (f) => { const a = L(f); const b = R(f); return compareOp(op, a, b); } };
  }

  /**
   * `a + b - c`: every operand is read, left to right, then combined from the left. Two
   * operands get a closure of their own; a longer chain runs in one loop, without nesting.
   */
  private arithmetic(e: A.Arithmetic): Compiled {
    if (e.ops.includes("/")) this.divides = true;
    const parts = e.operands.map((o) => this.compile(o));
    if (parts.length === 2) return this.arithmeticPair(e.ops[0]!, parts[0]!, parts[1]!);
    const ops = e.ops;
    const n = parts.length;
    if (parts.every((p) => isNumericSK(p.sk))) {
      let kind = parts[0]!.sk;
      for (let i = 1; i < n; i++) kind = arithKind(ops[i - 1]!, kind, parts[i]!.sk);
      const fs = parts.map((p) => p.fn);
      return {
        sk: kind,
        fn: (f) => {
          let acc = fs[0]!(f) as N | undefined;
          for (let i = 1; i < n; i++) {
            const b = fs[i]!(f) as N | undefined;
            if (acc === undefined || b === undefined) {
              acc = undefined;
              continue;
            }
            switch (ops[i - 1]) {
              case "+": acc = nAdd(acc, b); break;
              case "-": acc = nSub(acc, b); break;
              case "*": acc = nMul(acc, b); break;
              default:
                if (nIsZero(b)) {
                  f.fails++;
                  acc = undefined;
                } else acc = nDiv(acc, b);
            }
          }
          return acc;
        },
      };
    }
    const fs = parts.map(rvFn);
    return {
      sk: "rv",
      fn: (f) => {
        let acc = fs[0]!(f) as RV;
        for (let i = 1; i < n; i++) acc = arithRV(ops[i - 1]!, acc, fs[i]!(f) as RV, f);
        return acc;
      },
    };
  }

  private arithmeticPair(op: A.ArithOp, l: Compiled, r: Compiled): Compiled {
    if (isNumericSK(l.sk) && isNumericSK(r.sk)) {
      const kind = arithKind(op, l.sk, r.sk);
      const L = l.fn;
      const R = r.fn;
      if (l.slot !== undefined && r.slot !== undefined && (op === "+" || op === "-")) {
        const a1 = l.slot;
        const b1 = r.slot;
        const add = op === "+";
        return {
          sk: kind,
          fn: (f) => {
            const a = f.slots[a1] as N | undefined;
            const b = f.slots[b1] as N | undefined;
            if (a === undefined || b === undefined) return undefined;
            if (typeof a === "number" && typeof b === "number") {
              const x = add ? a + b : a - b;
              if (x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER) return x;
            }
            return add ? nAdd(a, b) : nSub(a, b);
          },
        };
      }
      switch (op) {
        case "+": return { sk: kind, fn: (f) => { const a = L(f); const b = R(f); return a === undefined || b === undefined ? undefined : nAdd(a, b); } };
        case "-": return { sk: kind, fn: (f) => { const a = L(f); const b = R(f); return a === undefined || b === undefined ? undefined : nSub(a, b); } };
        case "*": return { sk: kind, fn: (f) => { const a = L(f); const b = R(f); return a === undefined || b === undefined ? undefined : nMul(a, b); } };
        case "/":
          return {
            sk: kind,
            fn: (f) => {
              const a = L(f);
              const b = R(f);
              if (a === undefined || b === undefined) return undefined;
              if (nIsZero(b)) {
                f.fails++;
                return undefined;
              }
              return nDiv(a, b);
            },
          };
      }
    }
    const L = rvFn(l);
    const R = rvFn(r);
    return { sk: "rv", fn: (f) => { const a = L(f); const b = R(f); return arithRV(op, a, b, f); } };
  }

  private inList(e: A.InList): Compiled {
    const v = this.compile(e.value);
    const items = e.items.map((i) => this.compile(i));
    const neg = e.negated;
    const cv = cat(v.sk);
    if (cv !== 0 && items.every((i) => i.sk !== "rv")) {
      const V = v.fn;
      const cmp = comparator(cv) as (a: unknown, b: unknown) => number;
      if (items.every((i) => i.isConst)) {
        // constants of another category, or missing constants, are "unknown"
        const same = items.filter((i) => cat(i.sk) === cv && i.value !== undefined).map((i) => i.value);
        const unknownAlways = items.some((i) => cat(i.sk) !== cv || i.value === undefined);
        if (same.every((v) => typeof v !== "object")) {
          // canonical values: equal exactly when === (a Rational is never a safe integer)
          const test: SlotTest | undefined = v.slot !== undefined ? { slot: v.slot, code: neg ? 21 : 20, k: undefined, list: same, unknownAlways } : undefined;
          if (same.length === 2 && !unknownAlways && v.slot !== undefined) {
            const [a, b] = same;
            const sl = v.slot;
            return { sk: "boolean", fn: (f) => { const x = f.slots[sl]; return x === undefined ? undefined : x === a || x === b ? !neg : neg; }, test };
          }
          if (same.length === 2 && !unknownAlways) {
            const [a, b] = same;
            return { sk: "boolean", fn: (f) => { const x = V(f); return x === undefined ? undefined : x === a || x === b ? !neg : neg; } };
          }
          return {
            sk: "boolean",
            fn: (f) => {
              const x = V(f);
              if (x === undefined) return undefined;
              for (let i = 0; i < same.length; i++) if (x === same[i]) return !neg;
              return unknownAlways ? undefined : neg;
            },
            test,
          };
        }
        return {
          sk: "boolean",
          fn: (f) => {
            const x = V(f);
            if (x === undefined) return undefined;
            for (let i = 0; i < same.length; i++) if (cmp(x, same[i]) === 0) return !neg;
            return unknownAlways ? undefined : neg;
          },
        };
      }
      const fns = items.map((i) => i.fn);
      const cats = items.map((i) => cat(i.sk));
      return {
        sk: "boolean",
        fn: (f) => {
          const x = V(f);
          if (x === undefined) return undefined;
          let found = false;
          let unknown = false;
          for (let i = 0; i < fns.length; i++) {
            const y = fns[i]!(f);
            if (y === undefined || cats[i] !== cv) unknown = true;
            else if (cmp(x, y) === 0) found = true;
          }
          if (found) return !neg;
          if (unknown) return undefined;
          return neg;
        },
      };
    }
    const V = rvFn(v);
    const fns = items.map(rvFn);
    return {
      sk: "rv",
      fn: (f) => {
        const x = V(f);
        if (x.kind === "missing") return MISSING;
        let found = false;
        let unknown = false;
        for (let i = 0; i < fns.length; i++) {
          const c = compareOp("=", x, fns[i]!(f));
          if (c.kind === "missing") unknown = true;
          else if (c.kind === "boolean" && c.value) found = true;
        }
        if (found) return neg ? FALSE : TRUE;
        if (unknown) return MISSING;
        return neg ? TRUE : FALSE;
      },
    };
  }

  private aggregate(e: A.Aggregate): Compiled {
    if (this.precomputedAggregates && e.population !== undefined) {
      return { sk: "rv", fn: (f) => f.aggregates?.get(e) ?? MISSING };
    }
    const rows = this.rows;
    const pop = e.population;
    if (!rows) {
      // no rows in this scope: an aggregate of nothing
      if (e.fn === "count") return constant("number", 0);
      if (e.fn === "share") return constant("rv", MISSING);
      return constant("rv", emptySum(e));
    }
    const where = e.where ? tri(rows.compile(e.where)) : undefined;
    const value = e.value ? rvFn(rows.compile(e.value)) : undefined;
    const fn = e.fn;
    return {
      sk: "rv",
      fn: (f) => {
        const rs = f.rowsFor ? f.rowsFor(pop) : [];
        let chosen = 0;
        let total: RV | undefined;
        for (let i = 0; i < rs.length; i++) {
          const r = rs[i]!;
          if (where && where(r) !== true) continue;
          chosen++;
          if (fn === "sum") {
            const v = value!(r);
            if (v.kind === "missing") continue;
            total = total ? arithRV("+", total, v, f) : v;
          }
        }
        if (fn === "count") return { kind: "number", value: Rational.of(chosen) };
        if (fn === "share") return rs.length === 0 ? MISSING : { kind: "percent", value: Rational.of(chosen, rs.length) };
        return total ?? emptySum(e);
      },
    };
  }
}

/** Streaming state of one aggregate over students (see `Scope.precomputedAggregates`). */
export interface AggregatePartial {
  rows: number;
  chosen: number;
  total: RV | undefined;
}

/** The aggregate's value from its partial, as `evaluate` would compute it over all rows. */
export function aggregateValue(e: A.Aggregate, p: AggregatePartial): RV {
  if (e.fn === "count") return { kind: "number", value: Rational.of(p.chosen) };
  if (e.fn === "share") return p.rows === 0 ? MISSING : { kind: "percent", value: Rational.of(p.chosen, p.rows) };
  return p.total ?? emptySum(e);
}

/** Merges two partials of consecutive row ranges (the sum of kinds is order-free for numeric values). */
export function mergePartial(a: AggregatePartial, b: AggregatePartial, f: Frame): AggregatePartial {
  return {
    rows: a.rows + b.rows,
    chosen: a.chosen + b.chosen,
    total: a.total === undefined ? b.total : b.total === undefined ? a.total : arithRV("+", a.total, b.total, f),
  };
}
