/**
 * The functions of the language: the one place each is declared.
 *
 * A function is called by name with its values in parentheses, `days_between(a, b)`. Each entry
 * gives its parameters (name and the kinds of value each accepts), the type of its result,
 * one line of documentation (for docs/language.md, the editor's completion and hover) and its
 * wording in the plain-English summary. The engine evaluates every function with the one
 * implementation in `engine/functions.ts`, for both deciders.
 *
 * A function's result is missing when any value it is given is missing.
 */
import type { Ty } from "./ir.ts";
import { arithmetic } from "./types.ts";

export interface FunctionParam {
  name: string;
  /** the types this parameter accepts */
  types: readonly Ty[];
  /** words for the accepted types, in messages: "a date" */
  words: string;
}

export interface FunctionSig {
  name: string;
  params: readonly FunctionParam[];
  /**
   * The type of the result; "combined" for a value of the arguments' own unit (the lesser of
   * two amounts is an amount), found by {@link resultType}.
   */
  result: Ty | "combined";
  /**
   * Whether a missing value makes the result missing whatever it is (the default), or only the
   * value chosen (`choose`: the value not chosen may be missing).
   */
  lazy?: boolean;
  /** one line: what the function gives */
  doc: string;
  /** a call written out, for messages and docs */
  usage: string;
  /** the plain-English wording, given the wording of each argument */
  english: (args: string[]) => string;
}

const DATE: FunctionParam["types"] = ["date"];

const date = (name: string): FunctionParam => ({ name, types: DATE, words: "a date" });

/** Numbers of any unit: amounts, scores, percentages, plain numbers. */
const MEASURES: FunctionParam["types"] = ["number", "integer", "count", "decimal", "score", "percent", "money"];
const measure = (name: string): FunctionParam => ({ name, types: MEASURES, words: "a number, an amount, a score or a percentage" });
const ANY: FunctionParam["types"] = [...MEASURES, "boolean", "date", "text"];

const SIGS: readonly FunctionSig[] = [
  {
    name: "days_between",
    params: [date("from"), date("to")],
    result: "integer",
    doc: "The number of days from the first date to the second (negative when the second is earlier).",
    usage: "days_between(achieved_on, submitted_on)",
    english: ([a, b]) => `the number of days from ${a} to ${b}`,
  },
  {
    name: "weeks_between",
    params: [date("from"), date("to")],
    result: "integer",
    doc: "The number of whole weeks (7 days) from the first date to the second.",
    usage: "weeks_between(first_session, last_session)",
    english: ([a, b]) => `the number of whole weeks from ${a} to ${b}`,
  },
  {
    name: "months_between",
    params: [date("from"), date("to")],
    result: "integer",
    doc: "The number of whole calendar months from the first date to the second: the most months that can be added to the first date without passing the second.",
    usage: "months_between(enrolled_on, exit_date)",
    english: ([a, b]) => `the number of whole calendar months from ${a} to ${b}`,
  },
  {
    name: "month_of",
    params: [date("date")],
    result: "text",
    doc: "The calendar month of a date, as text such as \"2026-10\" (the way per-month data names its months).",
    usage: "month_of(submitted_on)",
    english: ([a]) => `the calendar month of ${a}`,
  },
  {
    name: "quarter_of",
    params: [date("date")],
    result: "text",
    doc: "The calendar quarter of a date, as text such as \"2026-Q4\" (January to March is Q1).",
    usage: "quarter_of(submitted_on)",
    english: ([a]) => `the calendar quarter of ${a}`,
  },
  {
    name: "year_of",
    params: [date("date")],
    result: "integer",
    doc: "The calendar year of a date.",
    usage: "year_of(submitted_on)",
    english: ([a]) => `the calendar year of ${a}`,
  },
  {
    name: "min",
    params: [measure("a"), measure("b")],
    result: "combined",
    doc: "The lesser of two values of the same unit (two amounts, two scores, two numbers).",
    usage: "min($50 * sessions, $1,200)",
    english: ([a, b]) => `the lesser of ${a} and ${b}`,
  },
  {
    name: "max",
    params: [measure("a"), measure("b")],
    result: "combined",
    doc: "The greater of two values of the same unit (two amounts, two scores, two numbers).",
    usage: "max(eoy_score - boy_score, 0)",
    english: ([a, b]) => `the greater of ${a} and ${b}`,
  },
  {
    name: "abs",
    params: [measure("value")],
    result: "combined",
    doc: "The absolute value: the value without its sign (a loss of 5 points and a gain of 5 are both 5).",
    usage: "abs(eoy_score - target_score)",
    english: ([a]) => `the absolute value of ${a}`,
  },
  {
    name: "choose",
    params: [{ name: "condition", types: ["boolean"], words: "a condition" }, { name: "then", types: ANY, words: "a value" }, { name: "otherwise", types: ANY, words: "a value" }],
    result: "combined",
    lazy: true,
    doc: "The second value when the condition holds, the third when it does not; missing when the condition is missing (the value not chosen may be missing).",
    usage: "choose(english_learner, $600, $500)",
    english: ([c, a, b]) => `${a} if ${c}, and otherwise ${b}`,
  },
];

/**
 * The type of a call's result given its arguments' types (all accepted by the parameters), or
 * undefined when they do not combine: `min` of an amount and a score.
 */
export function resultType(f: FunctionSig, args: readonly Ty[]): Ty | undefined {
  if (f.result !== "combined") return f.result;
  // choose: the two values, of one type (or of units that add up, as a score and a number)
  const values = f.name === "choose" ? args.slice(1) : args;
  if (values.length === 1) return values[0];
  const [a, b] = values as [Ty, Ty];
  if (a === b) return a;
  return arithmetic("-", a, b);
}

/** Every function, by name, in the order the docs list them. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSig> = new Map(SIGS.map((f) => [f.name, f]));

/** Words for a number of values: "two dates", "one date". */
export function paramsWords(f: FunctionSig): string {
  const n = f.params.length;
  const count = ["no values", "one value", "two values", "three values"][n] ?? `${n} values`;
  return f.params.every((p) => p.words === "a date") ? count.replace("value", "date") : count;
}
