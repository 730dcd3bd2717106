/**
 * Short documentation of the language's words, for hovers and completion details.
 * The full reference is docs/language.md; these entries say the same in a line or two.
 */

import type { FunctionInfo } from "./service/protocol.ts";

export interface WordDoc {
  /** one line: what the word does */
  summary: string;
  /** a short example of it in use */
  example?: string;
}

export const KEYWORD_DOCS: Readonly<Record<string, WordDoc>> = {
  contract: { summary: "The contract: its title, an optional id and version, and every statement between the braces.", example: 'contract "Algebra pilot" version "1.0" { … }' },
  version: { summary: "Free text naming the version of a contract, amendment or template; carried into every output." },
  id: { summary: "The contract's stable identity in the settlement ledger (after the title): letters, digits, '-', '_' or '.'; chosen once, never changed.", example: 'contract "Algebra pilot" id "lakeview-brightpath-2026" version "1.0" { … }' },
  parties: { summary: "The parties: a role, the legal name in quotes, and an optional alias after `as`.", example: 'parties { district "Lakeview Unified"  provider "Bright Path" }' },
  as: { summary: "Gives a party a short name (alias) used elsewhere in the contract and in outputs.", example: 'funder "Lakeview Foundation" as philanthropy' },
  term: { summary: "The period the contract runs, both dates included. `due` dates must fall inside it.", example: "term 2026-09-01 to 2027-06-30" },
  currency: { summary: "The three-letter currency code of every amount; USD when left out.", example: "currency USD" },
  rounding: { summary: "How every computed amount is rounded, once: half up, half even, down or up, to the cent or dollar.", example: "rounding half up to the cent" },
  data: { summary: "A data set the contract reads: per student (`keyed by`), per period (`each`), or both, with typed fields.", example: "data students keyed by student_id { eoy_score: optional score }" },
  keyed: { summary: "`keyed by <column>` names the column holding the student's id (student_id when left out)." },
  each: { summary: "`each <period>` names the column holding the period, for per-period data and cohort clauses.", example: "data checkpoints each month { … }" },
  optional: { summary: "The field may be blank in the data; its value is then missing, never zero or \"no\". Clauses reading it need `if missing`." },
  metric: { summary: "Names a value computed for each student from fields and other metrics.", example: "metric growth = eoy_score - boy_score" },
  condition: { summary: "Names a yes/no value computed for each student.", example: "condition enrolled_for_testing = exit_date is missing or exit_date >= 2027-05-01" },
  eligible: { summary: "The group of eligible students, defined by a condition; clauses can pay `per eligible student`.", example: "eligible students when grade in [6, 7, 8]" },
  identified: { summary: "The group of identified students, defined by a condition; clauses can pay `per identified student`.", example: "identified students when grade in [8, 9] and boy_score < 60" },
  served: { summary: "The group of served students, defined by a condition; clauses can pay `per served student`.", example: "served students when sessions >= 10" },
  base: { summary: "A payment clause for a delivery fee, not contingent on outcomes.", example: 'base "Base" pays $670 per served student' },
  milestone: { summary: "A payment clause for a deliverable, usually with a deadline (`due`).", example: 'milestone "Dosage" due 2027-02-28 pays $300 per identified student when sessions_by_feb28 >= 30' },
  outcome: { summary: "A payment clause contingent on a student reaching a benchmark.", example: 'outcome "Algebra ready" pays $900 per identified student when eoy_score >= 70' },
  partial: { summary: "A smaller payment for a student who grows but misses the benchmark.", example: 'partial "Growth" pays $400 per identified student when not "Algebra ready" and growth >= 10' },
  bonus: { summary: "An extra payment on top of an outcome.", example: 'bonus "Advanced" pays $150 per identified student when "Proficient" and eoy_score >= 85' },
  penalty: { summary: "A reduction, written as a negative amount.", example: 'penalty "Decline" pays -$150 per identified student when growth < 0' },
  payment: { summary: "A payment clause of any other kind.", example: 'payment "Materials" pays $25 per student' },
  due: { summary: "The date a milestone must be reached by; it must fall inside the term. Runs before it say \"Not yet due\"." },
  pays: { summary: "The amount a clause pays: money, an expression of money, or tiers." },
  per: { summary: "`per [eligible | identified | served] student`: the group the clause pays for; one line per student of the group. In a data set, `per session on session_date`: one row per event, several per student, dated by a field." },
  student: { summary: "Each student of a group; `per student` pays every student in the roster." },
  students: { summary: "A data set name, or a group of students in `… students when …` and aggregates." },
  when: { summary: "The condition a clause, group, tier or level needs. A clause without `when` pays every student of its group." },
  if: { summary: "`if missing: not met | excluded` says what happens when a value the clause reads is missing." },
  missing: { summary: "A value that is blank in the data. `is missing` tests for it; `if missing:` decides a clause's outcome then." },
  present: { summary: "`x is present`: true when the value is not missing." },
  met: { summary: "`if missing: not met`: a student whose value is missing earns nothing from the clause (status \"missing\")." },
  excluded: { summary: "`if missing: excluded`: a student whose value is missing is left out of the clause (status \"excluded\")." },
  not: { summary: "Negation, three-valued: `not` of an unknown value stays unknown. `not \"Clause\"` is true when that clause is not met." },
  and: { summary: "Both conditions hold (three-valued: false wins over unknown)." },
  or: { summary: "Either condition holds (three-valued: true wins over unknown)." },
  in: { summary: "`x in [a, b]`: the value is one of the listed values.", example: "grade in [8, 9]" },
  is: { summary: "`x is missing` / `x is present`." },
  otherwise: { summary: "`x otherwise y`: x, or y when x is missing. In tiers: the line that pays when no tier above does.", example: "exit_date otherwise 2027-06-30" },
  tiers: { summary: "Tiered amounts: the first tier whose condition is true pays.", example: "pays per served student in tiers { when growth >= 10: $750  otherwise: $0 }" },
  weight: { summary: "Multiplies the listed clauses' amounts for students who meet the condition (equity multipliers).", example: 'weight 1.2 for english_learner or iep on "Algebra ready", "Growth"' },
  for: { summary: "`weight F for <condition>`; `for N consecutive checkpoints` in escalation levels." },
  on: { summary: "`on \"Clause\", …`: the clauses a weight or clause cap applies to; `settlement on <dates>`." },
  cap: { summary: "A ceiling: `per student`, `per contract` (allocated pro rata or in order), or `on \"Clause\"`.", example: "cap $1,600 per student" },
  allocated: { summary: "How a binding cap is shared: `allocated pro rata` or `allocated in order`." },
  floor: { summary: "A student's net total never falls below this amount (after the student cap).", example: "floor $0 per student" },
  funding: { summary: "Who pays each payment line: percentages of every line, and the party that pays the rest.", example: "funding { philanthropy pays 40% of every line  district pays the rest }" },
  rest: { summary: "`<party> pays the rest`: the share left after the other funding shares." },
  settlement: { summary: "The dates on which payments are settled.", example: "settlement on 2027-01-15, 2027-07-31" },
  cohort: { summary: "A cohort-level payment, computed once for the cohort or once per period of a data set.", example: 'cohort "Reach" { let reached = share of identified students where (eoy_score >= 70)  pays $25,000 when reached >= 60% }' },
  let: { summary: "A named value inside a cohort clause; later lets may use it." },
  over: { summary: "The data set a cohort clause or escalation runs over, or the group an aggregate sums over." },
  count: { summary: "`count of <group> where (…)`, `count where (…)` over a period's rows, or `count of [conditions]`." },
  share: { summary: "`share of <group> where (…)`: the fraction of the group meeting the condition (missing counts in the denominator)." },
  sum: { summary: "`sum of (expr) over <group> [where (…)]`." },
  where: { summary: "The condition of an aggregate's rows." },
  month: { summary: "`month starts from A through B`: the number of first days of a month between the two dates; `d + 1 month`: a date a calendar month later." },
  days: { summary: "`d + 90 days`: a date moved by whole days; `within N days` in duties and routines.", example: "submitted_on <= achieved_on + 90 days" },
  weeks: { summary: "`d + 2 weeks`: a date moved by whole weeks; `within N weeks` in duties and routines." },
  months: { summary: "`d + 3 months`: a date moved by calendar months (the 31st becomes the month's last day); `within N months` in duties and routines." },
  escalation: { summary: "An escalation protocol: measures reviewed at each checkpoint, and levels of response.", example: 'escalation "Attendance" over checkpoints { measure … level 1 when … { … } }' },
  measure: { summary: "A value computed from a checkpoint's row inside an escalation." },
  level: { summary: "An escalation level: its trigger condition and its actions. The highest level whose trigger holds applies." },
  consecutive: { summary: "`for N consecutive checkpoints`: the condition held at this checkpoint and the N − 1 before it." },
  within: { summary: "A deadline: `within N days | business days | weeks | months`." },
  withhold: { summary: "`withhold P% of <kind> payments [until <condition>]`: holds back part of the lines of that kind.", example: "withhold 10% of milestone payments until attendance_rate >= 75%" },
  until: { summary: "The condition that ends a withholding, checked at later checkpoints." },
  terminate: { summary: "`<party> may terminate with N days notice [after N more checkpoints]`: a right to end the contract." },
  routines: { summary: "Data-sharing and check-in obligations: who, shares/meet/reports/reviews, what, how often. Not paid.", example: 'routines { provider shares "session attendance" weekly }' },
  governance: { summary: "Committees and how the contract may be amended. Not paid.", example: 'governance { amendments "in writing" signed by district and provider }' },
  committee: { summary: "`committee \"Name\" of <parties> meets <frequency> [to \"purpose\"]`." },
  amendments: { summary: "`amendments \"form\" signed by <parties>`: how the contract may be changed." },
  track: { summary: "A metric the parties follow for learning; stated, never paid.", example: 'track "Tutor retention"' },
  amendment: { summary: "A later version: from its effective date its items replace the items of the same name; `remove`, `replace` and `rename` change what is in force. Each payment follows the version in force on its own deadline.", example: 'amendment "1.1" effective 2027-01-01 { … }' },
  remove: { summary: "Inside an amendment: takes a clause out (`remove \"Clause\"`), or a cap, the floor, an escalation, a tracked metric or a weight. A clause removed after it fell due is still paid.", example: 'remove "Dosage"' },
  replace: { summary: "Inside an amendment: puts one or several payment or cohort clauses in the place of a clause.", example: 'replace "Midyear" with { milestone "Midyear attendance" … milestone "Midyear growth" … }' },
  rename: { summary: "Inside an amendment: gives a clause a new name; weights, caps and references follow it.", example: 'rename "Ready" to "Algebra ready"' },
  effective: { summary: "The date an amendment takes effect; it must fall inside the term." },
  import: { summary: "Brings in a template from the library (`from stdlib`) or a file.", example: 'import benchmark_attainment from stdlib version "1"' },
  use: { summary: "Adds a template's items to the contract, with named arguments.", example: 'use benchmark_attainment(name: "Algebra ready", score: eoy_score, cut: 70, amount: $900)' },
  template: { summary: "A template file: parameters and the items it adds." },
  param: { summary: "A template parameter: name, type, optional default and description." },
  stdlib: { summary: "The template library that ships with OBC." },
  true: { summary: "Yes." },
  false: { summary: "No." },
};

/** Data types of fields. */
export const TYPE_DOCS: Readonly<Record<string, string>> = {
  integer: "A whole number, e.g. a grade: `8`.",
  count: "A whole number of things, never negative, e.g. sessions: `30`.",
  decimal: "A number with decimals, e.g. hours: `36.5`.",
  score: "A test score or percentile on some scale: `71`, `212.5`.",
  percent: "A percentage: `80` or `80%` (both mean 80%).",
  money: "An amount of money: `1600`, `$1,600.00`.",
  boolean: "Yes or no: `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`.",
  date: "A calendar date: `2026-10-15` or `10/15/2026`.",
  text: "A code or label: `North`.",
};

/** Usual party roles (any word is accepted). */
export const PARTY_ROLES: readonly string[] = ["district", "provider", "intermediary", "funder", "payor", "investor", "evaluator"];

/**
 * The words of aggregates of event rows (names, not keywords: a field may still be called
 * `latest`), with the snippet completion inserts.
 */
export const EVENT_WORD_DOCS: Readonly<Record<string, WordDoc & { snippet?: string }>> = {
  earliest: { summary: "`earliest of (x) over E [where (…)]`: `x` on the student's row of `E` with the earliest date (the first in the file on a tie); missing when none.", example: "earliest of (session_date) over sessions", snippet: "earliest of (${1:value}) over ${2:sessions}" },
  latest: { summary: "`latest of (x) over E [where (…)]`: `x` on the student's row of `E` with the latest date: the latest score of several attempts.", example: "latest of (score) over attempts", snippet: "latest of (${1:value}) over ${2:sessions}" },
  highest: { summary: "`highest of (x) over E [where (…)]`: the greatest `x` among the student's rows of `E`: the best score of several attempts.", example: "highest of (score) over attempts", snippet: "highest of (${1:value}) over ${2:sessions}" },
  lowest: { summary: "`lowest of (x) over E [where (…)]`: the least `x` among the student's rows of `E`.", example: "lowest of (session_duration) over sessions", snippet: "lowest of (${1:value}) over ${2:sessions}" },
  longest: { summary: "`longest run of weeks with at least N E [where (…)] [excluding H]`: the most consecutive Monday-to-Sunday weeks each holding at least `N` of the student's rows; weeks holding a date of `H` are passed over.", example: "longest run of weeks with at least 1 sessions excluding holidays", snippet: "longest run of weeks with at least ${1:1} ${2:sessions} where (${3:condition})" },
  excluding: { summary: "`… excluding holidays`: the weeks of the dates listed in a per-period data set are passed over by a run of weeks." },
};

/** Markdown for a function's docs: its use and what it gives. */
export function functionMarkdown(f: FunctionInfo): string {
  return `**${f.name}** (function): ${f.doc}\n\n\`\`\`obc\n${f.usage}\n\`\`\``;
}

/**
 * Markdown for a word's hover, or undefined for words without docs.
 * @param functions the language's functions (from the check worker's library answer)
 */
export function keywordMarkdown(word: string, functions: readonly FunctionInfo[] = []): string | undefined {
  const fn = functions.find((f) => f.name === word);
  if (fn) return functionMarkdown(fn);
  const ev = EVENT_WORD_DOCS[word];
  if (ev) return `**${word}** (aggregate of events): ${ev.summary}${ev.example ? `\n\n\`\`\`obc\n${ev.example}\n\`\`\`` : ""}`;
  const doc = KEYWORD_DOCS[word];
  if (doc) return `**${word}** (keyword): ${doc.summary}${doc.example ? `\n\n\`\`\`obc\n${doc.example}\n\`\`\`` : ""}`;
  const type = TYPE_DOCS[word];
  if (type) return `**${word}** (data type): ${type}`;
  return undefined;
}
