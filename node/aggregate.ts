/**
 * Aggregate-only output for funders and the public: totals per clause, payer and subgroup, with
 * small cells suppressed. No student key or value leaves this module.
 *
 * Cells. For every dimension (the run's groups — identified, served — and any subgroup field
 * given, e.g. english_learner) and every group of it, and for the whole cohort ("all"): the
 * number of students, the amount paid, and per clause and per payer the amount paid and how many
 * students it was paid for.
 *
 * Primary suppression: a group with fewer than `minCell` students (default 10) has every cell
 * suppressed; a clause cell paid to fewer than `minCell` students of a group, or to all but fewer
 * than `minCell` of them, is suppressed (it would reveal the outcome of a few students); so is
 * the group's total or a payer's amount when it was paid for fewer than `minCell` students.
 *
 * Complementary suppression: published cells add up — the groups of a dimension add up to the
 * whole cohort, a group's clauses and its payers add up to the group's total — so a single
 * suppressed cell in such a sum could be recovered by subtraction. While any sum has exactly
 * one suppressed member, the smallest other member (fewest students, then smallest amount,
 * then first in order) is suppressed too. This always ends, since cells are only ever added.
 */
import type { RunResult } from "../engine/output.ts";

export const DEFAULT_MIN_CELL = 10;

export interface AggregateOptions {
  /** the least number of students a published cell may describe (default 10) */
  minCell?: number;
  /** subgroup dimensions: dimension name → (student id → group label); a student without one is in "(unknown)" */
  dimensions?: Record<string, ReadonlyMap<string, string>>;
  /** include the run's own groups (identified, eligible, served) as dimensions (default true) */
  populations?: boolean;
}

export interface AggregateCell {
  /** number of students the cell is about (group size, or students paid by the clause / payer) */
  students?: number;
  /** amount in major units, "1234.00" */
  amount?: string;
  /** present when the cell is withheld: why */
  suppressed?: "primary" | "complementary";
}

export interface AggregateGroup {
  dimension: string;
  group: string;
  students: AggregateCell;
  paid: AggregateCell;
  clauses: Record<string, AggregateCell>;
  payers: Record<string, AggregateCell>;
}

export interface FunderAggregate {
  schema: "obc.aggregate/1";
  contract: { title: string; version?: string; currency: string };
  asOf?: string;
  minCell: number;
  /** the whole cohort (dimension "all", group "all") */
  total: AggregateGroup;
  /** cohort-level payments (not about single students): clause → amount */
  cohortPayments: Record<string, string>;
  groups: AggregateGroup[];
  suppressed: { primary: number; complementary: number };
}

const toCents = (s: string): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(s);
  if (!m) return 0n;
  const v = BigInt(m[2]) * 100n + BigInt(m[3]);
  return m[1] ? -v : v;
};
const fromCents = (c: bigint) => `${c < 0n ? "-" : ""}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, "0")}`;

interface WorkCell {
  students: number;
  /** students with a non-zero amount (clause and payer cells) */
  contributors: number;
  cents: bigint;
  hasAmount: boolean;
  suppressed?: "primary" | "complementary";
  isMarginal: boolean;
  order: number;
}

interface WorkGroup {
  dimension: string;
  group: string;
  n: WorkCell;
  paid: WorkCell;
  clauses: Map<string, WorkCell>;
  payers: Map<string, WorkCell>;
}

/** The funders' aggregate of a run. */
export function aggregateForFunders(result: RunResult, opts: AggregateOptions = {}): FunderAggregate {
  const minCell = opts.minCell ?? DEFAULT_MIN_CELL;
  const clauseIds = [...new Set(result.students.flatMap((s) => s.lines.map((l) => l.clause)))];
  const payers = [...new Set([...Object.keys(result.totals.byPayer), ...result.students.flatMap((s) => Object.keys(s.funding))])].sort();
  let order = 0;
  const cell = (isMarginal: boolean, hasAmount: boolean): WorkCell => ({ students: 0, contributors: 0, cents: 0n, hasAmount, isMarginal, order: order++ });
  const newGroup = (dimension: string, group: string, marginal: boolean): WorkGroup => ({
    dimension,
    group,
    n: cell(marginal, false),
    paid: cell(marginal, true),
    clauses: new Map(clauseIds.map((c) => [c, cell(marginal, true)])),
    payers: new Map(payers.map((p) => [p, cell(marginal, true)])),
  });

  // dimensions: the run's groups, then the given ones
  const dims: { name: string; groupOf: (id: string, s: RunResult["students"][number]) => string }[] = [];
  if (opts.populations ?? true) {
    const pops = [...new Set(result.students.flatMap((s) => Object.keys(s.populations)))].sort();
    for (const p of pops) dims.push({ name: p, groupOf: (_id, s) => (s.populations[p] ? "yes" : "no") });
  }
  for (const [name, map] of Object.entries(opts.dimensions ?? {})) dims.push({ name, groupOf: (id) => map.get(id) ?? "(unknown)" });

  const total = newGroup("all", "all", true);
  const groups = new Map<string, WorkGroup>();
  const addTo = (g: WorkGroup, s: RunResult["students"][number]) => {
    g.n.students++;
    g.paid.students++;
    const t = toCents(s.total);
    g.paid.cents += t;
    if (t !== 0n) g.paid.contributors++;
    for (const l of s.lines) {
      const c = g.clauses.get(l.clause)!;
      const v = toCents(l.paid);
      c.students++;
      c.cents += v;
      if (v !== 0n) c.contributors++;
    }
    for (const p of payers) {
      const c = g.payers.get(p)!;
      const v = toCents(s.funding[p] ?? "0.00");
      c.students++;
      c.cents += v;
      if (v !== 0n) c.contributors++;
    }
  };
  for (const s of result.students) {
    addTo(total, s);
    for (const d of dims) {
      const label = d.groupOf(s.id, s);
      const k = JSON.stringify([d.name, label]);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = newGroup(d.name, label, false)));
      addTo(g, s);
    }
  }
  const ordered = [...groups.values()].sort((a, b) => (a.dimension === b.dimension ? a.group.localeCompare(b.group) : 0));
  // keep dimensions in their declared order, groups sorted within
  const dimOrder = new Map(dims.map((d, i) => [d.name, i]));
  ordered.sort((a, b) => dimOrder.get(a.dimension)! - dimOrder.get(b.dimension)! || a.group.localeCompare(b.group));

  // ── primary suppression ──
  const small = (x: number) => x > 0 && x < minCell;
  const primary = (c: WorkCell) => {
    if (!c.suppressed) c.suppressed = "primary";
  };
  for (const g of [total, ...ordered]) {
    const all = [g.n, g.paid, ...g.clauses.values(), ...g.payers.values()];
    if (small(g.n.students)) {
      all.forEach(primary);
      continue;
    }
    for (const c of g.clauses.values()) {
      if (small(c.contributors) || small(c.students - c.contributors)) {
        if (c.contributors > 0) primary(c);
      }
    }
    // the group's total and each payer's amount: an amount paid to only a few students
    for (const c of [g.paid, ...g.payers.values()]) if (small(c.contributors)) primary(c);
  }

  // ── complementary suppression over every additive relation ──
  const relations: WorkCell[][] = [];
  for (const d of dims) {
    const gs = ordered.filter((g) => g.dimension === d.name);
    relations.push([total.n, ...gs.map((g) => g.n)]);
    relations.push([total.paid, ...gs.map((g) => g.paid)]);
    for (const c of clauseIds) relations.push([total.clauses.get(c)!, ...gs.map((g) => g.clauses.get(c)!)]);
    for (const p of payers) relations.push([total.payers.get(p)!, ...gs.map((g) => g.payers.get(p)!)]);
  }
  for (const g of [total, ...ordered]) {
    relations.push([g.paid, ...g.clauses.values()]);
    relations.push([g.paid, ...g.payers.values()]);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const rel of relations) {
      const suppressed = rel.filter((c) => c.suppressed);
      if (suppressed.length !== 1) continue;
      const candidates = rel.filter((c) => !c.suppressed);
      if (candidates.length === 0) continue;
      candidates.sort(
        (a, b) =>
          Number(a.isMarginal) - Number(b.isMarginal) ||
          a.contributors - b.contributors ||
          a.students - b.students ||
          (a.cents < b.cents ? -1 : a.cents > b.cents ? 1 : 0) ||
          a.order - b.order,
      );
      candidates[0].suppressed = "complementary";
      changed = true;
    }
  }

  const out = (c: WorkCell, kind: "n" | "amount"): AggregateCell => {
    if (c.suppressed) return { suppressed: c.suppressed };
    return kind === "n" ? { students: c.students } : { students: c.contributors, amount: fromCents(c.cents) };
  };
  const outGroup = (g: WorkGroup): AggregateGroup => ({
    dimension: g.dimension,
    group: g.group,
    students: out(g.n, "n"),
    paid: out(g.paid, "amount"),
    clauses: Object.fromEntries([...g.clauses].map(([k, c]) => [k, out(c, "amount")])),
    payers: Object.fromEntries([...g.payers].map(([k, c]) => [k, out(c, "amount")])),
  });
  const every = [total, ...ordered].flatMap((g) => [g.n, g.paid, ...g.clauses.values(), ...g.payers.values()]);
  const cohortPayments: Record<string, string> = {};
  for (const c of result.cohorts) {
    const k = c.period ? `${c.clause}@${c.period}` : c.clause;
    cohortPayments[k] = fromCents((toCents(cohortPayments[k] ?? "0.00")) + toCents(c.paid));
  }
  return {
    schema: "obc.aggregate/1",
    contract: result.contract,
    ...(result.asOf ? { asOf: result.asOf } : {}),
    minCell,
    total: outGroup(total),
    cohortPayments,
    groups: ordered.map(outGroup),
    suppressed: {
      primary: every.filter((c) => c.suppressed === "primary").length,
      complementary: every.filter((c) => c.suppressed === "complementary").length,
    },
  };
}

/** The aggregate as CSV: dimension, group, measure, students, amount, suppressed. */
export function renderAggregateCsv(a: FunderAggregate): string {
  const rows = [["dimension", "group", "measure", "students", "amount", "suppressed"].join(",")];
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const g of [a.total, ...a.groups]) {
    const line = (measure: string, c: AggregateCell) =>
      rows.push([g.dimension, g.group, measure, c.students ?? "", c.amount ?? "", c.suppressed ?? ""].map((x) => q(String(x))).join(","));
    line("students", g.students);
    line("paid", g.paid);
    for (const [k, c] of Object.entries(g.clauses)) line(`clause:${k}`, c);
    for (const [k, c] of Object.entries(g.payers)) line(`payer:${k}`, c);
  }
  return rows.join("\n") + "\n";
}
