/**
 * What each role sees of a portfolio on a date, and the equity view.
 *
 *   roleView(portfolio, runs, ledgerLines, values, { role, for, date, keys }) → RoleView
 *   equityView(portfolio, runs, values, { minCell, contracts }) → EquityView
 *
 * - district: its own contracts in full: their status, every student line (by the district's
 *   student ids) and the ledger's settlements.
 * - provider: its own contracts: their status and its students' lines; student ids are replaced
 *   by pseudonyms (HMAC-SHA256 with the portfolio's secret, per contract) where the portfolio's
 *   contract says `"providerSees": "pseudonyms"`.
 * - funder: no student rows: the status figures of the contracts it funds (each about a whole
 *   contract), and aggregates per contract and subgroup with every cell about fewer than
 *   `minCell` students suppressed (node/aggregate.ts, with complementary suppression).
 * - evaluator: every contract's decisions per clause (how many students met, did not meet,
 *   had missing data or were excluded), data quality and escalations, and the student lines
 *   under pseudonyms, to verify outcomes without names or district ids.
 *
 * The equity view reports outcomes and payments by subgroup (English learners, students with
 * disabilities, economically disadvantaged students, grade) for the fields a contract's data
 * has, per contract and across the portfolio (clauses grouped by kind: outcome, milestone…),
 * suppressed below the minimum cell size.
 */
import type { Value } from "../../engine/data.ts";
import type { RunResult } from "../../engine/index.ts";
import { aggregateForFunders, type FunderAggregate } from "../aggregate.ts";
import { fromCents, toCents } from "../ledger/index.ts";
import type { KeyFunction } from "../privacy.ts";
import type { Party, Portfolio, PortfolioContract } from "./format.ts";
import type { LedgerLineRow } from "./ledger.ts";
import type { ContractRun } from "./run.ts";
import { portfolioStatus, type ContractStatus } from "./status.ts";

export type Role = "district" | "provider" | "funder" | "evaluator";
export const ROLES: readonly Role[] = ["district", "provider", "funder", "evaluator"];

/** Subgroup dimensions and the field names that hold them. */
export const EQUITY_DIMENSIONS: { name: string; fields: RegExp; kind: "flag" | "grade" }[] = [
  { name: "English learners", fields: /^(english_learner|el|ell|is_el|english_learner_flag)$/i, kind: "flag" },
  { name: "Students with disabilities", fields: /^(swd|iep|has_iep|disability|student_with_disability|students_with_disabilities)$/i, kind: "flag" },
  { name: "Economically disadvantaged", fields: /^(econ_disadv|economically_disadvantaged|frl|frpl|low_income|ed)$/i, kind: "flag" },
  { name: "Grade", fields: /^(grade|grade_level|gradelevel|current_grade)$/i, kind: "grade" },
];

export interface StudentLineView {
  contract: string;
  /** the student's id, or pseudonym */
  student: string;
  clause: string;
  clauseName: string;
  status: string;
  /** cents */
  paid: bigint;
  withheld: bigint;
  reason: string;
}

export interface ClauseDecisions {
  contract: string;
  clause: string;
  name: string;
  met: number;
  notMet: number;
  missing: number;
  excluded: number;
  /** students without a line: not in the clause's group */
  notInGroup: number;
}

export interface EquityView {
  minCell: number;
  /** the dimensions found in the data */
  dimensions: string[];
  /** across the portfolio's contracts, clauses grouped by kind */
  portfolio: FunderAggregate;
  contracts: { id: string; title: string; aggregate: FunderAggregate }[];
}

export interface RoleView {
  schema: "obc.portfolio-view/1";
  role: Role;
  /** whose view: the district's or provider's id, the funder's name; absent for all */
  for?: string;
  name: string;
  portfolio: string;
  date: string;
  currency: string;
  minCell: number;
  contracts: ContractStatus[];
  /** district, provider, evaluator */
  students?: StudentLineView[];
  /** district: the contracts' settlements */
  settlements?: { contract: string; id: number; recorded: string; asOf: string; lines: number; net: bigint }[];
  /** evaluator */
  decisions?: ClauseDecisions[];
  /** funder: per contract, suppressed */
  aggregates?: { id: string; title: string; aggregate: FunderAggregate }[];
  equity?: EquityView;
  /** how students are identified in `students` */
  studentIds?: "district ids" | "pseudonyms" | "mixed";
}

/** A student's subgroup labels per dimension, from the drop's values (where the data has the field). */
export function subgroupsOf(c: PortfolioContract, values: ReadonlyMap<string, Record<string, Value>>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const d of EQUITY_DIMENSIONS) {
    const field = [...c.ir.fields.values()].find((f) => d.fields.test(f.name) && (d.kind === "flag" ? f.type === "boolean" : f.type === "integer" || f.type === "text" || f.type === "count"));
    if (!field) continue;
    const map = new Map<string, string>();
    for (const [key, v] of values) {
      const x = v[field.name];
      if (!x || x.kind === "missing") continue;
      if (x.kind === "boolean") map.set(key, x.value ? "yes" : "no");
      else if (x.kind === "number") map.set(key, d.kind === "grade" && x.value.toDecimalString(0) === "0" ? "Grade K" : `Grade ${x.value.toDecimalString(0)}`);
      else if (x.kind === "text") map.set(key, d.kind === "grade" ? `Grade ${x.value}` : x.value);
    }
    out.set(d.name, map);
  }
  return out;
}

/** The equity view of the given contracts' latest runs. */
export function equityView(
  p: Portfolio,
  runs: readonly ContractRun[],
  values: ReadonlyMap<string, ReadonlyMap<string, Record<string, Value>>>,
  o: { minCell: number; contracts?: ReadonlySet<string> },
): EquityView {
  const chosen = runs.filter((r) => r.result && (!o.contracts || o.contracts.has(r.contract.id)));
  const dims = new Set<string>();
  const contracts = chosen.map((r) => {
    const groups = subgroupsOf(r.contract, values.get(r.contract.id) ?? new Map());
    for (const d of groups.keys()) dims.add(d);
    return { id: r.contract.id, title: r.contract.title, aggregate: aggregateForFunders(r.result!, { minCell: o.minCell, dimensions: Object.fromEntries(groups), populations: false }) };
  });
  // the whole portfolio: every student once (keyed by contract), clauses grouped by kind
  const merged: RunResult = {
    schema: "obc.run/1",
    contract: { title: p.name, currency: p.currency },
    students: [],
    cohorts: [],
    escalations: [],
    totals: { uncapped: "0.00", beforeContractCap: "0.00", paid: "0.00", withheld: "0.00", byClause: {}, byPayer: {} },
    dataQuality: { files: [], problems: [] },
  };
  const mergedDims = new Map<string, Map<string, string>>([...dims].map((d) => [d, new Map()]));
  for (const r of chosen) {
    const groups = subgroupsOf(r.contract, values.get(r.contract.id) ?? new Map());
    for (const s of r.result!.students) {
      const id = `${r.contract.id}/${s.id}`;
      // one line per kind of clause (outcome, milestone, …), so that each student counts once in it
      const byKind = new Map<string, (typeof s.lines)[number]>();
      for (const l of s.lines) {
        const k = byKind.get(l.kind);
        if (!k) byKind.set(l.kind, { ...l, clause: l.kind, clauseName: l.kind, funding: {} });
        else {
          k.paid = fromCents(toCents(k.paid) + toCents(l.paid));
          if (l.status === "met") k.status = "met";
        }
      }
      // payers differ by contract: the portfolio view sums what is paid
      merged.students.push({ ...s, id, populations: {}, funding: {}, lines: [...byKind.values()] });
      for (const [d, map] of groups) {
        const g = map.get(s.id);
        if (g !== undefined) mergedDims.get(d)!.set(id, g);
      }
    }
  }
  return {
    minCell: o.minCell,
    dimensions: [...dims],
    portfolio: aggregateForFunders(merged, { minCell: o.minCell, dimensions: Object.fromEntries(mergedDims), populations: false }),
    contracts,
  };
}

export interface RoleViewOptions {
  role: Role;
  /** district id, provider id, or funder (payer) name; absent: every contract */
  for?: string;
  date: string;
  /** pseudonyms, for providers (where the contract says so) and evaluators */
  keys?: KeyFunction;
}

/** Whose view a role and `for` select: the contracts, and a display name. */
export function selectContracts(p: Portfolio, role: Role, who: string | undefined): { contracts: PortfolioContract[]; name: string } {
  if (who === undefined) return { contracts: p.contracts, name: `all contracts (${role})` };
  const find = (list: Party[]) => list.find((x) => x.id === who);
  switch (role) {
    case "district": {
      const d = find(p.districts);
      if (!d) throw new RangeError(`there is no district ${who}; the districts are ${p.districts.map((x) => x.id).join(", ")}`);
      return { contracts: p.contracts.filter((c) => c.district.id === who), name: d.name };
    }
    case "provider": {
      const v = find(p.providers);
      if (!v) throw new RangeError(`there is no provider ${who}; the providers are ${p.providers.map((x) => x.id).join(", ")}`);
      return { contracts: p.contracts.filter((c) => c.provider.id === who), name: v.name };
    }
    case "funder": {
      const mine = p.contracts.filter((c) => c.ir.parties.some((x) => x.name === who && (c.ir.funding?.shares.some((s) => s.party === x.id) ?? false)));
      if (mine.length === 0) throw new RangeError(`no contract names ${who} as a payer in its funding`);
      return { contracts: mine, name: who };
    }
    case "evaluator":
      return { contracts: p.contracts, name: who };
  }
}

/** Whether a role's student rows use pseudonyms for a contract. */
export function pseudonymsFor(role: Role, c: PortfolioContract): boolean {
  return role === "evaluator" || (role === "provider" && c.providerSees === "pseudonyms");
}

/** The id system of a contract's pseudonyms: each contract has its own, so lists do not link across contracts. */
export const pseudonymSystem = (c: PortfolioContract) => `obc-portfolio:${c.id}`;

/** One role's view on a date. */
export function roleView(
  p: Portfolio,
  runs: readonly ContractRun[],
  lines: readonly LedgerLineRow[],
  values: ReadonlyMap<string, ReadonlyMap<string, Record<string, Value>>>,
  o: RoleViewOptions,
): RoleView {
  const { contracts, name } = selectContracts(p, o.role, o.for);
  const ids = new Set(contracts.map((c) => c.id));
  const mine = runs.filter((r) => ids.has(r.contract.id));
  const status = portfolioStatus({ ...p, contracts }, mine, lines, o.date);
  const view: RoleView = {
    schema: "obc.portfolio-view/1",
    role: o.role,
    ...(o.for !== undefined ? { for: o.for } : {}),
    name,
    portfolio: p.name,
    date: o.date,
    currency: p.currency,
    minCell: p.minCell,
    contracts: status.contracts,
  };
  if (o.role === "funder") {
    view.aggregates = mine.filter((r) => r.result).map((r) => ({ id: r.contract.id, title: r.contract.title, aggregate: aggregateForFunders(r.result!, { minCell: p.minCell }) }));
    view.equity = equityView(p, mine, values, { minCell: p.minCell });
    return view;
  }
  const needsKeys = contracts.some((c) => pseudonymsFor(o.role, c));
  if (needsKeys && !o.keys) throw new RangeError("this view shows pseudonyms: a pseudonymisation secret is needed (the environment variable OBC_PSEUDONYM_SECRET, or --secret-file)");
  const students: StudentLineView[] = [];
  const entry = new Map(contracts.map((c) => [c.id, c]));
  for (const r of mine) {
    if (!r.result) continue;
    // the portfolio's word on the contract decides, not the run's copy of it
    const c = entry.get(r.contract.id)!;
    const pseudo = pseudonymsFor(o.role, c);
    const key = (id: string) => (pseudo ? o.keys!(id, pseudonymSystem(c)) : id);
    for (const s of r.result.students) {
      for (const l of s.lines) {
        students.push({
          contract: r.contract.id,
          student: key(s.id),
          clause: l.clause,
          clauseName: l.clauseName,
          status: l.status,
          paid: toCents(l.paid),
          withheld: toCents(l.withheld),
          // the evaluator sees the decision; the reason quotes values the evaluator verifies from the data
          reason: l.reason,
        });
      }
    }
  }
  view.students = students;
  const kinds = new Set(contracts.map((c) => pseudonymsFor(o.role, c)));
  view.studentIds = kinds.size === 2 ? "mixed" : kinds.has(true) ? "pseudonyms" : "district ids";
  if (o.role === "district") {
    const ids = new Map(contracts.map((c) => [c.identity, c.id]));
    const bySettlement = new Map<number, { contract: string; id: number; recorded: string; asOf: string; lines: number; net: bigint }>();
    for (const l of lines) {
      const id = ids.get(l.contract);
      if (id === undefined || l.createdAt.slice(0, 10) > o.date) continue;
      let s = bySettlement.get(l.settlement);
      if (!s) bySettlement.set(l.settlement, (s = { contract: id, id: l.settlement, recorded: l.createdAt, asOf: l.asOf, lines: 0, net: 0n }));
      s.lines++;
      s.net += l.amount;
    }
    view.settlements = [...bySettlement.values()].sort((a, b) => a.id - b.id);
    view.equity = equityView(p, mine, values, { minCell: p.minCell });
  }
  if (o.role === "evaluator") {
    view.decisions = [];
    for (const r of mine) {
      if (!r.result) continue;
      for (const c of r.contract.ir.clauses) {
        const d: ClauseDecisions = { contract: r.contract.id, clause: c.id, name: c.name, met: 0, notMet: 0, missing: 0, excluded: 0, notInGroup: 0 };
        for (const s of r.result.students) {
          const l = s.lines.find((x) => x.clause === c.id);
          if (!l) d.notInGroup++;
          else if (l.status === "met") d.met++;
          else if (l.status === "not-met") d.notMet++;
          else if (l.status === "missing") d.missing++;
          else d.excluded++;
        }
        view.decisions.push(d);
      }
    }
    view.equity = equityView(p, mine, values, { minCell: p.minCell });
  }
  return view;
}
