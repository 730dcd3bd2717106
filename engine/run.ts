/**
 * Execution: from compiled rules and data to decisions.
 *
 * Input: a checked contract, its compiled `RuleSet`, and the loaded data. Output: for every
 * student, the decision of every rule (json-rules-engine's per-condition results kept as the
 * trace), and the raw, unrounded amounts of the clauses that apply; for every cohort clause
 * and period, its named values and amount; for every escalation, its levels per checkpoint.
 * Money is not rounded, capped or split here: `settle.ts` does that.
 *
 * json-rules-engine decides every condition. The reference evaluator (`evaluate.ts`)
 * computes the values the rules read (metrics, expressions, amounts) and tells "missing"
 * apart from "false" when a rule fails; where the two ever disagree the run records an
 * internal problem instead of guessing.
 */
import { eventValues, type EventEvaluator } from "./events.ts";
import type { Almanac, Engine, RuleResult } from "json-rules-engine";
import type * as A from "../language/ast.ts";
import type { ClauseIR, ContractIR } from "../language/check/ir.ts";
import type { CompiledContract, ObcRule } from "./compile.ts";
import type { DataProblem, DataRow } from "./data.ts";
import { bool, compareOp, evaluate, FALSE, fromValue, MISSING, showRV, TRUE, type Env, type RV } from "./evaluate.ts";
import type { ConditionTrace, InternalError } from "./output.ts";
import { codeInfo, fillTemplate } from "../language/diagnostics/codes.ts";
import { Rational } from "./rational.ts";

// ───────────── operators ─────────────

const literalCache = new Map<string, RV>();
/** Decodes a literal as compiled by `literalText`. */
export function decodeLiteral(s: string): RV {
  const hit = literalCache.get(s);
  if (hit) return hit;
  let v: RV;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) v = { kind: "date", value: s };
  else if (s.endsWith("%")) v = { kind: "percent", value: Rational.parse(s.slice(0, -1)).div(100) };
  else if (s.startsWith("-$")) v = { kind: "money", value: Rational.parse(s.slice(2).replace(/,/g, "")).neg() };
  else if (s.startsWith("$")) v = { kind: "money", value: Rational.parse(s.slice(1).replace(/,/g, "")) };
  else if (s === "true" || s === "false") v = bool(s === "true");
  else if (s.startsWith('"')) v = { kind: "text", value: JSON.parse(s) as string };
  else v = { kind: "number", value: Rational.parse(s) };
  literalCache.set(s, v);
  return v;
}

function asRV(x: unknown): RV {
  if (typeof x === "string") return decodeLiteral(x);
  if (typeof x === "boolean") return bool(x);
  if (x && typeof x === "object" && "kind" in x) return x as RV;
  return MISSING;
}

const isTrue = (v: RV) => v.kind === "boolean" && v.value;

function addOperators(engine: Engine): void {
  const cmp = (op: A.BinaryOp) => (f: unknown, j: unknown) => isTrue(compareOp(op, asRV(f), asRV(j)));
  engine.addOperator("obcLt", cmp("<"));
  engine.addOperator("obcLte", cmp("<="));
  engine.addOperator("obcGt", cmp(">"));
  engine.addOperator("obcGte", cmp(">="));
  engine.addOperator("obcEq", cmp("="));
  engine.addOperator("obcNe", cmp("!="));
  engine.addOperator("obcIn", (f: unknown, j: unknown) => {
    const v = asRV(f);
    return v.kind !== "missing" && (j as string[]).some((x) => isTrue(compareOp("=", v, decodeLiteral(x))));
  });
  engine.addOperator("obcNotIn", (f: unknown, j: unknown) => {
    const v = asRV(f);
    return v.kind !== "missing" && !(j as string[]).some((x) => isTrue(compareOp("=", v, decodeLiteral(x))));
  });
  engine.addOperator("obcIsMissing", (f: unknown) => asRV(f).kind === "missing");
  engine.addOperator("obcIsPresent", (f: unknown) => asRV(f).kind !== "missing");
  engine.addOperator("obcIs", (f: unknown, j: unknown) => {
    const v = asRV(f);
    return v.kind === "boolean" && v.value === j;
  });
}

// ───────────── contexts: what a rule's facts read ─────────────

/**
 * What a clause reference (`"Algebra ready"`) needs to be decided in three-valued logic:
 * the clause's declaration, and the run's date (a clause not yet due is not met).
 */
export interface ClauseRefInfo {
  clauses: Map<string, ClauseIR>;
  asOf?: string;
}

/** The facts of one evaluation: a student, a checkpoint row, or a cohort period. */
export class Context implements Env {
  /** the decision of each clause's rule, as json-rules-engine reported it */
  readonly clauseMet = new Map<string, boolean>();
  readonly populations = new Map<string, boolean>();
  private readonly memo = new Map<string, RV>();
  readonly failures: { failure: string; span: A.Span }[] = [];
  /** set for contexts that read clause results fixed earlier (cohort aggregates) */
  fixedClauseFacts?: Map<string, RV>;

  constructor(
    private readonly values: Record<string, RV>,
    private readonly defs: Map<string, A.Expr>,
    private readonly exprs: Map<string, A.Expr>,
    private readonly clauseIds: Map<string, string>,
    private readonly rowsFor?: (p: A.PopulationName | undefined) => Env[],
    private readonly refInfo?: ClauseRefInfo,
  ) {}

  /**
   * Whether a clause is met, in three-valued logic: true when its rule succeeded (and it is
   * due), missing when its rule failed on a missing value, false otherwise.
   */
  clauseFact(id: string): RV {
    const fixed = this.fixedClauseFacts?.get(id);
    if (fixed) return fixed;
    const met = this.clauseMet.get(id);
    if (met === undefined) return MISSING;
    const c = this.refInfo?.clauses.get(id);
    if (!c) return bool(met);
    const d = c.decl;
    if (this.refInfo?.asOf && d.due && d.due.value > this.refInfo.asOf) return FALSE;
    if (met) return TRUE;
    if (d.population !== "all" && this.populations.get(d.population) !== true) return FALSE;
    const cond = d.condition ? evaluate(d.condition, this) : TRUE;
    if (!isTrue(cond)) return cond.kind === "missing" ? MISSING : FALSE;
    if (d.amount.$type === "TieredAmount") {
      const tiers = d.amount.tiers.filter((t) => t.condition).map((t) => evaluate(t.condition!, this));
      return tiers.some((t) => t.kind === "missing") ? MISSING : FALSE;
    }
    return FALSE;
  }

  name(n: string): RV {
    const v = this.values[n];
    if (v) return v;
    const hit = this.memo.get(n);
    if (hit) return hit;
    const def = this.defs.get(n);
    if (!def) return MISSING;
    this.memo.set(n, MISSING); // guards against cycles (the checker rejects them)
    const r = evaluate(def, this);
    this.memo.set(n, r);
    return r;
  }

  clause(name: string): RV {
    return this.clauseFact(this.clauseIds.get(name) ?? name);
  }

  rows(p: A.PopulationName | undefined): Env[] {
    return this.rowsFor?.(p) ?? [];
  }

  fail(failure: string, span: A.Span): void {
    this.failures.push({ failure, span });
  }

  /** The value of a fact id of the rule set. */
  fact(id: string): RV {
    if (id === "$true") return TRUE;
    if (id.startsWith("clause:")) return this.clauseFact(id.slice(7));
    if (id.startsWith("population:")) return bool(this.populations.get(id.slice(11)) ?? false);
    const e = this.exprs.get(id);
    if (e) {
      const hit = this.memo.get(id);
      if (hit) return hit;
      const r = evaluate(e, this);
      this.memo.set(id, r);
      return r;
    }
    return this.name(id);
  }
}

/**
 * Builds a json-rules-engine Engine for the rules of one scope; reuse it for every row.
 * json-rules-engine is loaded with the first engine built: a run the fast engine decides whole
 * never loads it.
 */
export async function buildEngine(rules: ObcRule[], factIds: string[]): Promise<Engine> {
  const { Engine } = await import("json-rules-engine");
  const engine = new Engine([], { allowUndefinedFacts: false });
  addOperators(engine);
  for (const id of factIds) {
    engine.addFact(id, async (_params: unknown, almanac: Almanac) => {
      const ctx = (await almanac.factValue("$ctx")) as Context;
      return ctx.fact(id);
    });
  }
  for (const r of rules) engine.addRule(r as never);
  const record = async (event: { params?: Record<string, unknown> }, almanac: Almanac, met: boolean) => {
    const p = event.params as ObcRule["event"]["params"];
    const ctx = (await almanac.factValue("$ctx")) as Context;
    if (p.role === "population" && p.population) ctx.populations.set(p.population, met);
    if (p.role === "clause" && p.clause) ctx.clauseMet.set(p.clause, met);
  };
  engine.on("success", (event, almanac) => record(event as never, almanac, true));
  engine.on("failure", (event, almanac) => record(event as never, almanac, false));
  return engine;
}

export interface RuleDecision {
  result: boolean;
  /** json-rules-engine's condition tree with factResult/valueResult/result per leaf */
  conditions: unknown;
}

export async function runEngine(engine: Engine, ctx: Context): Promise<Map<string, RuleDecision>> {
  const out = await engine.run({ $ctx: ctx });
  const decisions = new Map<string, RuleDecision>();
  const collect = (rs: RuleResult[]) => {
    for (const r of rs) decisions.set(r.name as string, { result: !!r.result, conditions: r.conditions });
  };
  collect(out.results);
  collect(out.failureResults);
  return decisions;
}

// ───────────── traces ─────────────

export function traceConditions(
  conditions: unknown,
  leaves: CompiledContract["ruleSet"]["leaves"],
  facts: Map<string, string>,
): ConditionTrace[] {
  const out: ConditionTrace[] = [];
  const walk = (c: unknown) => {
    if (!c || typeof c !== "object") return;
    const node = c as Record<string, unknown>;
    for (const key of ["all", "any"]) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach(walk);
    if (typeof node["name"] !== "string" || !("factResult" in node)) return;
    const leaf = leaves[node["name"] as string];
    if (!leaf) return;
    const f = asRV(node["factResult"]);
    const values: Record<string, string> = {};
    const factId = node["fact"] as string;
    if (!factId.startsWith("population:") && !factId.startsWith("clause:") && factId !== "$true") {
      values[facts.get(factId) ?? factId] = showRV(f);
    }
    const v = node["value"];
    if (v && typeof v === "object" && "fact" in (v as object)) {
      const id = (v as { fact: string }).fact;
      values[facts.get(id) ?? id] = showRV(asRV(node["valueResult"]));
    }
    const missing = f.kind === "missing" && node["operator"] !== "obcIsMissing" && node["operator"] !== "obcIsPresent";
    // a fact on the right-hand side was missing (a list of literals never is)
    const valueMissing = v && typeof v === "object" && !Array.isArray(v) && asRV(node["valueResult"]).kind === "missing";
    out.push({
      text: leaf.text,
      result: missing || valueMissing ? "missing" : node["result"] ? "true" : "false",
      values,
      source: leaf.source,
    });
  };
  walk(conditions);
  return out;
}

// ───────────── student decisions ─────────────

export interface ClauseDecision {
  clause: ClauseIR;
  status: "met" | "not-met" | "missing" | "excluded" | "pending";
  tier?: number;
  /** the amount before weights, exact, in major units (0 when not met) */
  base: Rational;
  weight: Rational;
  trace: ConditionTrace[];
}

export interface StudentDecision {
  id: string;
  populations: Record<string, boolean>;
  clauses: ClauseDecision[];
  /** each clause's value as a condition (`"Clause"`): true, false or missing */
  clauseFacts: Map<string, RV>;
}

export interface Runtime {
  compiled: CompiledContract;
  factText: Map<string, string>;
  problems: DataProblem[];
  asOf?: string;
}

/**
 * The rows of the per-student data sets other than the roster, by student key, in data-set
 * order: what joins a roster row to the rest of a student's values. Every path (decisions,
 * cohort aggregates, bulk runs) joins through this.
 */
export function joinedRows(ir: ContractIR, data: Map<string, DataRow[]>, evaluator: EventEvaluator = "compiled"): Map<string, DataRow[]> {
  const byKey = new Map<string, DataRow[]>();
  const add = (r: DataRow) => {
    const list = byKey.get(r.key!);
    if (list) list.push(r);
    else byKey.set(r.key!, [r]);
  };
  for (const d of ir.dataSets) {
    if (d.kind !== "student" || d.roster) continue;
    for (const r of data.get(d.name) ?? []) if (r.key !== undefined) add(r);
  }
  // each student's aggregates of event rows, read like the fields of one more data set
  for (const r of eventValues(ir, data, undefined, evaluator).values()) add(r);
  return byKey;
}

function studentValues(row: DataRow, extra: DataRow[]): Record<string, RV> {
  const values: Record<string, RV> = {};
  for (const r of [row, ...extra]) for (const [k, v] of Object.entries(r.values)) values[k] = fromValue(v);
  return values;
}

export async function decideStudents(ir: ContractIR, data: Map<string, DataRow[]>, rt: Runtime): Promise<StudentDecision[]> {
  const roster = ir.dataSets.find((d) => d.roster);
  if (!roster) return [];
  const { ruleSet, exprs } = rt.compiled;
  const studentRules = ruleSet.rules.filter((r) => r.event.params.scope === "student");
  const factIds = ruleSet.facts.map((f) => f.id).filter((id) => id !== "$ctx");
  const engine = await buildEngine(studentRules, factIds);
  const defs = new Map<string, A.Expr>([...ir.metrics].map(([k, m]) => [k, m.expr]));
  const clauseIds = new Map(ir.clauses.map((c) => [c.name, c.id]));
  const byKey = joinedRows(ir, data, "reference");
  const weightRules = ir.weights.map((_, i) => `weight:${i + 1}`);
  const refInfo: ClauseRefInfo = { clauses: new Map(ir.clauses.map((c) => [c.id, c])), asOf: rt.asOf };
  const out: StudentDecision[] = [];
  for (const row of data.get(roster.name) ?? []) {
    if (row.key === undefined) continue;
    const ctx = new Context(studentValues(row, byKey.get(row.key) ?? []), defs, exprs, clauseIds, undefined, refInfo);
    const decisions = await runEngine(engine, ctx);
    const populations: Record<string, boolean> = {};
    for (const p of ["eligible", "identified", "served"] as const) if (ir.populations[p]) populations[p] = ctx.populations.get(p) ?? false;
    const inPop = (p: A.PopulationName) => p === "all" || populations[p] === true;
    const clauses: ClauseDecision[] = [];
    for (const c of ir.clauses) {
      const d = c.decl;
      if (!inPop(d.population)) continue;
      const ruleName = `clause:${c.id}`;
      const dec = decisions.get(ruleName);
      let trace = traceConditions(dec?.conditions, ruleSet.leaves, rt.factText);
      const weight = c.weights.reduce((w, wd) => {
        const i = ir.weights.indexOf(wd);
        return decisions.get(weightRules[i]!)?.result ? w.mul(Rational.parse(wd.factor.value)) : w;
      }, Rational.ONE);
      const result = (status: ClauseDecision["status"], base: Rational = Rational.ZERO, tier?: number): ClauseDecision => ({
        clause: c, status, tier, base, weight: status === "met" ? weight : Rational.ONE, trace,
      });
      const missingStatus = d.missing?.outcome === "excluded" ? "excluded" : "missing";
      if (rt.asOf && d.due && d.due.value > rt.asOf) {
        clauses.push(result("pending"));
        continue;
      }
      const amountOf = (e: A.Expr): Rational | undefined => {
        const v = evaluate(e, ctx);
        return v.kind === "money" ? v.value : undefined;
      };
      const condValue = d.condition ? evaluate(d.condition, ctx) : TRUE;
      if (d.amount.$type === "FixedAmount") {
        if (!!dec?.result !== isTrue(condValue)) rt.problems.push(disagreement(ruleName));
        if (!dec?.result) {
          clauses.push(result(condValue.kind === "missing" ? missingStatus : "not-met"));
          continue;
        }
        const amount = amountOf(d.amount.amount);
        clauses.push(amount === undefined ? result(missingStatus) : result("met", amount));
        continue;
      }
      // tiers: the first tier whose condition holds pays; an undecidable earlier tier leaves the clause undecided
      if (condValue.kind !== "boolean" || !condValue.value) {
        clauses.push(result(condValue.kind === "missing" ? missingStatus : "not-met"));
        continue;
      }
      let decided: ClauseDecision | undefined;
      for (let n = 0; n < d.amount.tiers.length; n++) {
        const tier = d.amount.tiers[n]!;
        const tierDec = decisions.get(`clause:${c.id}:tier:${n + 1}`);
        const tv = tier.condition ? evaluate(tier.condition, ctx) : TRUE;
        if (tierDec && tierDec.result !== isTrue(tv)) rt.problems.push(disagreement(`clause:${c.id}:tier:${n + 1}`));
        if (tv.kind === "missing") {
          trace = traceConditions(tierDec?.conditions, ruleSet.leaves, rt.factText);
          decided = result(missingStatus);
          break;
        }
        if (isTrue(tv)) {
          trace = traceConditions(tierDec?.conditions, ruleSet.leaves, rt.factText);
          const amount = amountOf(tier.amount);
          decided = amount === undefined ? result(missingStatus) : result("met", amount, n + 1);
          break;
        }
      }
      clauses.push(decided ?? result("not-met"));
    }
    for (const f of ctx.failures) rt.problems.push(failureProblem(f.failure, roster.name, row.row));
    const clauseFacts = new Map(ir.clauses.map((c) => [c.id, ctx.clauseFact(c.id)]));
    out.push({ id: row.key, populations, clauses, clauseFacts });
  }
  return out;
}

/**
 * The problem of a run whose result breaks one of OBC's own guarantees (OBC9001, a bug in OBC):
 * the rule engine and the reference evaluator disagree, or the settlement fails its checks.
 * A result carrying it must not be paid or recorded.
 */
export function internalProblem(what: string, rule: string): DataProblem {
  return { code: "OBC9001", severity: "error", file: "(engine)", rule, message: fillTemplate(codeInfo("OBC9001").message, { what }) };
}

/** The mark of a result that breaks one of OBC's guarantees (any OBC9001 problem), or undefined. */
export function internalErrorOf(problems: DataProblem[]): InternalError | undefined {
  const failures = problems.filter((p) => p.code === "OBC9001").map((p) => p.message);
  return failures.length ? { code: "OBC9001", failures } : undefined;
}

/** A rule on which json-rules-engine and the reference evaluator disagree. */
export function disagreement(rule: string): DataProblem {
  return internalProblem(`The rule engine and the reference evaluator disagree on ${rule}.`, "engine-disagreement");
}

export function failureProblem(kind: string, file: string, row: number): DataProblem {
  return {
    code: "OBC5013",
    severity: "warning",
    file,
    row,
    rule: kind,
    message: `Row ${row} of ${file}: a calculation divides by zero, so its value is treated as missing.`,
  };
}

// ───────────── periods: cohort clauses and escalations ─────────────

export interface CohortDecision {
  clause: ContractIR["cohorts"][number];
  period?: string;
  values: Record<string, RV>;
  status: "met" | "not-met" | "missing" | "pending";
  amount: Rational;
  trace: ConditionTrace[];
}

/** Rows grouped by period, the periods in sorted order. */
export function groupByPeriod(rows: DataRow[]): Map<string, DataRow[]> {
  const m = new Map<string, DataRow[]>();
  for (const r of rows) {
    const p = r.period ?? "";
    const list = m.get(p);
    if (list) list.push(r);
    else m.set(p, [r]);
  }
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The most checkpoints a run of missing months is filled to (a hundred years of months). */
const MAX_CHECKPOINTS = 1200;

/**
 * The checkpoints of an escalation: each period of its data set with its rows, in order. When
 * every period is a calendar month (`2026-10`), a month between the first and the last that has
 * no row is a checkpoint too, with no rows: nothing is measured there and no trigger holds, so
 * it breaks a run of consecutive checkpoints instead of being skipped. Periods of other kinds,
 * and spans longer than a hundred years, are taken as they are.
 */
export function checkpointPeriods(rows: DataRow[]): [string, DataRow[]][] {
  const present = [...groupByPeriod(rows).entries()];
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/;
  if (present.length < 2 || !present.every(([p]) => month.test(p))) return present;
  const index = (p: string) => {
    const m = month.exec(p)!;
    return Number(m[1]) * 12 + Number(m[2]) - 1;
  };
  const first = index(present[0]![0]);
  const last = index(present[present.length - 1]![0]);
  if (last - first + 1 > MAX_CHECKPOINTS) return present;
  const byPeriod = new Map(present);
  const out: [string, DataRow[]][] = [];
  for (let i = first; i <= last; i++) {
    const p = `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`;
    out.push([p, byPeriod.get(p) ?? []]);
  }
  return out;
}

/** A checkpoint with no row (a month missing from the data): nothing is measured, no trigger holds, nothing is released. */
export function closeMissingCheckpoint(state: EscalationState, decl: A.EscalationDecl, held: boolean[][], t: number, period: string, text: (s: A.Span) => string): CheckpointDecision {
  for (const h of held) h[t] = false;
  const measures = Object.fromEntries(decl.measures.map((m) => [m.name.name, showRV(MISSING)]));
  return closeCheckpoint(state, decl.levels, 0, period, measures, () => false, text);
}

export async function decideCohorts(
  ir: ContractIR,
  data: Map<string, DataRow[]>,
  students: StudentDecision[],
  rt: Runtime,
): Promise<CohortDecision[]> {
  const out: CohortDecision[] = [];
  const { ruleSet, exprs } = rt.compiled;
  const defs = new Map<string, A.Expr>([...ir.metrics].map(([k, m]) => [k, m.expr]));
  const clauseIds = new Map(ir.clauses.map((c) => [c.name, c.id]));
  const roster = ir.dataSets.find((d) => d.roster);
  const byId = new Map(students.map((s) => [s.id, s]));
  const byKey = joinedRows(ir, data, "reference");
  // each student's own context: the student's values from every per-student data set
  const studentEnvs = (roster ? data.get(roster.name) ?? [] : []).map((row) => {
    const dec = row.key !== undefined ? byId.get(row.key) : undefined;
    const ctx = new Context(studentValues(row, row.key !== undefined ? byKey.get(row.key) ?? [] : []), defs, exprs, clauseIds);
    for (const [p, v] of Object.entries(dec?.populations ?? {})) ctx.populations.set(p, v);
    ctx.fixedClauseFacts = dec?.clauseFacts ?? new Map();
    return ctx;
  });
  const studentRows = (p: A.PopulationName | undefined): Env[] =>
    studentEnvs.filter((ctx) => !p || p === "all" || ctx.populations.get(p) === true);
  for (const co of ir.cohorts) {
    const rules = ruleSet.rules.filter((r) => r.event.params.scope === `cohort:${co.id}`);
    const engine = rules.length ? await buildEngine(rules, ruleSet.facts.map((f) => f.id)) : undefined;
    const periods: [string | undefined, Env[] | undefined][] = co.over
      ? [...groupByPeriod(data.get(co.over.name) ?? []).entries()].map(([p, rows]) => [
          p,
          rows.map((r) => new Context(Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, fromValue(v)])), new Map(), new Map(), clauseIds)),
        ])
      : [[undefined, undefined]];
    for (const [period, rows] of periods) {
      const lets = new Map<string, A.Expr>(co.decl.lets.map((l) => [l.name.name, l.expr]));
      const ctx = new Context({}, lets, exprs, clauseIds, (p) => (rows ? rows : studentRows(p)));
      const values: Record<string, RV> = {};
      for (const l of co.decl.lets) values[l.name.name] = ctx.name(l.name.name);
      let status: CohortDecision["status"] = "met";
      let trace: ConditionTrace[] = [];
      if (rt.asOf && co.decl.due && co.decl.due.value > rt.asOf) {
        out.push({ clause: co, period, values, status: "pending", amount: Rational.ZERO, trace });
        continue;
      }
      if (co.decl.condition && engine) {
        const dec = (await runEngine(engine, ctx)).get(`cohort:${co.id}`);
        trace = traceConditions(dec?.conditions, ruleSet.leaves, rt.factText);
        const v = evaluate(co.decl.condition, ctx);
        if (!!dec?.result !== isTrue(v)) rt.problems.push(disagreement(`cohort:${co.id}`));
        status = dec?.result ? "met" : v.kind === "missing" ? "missing" : "not-met";
      }
      const amount = status === "met" ? evaluate(co.decl.amount, ctx) : MISSING;
      out.push({
        clause: co,
        period,
        values,
        status: status === "met" && amount.kind !== "money" ? "missing" : status,
        amount: amount.kind === "money" ? amount.value : Rational.ZERO,
        trace,
      });
    }
  }
  return out;
}

export interface CheckpointDecision {
  period: string;
  measures: Record<string, string>;
  level: number;
  actions: string[];
  withholding?: string;
  terminationRight: boolean;
}

export interface EscalationDecision {
  name: string;
  decl: A.EscalationDecl;
  checkpoints: CheckpointDecision[];
  /** the withholding in force after the last checkpoint */
  withholdingAtEnd?: A.WithholdAction;
}

/** Measures compared with a percentage are shown as percentages ("73.8%"). */
export function percentMeasures(decl: A.EscalationDecl): Set<string> {
  const out = new Set<string>();
  const walk = (e: A.Expr | undefined) => {
    if (!e) return;
    const pair = (l: A.Expr, r: A.Expr) => {
      if (l.$type === "NameRef" && r.$type === "PercentLit") out.add(l.name);
      if (r.$type === "NameRef" && l.$type === "PercentLit") out.add(r.name);
    };
    if (e.$type === "Binary") {
      pair(e.left, e.right);
      walk(e.left);
      walk(e.right);
    }
    if (e.$type === "Arithmetic") pair(e.operands[0]!, e.operands[1]!);
    if (e.$type === "Logical" || e.$type === "Arithmetic") e.operands.forEach(walk);
    if (e.$type === "Unary") walk(e.operand);
  };
  for (const l of decl.levels) {
    walk(l.condition);
    for (const a of l.actions) if (a.$type === "WithholdAction") walk(a.until);
  }
  return out;
}

export function describeAction(a: A.EscalationAction, text: (s: A.Span) => string): string {
  switch (a.$type) {
    case "DutyAction": {
      const within = a.within ? ` within ${a.within.amount.value} ${a.within.unit}` : "";
      return `${a.parties.map((p) => p.name).join(" and ")}: ${a.text.value}${within}`;
    }
    case "WithholdAction":
      return `withhold ${a.percent.value}% of ${a.of === "all" ? "all" : a.of} payments${a.until ? ` until ${text(a.until.span)}` : ""}`;
    case "TerminateAction":
      return `${a.party.name} may terminate with ${a.noticeDays.value} days' notice${a.afterMore ? ` if this level holds at ${a.afterMore.value} more checkpoints` : ""}`;
  }
}

/** What an escalation carries from one checkpoint to the next. */
export interface EscalationState {
  /** the level applied at each checkpoint so far */
  applied: number[];
  /** the withholding in force */
  withholding?: A.WithholdAction;
}

/**
 * Closes a checkpoint once its level is known: releases a withholding whose `until`
 * condition holds, starts the level's withholding, grants a termination right when the level
 * has applied at enough consecutive checkpoints, and describes the checkpoint. Shared by the
 * reference and the fast engine.
 */
export function closeCheckpoint(
  state: EscalationState,
  levels: A.EscalationLevel[],
  level: number,
  period: string,
  measures: Record<string, string>,
  untilHolds: (until: A.Expr) => boolean,
  text: (s: A.Span) => string,
): CheckpointDecision {
  state.applied.push(level);
  const lv = levels.find((l) => Number(l.level.value) === level);
  // a withholding is released at the first checkpoint where its `until` condition holds
  if (state.withholding?.until && untilHolds(state.withholding.until)) state.withholding = undefined;
  let terminationRight = false;
  for (const a of lv?.actions ?? []) {
    if (a.$type === "WithholdAction") state.withholding = a;
    if (a.$type === "TerminateAction") {
      const more = a.afterMore ? Number(a.afterMore.value) : 0;
      const applied = state.applied;
      terminationRight = applied.length >= more + 1 && applied.slice(applied.length - more - 1).every((x) => x >= level);
    }
  }
  return {
    period,
    measures,
    level,
    actions: (lv?.actions ?? []).map((a) => describeAction(a, text)),
    withholding: state.withholding ? describeAction(state.withholding, text) : undefined,
    terminationRight,
  };
}

export async function decideEscalations(ir: ContractIR, data: Map<string, DataRow[]>, rt: Runtime, text: (s: A.Span) => string): Promise<EscalationDecision[]> {
  const out: EscalationDecision[] = [];
  const { ruleSet } = rt.compiled;
  for (const esc of ir.escalations) {
    if (!esc.over) continue;
    const rules = ruleSet.rules.filter((r) => r.event.params.scope === esc.over!.name && r.event.params.role === "level" && r.name.startsWith(`escalation:${esc.name}:`));
    const engine = await buildEngine(rules, ruleSet.facts.map((f) => f.id));
    const measureDefs = new Map<string, A.Expr>(esc.decl.measures.map((m) => [m.name.name, m.expr]));
    const asPercent = percentMeasures(esc.decl);
    const levels = esc.decl.levels;
    const held: boolean[][] = levels.map(() => []);
    const state: EscalationState = { applied: [] };
    const checkpoints: CheckpointDecision[] = [];
    const rows = checkpointPeriods(data.get(esc.over.name) ?? []);
    for (let t = 0; t < rows.length; t++) {
      const [period, periodRows] = rows[t]!;
      if (!periodRows.length) {
        checkpoints.push(closeMissingCheckpoint(state, esc.decl, held, t, period, text));
        continue;
      }
      const row = periodRows[0]!;
      const ctx = new Context(Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, fromValue(v)])), measureDefs, rt.compiled.exprs, new Map());
      const decisions = await runEngine(engine, ctx);
      for (const f of ctx.failures) rt.problems.push(failureProblem(f.failure, row.source, row.row));
      const measures: Record<string, string> = {};
      for (const m of esc.decl.measures) {
        const v = ctx.name(m.name.name);
        measures[m.name.name] = asPercent.has(m.name.name) && v.kind === "number" ? showRV({ kind: "percent", value: v.value }) : showRV(v);
      }
      let level = 0;
      levels.forEach((l, i) => {
        const dec = decisions.get(`escalation:${esc.name}:level:${l.level.value}`);
        const v = evaluate(l.condition, ctx);
        if (!!dec?.result !== isTrue(v)) rt.problems.push(disagreement(`escalation:${esc.name}:level:${l.level.value}`));
        held[i]![t] = !!dec?.result;
        const n = l.consecutive ? Number(l.consecutive.value) : 1;
        const holds = t + 1 >= n && held[i]!.slice(t + 1 - n, t + 1).every(Boolean);
        if (holds) level = Math.max(level, Number(l.level.value));
      });
      checkpoints.push(closeCheckpoint(state, levels, level, period, measures, (u) => isTrue(evaluate(u, ctx)), text));
    }
    out.push({ name: esc.name, decl: esc.decl, checkpoints, withholdingAtEnd: state.withholding });
  }
  return out;
}
