/**
 * Expressions in English: every kind of OBC expression as contract prose.
 *
 *   eoy_score >= 70                       → the end-of-year score (eoy_score) is at least 70
 *   exit_date is missing or exit_date >= 2027-05-01
 *                                         → the exit date (exit_date) is missing or on or after 1 May 2027
 *   $900 * months_enrolled / 10           → $900.00 × Months Enrolled ÷ 10
 *   count of [a >= 40, b >= 35]           → the number of the following that are met: (i) …; (ii) …
 *   share of identified students where (eoy_score >= 80%)
 *                                         → the share of Identified Students for whom …
 *
 * Fields are named by their meaning with the data name in brackets; metrics, conditions
 * and the values of cohort clauses and escalations are defined terms in title case
 * (“Growth”, “Enrolled for Testing”), defined once in the summary and used as such.
 * Used by the summary and by the comparison of versions. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR, FieldInfo } from "../../language/check/ir.ts";
import { FUNCTIONS } from "../../language/check/functions.ts";
import {
  capitalize, definedTerm, formatDate, humanize, joinList, listLabel, moneyLit, numberText, percentText, quote, titleCase,
} from "./format.ts";

export interface EnglishContext {
  ir: ContractIR;
  /** the `let` values of a cohort clause or the measures of an escalation, by name */
  locals?: Map<string, A.MetricDecl>;
  /** the fields of the per-period rows in scope (cohort clauses over a data set, escalations) */
  rowFields?: Map<string, FieldInfo>;
  /** for aggregates over a period's rows: what a row is ("children") and the period ("school year") */
  rows?: { plural: string; period: string };
}

/** A condition in words: a plain phrase, a subject with a predicate, or a list joined by and/or. */
export type Cond =
  | { kind: "text"; text: string }
  | { kind: "pred"; subject: string; predicate: string }
  | { kind: "all" | "any"; items: Cond[] };

// ───────────────────────────── the people and the parties ─────────────────────────────

/** What one student record is called, from the roster's key: child_id → "child"; else "student". */
export function subjectNoun(ir: ContractIR): string {
  const ds = ir.dataSets.find((d) => d.roster) ?? ir.dataSets.find((d) => d.kind === "student-period");
  const key = ds?.key;
  const m = key ? /^([a-z]+)_id$/.exec(key) : null;
  if (m && m[1] !== "student" && m[1]!.length > 2) return m[1]!;
  return "student";
}

export function plural(noun: string): string {
  const irregular: Record<string, string> = { child: "children", person: "people" };
  if (irregular[noun]) return irregular[noun]!;
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

/** "Identified Student", "Served Student", "student" (for every student on the roster). */
export function populationTerm(p: A.PopulationName, ir: ContractIR): string {
  const noun = subjectNoun(ir);
  if (p === "all") return noun;
  return `${capitalize(p)} ${capitalize(noun)}`;
}

export function populationTermPlural(p: A.PopulationName, ir: ContractIR): string {
  const noun = subjectNoun(ir);
  if (p === "all") return plural(noun);
  return `${capitalize(p)} ${capitalize(plural(noun))}`;
}

const ROLE_WORDS: Record<string, string> = {};

/** The defined name of a party as used in the text: "the District", "the Funder". */
export function partyTerm(id: string, ir: ContractIR): string {
  const p = ir.parties.find((x) => x.id === id) ?? ir.parties.find((x) => x.role === id);
  if (!p) return `the ${titleCase(humanize(id))}`;
  return `the ${partyLabel(p.id, ir)}`;
}

/** The label of a party without the article: "District", or the alias when two parties share a role. */
export function partyLabel(id: string, ir: ContractIR): string {
  const p = ir.parties.find((x) => x.id === id) ?? ir.parties.find((x) => x.role === id);
  if (!p) return titleCase(humanize(id));
  const sameRole = ir.parties.filter((x) => x.role === p.role).length;
  if (sameRole > 1) return titleCase(humanize(p.id));
  return ROLE_WORDS[p.role] ?? titleCase(humanize(p.role));
}

export function partiesTerm(ids: string[], ir: ContractIR): string {
  return joinList(ids.map((id) => partyTerm(id, ir)));
}

// ───────────────────────────── names ─────────────────────────────

type Kind = "date" | "boolean" | "money" | "percent" | "number" | "text" | "unknown";

function fieldOf(name: string, ctx: EnglishContext): FieldInfo | undefined {
  return ctx.rowFields?.get(name) ?? ctx.ir.fields.get(name);
}

function defOf(name: string, ctx: EnglishContext): A.MetricDecl | undefined {
  return ctx.locals?.get(name) ?? (ctx.rowFields?.has(name) ? undefined : ctx.ir.metrics.get(name));
}

/** The kind of value an expression gives. */
export function kindOf(e: A.Expr, ctx: EnglishContext, seen = new Set<string>()): Kind {
  switch (e.$type) {
    case "NumberLit": return "number";
    case "MoneyLit": return "money";
    case "PercentLit": return "percent";
    case "DateLit": return "date";
    case "StringLit": return "text";
    case "BoolLit": return "boolean";
    case "ClauseRef": return "boolean";
    case "NameRef": {
      const f = fieldOf(e.name, ctx);
      if (f) {
        switch (f.type) {
          case "date": return "date";
          case "boolean": return "boolean";
          case "money": return "money";
          case "percent": return "percent";
          case "text": return "text";
          default: return "number";
        }
      }
      const d = defOf(e.name, ctx);
      if (d && !seen.has(e.name)) return kindOf(d.expr, ctx, new Set([...seen, e.name]));
      return "unknown";
    }
    case "Binary":
    case "Logical": return "boolean";
    case "Arithmetic": {
      // step by step from the left, as ((a + b) - c)
      let l = kindOf(e.operands[0]!, ctx, seen);
      for (let i = 1; i < e.operands.length; i++) {
        const r = kindOf(e.operands[i]!, ctx, seen);
        const op = e.ops[i - 1];
        if (l === "money" || r === "money") l = op === "/" && l === "money" && r === "money" ? "number" : "money";
        else if (l === "percent" || r === "percent") l = op === "/" && l === "percent" && r === "percent" ? "number" : "percent";
        else l = "number";
      }
      return l;
    }
    case "Unary": return e.op === "not" ? "boolean" : kindOf(e.operand, ctx, seen);
    case "InList":
    case "IsMissing": return "boolean";
    case "Otherwise": {
      for (const v of e.values) {
        const k = kindOf(v, ctx, seen);
        if (k !== "unknown") return k;
      }
      return "unknown";
    }
    case "PercentOf": return kindOf(e.of, ctx, seen);
    case "MonthStarts":
    case "CountMet": return "number";
    case "Aggregate":
      if (e.fn === "share") return "percent";
      if (e.fn === "count") return "number";
      return e.value ? kindOf(e.value, ctx, seen) : "number";
    case "Call": {
      const r = FUNCTIONS.get(e.name)?.result;
      if (r === "combined") return kindOf(e.args[e.args.length - 1]!, ctx, seen);
      return r === "text" ? "text" : r === "date" ? "date" : r === undefined ? "unknown" : "number";
    }
    case "DateShift": return "date";
    case "EventAggregate":
      if (e.fn === "count" || e.fn === "weeks" || e.fn === "run") return "number";
      return e.value ? kindOf(e.value, { ir: ctx.ir }, seen) : "number";
  }
}

/** A field in words: "the end-of-year score (eoy_score)"; a count reads "the number of sessions attended (sessions_attended)". */
export function fieldWords(name: string, type?: A.FieldTypeName): string {
  let h = humanize(name);
  if (type === "count" && !/^(number|count|total)\b/.test(h)) h = `number of ${h}`;
  return h === name ? `the ${name}` : `the ${h} (${name})`;
}

/** A metric, condition, let or measure as its defined term: "Growth", "Enrolled for Testing". */
export function termWords(name: string): string {
  return definedTerm(name);
}

/** A name used as a value. */
export function nameWords(name: string, ctx: EnglishContext): string {
  const f = fieldOf(name, ctx);
  if (f) return fieldWords(name, f.type);
  if (defOf(name, ctx)) return termWords(name);
  return fieldWords(name);
}

// ───────────────────────────── yes/no values ─────────────────────────────

const FLAGS: Record<string, [string, string]> = {
  english_learner: ["is an English learner", "is not an English learner"],
  el: ["is an English learner", "is not an English learner"],
  ell: ["is an English language learner", "is not an English language learner"],
  iep: ["has an IEP", "does not have an IEP"],
  has_iep: ["has an IEP", "does not have an IEP"],
  swd: ["has a disability", "does not have a disability"],
  econ_disadv: ["is economically disadvantaged", "is not economically disadvantaged"],
  economically_disadvantaged: ["is economically disadvantaged", "is not economically disadvantaged"],
  frl: ["is eligible for free or reduced-price lunch", "is not eligible for free or reduced-price lunch"],
  homeless: ["is experiencing homelessness", "is not experiencing homelessness"],
  foster: ["is in foster care", "is not in foster care"],
};

const ADJECTIVES = new Set(["eligible", "ready", "proficient", "present", "active", "enrolled", "absent", "new", "returning"]);
/** One-word yes/no names that read as "the student is …". */
const PARTICIPLES = new Set(["tracked", "enrolled", "served", "tested", "retained", "promoted", "graduated", "suspended", "expelled", "exited", "identified", "eligible", "ready", "proficient", "present", "absent", "active"]);

/** How a yes/no field reads as a condition about the row's subject, or undefined when no phrase fits. */
function flagPhrase(name: string, positive: boolean): string | undefined {
  const lower = name.toLowerCase();
  const known = FLAGS[lower];
  if (known) return positive ? known[0] : known[1];
  const words = humanize(name);
  let m: RegExpExecArray | null;
  if ((m = /^is_(.+)$/.exec(lower))) return `${positive ? "is" : "is not"} ${humanize(m[1]!)}`;
  if ((m = /^has_(.+)$/.exec(lower))) return `${positive ? "has" : "does not have"} ${humanize(m[1]!)}`;
  if ((m = /^in_(.+)$/.exec(lower))) return `${positive ? "is in" : "is not in"} ${humanize(m[1]!)}`;
  if (PARTICIPLES.has(lower)) return `${positive ? "is" : "is not"} ${words}`;
  return undefined;
}

function subjectFor(ctx: EnglishContext): string {
  const noun = subjectNoun(ctx.ir);
  if (ctx.rowFields && !ctx.rows) return "the checkpoint";
  return `the ${noun}`;
}

function flagCond(name: string, positive: boolean, ctx: EnglishContext): Cond {
  const f = fieldOf(name, ctx);
  if (f) {
    const p = flagPhrase(name, positive);
    if (p && (!ctx.rowFields || ctx.rows)) return { kind: "pred", subject: subjectFor(ctx), predicate: `${p} (${name})` };
    const words = fieldWords(name, f.type);
    return { kind: "pred", subject: words === `the ${name}` ? name : words, predicate: positive ? "is yes" : "is no" };
  }
  const d = defOf(name, ctx);
  if (d && d.kind === "condition") {
    const term = termWords(name);
    const words = name.toLowerCase().split("_");
    const first = words[0]!;
    const reads = words.length > 1 ? first.endsWith("ed") || ADJECTIVES.has(first) : PARTICIPLES.has(first);
    if (reads) return { kind: "pred", subject: subjectFor(ctx), predicate: `${positive ? "is" : "is not"} ${term}` };
    return { kind: "text", text: positive ? `${term} holds` : `${term} does not hold` };
  }
  const term = d ? termWords(name) : fieldWords(name);
  return { kind: "text", text: positive ? `${term} holds` : `${term} does not hold` };
}

// ───────────────────────────── values ─────────────────────────────

const PREC: Record<string, number> = { "+": 1, "-": 1, "*": 2, "/": 2 };

function literalText(e: A.Expr, ctx: EnglishContext): string | undefined {
  switch (e.$type) {
    case "NumberLit": return numberText(e.value);
    case "MoneyLit": return moneyLit(e, ctx.ir.currency);
    case "PercentLit": return percentText(e.value);
    case "DateLit": return formatDate(e.value);
    case "StringLit": return quote(e.value);
    case "BoolLit": return e.value ? "yes" : "no";
    default: return undefined;
  }
}

/** `a otherwise b otherwise c` without its last fallback: `a otherwise b`, or just `a`. */
function allButLast(e: A.Otherwise): A.Expr {
  return e.values.length === 2 ? e.values[0]! : { ...e, values: e.values.slice(0, -1) };
}

/** An expression as a noun phrase: "$900.00 × Months Enrolled ÷ 10", "95% of Savings". */
export function valueText(e: A.Expr, ctx: EnglishContext): string {
  return value(e, ctx, 0);
}

function value(e: A.Expr, ctx: EnglishContext, prec: number): string {
  const lit = literalText(e, ctx);
  if (lit !== undefined) return lit;
  switch (e.$type) {
    case "NameRef": return nameWords(e.name, ctx);
    case "Binary":
    case "Logical": return condText(cond(e, ctx));
    case "Arithmetic": {
      const p = PREC[e.ops[0]!]!;
      let text = value(e.operands[0]!, ctx, p);
      for (let i = 1; i < e.operands.length; i++) {
        const op = e.ops[i - 1]!;
        const word = op === "+" ? "plus" : op === "-" ? "minus" : op === "*" ? "×" : "÷";
        // the right side of - and ÷ groups: a − (b − c)
        text = `${text} ${word} ${value(e.operands[i]!, ctx, op === "-" || op === "/" ? p + 1 : p)}`;
      }
      return p < prec ? `(${text})` : text;
    }
    case "Unary": {
      if (e.op === "not") return condText(cond(e, ctx));
      const inner = literalText(e.operand, ctx);
      if (inner !== undefined) return `-${inner}`;
      return `the negative of ${value(e.operand, ctx, 3)}`;
    }
    case "Otherwise": {
      // as ((a otherwise b) otherwise c): each earlier part in brackets
      let text = value(e.values[0]!, ctx, 3);
      for (let i = 1; i < e.values.length; i++) {
        text = `${i > 1 ? `(${text})` : text}, or ${value(e.values[i]!, ctx, 3)} if it is missing`;
      }
      return prec > 0 ? `(${text})` : text;
    }
    case "PercentOf": {
      const text = `${value(e.percent, ctx, 3)} of ${value(e.of, ctx, 3)}`;
      return prec > 2 ? `(${text})` : text;
    }
    case "MonthStarts": {
      const through = e.through.$type === "Otherwise"
        ? `${value(allButLast(e.through), ctx, 3)} (or through ${value(e.through.values[e.through.values.length - 1]!, ctx, 3)} if it is missing)`
        : value(e.through, ctx, 3);
      const from = e.from.$type === "Otherwise"
        ? `${value(allButLast(e.from), ctx, 3)} (or from ${value(e.from.values[e.from.values.length - 1]!, ctx, 3)} if it is missing)`
        : value(e.from, ctx, 3);
      const text = `the number of months whose first day falls from ${from} through ${through}, both included`;
      return prec > 0 ? `(${text})` : text;
    }
    case "CountMet": {
      const items = e.items.map((i) => condText(cond(i, ctx), 1));
      const text = `the number of the following that are met: ${items.map((t, i) => `(${listLabel(i, 1)}) ${t}`).join("; ")}`;
      return prec > 0 ? `(${text})` : text;
    }
    case "Aggregate": return aggregateText(e, ctx, prec);
    case "EventAggregate": return eventAggregateText(e, ctx, prec);
    case "Call": {
      const f = FUNCTIONS.get(e.name);
      const text = f ? f.english(e.args.map((a) => value(a, ctx, 3))) : `${e.name}(${e.args.map((a) => value(a, ctx, 0)).join(", ")})`;
      return prec > 0 ? `(${text})` : text;
    }
    case "DateShift": {
      const n = e.amount.$type === "NumberLit" ? numberText(e.amount.value) : value(e.amount, ctx, 3);
      const unit = n === "1" ? e.unit.slice(0, -1) : e.unit;
      const text = `${n} ${unit} ${e.op === "+" ? "after" : "before"} ${value(e.date, ctx, 3)}`;
      return prec > 0 ? `(${text})` : text;
    }
    case "IsMissing":
    case "InList":
    case "ClauseRef":
      return condText(cond(e, ctx));
    default:
      return "(value)";
  }
}

function aggregateText(e: A.Aggregate, ctx: EnglishContext, prec: number): string {
  const rowCtx: EnglishContext = e.population === undefined ? ctx : { ir: ctx.ir };
  const group = e.population === undefined
    ? ctx.rows ? `${ctx.rows.plural} recorded for the ${ctx.rows.period}` : "rows of the period"
    : populationTermPlural(e.population, ctx.ir);
  const where = e.where ? ` for whom ${condText(cond(e.where, rowCtx), 1)}` : "";
  let text: string;
  switch (e.fn) {
    case "count": text = `the number of ${group}${where}`; break;
    case "share": text = e.where ? `the share of ${group}${where}` : `the share of ${group} (all of them)`; break;
    case "sum": text = `the total of ${value(e.value!, rowCtx, 3)} over the ${group}${where}`; break;
  }
  return prec > 0 ? `(${text})` : text;
}

/**
 * The definition of an aggregate of a student's event rows, in full: which rows, what is
 * counted, how weeks are counted and which are skipped.
 */
export function eventAggregateText(e: A.EventAggregate, ctx: EnglishContext, prec: number): string {
  const rowCtx: EnglishContext = { ir: ctx.ir };
  const ds = ctx.ir.dataSets.find((d) => d.name === e.events.name);
  const rows = `the student's rows in the ${e.events.name} data`;
  const where = e.where ? ` for which ${condText(cond(e.where, rowCtx), 1)}` : "";
  const n = e.atLeast?.value ?? "1";
  const inWeek = `at least ${n} of ${rows}${where}`;
  const dated = ds?.dated ? `, by ${humanize(ds.dated)}` : "";
  let text: string;
  switch (e.fn) {
    case "count": text = `the number of ${rows}${where}`; break;
    case "sum": text = `the total of ${value(e.value!, rowCtx, 3)} over ${rows}${where}`; break;
    case "weeks": text = `the number of calendar weeks (Monday to Sunday${dated}) holding ${inWeek}`; break;
    case "run":
      text = `the greatest number of consecutive calendar weeks (Monday to Sunday${dated}) each holding ${inWeek}`;
      if (e.excluding) text += `, a week holding a date listed in the ${humanize(e.excluding.name)} data being passed over (it neither counts nor breaks the run)`;
      break;
    case "earliest":
    case "latest":
      text = `${value(e.value!, rowCtx, 3)} on the ${e.fn} of ${rows}${where} (${dated.slice(2)}; the first in the data on a tie), or nothing (missing) when there is no such row`;
      break;
    case "highest":
    case "lowest":
      text = `the ${e.fn} value of ${value(e.value!, rowCtx, 3)} among ${rows}${where}, or nothing (missing) when there is none`;
      break;
  }
  return prec > 0 ? `(${text})` : text;
}

// ───────────────────────────── conditions ─────────────────────────────

const NEGATE: Record<string, A.BinaryOp> = { "<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "=" };
const FLIP: Record<string, A.BinaryOp> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!=" };

/** The predicate of a comparison: "is at least 70", "is on or before 15 October 2026". */
export function predicateWords(op: A.BinaryOp, right: string, kind: Kind): string {
  if (kind === "date") {
    switch (op) {
      case "<": return `is before ${right}`;
      case "<=": return `is on or before ${right}`;
      case ">": return `is after ${right}`;
      case ">=": return `is on or after ${right}`;
      case "=": return `is ${right}`;
      case "!=": return `is not ${right}`;
    }
  }
  switch (op) {
    case "<": return `is below ${right}`;
    case "<=": return `is at most ${right}`;
    case ">": return `is more than ${right}`;
    case ">=": return `is at least ${right}`;
    case "=": return `is ${right}`;
    case "!=": return `is not ${right}`;
    default: return `${op} ${right}`;
  }
}

const isLiteral = (e: A.Expr) => ["NumberLit", "MoneyLit", "PercentLit", "DateLit", "StringLit", "BoolLit"].includes(e.$type)
  || (e.$type === "Unary" && e.op === "-" && ["NumberLit", "MoneyLit"].includes(e.operand.$type));

/** A comparison, as a subject and a predicate. */
export function comparison(e: A.Binary, ctx: EnglishContext, negated = false): Cond {
  let op = negated ? NEGATE[e.op]! : e.op;
  let left = e.left;
  let right = e.right;
  if (isLiteral(left) && !isLiteral(right)) {
    [left, right] = [right, left];
    op = FLIP[op]!;
  }
  const kind = kindOf(left, ctx) === "unknown" ? kindOf(right, ctx) : kindOf(left, ctx);
  if (kind === "boolean" && right.$type === "BoolLit" && left.$type === "NameRef" && (op === "=" || op === "!=")) {
    return flagCond(left.name, (op === "=") === right.value, ctx);
  }
  return { kind: "pred", subject: value(left, ctx, 0), predicate: predicateWords(op, value(right, ctx, 1), kind) };
}

/** A condition in words, as a structure (see {@link condText}). */
export function cond(e: A.Expr, ctx: EnglishContext, negated = false): Cond {
  switch (e.$type) {
    case "Logical": {
      // De Morgan under negation (it holds in three-valued logic)
      const conj = (e.op === "and") !== negated ? "all" : "any";
      // `x and true` is x (a template's default condition); `x or false` likewise
      const neutral = (x: A.Expr) => x.$type === "BoolLit" && x.value !== negated === (conj === "all");
      const kept = e.operands.filter((o) => !neutral(o));
      if (kept.length <= 1) return cond(kept[0] ?? e.operands[0]!, ctx, negated);
      const items: Cond[] = [];
      for (const o of kept) {
        const c = cond(o, ctx, negated);
        if (c.kind === conj) items.push(...c.items);
        else items.push(c);
      }
      return mergeSubjects({ kind: conj, items });
    }
    case "Arithmetic": return { kind: "text", text: value(e, ctx, 0) };
    case "Binary": return comparison(e, ctx, negated);
    case "Unary":
      if (e.op === "not") return cond(e.operand, ctx, !negated);
      return { kind: "text", text: value(e, ctx, 0) };
    case "NameRef":
      return flagCond(e.name, !negated, ctx);
    case "ClauseRef":
      return { kind: "pred", subject: subjectFor(ctx), predicate: `${negated ? "does not qualify" : "qualifies"} for ${quote(e.name)}` };
    case "BoolLit":
      return { kind: "text", text: e.value !== negated ? "in every case" : "in no case" };
    case "InList": {
      const neg = e.negated !== negated;
      const items = e.items.map((i) => value(i, ctx, 1));
      let predicate: string;
      if (!neg) predicate = items.length <= 2 ? `is ${joinList(items, "or")}` : `is one of ${joinList(items, "or")}`;
      else predicate = items.length === 1 ? `is not ${items[0]}` : items.length === 2 ? `is neither ${items[0]} nor ${items[1]}` : `is none of ${joinList(items, "or")}`;
      return { kind: "pred", subject: value(e.value, ctx, 0), predicate };
    }
    case "IsMissing": {
      const missing = e.negated === negated;
      return { kind: "pred", subject: value(e.operand, ctx, 0), predicate: missing ? "is missing" : "is present" };
    }
    case "Otherwise": {
      let text = condText(cond(e.values[0]!, ctx, negated), 1);
      for (const v of e.values.slice(1)) text = `${text} (or, if a value it needs is missing, ${condText(cond(v, ctx, negated), 1)})`;
      return { kind: "text", text };
    }
    default: {
      const text = value(e, ctx, 0);
      return { kind: "text", text: negated ? `it is not the case that ${text}` : `${text} holds` };
    }
  }
}

/** Joins neighbouring predicates about the same thing: "the exit date is missing or on or after 1 May 2027". */
function mergeSubjects(c: { kind: "all" | "any"; items: Cond[] }): Cond {
  const conj = c.kind === "all" ? "and" : "or";
  const out: Cond[] = [];
  for (const item of c.items) {
    const prev = out[out.length - 1];
    if (prev && prev.kind === "pred" && item.kind === "pred" && prev.subject === item.subject) {
      const p = prev.predicate.startsWith("is ") && item.predicate.startsWith("is ") ? item.predicate.slice(3) : item.predicate;
      out[out.length - 1] = { kind: "pred", subject: prev.subject, predicate: `${prev.predicate} ${conj} ${p}` };
      continue;
    }
    out.push(item);
  }
  return out.length === 1 ? out[0]! : { kind: c.kind, items: out };
}

function simple(c: Cond): boolean {
  return c.kind === "text" || c.kind === "pred";
}

/**
 * A condition as text. Short lists stay inline ("A and B", "either A or B"); longer or
 * nested ones become lettered lists: "all of the following hold: (a) …; (b) …; and (c) …".
 */
export function condText(c: Cond, depth = 0): string {
  switch (c.kind) {
    case "text": return c.text;
    case "pred": return `${c.subject} ${c.predicate}`;
    default: {
      const conj = c.kind === "all" ? "and" : "or";
      const inlineItem = (x: Cond): string | undefined => {
        if (simple(x)) return condText(x, depth);
        if ((x.kind === "all" || x.kind === "any") && x.items.length === 2 && x.items.every(simple)) {
          const [a, b] = x.items.map((i) => condText(i, depth));
          return x.kind === "any" ? `either ${a} or ${b}` : `both ${a} and ${b}`;
        }
        return undefined;
      };
      const inline = c.items.map(inlineItem);
      const nested = c.items.filter((x) => !simple(x)).length;
      if (c.items.length <= 3 && inline.every((x) => x !== undefined) && (nested === 0 || c.items.length <= 2)) {
        const texts = inline as string[];
        // an item that has its own "and"/"or" is set off by a comma: "A and B, and C"
        if (texts.length > 1 && texts.some((t) => t.includes(` ${conj} `))) return `${texts.slice(0, -1).join(", ")}, ${conj} ${texts[texts.length - 1]}`;
        return joinList(texts, conj);
      }
      const head = c.kind === "all" ? "all of the following hold" : "any of the following holds";
      const items = c.items.map((x, i) => {
        const last = i === c.items.length - 1;
        const sep = last ? "" : i === c.items.length - 2 ? `; ${conj}` : ";";
        return `(${listLabel(i, depth)}) ${condText(x, depth + 1)}${sep}`;
      });
      return `${head}: ${items.join(" ")}`;
    }
  }
}

/** An expression used as a condition, in words. */
export function conditionText(e: A.Expr, ctx: EnglishContext): string {
  return condText(cond(e, ctx));
}

/** Any expression in words: a condition when it gives yes or no, else a value. */
export function exprText(e: A.Expr, ctx: EnglishContext): string {
  return kindOf(e, ctx) === "boolean" ? conditionText(e, ctx) : valueText(e, ctx);
}

// ───────────────────────────── groups of students ─────────────────────────────

/**
 * The body of a group definition: "a student in grade 8 or 9 whose beginning-of-year score
 * (boy_score) is below 60". `base` is the group it narrows ("an Identified Student").
 */
export function populationDefinition(p: A.PopulationDecl, ctx: EnglishContext, base: string): string {
  const c = cond(p.condition, ctx);
  const parts = c.kind === "all" ? c.items : [c];
  const self = subjectFor(ctx);
  const grade: string[] = [];
  const rel: string[] = [];
  const others: Cond[] = [];
  for (const part of parts) {
    if (part.kind === "pred" && part.subject === fieldWords("grade") && /^is (one of )?[\d, ]+(or [\d]+)?$/.test(part.predicate)) {
      grade.push(`in grade ${part.predicate.replace(/^is (one of )?/, "")}`);
      continue;
    }
    if (part.kind === "pred" && part.subject === self) {
      rel.push(`who ${part.predicate}`);
      continue;
    }
    if (part.kind === "pred" && part.subject.startsWith("the ") && !part.subject.includes(",")) {
      rel.push(`whose ${part.subject.slice(4)} ${part.predicate}`);
      continue;
    }
    others.push(part);
  }
  let text = base;
  if (grade.length) text += ` ${grade.join(" and ")}`;
  if (rel.length) text += ` ${joinList(rel)}`;
  if (others.length) {
    const rest = others.length === 1 ? others[0]! : { kind: "all" as const, items: others };
    text += `${grade.length || rel.length ? " and" : ""} for whom ${condText(rest)}`;
  }
  return text;
}

/** Every expression node below (and including) `e`, in source order. */
export function subExpressions(e: A.Expr): A.Expr[] {
  const out: A.Expr[] = [e];
  switch (e.$type) {
    case "Binary": out.push(...subExpressions(e.left), ...subExpressions(e.right)); break;
    case "Logical":
    case "Arithmetic": out.push(...e.operands.flatMap(subExpressions)); break;
    case "Unary": out.push(...subExpressions(e.operand)); break;
    case "InList": out.push(...subExpressions(e.value), ...e.items.flatMap(subExpressions)); break;
    case "IsMissing": out.push(...subExpressions(e.operand)); break;
    case "Otherwise": out.push(...e.values.flatMap(subExpressions)); break;
    case "PercentOf": out.push(...subExpressions(e.percent), ...subExpressions(e.of)); break;
    case "MonthStarts": out.push(...subExpressions(e.from), ...subExpressions(e.through)); break;
    case "CountMet": out.push(...e.items.flatMap(subExpressions)); break;
    case "Call": out.push(...e.args.flatMap(subExpressions)); break;
    case "DateShift": out.push(...subExpressions(e.date), ...subExpressions(e.amount)); break;
    case "EventAggregate": break;
    case "Aggregate":
      if (e.value) out.push(...subExpressions(e.value));
      if (e.where) out.push(...subExpressions(e.where));
      break;
    default: break;
  }
  return out;
}

/** The optional fields whose absence leaves the expression missing (an approximation of the checker's rule). */
export function missingFields(e: A.Expr, ctx: EnglishContext, seen = new Set<string>()): string[] {
  const out = new Set<string>();
  const walk = (x: A.Expr): Set<string> => {
    switch (x.$type) {
      case "NameRef": {
        const f = fieldOf(x.name, ctx);
        if (f) return new Set(f.optional ? [x.name] : []);
        const d = defOf(x.name, ctx);
        if (d && !seen.has(x.name)) return new Set(missingFields(d.expr, ctx, new Set([...seen, x.name])));
        return new Set();
      }
      case "IsMissing":
      case "CountMet":
      case "Aggregate":
        return new Set();
      case "Otherwise": return walk(x.values[x.values.length - 1]!);
      case "Binary": return new Set([...walk(x.left), ...walk(x.right)]);
      case "Arithmetic": return new Set(x.operands.flatMap((o) => [...walk(o)]));
      case "Logical": {
        const sets = x.operands.map(walk);
        // `x is missing or …x…` and `x is present and …x…`: the operand right after the test is decided for every student
        const first = x.operands[0]!;
        if (first.$type === "IsMissing" && first.operand.$type === "NameRef" && first.negated === (x.op === "and")) sets[1]!.delete(first.operand.name);
        return new Set(sets.flatMap((s) => [...s]));
      }
      case "Unary": return walk(x.operand);
      case "InList": return new Set([walk(x.value), ...x.items.map(walk)].flatMap((s) => [...s]));
      case "PercentOf": return new Set([...walk(x.percent), ...walk(x.of)]);
      case "MonthStarts": return new Set([...walk(x.from), ...walk(x.through)]);
      case "Call": return new Set(x.args.flatMap((a) => [...walk(a)]));
      case "DateShift": return new Set([...walk(x.date), ...walk(x.amount)]);
      default: return new Set();
    }
  };
  for (const f of walk(e)) out.add(f);
  return [...out];
}
