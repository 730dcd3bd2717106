/**
 * The OBC abstract syntax tree.
 *
 * Produced by `cst-to-ast.ts` from the Chevrotain CST; consumed by the resolver,
 * the checker, the formatter and the compiler. Every node has a `$type` tag and a
 * `span` of 0-based UTF-16 offsets into the source text (`end` exclusive). Offsets are
 * turned into 1-based line:column only when a diagnostic is rendered.
 *
 * Numbers are kept as their decimal source text (never as JS floats): money, percent and
 * plain numbers are parsed into exact rationals by the engine.
 */

export interface Span {
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset one past the last character. */
  end: number;
}

interface NodeBase {
  span: Span;
  /** set on nodes brought in by a template: the template's name (their span is the `use` statement's) */
  origin?: string;
  /** for expressions brought in by a template: their text with the arguments written in */
  printed?: string;
}

// ───────────────────────────── expressions ─────────────────────────────

/** A plain number such as `10`, `1.2`; `value` is the decimal text without separators. */
export interface NumberLit extends NodeBase { $type: "NumberLit"; value: string }
/** `$1,600` or `$1,600.50`; `value` is the decimal text in major units ("1600.50"). */
export interface MoneyLit extends NodeBase {
  $type: "MoneyLit";
  value: string;
  negative: boolean;
  /** inside a template: the parameter written in place of the amount */
  param?: string;
}
/** `75%` ; `value` is the percent points as decimal text ("75"). */
export interface PercentLit extends NodeBase { $type: "PercentLit"; value: string }
/** `2026-10-15`; `value` is the ISO date text. */
export interface DateLit extends NodeBase {
  $type: "DateLit";
  value: string;
  /** inside a template: the parameter written in place of the date */
  param?: string;
}
export interface StringLit extends NodeBase {
  $type: "StringLit";
  value: string;
  /** inside a template: the parameter written in place of the text (a clause or party name) */
  param?: string;
}
export interface BoolLit extends NodeBase { $type: "BoolLit"; value: boolean }
/** A reference to a data field, metric, condition or `let` value. */
export interface NameRef extends NodeBase { $type: "NameRef"; name: string }
/** A quoted clause name used as a condition: `not "Algebra ready"` — true when that clause's condition is met. */
export interface ClauseRef extends NodeBase { $type: "ClauseRef"; name: string }

export type CompareOp = "<" | "<=" | ">" | ">=" | "=" | "!=";
export type ArithOp = "+" | "-" | "*" | "/";
export type LogicalOp = "and" | "or";
/** Every operator between two values (the helpers that compute one step take any of them). */
export type BinaryOp = CompareOp | ArithOp | LogicalOp;
/** `eoy_score >= 70`: a comparison of two values (comparisons do not chain). */
export interface Binary extends NodeBase { $type: "Binary"; op: CompareOp; left: Expr; right: Expr; opSpan: Span }
/**
 * `a and b and c`, `a or b`: two or more conditions joined by one operator, decided left to
 * right. A chain is one node however long it is, so a long chain costs no recursion depth;
 * `(a and b) and c` is the same chain as `a and b and c`.
 */
export interface Logical extends NodeBase { $type: "Logical"; op: LogicalOp; operands: Expr[]; opSpans: Span[] }
/**
 * `a + b - c`, `a * b / c`: two or more values combined left to right by operators of one
 * precedence (all `+`/`-`, or all `*`/`/`); `ops[i]` stands between `operands[i]` and
 * `operands[i + 1]`. As for {@link Logical}, a chain is one node.
 */
export interface Arithmetic extends NodeBase { $type: "Arithmetic"; operands: Expr[]; ops: ArithOp[]; opSpans: Span[] }
export interface Unary extends NodeBase { $type: "Unary"; op: "not" | "-"; operand: Expr }
/** `grade in [8, 9]`, `grade not in [8, 9]` */
export interface InList extends NodeBase { $type: "InList"; value: Expr; items: Expr[]; negated: boolean }
/** `exit_date is missing` / `exit_date is present` */
export interface IsMissing extends NodeBase { $type: "IsMissing"; operand: Expr; negated: boolean }
/**
 * `exit_date otherwise 2023-06-30`: the first of two or more values that is not missing
 * (`a otherwise b otherwise c`, one node however many fallbacks).
 */
export interface Otherwise extends NodeBase { $type: "Otherwise"; values: Expr[] }
/** `40% of savings` */
export interface PercentOf extends NodeBase { $type: "PercentOf"; percent: Expr; of: Expr }
/** `month starts from 2022-09-01 through exit_date`: the number of first days of a month D with from <= D <= through. */
export interface MonthStarts extends NodeBase { $type: "MonthStarts"; from: Expr; through: Expr }
/** `count of [c1, c2, c3]`: how many of the listed conditions are met (a condition on a missing value is not met). */
export interface CountMet extends NodeBase { $type: "CountMet"; items: Expr[] }
/**
 * Aggregates over a set of records:
 * - `count of identified students where (cond)`, `share of served students where (cond)`,
 *   `sum of (expr) over served students [where (cond)]`;
 * - inside a per-period cohort clause the set is the period's rows: `count where (cond)`.
 * `population` is undefined for the period rows, "all" for `students`.
 */
export interface Aggregate extends NodeBase {
  $type: "Aggregate";
  fn: "count" | "share" | "sum";
  population?: PopulationName;
  value?: Expr;
  where?: Expr;
  /**
   * Of a `sum`, the unit of its value, set by the checker (check/types.ts): a sum over no rows
   * (or over missing values only) is zero in this unit, e.g. $0.00 for a sum of amounts.
   */
  unit?: "number" | "money" | "percent";
}

/**
 * `days_between(achieved_on, submitted_on)`: a call of one of the language's functions, all
 * listed with their types in `check/functions.ts` (the one place a function is declared).
 */
export interface Call extends NodeBase { $type: "Call"; name: string; nameSpan: Span; args: Expr[] }

export type DurationUnit = "days" | "weeks" | "months";
/**
 * `achieved_on + 90 days`, `exit_date - 2 weeks`: a date moved by a whole number of days, weeks
 * or calendar months (a month later than 31 January is the last day of February).
 */
export interface DateShift extends NodeBase {
  $type: "DateShift";
  date: Expr;
  op: "+" | "-";
  opSpan: Span;
  amount: Expr;
  unit: DurationUnit;
}

/**
 * An aggregate of one student's rows in a data set of events (`data sessions keyed by
 * student_id per session on session_date`), over the rows that meet `where`:
 * - `count of sessions`, `sum of (session_duration) over sessions`;
 * - `count of weeks with at least 2 sessions` (Monday-to-Sunday weeks of the rows' dates);
 * - `longest run of weeks with at least 1 sessions excluding holidays`: the most consecutive
 *   such weeks, the weeks of the dates in `holidays` skipped (neither counted nor breaking a run);
 * - `earliest of (x) over sessions`, `latest of (x) over sessions`: `x` on the row of the
 *   earliest or latest date; `highest of (x) …`, `lowest of (x) …`: the greatest or least `x`.
 */
export interface EventAggregate extends NodeBase {
  $type: "EventAggregate";
  fn: "count" | "sum" | "weeks" | "run" | "earliest" | "latest" | "highest" | "lowest";
  events: Ident;
  value?: Expr;
  where?: Expr;
  /** `with at least N` of `weeks` and `run` */
  atLeast?: NumberLit;
  /** `excluding holidays` of a run: a data set whose dates' weeks are skipped */
  excluding?: Ident;
  /** set by the checker: the name under which each student's value is read (`event:1`) */
  slot?: string;
  /** set by the checker: the type of the value (a sum over no rows is zero in its unit) */
  type?: string;
}

export type Expr =
  | NumberLit | MoneyLit | PercentLit | DateLit | StringLit | BoolLit | NameRef | ClauseRef
  | Binary | Logical | Arithmetic | Unary | InList | IsMissing | Otherwise | PercentOf | MonthStarts | CountMet | Aggregate
  | Call | DateShift | EventAggregate;

// ───────────────────────────── declarations ─────────────────────────────

export interface Ident extends NodeBase { $type: "Ident"; name: string }

export interface Party extends NodeBase {
  $type: "Party";
  /** district, provider, intermediary, funder, payor, investor, evaluator, … */
  role: Ident;
  name: StringLit;
  /** `as philanthropy`: the name used for this party elsewhere in the contract and in outputs. */
  alias?: Ident;
}
export interface PartiesDecl extends NodeBase { $type: "PartiesDecl"; parties: Party[] }
export interface TermDecl extends NodeBase { $type: "TermDecl"; start: DateLit; end: DateLit }
export interface CurrencyDecl extends NodeBase { $type: "CurrencyDecl"; code: Ident }

export type RoundingMode = "half-up" | "half-even" | "down" | "up";
export type RoundingUnit = "cent" | "dollar";
export interface Rounding extends NodeBase { $type: "Rounding"; mode: RoundingMode; unit: RoundingUnit }
/** `rounding half up to the cent` (contract default for every computed amount) */
export interface RoundingDecl extends NodeBase { $type: "RoundingDecl"; rounding: Rounding }

export type FieldTypeName =
  | "integer" | "decimal" | "score" | "count" | "percent" | "money" | "boolean" | "date" | "text";
export interface FieldDecl extends NodeBase {
  $type: "FieldDecl";
  name: Ident;
  type: FieldTypeName;
  typeSpan: Span;
  /** `optional score`: the value may be missing in the data. */
  optional: boolean;
  /** `eoy_score: score "the spring MAP Growth RIT score"`: what the field holds, for the summary */
  description?: StringLit;
}
/**
 * `data students keyed by student_id { … }` — one row per student;
 * `data checkpoints each month { … }` — one row per period;
 * `data children keyed by child_id each school_year { … }` — one row per student and period.
 */
export interface DataDecl extends NodeBase {
  $type: "DataDecl";
  name: Ident;
  key?: Ident;
  period?: Ident;
  /** `per session`: one row per event (a session, an attempt, a day), several per student */
  per?: Ident;
  /** `on session_date`: the date field that dates each event (for weeks, runs, earliest, latest) */
  dated?: Ident;
  fields: FieldDecl[];
}

/** `metric growth = eoy_score - boy_score`, `condition x = …`, `let avoided = …` (inside cohort clauses) */
export interface MetricDecl extends NodeBase {
  $type: "MetricDecl";
  kind: "metric" | "condition" | "let" | "measure";
  name: Ident;
  expr: Expr;
}

export type PopulationName = "all" | "eligible" | "identified" | "served";
/** `identified students when …`, `eligible students when …`, `served students when …` */
export interface PopulationDecl extends NodeBase {
  $type: "PopulationDecl";
  which: Exclude<PopulationName, "all">;
  whichSpan: Span;
  condition: Expr;
}

export type ClauseKind = "base" | "milestone" | "outcome" | "partial" | "bonus" | "penalty" | "payment";

export interface Tier extends NodeBase {
  $type: "Tier";
  amount: Expr;
  /** undefined for `otherwise` */
  condition?: Expr;
}
export interface FixedAmount extends NodeBase { $type: "FixedAmount"; amount: Expr }
export interface TieredAmount extends NodeBase { $type: "TieredAmount"; tiers: Tier[] }
export type Amount = FixedAmount | TieredAmount;

/** `if missing: not met` — what happens when the clause's condition or amount reads a missing value. */
export interface MissingRule extends NodeBase { $type: "MissingRule"; outcome: "not-met" | "excluded" }

/**
 * A per-student payment clause:
 * `outcome "Algebra ready" pays $900 per identified student when … if missing: not met`
 */
export interface PaymentClause extends NodeBase {
  $type: "PaymentClause";
  kind: ClauseKind;
  kindSpan: Span;
  name: StringLit;
  due?: DateLit;
  amount: Amount;
  population: PopulationName;
  populationSpan: Span;
  /** inside a template: the parameter written in place of the group of students */
  populationParam?: string;
  condition?: Expr;
  missing?: MissingRule;
  /** `… per identified student to provider`: the party paid; without it, the contract's one provider */
  payee?: Ident;
}

/**
 * A cohort-level clause. With `each <period>` over a per-period data set it is evaluated
 * once per period; otherwise once for the whole cohort.
 * `cohort "Savings share" each school_year over children { let …  pays 95% of savings }`
 */
export interface CohortClause extends NodeBase {
  $type: "CohortClause";
  name: StringLit;
  due?: DateLit;
  /** the data set whose rows are grouped by period */
  over?: Ident;
  lets: MetricDecl[];
  amount: Expr;
  /** `pays $25,000 to intermediary`: the party paid; without it, the contract's one provider */
  payee?: Ident;
  condition?: Expr;
}

/** `weight 1.2 for english_learner or iep on "Algebra ready", "Growth"` */
export interface WeightDecl extends NodeBase {
  $type: "WeightDecl";
  factor: NumberLit;
  condition: Expr;
  clauses: StringLit[];
}

export type CapAllocation = "pro-rata" | "in-order";
/**
 * `cap $1,600 per student`, `cap $1,200,000 per contract, allocated pro rata`,
 * `cap $50,000 on "Dosage"`.
 */
export interface CapDecl extends NodeBase {
  $type: "CapDecl";
  amount: MoneyLit;
  scope: "student" | "contract" | "clause";
  clause?: StringLit;
  allocation: CapAllocation;
  allocationSpan?: Span;
}
/** `floor $0 per student`: a student's net payment never falls below this. */
export interface FloorDecl extends NodeBase { $type: "FloorDecl"; amount: MoneyLit }

export interface FundingShare extends NodeBase {
  $type: "FundingShare";
  party: Ident;
  /** undefined for `pays the rest` */
  percent?: PercentLit;
  rounding?: Rounding;
}
/** `funding { philanthropy pays 40% of every line, rounded half up to the cent  district pays the rest }` */
export interface FundingDecl extends NodeBase { $type: "FundingDecl"; shares: FundingShare[] }

/** `settlement on 2027-01-15, 2027-07-31` */
export interface SettlementDecl extends NodeBase { $type: "SettlementDecl"; dates: DateLit[] }

export interface Within extends NodeBase { $type: "Within"; amount: NumberLit; unit: "days" | "business days" | "weeks" | "months" }
/** `district and provider "meet" within 10 business days` */
export interface DutyAction extends NodeBase { $type: "DutyAction"; parties: Ident[]; text: StringLit; within?: Within }
/** `withhold 10% of milestone payments until attendance_rate >= 75%` */
export interface WithholdAction extends NodeBase {
  $type: "WithholdAction";
  percent: PercentLit;
  of: ClauseKind | "all";
  ofSpan: Span;
  until?: Expr;
}
/** `district may terminate with 30 days notice after 2 more checkpoints` */
export interface TerminateAction extends NodeBase {
  $type: "TerminateAction";
  party: Ident;
  noticeDays: NumberLit;
  afterMore?: NumberLit;
}
export type EscalationAction = DutyAction | WithholdAction | TerminateAction;

/** `level 2 when attendance_rate < 75% for 2 consecutive checkpoints { … }` */
export interface EscalationLevel extends NodeBase {
  $type: "EscalationLevel";
  level: NumberLit;
  condition: Expr;
  consecutive?: NumberLit;
  actions: EscalationAction[];
}
/** `escalation "Attendance" over checkpoints { measure … level … }` */
export interface EscalationDecl extends NodeBase {
  $type: "EscalationDecl";
  name: StringLit;
  over: Ident;
  measures: MetricDecl[];
  levels: EscalationLevel[];
}

/**
 * `provider shares "session attendance" weekly`,
 * `district shares "assessment results" within 15 days of "each testing window"`,
 * `district and provider meet "check-in" monthly`.
 */
export interface RoutineDecl extends NodeBase {
  $type: "RoutineDecl";
  parties: Ident[];
  verb: "shares" | "meet" | "reports" | "reviews";
  what: StringLit;
  frequency?: Ident;
  within?: Within;
  of?: StringLit;
}
export interface RoutinesDecl extends NodeBase { $type: "RoutinesDecl"; routines: RoutineDecl[] }

/**
 * `committee "Steering committee" of district, provider and intermediary meets quarterly to "review data and progress"`
 * `amendments "in writing" signed by district and provider`
 */
export interface CommitteeDecl extends NodeBase {
  $type: "CommitteeDecl";
  name: StringLit;
  members: Ident[];
  frequency: Ident;
  purpose?: StringLit;
}
export interface AmendmentRule extends NodeBase { $type: "AmendmentRule"; form: StringLit; signers: Ident[] }
export interface GovernanceDecl extends NodeBase { $type: "GovernanceDecl"; items: (CommitteeDecl | AmendmentRule)[] }

/** `track "Tutor retention"` or `track "Sense of belonging" "from the spring student survey"` — stated, never paid. */
export interface TrackDecl extends NodeBase { $type: "TrackDecl"; name: StringLit; description?: StringLit }

/** `import benchmark_attainment from stdlib version "1"`, `import dosage from "./clauses/dosage.obc"` */
export interface ImportDecl extends NodeBase {
  $type: "ImportDecl";
  name: Ident;
  /** "stdlib" for the template library, else the relative path */
  from: "stdlib" | StringLit;
  version?: StringLit;
}

/** A group of students given as a template argument: `students: served` */
export interface PopulationArg extends NodeBase { $type: "PopulationArg"; which: Exclude<PopulationName, "all"> }
export interface TemplateArg extends NodeBase { $type: "TemplateArg"; name: Ident; value: Expr | PopulationArg }
/** `use benchmark_attainment(name: "Algebra ready", score: eoy_score, cut: 70, amount: $900)` */
export interface UseDecl extends NodeBase { $type: "UseDecl"; name: Ident; args: TemplateArg[] }

export type ParamType =
  | FieldTypeName | "number" | "field" | "condition" | "population";
/** `param cut: score = 70 "the cut score"` */
export interface ParamDecl extends NodeBase {
  $type: "ParamDecl";
  name: Ident;
  type: ParamType;
  typeSpan: Span;
  default?: Expr | PopulationArg;
  doc?: StringLit;
}

/** A template file: `template benchmark_attainment version "1.0" { param …  items… }` */
export interface TemplateDecl extends NodeBase {
  $type: "TemplateDecl";
  name: Ident;
  version?: StringLit;
  params: ParamDecl[];
  items: Item[];
}

/**
 * `amendment "1.1" effective 2027-01-01 { outcome "Algebra ready" pays $950 … }`: from the
 * effective date, the items inside replace the items of the same name (clauses by name;
 * caps, floor, funding by kind) for every payment whose date falls on or after it.
 */
export interface AmendmentDecl extends NodeBase {
  $type: "AmendmentDecl";
  version: StringLit;
  effective: DateLit;
  items: Item[];
}

/**
 * What an amendment's `remove` takes out: a payment or cohort clause by name (`remove "Dosage"`),
 * a cap (`remove cap per student`, `remove cap on "Dosage"`), the floor, an escalation, a
 * tracked metric, or a weight by the clauses it applies to (`remove weight on "A", "B"`).
 */
export type RemoveWhat = "clause" | "cap" | "floor" | "escalation" | "track" | "weight";
/** `remove "Dosage"` inside an amendment: from its effective date the item is no longer in force. */
export interface RemoveItem extends NodeBase {
  $type: "RemoveItem";
  what: RemoveWhat;
  /** the clause, the clause of a clause cap, the escalation or the tracked metric */
  name?: StringLit;
  /** of a cap */
  scope?: CapDecl["scope"];
  /** of a weight: the clauses it applies to */
  clauses?: StringLit[];
}
/** `replace "Midyear" with { milestone "Midyear attendance" …  milestone "Midyear growth" … }`: one clause by one or several. */
export interface ReplaceItem extends NodeBase { $type: "ReplaceItem"; name: StringLit; items: Item[] }
/** `rename "Ready" to "Algebra ready"`: the same clause under a new name (references follow it). */
export interface RenameItem extends NodeBase { $type: "RenameItem"; from: StringLit; to: StringLit }
/** The items only an amendment may hold: they change what is already in force. */
export type AmendmentChange = RemoveItem | ReplaceItem | RenameItem;

export type Item =
  | ImportDecl | UseDecl | AmendmentDecl | RemoveItem | ReplaceItem | RenameItem
  | PartiesDecl | TermDecl | CurrencyDecl | RoundingDecl | DataDecl | MetricDecl | PopulationDecl
  | PaymentClause | CohortClause | WeightDecl | CapDecl | FloorDecl | FundingDecl | SettlementDecl
  | EscalationDecl | RoutinesDecl | GovernanceDecl | TrackDecl;

export interface Comment { text: string; span: Span }

export interface Contract extends NodeBase {
  $type: "Contract";
  title: StringLit;
  /** `id "…"`: the contract's stable identity, which the ledger keys its settlements by */
  id?: StringLit;
  version?: StringLit;
  items: Item[];
}

export interface SourceFile {
  $type: "SourceFile";
  span: Span;
  /** undefined when the text did not even start a contract */
  contract?: Contract;
  /** set instead of `contract` for a template file */
  template?: TemplateDecl;
  comments: Comment[];
}

/** Turns a clause name into the id used in outputs: "Algebra ready" → "algebra_ready". */
export function clauseId(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}
