/**
 * The fast engine's decisions: `decideStudents`, `decideCohorts` and `decideEscalations` of
 * `engine/run.ts`, computed with compiled closures instead of json-rules-engine and the
 * reference evaluator. The outputs are the same decision objects, so `settle.ts` turns them
 * into the same `RunResult`, byte for byte (see test/differential.test.ts).
 *
 * Cohort aggregates over students are accumulated while the students are decided (one pass,
 * no per-student contexts kept). Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import type { DataProblem, DataRow } from "../data.ts";
import { MISSING, showRV, TRUE, FALSE, type RV } from "../evaluate.ts";
import type { ConditionTrace } from "../output.ts";
import { Rational } from "../rational.ts";
import {
  checkpointPeriods,
  closeCheckpoint,
  closeMissingCheckpoint,
  disagreement,
  failureProblem,
  groupByPeriod,
  joinedRows,
  percentMeasures,
  type EscalationState,
  traceConditions,
  type CheckpointDecision,
  type ClauseDecision,
  type CohortDecision,
  type EscalationDecision,
  type Runtime,
  type StudentDecision,
} from "../run.ts";
import { aggregateValue, Frame, POPS, rvFn, Scope, tri, type AggregatePartial, type FieldSlot } from "./expr.ts";
import { toRat } from "./num.ts";
import { STATUS_NAMES } from "../settle.ts";
import { fillSlots, setSlots, StudentAggregates, StudentProgram } from "./program.ts";
import { compileRules, type CompiledRule } from "./rules.ts";

const tv = (b: boolean | undefined): RV => (b === undefined ? MISSING : b ? TRUE : FALSE);
const isTrue = (b: unknown) => b === true;

/** Runs compiled rule groups of a period scope on a frame; returns results by rule name (and traces). */
function runGroups(groups: CompiledRule[][], f: Frame, traces: boolean): Map<string, { result: boolean; conditions?: unknown }> {
  const out = new Map<string, { result: boolean; conditions?: unknown }>();
  for (const g of groups) for (const r of g) out.set(r.name, traces ? r.traced(f) : { result: r.test(f) });
  return out;
}

export interface FastDecisions {
  students: StudentDecision[];
  cohorts: CohortDecision[];
  escalations: EscalationDecision[];
  problems: DataProblem[];
}

/**
 * All decisions of a run, as `decideStudents`, `decideCohorts` and `decideEscalations` make them.
 * Problems (internal disagreements, divisions by zero) are returned, in the reference order.
 * @throws FastUnsupported for a rule set the fast engine does not reproduce
 */
export function fastDecide(ir: ContractIR, data: Map<string, DataRow[]>, rt: Runtime, text: (s: A.Span) => string): FastDecisions {
  const problems: DataProblem[] = [];
  const prog = new StudentProgram(ir, rt.compiled, rt.factText, rt.asOf);
  const agg = new StudentAggregates(ir, prog);
  const students = decideAllStudents(ir, data, prog, agg, problems, true);
  const cohorts = fastCohorts(ir, data, rt, agg.active ? new Map(agg.nodes.map((n, i) => [n, aggregateValue(n, agg.partials[i]!)])) : undefined, problems);
  const escalations = fastEscalations(ir, data, rt, text, problems);
  return { students, cohorts, escalations, problems };
}

function decideAllStudents(
  ir: ContractIR,
  data: Map<string, DataRow[]>,
  prog: StudentProgram,
  agg: StudentAggregates,
  problems: DataProblem[],
  reasons: boolean,
): StudentDecision[] {
  const roster = ir.dataSets.find((d) => d.roster);
  if (!roster) return [];
  const byKey = joinedRows(ir, data);
  const out: StudentDecision[] = [];
  const f = prog.frame;
  const n = prog.nSlots;
  // cohort contexts read the first decision of a student id (`students.find`)
  const first = new Map<string, { pops: (boolean | undefined)[]; facts: (boolean | undefined)[] }>();
  for (const row of data.get(roster.name) ?? []) {
    if (row.key === undefined) continue;
    const slots = new Array<unknown>(n).fill(undefined);
    fillSlots(slots, prog.fields, row.values);
    for (const x of byKey.get(row.key) ?? []) fillSlots(slots, prog.fields, x.values);
    f.slots = slots;
    const o = prog.decide(reasons);
    const populations: Record<string, boolean> = {};
    for (let i = 0; i < 3; i++) if (o.pops[i] !== undefined) populations[POPS[i]!] = o.pops[i]!;
    const clauses: ClauseDecision[] = [];
    for (let k = 0; k < o.n; k++) {
      const status = o.status[k]!;
      clauses.push({
        clause: ir.clauses[o.plan[k]!]!,
        status: STATUS_NAMES[status] as ClauseDecision["status"],
        tier: o.tier[k] || undefined,
        base: status === 1 ? toRat(o.base[k]!) : Rational.ZERO,
        weight: o.weight[k]!,
        trace: o.trace[k]!,
      });
    }
    for (const name of o.internal) problems.push(disagreement(name));
    for (let i = 0; i < o.fails; i++) problems.push(failureProblem("division-by-zero", roster.name, row.row));
    const facts = prog.clauseFacts();
    const clauseFacts = new Map<string, RV>();
    ir.clauses.forEach((c, i) => clauseFacts.set(c.id, tv(facts[i])));
    out.push({ id: row.key, populations, clauses, clauseFacts });
    if (agg.active) {
      let fst = first.get(row.key);
      if (!fst) first.set(row.key, (fst = { pops: [...o.pops], facts }));
      agg.add(slots, fst.pops, fst.facts);
    }
  }
  return out;
}

// ───────────── cohorts ─────────────

export function fastCohorts(
  ir: ContractIR,
  data: Map<string, DataRow[]>,
  rt: Runtime,
  studentAggregates: Map<A.Aggregate, RV> | undefined,
  problems: DataProblem[],
): CohortDecision[] {
  return compileCohorts(ir, rt)(data, studentAggregates, problems);
}

/** The cohort clauses compiled once; the function decides them for given data and aggregates. */
export function compileCohorts(
  ir: ContractIR,
  rt: Runtime,
): (data: Map<string, DataRow[]>, studentAggregates: Map<A.Aggregate, RV> | undefined, problems: DataProblem[]) => CohortDecision[] {
  const { ruleSet, exprs } = rt.compiled;
  const compiled = ir.cohorts.map((co) => {
    const rules = ruleSet.rules.filter((r) => r.event.params.scope === `cohort:${co.id}`);
    const lets = new Map<string, A.Expr>(co.decl.lets.map((l) => [l.name.name, l.expr]));
    const overSet: DataSetIR | undefined = co.over;
    const rowScope = overSet ? new Scope({ fields: setSlots(overSet), defs: new Map(), exprs: new Map() }) : undefined;
    const scope = new Scope({ fields: new Map<string, FieldSlot>(), defs: lets, exprs, rows: rowScope, precomputedAggregates: !overSet });
    const groups = rules.length ? compileRules(scope, rules) : undefined;
    const letFns = co.decl.lets.map((l) => [l.name.name, rvFn(scope.name(l.name.name))] as const);
    const cond = co.decl.condition ? tri(scope.compile(co.decl.condition)) : undefined;
    const amount = rvFn(scope.compile(co.decl.amount));
    return { co, overSet, rowScope, scope, groups, letFns, cond, amount };
  });
  return (data, studentAggregates, problems) => {
    const out: CohortDecision[] = [];
    for (const { co, overSet, rowScope, scope, groups, letFns, cond, amount } of compiled) {
      const periods: [string | undefined, Frame[] | undefined][] = overSet
        ? [...groupByPeriod(data.get(overSet.name) ?? []).entries()].map(([p, rows]) => [
            p,
            rows.map((r) => {
              const fr = rowScope!.frame();
              fillSlots(fr.slots, rowScope!.fields, r.values);
              return fr;
            }),
          ])
        : [[undefined, undefined]];
      for (const [period, rows] of periods) {
        const f = scope.frame([]);
        if (rows) f.rowsFor = () => rows;
        f.aggregates = studentAggregates;
        const values: Record<string, RV> = {};
        for (const [name, fn] of letFns) values[name] = fn(f);
        let status: CohortDecision["status"] = "met";
        let trace: ConditionTrace[] = [];
        if (rt.asOf && co.decl.due && co.decl.due.value > rt.asOf) {
          out.push({ clause: co, period, values, status: "pending", amount: Rational.ZERO, trace });
          continue;
        }
        if (co.decl.condition && groups) {
          const dec = runGroups(groups, f, true).get(`cohort:${co.id}`);
          trace = traceConditions(dec?.conditions, ruleSet.leaves, rt.factText);
          const v = cond!(f);
          if (!!dec?.result !== isTrue(v)) problems.push(disagreement(`cohort:${co.id}`));
          status = dec?.result ? "met" : v === undefined ? "missing" : "not-met";
        }
        const a = status === "met" ? amount(f) : MISSING;
        out.push({
          clause: co,
          period,
          values,
          status: status === "met" && a.kind !== "money" ? "missing" : status,
          amount: a.kind === "money" ? a.value : Rational.ZERO,
          trace,
        });
      }
    }
    return out;
  };
}

// ───────────── escalations ─────────────


export function fastEscalations(
  ir: ContractIR,
  data: Map<string, DataRow[]>,
  rt: Runtime,
  text: (s: A.Span) => string,
  problems: DataProblem[],
): EscalationDecision[] {
  const out: EscalationDecision[] = [];
  const { ruleSet } = rt.compiled;
  for (const esc of ir.escalations) {
    if (!esc.over) continue;
    const rules = ruleSet.rules.filter((r) => r.event.params.scope === esc.over!.name && r.event.params.role === "level" && r.name.startsWith(`escalation:${esc.name}:`));
    const scope = new Scope({
      fields: setSlots(esc.over),
      defs: new Map<string, A.Expr>(esc.decl.measures.map((m) => [m.name.name, m.expr])),
      exprs: rt.compiled.exprs,
    });
    const groups = compileRules(scope, rules);
    const measureFns = esc.decl.measures.map((m) => [m.name.name, rvFn(scope.name(m.name.name))] as const);
    const asPercent = percentMeasures(esc.decl);
    const levels = esc.decl.levels;
    const levelConds = levels.map((l) => tri(scope.compile(l.condition)));
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
      const f = scope.frame();
      fillSlots(f.slots, scope.fields, row.values);
      const decisions = runGroups(groups, f, false);
      for (let i = 0; i < f.fails; i++) problems.push(failureProblem("division-by-zero", row.source, row.row));
      const measures: Record<string, string> = {};
      for (const [name, fn] of measureFns) {
        const v = fn(f);
        measures[name] = asPercent.has(name) && v.kind === "number" ? showRV({ kind: "percent", value: v.value }) : showRV(v);
      }
      let level = 0;
      levels.forEach((l, i) => {
        const dec = decisions.get(`escalation:${esc.name}:level:${l.level.value}`);
        const v = levelConds[i]!(f);
        if (!!dec?.result !== isTrue(v)) problems.push(disagreement(`escalation:${esc.name}:level:${l.level.value}`));
        held[i]![t] = !!dec?.result;
        const n = l.consecutive ? Number(l.consecutive.value) : 1;
        const holds = t + 1 >= n && held[i]!.slice(t + 1 - n, t + 1).every(Boolean);
        if (holds) level = Math.max(level, Number(l.level.value));
      });
      checkpoints.push(closeCheckpoint(state, levels, level, period, measures, (u) => tri(scope.compile(u))(f) === true, text));
    }
    out.push({ name: esc.name, decl: esc.decl, checkpoints, withholdingAtEnd: state.withholding });
  }
  return out;
}

export { decideAllStudents };
export type { AggregatePartial };
