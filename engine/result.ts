/**
 * The result of a full run: from decisions and their settlement to the `RunResult`.
 *
 * Input: the student, cohort and escalation decisions of either decider (`run.ts` or
 * `fast/decide.ts`). `linesOf` writes the students' lines into a `LineStore` (step 1 of the
 * settlement, `lineCents`), `settle.ts` settles them, and `runResult` puts each settled line
 * next to its decision: the reason in words and the condition trace come from the decision,
 * the amounts from the settlement. Nothing is recomputed here. Browser-safe.
 */
import type * as A from "../language/ast.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { centsText, lineCents } from "./cents.ts";
import type { SourceRef } from "./compile.ts";
import type { DataProblem, FileReport } from "./data.ts";
import { showRV } from "./evaluate.ts";
import { norm } from "./fast/num.ts";
import { centsToString, roundToCents } from "./money.ts";
import type { PaymentLine, RunResult } from "./output.ts";
import { Rational } from "./rational.ts";
import { internalErrorOf, type ClauseDecision, type CohortDecision, type EscalationDecision, type StudentDecision } from "./run.ts";
import { EXCLUDED, LineStore, MET, MISSING_STATUS, NOT_MET, PENDING, type Settlement } from "./settle.ts";

const STATUS: Record<ClauseDecision["status"], number> = { met: MET, "not-met": NOT_MET, missing: MISSING_STATUS, excluded: EXCLUDED, pending: PENDING };

/** Step 1 for decision objects: every student's lines, in roster order and clause order. */
export function linesOf(ir: ContractIR, students: StudentDecision[]): LineStore {
  const { mode, unit } = ir.rounding;
  const index = new Map(ir.clauses.map((c, i) => [c, i] as const));
  const store = new LineStore();
  for (const s of students) {
    for (const d of s.clauses) store.addLine(index.get(d.clause)!, STATUS[d.status], d.status === "met" ? lineCents(norm(d.base), d.weight, mode, unit) : 0);
    store.endStudent(s.id);
  }
  return store;
}

const moneyText = (c: number) => showRV({ kind: "money", value: Rational.of(c, 100) });

function describeTrace(t: { text: string; values: Record<string, string> }): string {
  const vals = Object.entries(t.values)
    .filter(([k]) => k !== t.text)
    .map(([k, v]) => `${k} = ${v}`);
  return vals.length ? `${t.text} (${vals.join(", ")})` : t.text;
}

/** Why a line pays what it pays, from its decision and its settled amounts. */
function reason(d: ClauseDecision, amount: number, paid: number): string {
  const held = d.trace.filter((t) => t.result === "true").map(describeTrace);
  const failed = d.trace.filter((t) => t.result === "false").map(describeTrace);
  const missing = d.trace.filter((t) => t.result === "missing").map(describeTrace);
  switch (d.status) {
    case "met": {
      const tier = d.tier ? ` under tier ${d.tier}` : "";
      const weight = d.weight.eq(Rational.ONE) ? "" : ` (${showRV({ kind: "money", value: d.base })} × weight ${d.weight.toString()})`;
      const because = held.length ? ` because ${held.join(" and ")}` : "";
      const capped = paid !== amount ? `, ${moneyText(paid)} after caps` : "";
      return `Pays ${moneyText(amount)}${weight}${tier}${capped}${because}.`;
    }
    case "not-met":
      return `Not met: ${failed.length ? failed.join("; ") : "the condition does not hold"}.`;
    case "missing":
      return d.clause.decl.missing
        ? `Not met because a value is missing (${missing.join("; ") || "the amount could not be computed"}); the clause says: if missing, not met.`
        : `Not paid because a required value is missing from the data (${missing.join("; ") || "the amount could not be computed"}); see the data-quality report.`;
    case "excluded":
      return `Excluded because a value is missing (${missing.join("; ") || "the amount could not be computed"}); the clause says: if missing, excluded.`;
    case "pending":
      return `Not yet due: the deadline ${d.clause.decl.due?.value} is after the run's as-of date.`;
  }
}

export interface ResultInput {
  ir: ContractIR;
  students: StudentDecision[];
  cohorts: CohortDecision[];
  escalations: EscalationDecision[];
  /** the settlement of `linesOf(ir, students)` with these cohorts and escalations */
  settlement: Settlement;
  reports: FileReport[];
  /** the run's problems (its OBC9001 problems, if any, mark the result with `internalError`) */
  problems: DataProblem[];
  asOf?: string;
  ref: (span: A.Span) => SourceRef;
  /** clause id → the contract version its lines follow */
  clauseVersions?: Map<string, string>;
}

/** The `RunResult` of a settled run. */
export function runResult(input: ResultInput): RunResult {
  const { ir, settlement: st } = input;
  const { mode, unit } = ir.rounding;
  const start = st.store.lineStart;
  const funding = st.funding;
  const split = (c: number) => Object.fromEntries(funding.splitEntries(c).map(([k, v]) => [k, centsText(v)]));
  const acc = new Float64Array(funding.payers.length);
  const students: RunResult["students"] = input.students.map((s, si) => {
    const lines: PaymentLine[] = s.clauses.map((d, k) => {
      const i = start[si]! + k;
      const version = input.clauseVersions?.get(d.clause.id);
      return {
        clause: d.clause.id,
        clauseName: d.clause.name,
        kind: d.clause.kind,
        ...(version !== undefined ? { version } : {}),
        status: d.status === "pending" ? "not-met" : d.status,
        ...(d.tier ? { tier: d.tier } : {}),
        base: centsToString(roundToCents(d.base, mode, unit)),
        weight: d.weight.toString(),
        amount: centsText(st.store.amount[i]!),
        paid: centsText(st.paid[i]!),
        withheld: centsText(st.withheld[i]!),
        funding: split(st.paid[i]!),
        reason: reason(d, st.store.amount[i]!, st.paid[i]!),
        conditions: d.trace,
        source: input.ref(d.clause.decl.span),
      };
    });
    const floor = st.floor[si]!;
    if (floor) {
      lines.push({
        clause: "floor",
        clauseName: "Floor",
        kind: "payment",
        status: "met",
        base: centsText(floor),
        weight: "1",
        amount: centsText(floor),
        paid: centsText(floor),
        withheld: centsText(0),
        funding: split(floor),
        reason: `Raises the student's total to the floor of ${showRV({ kind: "money", value: Rational.of(roundToCents(Rational.parse(ir.floor!.amount.value), "half-up"), 100n) })}.`,
        conditions: [],
        source: input.ref(ir.floor!.span),
      });
    }
    acc.fill(0);
    funding.addStudent(st.paid, start[si]!, start[si + 1]!, st.floor[si]!, acc);
    return {
      id: s.id,
      populations: s.populations,
      lines,
      uncapped: centsText(st.uncapped[si]!),
      beforeContractCap: centsText(st.beforeContractCap[si]!),
      total: centsText(st.studentTotal[si]!),
      funding: lines.length ? Object.fromEntries(funding.payers.map((p, k) => [p, centsText(acc[k]!)])) : {},
    };
  });
  const cohorts: RunResult["cohorts"] = input.cohorts.map((c, k) => {
    const amount = st.cohortAmount[k]!;
    const paid = st.cohortPaid[k]!;
    const values = Object.fromEntries(Object.entries(c.values).map(([n, v]) => [n, v.kind === "money" ? centsToString(roundToCents(v.value, mode, unit)) : showRV(v)]));
    const vals = Object.entries(values).map(([n, v]) => `${n} = ${v}`).join(", ");
    const version = input.clauseVersions?.get(c.clause.id);
    return {
      clause: c.clause.id,
      clauseName: c.clause.name,
      ...(version !== undefined ? { version } : {}),
      ...(c.period !== undefined ? { period: c.period } : {}),
      values,
      status: c.status === "pending" ? "not-met" : c.status,
      amount: centsText(amount),
      paid: centsText(paid),
      funding: split(paid),
      reason:
        c.status === "pending"
          ? `Not yet due: the deadline ${c.clause.decl.due?.value} is after the run's as-of date.`
          : c.status === "met"
            ? `Pays ${moneyText(amount)}${paid !== amount ? ` (${moneyText(paid)} after the contract cap)` : ""}${vals ? ` with ${vals}` : ""}.`
            : `Not met${vals ? ` with ${vals}` : ""}.`,
      source: input.ref(c.clause.decl.span),
    };
  });
  const internalError = internalErrorOf(input.problems);
  return {
    schema: "obc.run/1",
    ...(internalError ? { internalError } : {}),
    contract: { title: ir.title, ...(ir.version !== undefined ? { version: ir.version } : {}), currency: ir.currency },
    ...(input.asOf ? { asOf: input.asOf } : {}),
    students,
    cohorts,
    escalations: input.escalations.map((e) => ({ name: e.name, checkpoints: e.checkpoints })),
    totals: st.totals,
    dataQuality: { files: input.reports, problems: input.problems },
  };
}
