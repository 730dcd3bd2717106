/**
 * The checked contract (ContractIR): the AST plus the indexes every later stage needs.
 *
 * Built by `check/index.ts` from the AST; consumed by the engine (compile, run), the
 * formatter-independent tools (analysis, summary) and the editor. The IR keeps the AST
 * nodes themselves, so every piece still carries its source span.
 */
import type * as A from "../ast.ts";

/** The static type of an expression. `number` is a unitless number (a literal or a ratio). */
export type Ty =
  | "number" | "integer" | "count" | "decimal" | "score" | "percent" | "money"
  | "boolean" | "date" | "text" | "error";

export interface FieldInfo {
  name: string;
  type: A.FieldTypeName;
  optional: boolean;
  dataSet: string;
  decl: A.FieldDecl;
}

export type DataSetKind = "student" | "period" | "student-period" | "events";

export interface DataSetIR {
  name: string;
  kind: DataSetKind;
  /** the column holding the student id (student and student-period sets) */
  key?: string;
  /** the column holding the period (period and student-period sets) */
  period?: string;
  /** of a data set of events (`per session on session_date`): the field that dates each row */
  dated?: string;
  /** true for the first per-student data set: the roster every other set is checked against */
  roster: boolean;
  fields: FieldInfo[];
  decl: A.DataDecl;
}

export interface PartyIR {
  /** the name used in the contract and outputs: the alias, else the role */
  id: string;
  role: string;
  name: string;
  decl: A.Party;
}

export interface ClauseIR {
  /** snake_case id used in outputs, from the name */
  id: string;
  name: string;
  /**
   * the clause's identity across the versions of the contract: its name when it first
   * appeared, kept through amendments that rename or replace it by name
   */
  key: string;
  kind: A.ClauseKind;
  decl: A.PaymentClause;
  /** the weights that apply to this clause, in source order */
  weights: A.WeightDecl[];
  /** per-clause caps on this clause */
  caps: A.CapDecl[];
}

export interface CohortIR {
  id: string;
  name: string;
  /** the clause's identity across versions (see `ClauseIR.key`) */
  key: string;
  decl: A.CohortClause;
  /** the per-period data set it runs over, if any */
  over?: DataSetIR;
}

export interface FundingIR {
  shares: { party: string; percent?: A.PercentLit; rounding: A.Rounding; decl: A.FundingShare }[];
  decl: A.FundingDecl;
}

export interface EscalationIR {
  name: string;
  decl: A.EscalationDecl;
  over?: DataSetIR;
}

export interface ContractIR {
  title: string;
  /** `id "…"` in the header: the stable identity the ledger keys settlements by */
  id?: string;
  version?: string;
  ast: A.Contract;
  parties: PartyIR[];
  term?: { start: string; end: string };
  currency: string;
  /** the contract's default rounding for computed amounts (half up to the cent unless stated) */
  rounding: A.Rounding;
  dataSets: DataSetIR[];
  /** student-level fields by name (from every per-student data set) */
  fields: Map<string, FieldInfo>;
  /** student-level metrics and conditions by name, in source order */
  metrics: Map<string, A.MetricDecl>;
  populations: Partial<Record<"eligible" | "identified" | "served", A.PopulationDecl>>;
  clauses: ClauseIR[];
  cohorts: CohortIR[];
  studentCap?: A.CapDecl;
  contractCap?: A.CapDecl;
  floor?: A.FloorDecl;
  funding?: FundingIR;
  settlement: string[];
  escalations: EscalationIR[];
  routines: A.RoutineDecl[];
  governance: (A.CommitteeDecl | A.AmendmentRule)[];
  tracked: A.TrackDecl[];
  weights: A.WeightDecl[];
  /** every aggregate of event rows the contract reads, each with its `slot` set (see engine/events.ts) */
  eventAggregates: A.EventAggregate[];
  /** later versions of the contract, in the order they take effect (each one cumulative) */
  amendments: { version: string; effective: string; decl: A.AmendmentDecl; ir: ContractIR }[];
}

/**
 * The roles of parties that pay payment lines: without a funding section, the one party with
 * such a role pays every line (the checker refuses a contract where that is not one party).
 */
export const PAYING_ROLES: readonly string[] = ["district", "payor", "funder"];

/** The parties that could pay the contract's lines, in the order the parties section lists them. */
export function payingParties(ir: Pick<ContractIR, "parties">): PartyIR[] {
  return ir.parties.filter((p) => PAYING_ROLES.includes(p.role));
}

/**
 * Who pays every line of a contract without a funding section: its paying party (a district,
 * payor or funder). Undefined when the contract names no paying party.
 */
export function defaultPayer(ir: Pick<ContractIR, "parties">): string | undefined {
  return payingParties(ir)[0]?.id;
}

export const DEFAULT_ROUNDING: A.Rounding = { $type: "Rounding", mode: "half-up", unit: "cent", span: { start: 0, end: 0 } };
