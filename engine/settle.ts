/**
 * Settlement of a run: from decisions to exact payments.
 *
 * Input: the student, cohort and escalation decisions of `run.ts`. Output: the `RunResult`
 * (see `output.ts`). The order is fixed and documented in docs/language.md:
 *   1. each line: base × weights, rounded by the contract's rounding rule;
 *   2. caps on one clause (`cap $X on "Clause"`), shared pro rata among the students;
 *   3. the cap per student, shared among the student's lines (pro rata, or in clause order);
 *   4. the floor per student;
 *   5. the cap per contract, shared pro rata among students and cohort payments, then
 *      within each student among the lines;
 *   6. withholding by an escalation in force at the last checkpoint;
 *   7. the funding split of every line.
 * Every pro rata share is rounded down to the cent and the cents left over go one each to
 * the largest remainders, ties to the lower id, so a binding cap is paid exactly.
 */
import type * as A from "../language/ast.ts";
import { defaultPayer, type ContractIR } from "../language/check/ir.ts";
import type { SourceRef } from "./compile.ts";
import type { DataProblem, FileReport } from "./data.ts";
import { showRV } from "./evaluate.ts";
import { allocateProRata, centsToString, roundToCents } from "./money.ts";
import type { PaymentLine, RunResult } from "./output.ts";
import { Rational } from "./rational.ts";
import type { CohortDecision, ClauseDecision, EscalationDecision, StudentDecision } from "./run.ts";

interface WorkLine {
  decision: ClauseDecision;
  amount: bigint;
  paid: bigint;
  withheld: bigint;
}
interface WorkStudent {
  decision: StudentDecision;
  lines: WorkLine[];
  floorLine?: bigint;
}

const money = (c: bigint) => centsToString(c);
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const moneyText = (c: bigint) => showRV({ kind: "money", value: Rational.of(c, 100n) });

/** Shares `total` cents among positive items pro rata (largest remainder, ties to lower id). */
function share(items: { id: string; weight: bigint }[], total: bigint): Map<string, bigint> {
  const positive = items.filter((i) => i.weight > 0n);
  if (positive.length === 0 || total <= 0n) return new Map(items.map((i) => [i.id, i.weight > 0n ? 0n : i.weight]));
  const m = allocateProRata(positive, total);
  for (const i of items) if (i.weight <= 0n) m.set(i.id, i.weight);
  return m;
}

/**
 * Reduces lines so that they add up to `target`, pro rata or in clause order (later
 * clauses cut first). Never raises a line: when the lines already add up to no more than
 * the target, nothing changes.
 */
function reduceLines(lines: { paid: bigint }[], target: bigint, allocation: A.CapAllocation): void {
  if (sum(lines.map((l) => l.paid)) <= target) return;
  const negatives = sum(lines.filter((l) => l.paid < 0n).map((l) => l.paid));
  const room = target - negatives;
  const positive = lines.filter((l) => l.paid > 0n);
  if (allocation === "in-order") {
    let left = room;
    for (const l of positive) {
      const take = l.paid < left ? l.paid : left > 0n ? left : 0n;
      l.paid = take;
      left -= take;
    }
    return;
  }
  const ids = positive.map((l, i) => ({ id: String(i).padStart(6, "0"), weight: l.paid }));
  const shares = share(ids, room > 0n ? room : 0n);
  positive.forEach((l, i) => (l.paid = shares.get(String(i).padStart(6, "0")) ?? 0n));
}

function reason(d: ClauseDecision, line: WorkLine, currency: string): string {
  const held = d.trace.filter((t) => t.result === "true").map((t) => describeTrace(t));
  const failed = d.trace.filter((t) => t.result === "false").map((t) => describeTrace(t));
  const missing = d.trace.filter((t) => t.result === "missing").map((t) => describeTrace(t));
  void currency;
  switch (d.status) {
    case "met": {
      const tier = d.tier ? ` under tier ${d.tier}` : "";
      const weight = d.weight.eq(Rational.ONE) ? "" : ` (${showRV({ kind: "money", value: d.base })} × weight ${d.weight.toString()})`;
      const because = held.length ? ` because ${held.join(" and ")}` : "";
      const capped = line.paid !== line.amount ? `, ${moneyText(line.paid)} after caps` : "";
      return `Pays ${moneyText(line.amount)}${weight}${tier}${capped}${because}.`;
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

function describeTrace(t: { text: string; values: Record<string, string> }): string {
  const vals = Object.entries(t.values)
    .filter(([k]) => k !== t.text)
    .map(([k, v]) => `${k} = ${v}`);
  return vals.length ? `${t.text} (${vals.join(", ")})` : t.text;
}

/** How a paid amount (cents) is split among the payers under the contract's funding section. */
export function fundingSplit(ir: ContractIR, paid: bigint): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const shares = ir.funding?.shares;
  if (!shares || shares.length === 0) {
    const payer = defaultPayer(ir) ?? "payer";
    out[payer] = paid;
    return out;
  }
  let rest = paid;
  for (const s of shares) {
    if (!s.percent) continue;
    const part = roundToCents(Rational.of(paid, 100n).mul(Rational.parse(s.percent.value)).div(100), s.rounding.mode, s.rounding.unit);
    out[s.party] = part;
    rest -= part;
  }
  const restParty = shares.find((s) => !s.percent);
  if (restParty) out[restParty.party] = rest;
  return out;
}

export interface SettleInput {
  ir: ContractIR;
  students: StudentDecision[];
  cohorts: CohortDecision[];
  escalations: EscalationDecision[];
  reports: FileReport[];
  problems: DataProblem[];
  asOf?: string;
  ref: (span: A.Span) => SourceRef;
  /** clause id → the contract version its lines follow */
  clauseVersions?: Map<string, string>;
}

export function settle(input: SettleInput): RunResult {
  const { ir } = input;
  const mode = ir.rounding;
  // 1. lines
  const students: WorkStudent[] = input.students.map((s) => ({
    decision: s,
    lines: s.clauses.map((d) => {
      const amount = d.status === "met" ? roundToCents(d.base.mul(d.weight), mode.mode, mode.unit) : 0n;
      return { decision: d, amount, paid: amount, withheld: 0n };
    }),
  }));
  // 2. caps on one clause
  for (const c of ir.clauses) {
    for (const cap of c.caps) {
      const capCents = roundToCents(Rational.parse(cap.amount.value), "half-up");
      const lines = students.flatMap((s) => s.lines.filter((l) => l.decision.clause === c).map((l) => ({ s, l })));
      const total = sum(lines.map((x) => x.l.paid));
      if (total <= capCents) continue;
      const shares = share(lines.map((x) => ({ id: x.s.decision.id, weight: x.l.paid })), capCents);
      for (const x of lines) x.l.paid = shares.get(x.s.decision.id) ?? 0n;
    }
  }
  // 3. cap per student
  if (ir.studentCap) {
    const capCents = roundToCents(Rational.parse(ir.studentCap.amount.value), "half-up");
    for (const s of students) {
      if (sum(s.lines.map((l) => l.paid)) > capCents) reduceLines(s.lines, capCents, ir.studentCap.allocation);
    }
  }
  // 4. floor per student
  if (ir.floor) {
    const floor = roundToCents(Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1), "half-up");
    for (const s of students) {
      const total = sum(s.lines.map((l) => l.paid));
      if (s.lines.length > 0 && total < floor) s.floorLine = floor - total;
    }
  }
  const studentTotal = (s: WorkStudent) => sum(s.lines.map((l) => l.paid)) + (s.floorLine ?? 0n);
  // cohort payments
  const cohortLines = input.cohorts.map((c) => {
    const amount = c.status === "met" ? roundToCents(c.amount, mode.mode, mode.unit) : 0n;
    return { decision: c, amount, paid: amount, id: `~cohort:${c.clause.id}:${c.period ?? ""}` };
  });
  // 5. cap per contract
  const uncappedTotal = sum(students.map((s) => sum(s.lines.map((l) => l.amount)) + (s.floorLine ?? 0n))) + sum(cohortLines.map((c) => c.amount));
  const beforeContractCap = sum(students.map(studentTotal)) + sum(cohortLines.map((c) => c.paid));
  let contractCap: RunResult["totals"]["contractCap"];
  if (ir.contractCap) {
    const capCents = roundToCents(Rational.parse(ir.contractCap.amount.value), "half-up");
    const binds = beforeContractCap > capCents;
    contractCap = { cap: money(capCents), binds, factor: binds ? Rational.of(capCents, beforeContractCap).toString() : "1" };
    if (binds) {
      const items = [
        ...students.map((s) => ({ id: s.decision.id, weight: studentTotal(s) })),
        ...cohortLines.map((c) => ({ id: c.id, weight: c.paid })),
      ];
      const shares = share(items, capCents);
      for (const s of students) {
        const target = shares.get(s.decision.id) ?? 0n;
        // the floor line is shared like any other line of the student
        const floor = { paid: s.floorLine ?? 0n };
        reduceLines([...s.lines, floor], target, "pro-rata");
        if (s.floorLine !== undefined) s.floorLine = floor.paid;
      }
      for (const c of cohortLines) c.paid = shares.get(c.id) ?? 0n;
    }
  }
  // 6. withholding by an escalation in force at the end
  for (const e of input.escalations) {
    const w = e.withholdingAtEnd;
    if (!w) continue;
    for (const s of students) {
      for (const l of s.lines) {
        if (w.of === "all" || l.decision.clause.kind === w.of) {
          l.withheld = roundToCents(Rational.of(l.paid, 100n).mul(Rational.parse(w.percent.value)).div(100), mode.mode, mode.unit);
        }
      }
    }
  }
  // 7. funding, and the output
  const byClause: Record<string, bigint> = {};
  const byPayer: Record<string, bigint> = {};
  const addTo = (m: Record<string, bigint>, k: string, v: bigint) => (m[k] = (m[k] ?? 0n) + v);
  for (const c of ir.clauses) byClause[c.id] = 0n;
  const outStudents: RunResult["students"] = students.map((s) => {
    const funding: Record<string, bigint> = {};
    const lines: PaymentLine[] = s.lines.map((l) => {
      const d = l.decision;
      const split = fundingSplit(ir, l.paid);
      for (const [k, v] of Object.entries(split)) {
        addTo(funding, k, v);
        addTo(byPayer, k, v);
      }
      addTo(byClause, d.clause.id, l.paid);
      return {
        clause: d.clause.id,
        clauseName: d.clause.name,
        kind: d.clause.kind,
        ...(input.clauseVersions?.get(d.clause.id) !== undefined ? { version: input.clauseVersions.get(d.clause.id)! } : {}),
        status: d.status === "pending" ? "not-met" : d.status,
        ...(d.tier ? { tier: d.tier } : {}),
        base: money(roundToCents(d.base, mode.mode, mode.unit)),
        weight: d.weight.toString(),
        amount: money(l.amount),
        paid: money(l.paid),
        withheld: money(l.withheld),
        funding: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, money(v)])),
        reason: reason(d, l, ir.currency),
        conditions: d.trace,
        source: input.ref(d.clause.decl.span),
      };
    });
    if (s.floorLine) {
      const split = fundingSplit(ir, s.floorLine);
      for (const [k, v] of Object.entries(split)) {
        addTo(funding, k, v);
        addTo(byPayer, k, v);
      }
      addTo(byClause, "floor", s.floorLine);
      lines.push({
        clause: "floor",
        clauseName: "Floor",
        kind: "payment",
        status: "met",
        base: money(s.floorLine),
        weight: "1",
        amount: money(s.floorLine),
        paid: money(s.floorLine),
        withheld: money(0n),
        funding: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, money(v)])),
        reason: `Raises the student's total to the floor of ${moneyText(roundToCents(Rational.parse(ir.floor!.amount.value), "half-up"))}.`,
        conditions: [],
        source: input.ref(ir.floor!.span),
      });
    }
    return {
      id: s.decision.id,
      populations: s.decision.populations,
      lines,
      uncapped: money(sum(s.lines.map((l) => l.amount)) + (s.floorLine ?? 0n)),
      total: money(studentTotal(s)),
      funding: Object.fromEntries(Object.entries(funding).map(([k, v]) => [k, money(v)])),
    };
  });
  const outCohorts: RunResult["cohorts"] = cohortLines.map((c) => {
    const split = fundingSplit(ir, c.paid);
    for (const [k, v] of Object.entries(split)) addTo(byPayer, k, v);
    addTo(byClause, c.decision.clause.id, c.paid);
    const values = Object.fromEntries(Object.entries(c.decision.values).map(([k, v]) => [k, v.kind === "money" ? money(roundToCents(v.value, mode.mode, mode.unit)) : showRV(v)]));
    const vals = Object.entries(values).map(([k, v]) => `${k} = ${v}`).join(", ");
    return {
      clause: c.decision.clause.id,
      clauseName: c.decision.clause.name,
      ...(c.decision.period !== undefined ? { period: c.decision.period } : {}),
      values,
      status: c.decision.status === "pending" ? "not-met" : c.decision.status,
      amount: money(c.amount),
      paid: money(c.paid),
      funding: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, money(v)])),
      reason:
        c.decision.status === "pending"
          ? `Not yet due: the deadline ${c.decision.clause.decl.due?.value} is after the run's as-of date.`
          : c.decision.status === "met"
          ? `Pays ${moneyText(c.amount)}${c.paid !== c.amount ? ` (${moneyText(c.paid)} after the contract cap)` : ""}${vals ? ` with ${vals}` : ""}.`
          : `Not met${vals ? ` with ${vals}` : ""}.`,
      source: input.ref(c.decision.clause.decl.span),
    };
  });
  const paid = sum(students.map(studentTotal)) + sum(cohortLines.map((c) => c.paid));
  const withheld = sum(students.flatMap((s) => s.lines.map((l) => l.withheld)));
  return {
    schema: "obc.run/1",
    contract: { title: ir.title, ...(ir.version !== undefined ? { version: ir.version } : {}), currency: ir.currency },
    ...(input.asOf ? { asOf: input.asOf } : {}),
    students: outStudents,
    cohorts: outCohorts,
    escalations: input.escalations.map((e) => ({ name: e.name, checkpoints: e.checkpoints })),
    totals: {
      uncapped: money(uncappedTotal),
      paid: money(paid),
      withheld: money(withheld),
      byClause: Object.fromEntries(Object.entries(byClause).map(([k, v]) => [k, money(v)])),
      byPayer: Object.fromEntries(Object.entries(byPayer).map(([k, v]) => [k, money(v)])),
      ...(contractCap ? { contractCap } : {}),
    },
    dataQuality: { files: input.reports, problems: input.problems },
  };
}
