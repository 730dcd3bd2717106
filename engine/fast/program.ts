/**
 * A contract compiled for the fast engine: scopes, rules and per-clause plans, and the
 * decision of one student on a frame.
 *
 * `StudentProgram.decide` is `decideStudents` of `engine/run.ts` for one student, with the
 * rule engine replaced by the compiled rules and the reference evaluator by compiled
 * closures: the same groups of students, clause statuses, tiers, amounts, weights, internal
 * disagreement problems and division-by-zero failures, in the same order. Condition traces
 * are built only when asked for. Browser-safe.
 */
import { slotType } from "../events.ts";
import type * as A from "../../language/ast.ts";
import type { ClauseIR, ContractIR, DataSetIR } from "../../language/check/ir.ts";
import type { CompiledContract } from "../compile.ts";
import type { Value } from "../data.ts";
import { bareValue } from "../load.ts";
import { MISSING, type RV } from "../evaluate.ts";
import type { ConditionTrace } from "../output.ts";
import { Rational } from "../rational.ts";
import { traceConditions, type RuleDecision } from "../run.ts";
import {
  FastUnsupported,
  fieldSK,
  Frame,
  POPS,
  popIndex,
  rvFn,
  Scope,
  tri,
  type AggregatePartial,
  type Compiled,
  type FieldSlot,
} from "./expr.ts";
import { norm, type N } from "./num.ts";
import { compileRules, type CompiledRule, type TraceNode } from "./rules.ts";
import { lineCents } from "../cents.ts";
import { EXCLUDED, MET, MISSING_STATUS, NOT_MET, PENDING, type LineStore } from "../settle.ts";

const NO_TRACE: ConditionTrace[] = [];

/** A money closure: the amount as N when the expression's value is money, else undefined. */
function moneyFn(c: Compiled): (f: Frame) => N | undefined {
  const g = c.fn;
  if (c.sk === "money") return g;
  if (c.sk === "rv") return (f) => { const v = g(f) as RV; return v.kind === "money" ? norm(v.value) : undefined; };
  return (f) => { g(f); return undefined; };
}

interface TierPlan {
  ruleIdx: number;
  ruleName: string;
  cond?: (f: Frame) => boolean | undefined;
  amount: (f: Frame) => N | undefined;
}

export interface ClausePlan {
  /** index in ir.clauses */
  index: number;
  clause: ClauseIR;
  /** -2 for all students, else the index in POPS (-1: a group the contract does not define) */
  pop: number;
  ruleIdx: number;
  ruleName: string;
  missingStatus: number;
  pending: boolean;
  cond?: (f: Frame) => boolean | undefined;
  amount?: (f: Frame) => N | undefined;
  /** the amount when it is a literal */
  amountConst?: N;
  tiers?: TierPlan[];
  weights: { ruleIdx: number; weightIdx: number; factor: Rational }[];
}

/** Where the lean path writes lines in bulk runs. */
export interface LeanSink {
  store: LineStore;
  mode: A.RoundingMode;
  unit: A.RoundingUnit;
}

export interface LeanPlan {
  /** decide and pay each clause in one pass (see leanPlan) */
  onePass: boolean;
  /** per clause: whether its state is read by anything (else it need not be recorded) */
  tracked: boolean[];
  /** the group rules in order of priority: group index, gate group (-1: none), condition */
  pops: { idx: number; gate: number; cond: (f: Frame) => boolean | undefined }[];
  /** clause indexes in the order of priority of their rules */
  order: number[];
  /** each weight's condition (undefined when it has no rule) */
  weights: (((f: Frame) => boolean | undefined) | undefined)[];
  cv: (boolean | undefined)[];
  tv: (boolean | undefined)[][];
  wgen: Int32Array;
  wval: boolean[];
  gen: number;
}

/** The decision of one student, in reusable arrays (valid until the next `decide`). */
export class StudentOut {
  /** POPS order: the group's membership, undefined for groups the contract does not define */
  readonly pops: (boolean | undefined)[] = [undefined, undefined, undefined];
  n = 0;
  plan: number[] = [];
  status: number[] = [];
  tier: number[] = [];
  base: N[] = [];
  weight: Rational[] = [];
  trace: ConditionTrace[][] = [];
  /** rule names of internal disagreements, in order */
  internal: string[] = [];
  fails = 0;
}

/** Student-level slots: the fields (and key columns) of every per-student data set. */
export function studentSlots(ir: ContractIR): { fields: Map<string, FieldSlot>; sets: DataSetIR[] } {
  const fields = new Map<string, FieldSlot>();
  const sets = ir.dataSets.filter((d) => d.kind === "student");
  for (const ds of sets) {
    const add = (name: string, sk: FieldSlot["sk"]) => {
      const s = fields.get(name);
      if (!s) fields.set(name, { slot: fields.size, sk });
      else if (s.sk !== sk) throw new FastUnsupported(`${name} has two types`);
    };
    if (ds.key) add(ds.key, "text");
    for (const f of ds.fields) add(f.name, fieldSK(f.type));
  }
  for (const e of ir.eventAggregates) if (!fields.has(e.slot!)) fields.set(e.slot!, { slot: fields.size, sk: fieldSK(slotType(e)) });
  return { fields, sets };
}

/** Fields of a per-period (or student-period) data set, for checkpoint and period-row scopes. */
export function setSlots(ds: DataSetIR): Map<string, FieldSlot> {
  const fields = new Map<string, FieldSlot>();
  if (ds.key) fields.set(ds.key, { slot: fields.size, sk: "text" });
  if (ds.period && !fields.has(ds.period)) fields.set(ds.period, { slot: fields.size, sk: "text" });
  for (const f of ds.fields) if (!fields.has(f.name)) fields.set(f.name, { slot: fields.size, sk: fieldSK(f.type) });
  return fields;
}

export function fillSlots(slots: unknown[], fields: Map<string, FieldSlot>, values: Record<string, Value>): void {
  for (const k in values) {
    const s = fields.get(k);
    if (s) slots[s.slot] = bareValue(values[k]!);
  }
}

export class StudentProgram {
  readonly scope: Scope;
  readonly fields: Map<string, FieldSlot>;
  readonly groups: CompiledRule[][];
  readonly rules: CompiledRule[];
  readonly plans: ClausePlan[];
  readonly definedPops: boolean[];
  readonly nSlots: number;
  private readonly results: boolean[];
  private readonly target: number[];
  /**
   * The lean path (bulk runs without reasons), when it provably gives the same decisions:
   * no expression divides (so no failure is ever recorded), every rule leaf is well-typed
   * (so a rule's result is exactly `isTrue` of its condition under three-valued logic, as
   * compiled to negation normal form), and every clause a rule reads is decided at a higher
   * priority (so the value a rule reads is the one the condition reads later). Then the
   * rules need not run: each decision is computed once from the conditions.
   */
  readonly lean: LeanPlan | undefined;
  private readonly conds: (TraceNode | undefined)[];
  /** the frame a student is decided on; reused */
  readonly frame: Frame;
  readonly out = new StudentOut();

  constructor(
    readonly ir: ContractIR,
    readonly compiled: CompiledContract,
    readonly factText: Map<string, string>,
    readonly asOf: string | undefined,
  ) {
    const { fields } = studentSlots(ir);
    this.fields = fields;
    const clauseIndex = {
      byName: new Map(ir.clauses.map((c, i) => [c.name, i] as const)),
      byId: new Map(ir.clauses.map((c, i) => [c.id, i] as const)),
      count: ir.clauses.length,
    };
    // later clauses with the same id win, as in `new Map(ir.clauses.map((c) => [c.id, c]))`
    const byIdInfo = new Map(ir.clauses.map((c) => [c.id, c] as const));
    const infoClauses = ir.clauses.map((c) => byIdInfo.get(c.id)!);
    this.scope = new Scope({
      fields,
      defs: new Map([...ir.metrics].map(([k, m]) => [k, m.expr])),
      exprs: compiled.exprs,
      clauses: { ...clauseIndex, mode: "live", info: { clauses: infoClauses, asOf } },
    });
    const studentRules = compiled.ruleSet.rules.filter((r) => r.event.params.scope === "student");
    this.groups = compileRules(this.scope, studentRules);
    this.rules = this.groups.flat();
    const ruleIdx = new Map(this.rules.map((r, i) => [r.name, i] as const));
    this.definedPops = POPS.map((p) => !!ir.populations[p]);
    const idx = (name: string) => ruleIdx.get(name) ?? -1;
    this.plans = ir.clauses.map((c, index) => {
      const d = c.decl;
      const plan: ClausePlan = {
        index,
        clause: c,
        pop: d.population === "all" ? -2 : popIndex(d.population),
        ruleIdx: idx(`clause:${c.id}`),
        ruleName: `clause:${c.id}`,
        missingStatus: d.missing?.outcome === "excluded" ? EXCLUDED : MISSING_STATUS,
        pending: !!(asOf && d.due && d.due.value > asOf),
        cond: d.condition ? tri(this.scope.compile(d.condition)) : undefined,
        // every plan has every property, so that all plans share one shape
        amount: undefined,
        amountConst: undefined,
        tiers: undefined,
        weights: c.weights.map((wd) => {
          const i = ir.weights.indexOf(wd);
          const ruleIdx = i < 0 ? -1 : idx(`weight:${i + 1}`);
          return { ruleIdx, weightIdx: ruleIdx < 0 ? -1 : i, factor: Rational.parse(wd.factor.value) };
        }),
      };
      if (d.amount.$type === "FixedAmount") {
        const c = this.scope.compile(d.amount.amount);
        plan.amount = moneyFn(c);
        if (c.isConst && c.sk === "money" && c.value !== undefined) plan.amountConst = c.value as N;
      }
      else {
        plan.tiers = d.amount.tiers.map((t, n) => ({
          ruleIdx: idx(`clause:${c.id}:tier:${n + 1}`),
          ruleName: `clause:${c.id}:tier:${n + 1}`,
          cond: t.condition ? tri(this.scope.compile(t.condition)) : undefined,
          amount: moneyFn(this.scope.compile(t.amount)),
        }));
      }
      return plan;
    });
    this.nSlots = this.scope.nSlots;
    // what each rule's event sets: a clause index (≥ 0), a group (-10 - POPS index), or nothing (-1)
    this.target = this.rules.map((rule) => {
      if (!rule.setsState) return -1;
      const p = rule.rule.event.params;
      if (p.role === "population") {
        const pi = popIndex(p.population!);
        return pi >= 0 ? -10 - pi : -1;
      }
      return this.scope.clauses!.byId.get(p.clause!) ?? -1;
    });
    this.lean = this.leanPlan(ir, idx);
    this.results = new Array<boolean>(this.rules.length).fill(false);
    this.conds = new Array<TraceNode | undefined>(this.rules.length).fill(undefined);
    this.frame = this.scope.frame();
  }

  private trace(ruleIdx: number, reasons: boolean): ConditionTrace[] {
    if (!reasons || ruleIdx < 0) return NO_TRACE;
    return traceConditions(this.conds[ruleIdx], this.compiled.ruleSet.leaves, this.factText);
  }

  /**
   * Decides the student whose values are in `this.frame.slots` (the frame is reset here).
   * The result is in `this.out`.
   */
  decide(reasons: boolean): StudentOut {
    const f = this.frame;
    f.reset();
    const results = this.results;
    const groups = this.groups;
    let r = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const start = r;
      for (let i = 0; i < group.length; i++, r++) {
        if (reasons) {
          const t = group[i]!.traced(f);
          results[r] = t.result;
          this.conds[r] = t.conditions;
        } else results[r] = group[i]!.test(f);
      }
      // the events of a priority take effect before the next priority runs
      for (let k = start; k < r; k++) {
        const t = this.target[k]!;
        if (t >= 0) f.clauseMet[t] = results[k];
        else if (t <= -10) f.pops[-10 - t] = results[k];
      }
    }
    const out = this.out;
    out.n = 0;
    out.internal.length = 0;
    for (let i = 0; i < 3; i++) out.pops[i] = this.definedPops[i] ? (f.pops[i] ?? false) : undefined;
    const plans = this.plans;
    for (let pi = 0; pi < plans.length; pi++) {
      const p = plans[pi]!;
      if (p.pop !== -2 && (p.pop < 0 || out.pops[p.pop] !== true)) continue;
      const dec = p.ruleIdx >= 0 ? results[p.ruleIdx]! : false;
      let traceIdx = p.ruleIdx;
      if (p.pending) {
        this.line(p, PENDING, 0, 0, Rational.ONE, traceIdx, reasons);
        continue;
      }
      const cv = p.cond ? p.cond(f) : true;
      if (p.amount) {
        if (dec !== (cv === true)) out.internal.push(p.ruleName);
        if (!dec) {
          this.line(p, cv === undefined ? p.missingStatus : NOT_MET, 0, 0, Rational.ONE, traceIdx, reasons);
          continue;
        }
        const amount = p.amount(f);
        if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, traceIdx, reasons);
        else this.line(p, MET, 0, amount, this.weightOf(p), traceIdx, reasons);
        continue;
      }
      if (cv !== true) {
        this.line(p, cv === undefined ? p.missingStatus : NOT_MET, 0, 0, Rational.ONE, traceIdx, reasons);
        continue;
      }
      let decided = false;
      const tiers = p.tiers!;
      for (let n = 0; n < tiers.length; n++) {
        const t = tiers[n]!;
        const tv = t.cond ? t.cond(f) : true;
        if (t.ruleIdx >= 0 && results[t.ruleIdx] !== (tv === true)) out.internal.push(t.ruleName);
        if (tv === undefined) {
          traceIdx = t.ruleIdx;
          this.line(p, p.missingStatus, 0, 0, Rational.ONE, traceIdx, reasons);
          decided = true;
          break;
        }
        if (tv === true) {
          traceIdx = t.ruleIdx;
          const amount = t.amount(f);
          if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, traceIdx, reasons);
          else this.line(p, MET, n + 1, amount, this.weightOf(p), traceIdx, reasons);
          decided = true;
          break;
        }
      }
      if (!decided) this.line(p, NOT_MET, 0, 0, Rational.ONE, traceIdx, reasons);
    }
    out.fails = f.fails;
    return out;
  }

  private leanPlan(ir: ContractIR, idx: (name: string) => number): LeanPlan | undefined {
    if (this.scope.divides) return undefined;
    const prio = new Map(this.rules.map((r) => [r.name, r.priority] as const));
    for (const r of this.rules) {
      if (r.info.untyped) return undefined;
      for (const c of r.info.clauses) {
        const p = prio.get(`clause:${c}`);
        if (p === undefined || p <= r.priority) return undefined;
      }
      const role = r.rule.event.params.role;
      if (role !== "population" && role !== "clause" && role !== "tier" && role !== "weight") return undefined;
    }
    const elig = ir.populations.eligible ?? ir.populations.identified;
    const pops: LeanPlan["pops"] = [];
    if (elig) pops.push({ idx: popIndex(elig.which), gate: -1, cond: tri(this.scope.compile(elig.condition)) });
    if (ir.populations.served) pops.push({ idx: 2, gate: elig ? popIndex(elig.which) : -1, cond: tri(this.scope.compile(ir.populations.served.condition)) });
    // the population rules must be exactly these (in this order of priority)
    const popRules = this.rules.filter((r) => r.rule.event.params.role === "population");
    if (popRules.length !== pops.length) return undefined;
    // clause rules in their order of priority
    const order: number[] = [];
    for (const r of this.rules) {
      if (r.rule.event.params.role !== "clause") continue;
      const ci = this.scope.clauses!.byId.get(r.rule.event.params.clause!);
      if (ci === undefined || this.plans[ci]!.ruleName !== r.name) return undefined;
      order.push(ci);
    }
    if (order.length !== this.plans.length) return undefined;
    const weights = ir.weights.map((w, i) => (idx(`weight:${i + 1}`) >= 0 ? tri(this.scope.compile(w.condition)) : undefined));
    // one pass (decide and pay each clause in turn) when the clauses are decided in the order
    // they are paid, and no amount reads a clause (amounts are computed after every rule ran)
    const readsClause = (e: A.Expr | undefined, seen: Set<string>): boolean => {
      if (!e || typeof e !== "object") return false;
      if (e.$type === "ClauseRef") return true;
      if (e.$type === "NameRef") {
        const m = ir.metrics.get(e.name);
        if (!m || seen.has(e.name)) return false;
        seen.add(e.name);
        return readsClause(m.expr, seen);
      }
      return Object.values(e).some((v) =>
        Array.isArray(v) ? v.some((x) => x && typeof x === "object" && "$type" in x && readsClause(x as A.Expr, seen)) : !!v && typeof v === "object" && "$type" in v && readsClause(v as A.Expr, seen),
      );
    };
    const amountsReadClauses = ir.clauses.some((c) =>
      c.decl.amount.$type === "FixedAmount" ? readsClause(c.decl.amount.amount, new Set()) : c.decl.amount.tiers.some((t) => readsClause(t.amount, new Set())),
    );
    const onePass = !amountsReadClauses && order.every((c, i) => c === i);
    // the clauses whose state anything reads (every clause when cohort clauses read clause values)
    const named = new Set<string>();
    const collectRefs = (e: A.Expr | undefined): void => {
      if (!e || typeof e !== "object") return;
      if (e.$type === "ClauseRef") named.add(e.name);
      for (const v of Object.values(e)) {
        if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && "$type" in x && collectRefs(x as A.Expr));
        else if (v && typeof v === "object" && "$type" in v) collectRefs(v as A.Expr);
      }
    };
    for (const m of ir.metrics.values()) collectRefs(m.expr);
    for (const c of ir.clauses) {
      collectRefs(c.decl.condition);
      if (c.decl.amount.$type === "FixedAmount") collectRefs(c.decl.amount.amount);
      else for (const t of c.decl.amount.tiers) (collectRefs(t.condition), collectRefs(t.amount));
    }
    for (const w of ir.weights) collectRefs(w.condition);
    for (const pd of Object.values(ir.populations)) collectRefs(pd?.condition);
    for (const r of this.rules) for (const c of r.info.clauses) named.add(c);
    const tracked = ir.clauses.map((c) => ir.cohorts.length > 0 || named.has(c.name) || named.has(c.id));
    return { onePass, tracked, pops, order, weights, cv: new Array(this.plans.length).fill(undefined), tv: this.plans.map((p) => (p.tiers ? new Array(p.tiers.length).fill(undefined) : [])), wgen: new Int32Array(weights.length), wval: new Array(weights.length).fill(false), gen: 0 };
  }

  /**
   * Decides the student in `this.frame.slots` on the lean path (`this.lean` must be set).
   * With a sink, the lines go straight to its store (cents computed) instead of `this.out`.
   */
  decideLean(sink?: LeanSink): StudentOut {
    this.sink = sink;
    const L = this.lean!;
    const f = this.frame;
    // (no clause or group is read before it is decided on this path, so nothing needs clearing)
    f.gen++;
    L.gen++;
    for (let i = 0; i < L.pops.length; i++) {
      const p = L.pops[i]!;
      f.pops[p.idx] = (p.gate < 0 || f.pops[p.gate] === true) && p.cond(f) === true;
    }
    const out = this.out;
    out.n = 0;
    if (out.internal.length) out.internal.length = 0;
    out.fails = 0;
    const pops = out.pops;
    for (let i = 0; i < L.pops.length; i++) pops[L.pops[i]!.idx] = f.pops[L.pops[i]!.idx];
    const plans = this.plans;
    const onePass = L.onePass;
    // the clause rules, in their order of priority
    for (let k = 0; k < L.order.length; k++) {
      const ci = L.order[k]!;
      const p = plans[ci]!;
      const tracked = L.tracked[ci]!;
      if (p.pop !== -2 && (p.pop < 0 || f.pops[p.pop] !== true)) {
        if (tracked) {
          f.clauseMet[ci] = false;
          // the clause's value as a condition: not met, outside its group
          f.cfGen[ci] = f.gen;
          f.cfVal[ci] = false;
        }
        continue;
      }
      const cv = p.cond ? p.cond(f) : true;
      if (!p.tiers) {
        if (tracked) {
          f.clauseMet[ci] = cv === true;
          // Context.clauseFact, from what is known now (every clause it reads is decided already)
          f.cfGen[ci] = f.gen;
          f.cfVal[ci] = p.pending ? false : cv === true ? true : cv === undefined ? undefined : false;
        }
        if (!onePass) L.cv[ci] = cv;
        else if (sink) {
          // the line, straight to the store
          const st = sink.store;
          if (p.pending) st.addLine(ci, PENDING, 0);
          else if (cv !== true) st.addLine(ci, cv === undefined ? p.missingStatus : NOT_MET, 0);
          else {
            const amount = p.amountConst ?? p.amount!(f);
            if (amount === undefined) st.addLine(ci, p.missingStatus, 0);
            else st.addLine(ci, MET, lineCents(amount, p.weights.length ? this.leanWeight(p) : Rational.ONE, sink.mode, sink.unit));
          }
        } else this.leanLine(p, cv);
        continue;
      }
      L.cv[ci] = cv;
      let met = cv === true;
      if (met) {
        const tv = L.tv[ci]!;
        let any = false;
        let conditioned = false;
        for (let n = 0; n < p.tiers.length; n++) {
          const t = p.tiers[n]!;
          const v = t.cond ? t.cond(f) : true;
          tv[n] = v;
          if (t.cond) {
            conditioned = true;
            if (v === true) any = true;
          }
        }
        met = any || !conditioned;
      }
      f.clauseMet[ci] = met;
      if (p.pending) {
        f.cfGen[ci] = f.gen;
        f.cfVal[ci] = false;
      }
      if (onePass) this.leanLine(p, cv);
    }
    if (onePass) return out;
    for (let pi = 0; pi < plans.length; pi++) {
      const p = plans[pi]!;
      if (p.pop !== -2 && (p.pop < 0 || pops[p.pop] !== true)) continue;
      if (p.pending) {
        this.line(p, PENDING, 0, 0, Rational.ONE, -1, false);
        continue;
      }
      const cv = L.cv[pi];
      if (cv !== true) {
        this.line(p, cv === undefined ? p.missingStatus : NOT_MET, 0, 0, Rational.ONE, -1, false);
        continue;
      }
      if (p.amount) {
        const amount = p.amountConst ?? p.amount(f);
        if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
        else this.line(p, MET, 0, amount, p.weights.length ? this.leanWeight(p) : Rational.ONE, -1, false);
        continue;
      }
      const tiers = p.tiers!;
      const tv = L.tv[pi]!;
      let decided = false;
      for (let n = 0; n < tiers.length; n++) {
        const v = tv[n];
        if (v === undefined) {
          this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
          decided = true;
          break;
        }
        if (v === true) {
          const amount = tiers[n]!.amount(f);
          if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
          else this.line(p, MET, n + 1, amount, this.leanWeight(p), -1, false);
          decided = true;
          break;
        }
      }
      if (!decided) this.line(p, NOT_MET, 0, 0, Rational.ONE, -1, false);
    }
    return out;
  }

  /** The line of a clause in the student's group on the lean path (its rule already decided). */
  private leanLine(p: ClausePlan, cv: boolean | undefined): void {
    if (p.pending) {
      this.line(p, PENDING, 0, 0, Rational.ONE, -1, false);
      return;
    }
    if (cv !== true) {
      this.line(p, cv === undefined ? p.missingStatus : NOT_MET, 0, 0, Rational.ONE, -1, false);
      return;
    }
    if (p.amount) {
      const amount = p.amountConst ?? p.amount(this.frame);
      if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
      else this.line(p, MET, 0, amount, p.weights.length ? this.leanWeight(p) : Rational.ONE, -1, false);
      return;
    }
    const tiers = p.tiers!;
    const tv = this.lean!.tv[p.index]!;
    for (let n = 0; n < tiers.length; n++) {
      const v = tv[n];
      if (v === undefined) {
        this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
        return;
      }
      if (v === true) {
        const amount = tiers[n]!.amount(this.frame);
        if (amount === undefined) this.line(p, p.missingStatus, 0, 0, Rational.ONE, -1, false);
        else this.line(p, MET, n + 1, amount, this.leanWeight(p), -1, false);
        return;
      }
    }
    this.line(p, NOT_MET, 0, 0, Rational.ONE, -1, false);
  }

  private leanWeight(p: ClausePlan): Rational {
    const L = this.lean!;
    let w = Rational.ONE;
    for (let i = 0; i < p.weights.length; i++) {
      const x = p.weights[i]!;
      const wi = x.weightIdx;
      if (wi < 0) continue;
      if (L.wgen[wi] !== L.gen) {
        L.wgen[wi] = L.gen;
        L.wval[wi] = L.weights[wi]!(this.frame) === true;
      }
      if (L.wval[wi]) w = w === Rational.ONE ? x.factor : w.mul(x.factor);
    }
    return w;
  }

  private weightOf(p: ClausePlan): Rational {
    let w = Rational.ONE;
    for (let i = 0; i < p.weights.length; i++) {
      const x = p.weights[i]!;
      if (x.ruleIdx >= 0 && this.results[x.ruleIdx]) w = w === Rational.ONE ? x.factor : w.mul(x.factor);
    }
    return w;
  }

  private sink: LeanSink | undefined;

  private line(p: ClausePlan, status: number, tier: number, base: N, weight: Rational, traceIdx: number, reasons: boolean): void {
    const sink = this.sink;
    if (sink) {
      sink.store.addLine(p.index, status, status === MET ? lineCents(base, weight, sink.mode, sink.unit) : 0);
      return;
    }
    const o = this.out;
    const k = o.n++;
    o.plan[k] = p.index;
    o.status[k] = status;
    o.tier[k] = tier;
    o.base[k] = base;
    o.weight[k] = weight;
    o.trace[k] = this.trace(traceIdx, reasons);
  }

  /**
   * The rule decisions of the last `decide(true)`, as `runEngine` returns them: each rule's
   * result and its condition tree with factResult / valueResult / result on every leaf.
   */
  decisions(): Map<string, RuleDecision> {
    return new Map(this.rules.map((r, i) => [r.name, { result: this.results[i]!, conditions: this.conds[i] }]));
  }

  /** Each clause's value as a condition after the decision (`Context.clauseFact`), for cohort aggregates. */
  clauseFacts(): (boolean | undefined)[] {
    const f = this.frame;
    return this.ir.clauses.map((_, i) => this.scope.clauseFact(i)(f) as boolean | undefined);
  }
}

// ───────────── cohort aggregates over students, streamed ─────────────

/** The aggregates over students of the cohort clauses without `over`, accumulated student by student. */
export class StudentAggregates {
  readonly nodes: A.Aggregate[] = [];
  readonly partials: AggregatePartial[] = [];
  private readonly scope: Scope | undefined;
  private readonly frame: Frame | undefined;
  private readonly tests: { pop: number; where?: (f: Frame) => boolean | undefined; value?: (f: Frame) => RV }[] = [];

  constructor(ir: ContractIR, prog: StudentProgram) {
    const collect = (e: A.Expr | undefined): void => {
      if (!e || typeof e !== "object") return;
      if (e.$type === "Aggregate") {
        if (!this.nodes.includes(e)) this.nodes.push(e);
        return; // its where/value are read in each student's own scope
      }
      for (const v of Object.values(e)) {
        if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && "$type" in x && collect(x as A.Expr));
        else if (v && typeof v === "object" && "$type" in v) collect(v as A.Expr);
      }
    };
    for (const co of ir.cohorts) {
      if (co.over) continue;
      for (const l of co.decl.lets) collect(l.expr);
      collect(co.decl.condition);
      collect(co.decl.amount);
    }
    if (this.nodes.length === 0) return;
    // a student's own context for aggregates: its values, clause values fixed
    this.scope = new Scope({
      fields: prog.fields,
      defs: new Map([...ir.metrics].map(([k, m]) => [k, m.expr])),
      exprs: prog.compiled.exprs,
      clauses: {
        byName: new Map(ir.clauses.map((c, i) => [c.name, i] as const)),
        byId: new Map(ir.clauses.map((c, i) => [c.id, i] as const)),
        count: ir.clauses.length,
        mode: "fixed",
      },
    });
    for (const e of this.nodes) {
      this.tests.push({
        pop: !e.population || e.population === "all" ? -2 : popIndex(e.population),
        where: e.where ? tri(this.scope.compile(e.where)) : undefined,
        value: e.fn === "sum" && e.value ? rvFn(this.scope.compile(e.value)) : undefined,
      });
      this.partials.push({ rows: 0, chosen: 0, total: undefined });
    }
    this.frame = this.scope.frame();
  }

  get active(): boolean {
    return this.nodes.length > 0;
  }

  /**
   * Adds one student: its slots (the values of every per-student data set, as the student was
   * decided on), groups (POPS order) and clause values (by clause index).
   */
  add(slots: unknown[], pops: (boolean | undefined)[], clauseFacts: (boolean | undefined)[]): void {
    const f = this.frame!;
    f.reset();
    f.slots = slots;
    for (let i = 0; i < 3; i++) f.pops[i] = pops[i];
    for (let i = 0; i < clauseFacts.length; i++) f.clauseMet[i] = clauseFacts[i];
    for (let k = 0; k < this.tests.length; k++) {
      const t = this.tests[k]!;
      if (t.pop !== -2 && (t.pop < 0 || f.pops[t.pop] !== true)) continue;
      const p = this.partials[k]!;
      p.rows++;
      if (t.where && t.where(f) !== true) continue;
      p.chosen++;
      if (t.value) {
        const v = t.value(f);
        if (v.kind === "missing") continue;
        p.total = p.total ? addRV(p.total, v, f) : v;
      }
    }
  }
}

function addRV(a: RV, b: RV, f: Frame): RV {
  if (a.kind === "missing" || b.kind === "missing") return MISSING;
  const x = a.kind === "number" || a.kind === "money" || a.kind === "percent" ? a.value : undefined;
  const y = b.kind === "number" || b.kind === "money" || b.kind === "percent" ? b.value : undefined;
  if (!x || !y) return MISSING;
  void f;
  const kind = a.kind === "money" || b.kind === "money" ? "money" : a.kind === "percent" || b.kind === "percent" ? "percent" : "number";
  return { kind, value: x.add(y) };
}
