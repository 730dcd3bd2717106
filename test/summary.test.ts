/**
 * The plain-language summary and the cohort analysis.
 *
 * - Hand-checked analysis figures for the algebra pilot, Duval, Denver, the growth guarantee
 *   and the Utah savings share.
 * - Completeness: every item of every example, and of a fixture contract that uses every
 *   construct of the language (every `$type` of the `Item` and `Expr` unions), is rendered:
 *   its source span is in the summary's source map, and every expression kind reads as English.
 * - Goldens: `examples/<dir>/expected/<stem>.summary.md` and `.summary.html`, compared exactly
 *   (`UPDATE_GOLDEN=1 npx vitest run test/summary.test.ts` rewrites them).
 * - The .docx is read back (a small zip reader over node:zlib) and checked for its headings,
 *   numbered lists, the key-terms table and every clause name.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type * as A from "../language/ast.ts";
import { itemKey, removeKey } from "../language/check/amend.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { compileSource } from "../language/driver.ts";
import { renderText } from "../language/diagnostics/render.ts";
import { parse } from "../language/syntax/parse.ts";
import type { Resolver } from "../language/templates/expand.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import {
  analyzeContract, buildWorkedExamples, exprText, plainText, sourceMap, summarize, summarizeContract, toDocx, toHtml, toMarkdown,
  type Section, type SummaryDoc,
} from "../engine/summary/index.ts";
import { conditionText, valueText } from "../engine/summary/english.ts";
import { diffContracts } from "../engine/diff/index.ts";

const update = process.env["UPDATE_GOLDEN"] === "1";

function compile(source: string, resolver?: Resolver): ContractIR {
  const c = compileSource(source, resolver ? { resolver } : {});
  if (!c.ok || !c.ir) throw new Error(renderText(c.diagnostics, source, "test.obc"));
  return c.ir;
}

const load = (path: string) => {
  const source = readFileSync(path, "utf8");
  return { source, ir: compile(source, nodeResolver(path)) };
};

/** Every contract of every example directory. */
function exampleContracts(): { dir: string; path: string; stem: string }[] {
  const out: { dir: string; path: string; stem: string }[] = [];
  for (const d of readdirSync("examples").sort()) {
    const dir = join("examples", d);
    for (const f of readdirSync(dir).sort().filter((x) => x.endsWith(".obc"))) out.push({ dir, path: join(dir, f), stem: basename(f, ".obc") });
  }
  return out;
}

// ───────────────────────────── the fixture: every construct ─────────────────────────────

const TEMPLATE = `template attainment version "1.0" {
  param name: text = "Attainment" "the clause's name"
  param score: field "the score"
  param cut: score "the cut"
  param amount: money "the payment"
  param group: population = identified "the group"
  outcome name pays amount per group student
    when score >= cut
    if missing: not met
}`;

const LOCAL = `template kickoff version "1" {
  param amount: money "the payment"
  milestone "Kickoff" due 2026-10-31 pays amount per eligible student
    when sessions >= 4 and not (school = "Annex")
}`;

const resolver: Resolver = {
  stdlibVersion: "1.0",
  stdlibNames: () => ["attainment"],
  stdlib: (name) => (name === "attainment" ? { key: "stdlib:attainment", label: "stdlib/templates/attainment.obc", text: TEMPLATE } : undefined),
  relative: (path) => (path === "./kickoff.obc" ? { key: "kickoff.obc", label: "kickoff.obc", text: LOCAL } : undefined),
};

const FIXTURE = `// A contract that uses every construct of the language.
contract "Every construct" version "2.0" {
  import attainment from stdlib version "1"
  import kickoff from "./kickoff.obc"

  parties {
    district "Harbor City Schools"
    provider "Tutors United"
    intermediary "Outcomes Office"
    funder "Harbor Foundation" as foundation
    evaluator "Independent Evaluator"
  }
  term 2026-09-01 to 2027-06-30
  currency USD
  rounding half even to the cent

  data students keyed by student_id {
    grade: integer
    school: text
    english_learner: boolean
    sessions: count
    boy_score: score
    eoy_score: optional score
    attendance_pct: percent
    course_price: money
    exit_date: optional date
  }

  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }

  data terms keyed by student_id each term_name {
    passed: boolean
  }

  data visits keyed by student_id per visit on visit_date {
    visit_date: date
    minutes: count
    topic: text
  }

  data holidays each holiday_date { }

  metric growth = eoy_score - boy_score
  metric months_in = month starts from 2026-09-01 through exit_date otherwise 2027-06-30
  metric signals = count of [eoy_score >= 70, attendance_pct >= 90%, growth >= 10]
  condition stayed = exit_date is missing or exit_date >= 2027-05-01
  condition on_roster = exit_date is present or true
  metric days_in = days_between(2026-09-01, exit_date otherwise 2027-06-30)
  metric capped_gain = min(abs(eoy_score - boy_score), max(growth, 5))
  metric bonus_rate = choose(english_learner, $12, $10)
  metric reading_visits = count of visits where (topic = "ela" and minutes >= 25)
  metric visit_minutes = sum of (minutes) over visits
  metric steady_weeks = count of weeks with at least 2 visits
  metric streak = longest run of weeks with at least 1 visits where (minutes >= 25) excluding holidays
  metric first_visit = earliest of (visit_date) over visits
  metric longest_visit = highest of (minutes) over visits where (topic = "math")
  condition left_early = exit_date + 30 days < 2027-06-30

  eligible students when grade in [6, 7, 8] and school not in ["Closed Campus"]
  served students when sessions >= 20 and stayed

  base "Base" pays $500 * months_in / 10 per eligible student
  use kickoff(amount: $100)
  use attainment(name: "Proficient", score: eoy_score, cut: 75, amount: $800, group: served)
  partial "Progress" pays per served student in tiers {
    when growth >= 15: $400
    when growth >= 8: $200
    otherwise: $0
  }
    when not "Proficient"
    if missing: excluded
  bonus "Signals" pays $50 * signals per served student when "Proficient" and english_learner = true
  penalty "Decline" pays -$100 per served student when growth < -5
    if missing: not met
  payment "Course" pays 20% of course_price per eligible student when on_roster
  milestone "Midyear check" due 2027-02-15 pays $50 per served student when sessions >= 10
  penalty "Late exit" pays -($25 * 2) per eligible student when exit_date < 2026-12-01
    if missing: not met

  weight 1.5 for english_learner on "Proficient", "Progress"
  weight 0.5 for not english_learner and grade = 6 on "Course"

  cap $2,000 per student, allocated in order
  cap $10,000 on "Kickoff"
  cap $900,000 per contract, allocated pro rata
  floor $0 per student

  funding {
    foundation pays 25% of every line, rounded down to the cent
    district pays the rest
  }
  settlement on 2027-01-15, 2027-07-31

  cohort "Reach bonus" due 2027-06-30 {
    let reached = share of served students where (eoy_score >= 80)
    let ready = count of served students where (eoy_score is present and eoy_score >= 75)
    let hours = sum of (sessions) over eligible students where (english_learner)
    let enrolled = count of students
    pays $10,000 when reached >= 50% and enrolled >= 10
  }
  cohort "Term completion" over terms {
    let completers = count where (passed)
    let share_passed = share where (passed)
    pays $100 * completers when share_passed > 25%
  }

  escalation "Attendance" over checkpoints {
    measure rate = sessions_attended / sessions_scheduled
    level 1 when rate < 80% {
      intermediary "sends a written notice" within 5 business days
    }
    level 2 when rate < 80% for 2 consecutive checkpoints {
      district and provider "meet to agree an improvement plan" within 2 weeks
      withhold 5% of all payments
    }
    level 3 when rate < 60% for 3 consecutive checkpoints {
      withhold 20% of outcome payments until rate >= 80%
      district may terminate with 60 days notice
    }
  }

  routines {
    provider shares "session logs" weekly
    district shares "test results" within 10 days of "each testing window"
    district and provider meet "a progress review" monthly
    intermediary reports "progress to the committee" quarterly
    evaluator reviews "the outcome data" annually
  }

  governance {
    committee "Oversight board" of district, provider, intermediary and foundation meets quarterly to "review progress"
    amendments "in writing" signed by district, provider and foundation
  }

  track "Family engagement" "share of families attending a conference"
  track "Tutor retention"

  amendment "2.1" effective 2027-01-01 {
    cap $2,100 per student, allocated in order
    outcome "Proficient" pays $850 per served student when eoy_score >= 75
      if missing: not met
    replace "Midyear check" with {
      milestone "Midyear attendance" due 2027-02-15 pays $40 per served student when sessions >= 12
      milestone "Midyear growth" due 2027-02-15 pays $40 per served student when boy_score >= 50
    }
    rename "Course" to "Course fees"
    remove track "Tutor retention"
  }
}
`;

/** Every `$type` of the Item and Expr unions: a missing key is a compile error. */
const ITEM_KINDS: Record<A.Item["$type"], true> = {
  ImportDecl: true, UseDecl: true, AmendmentDecl: true, RemoveItem: true, ReplaceItem: true, RenameItem: true, PartiesDecl: true, TermDecl: true, CurrencyDecl: true, RoundingDecl: true,
  DataDecl: true, MetricDecl: true, PopulationDecl: true, PaymentClause: true, CohortClause: true, WeightDecl: true, CapDecl: true,
  FloorDecl: true, FundingDecl: true, SettlementDecl: true, EscalationDecl: true, RoutinesDecl: true, GovernanceDecl: true, TrackDecl: true,
};
const EXPR_KINDS: Record<A.Expr["$type"], true> = {
  NumberLit: true, MoneyLit: true, PercentLit: true, DateLit: true, StringLit: true, BoolLit: true, NameRef: true, ClauseRef: true,
  Binary: true, Logical: true, Arithmetic: true, Unary: true, InList: true, IsMissing: true, Otherwise: true, PercentOf: true, MonthStarts: true, CountMet: true, Aggregate: true, Call: true, DateShift: true, EventAggregate: true,
};

/** Every node with a `$type` below `root`, in source order. */
function nodes(root: unknown): { $type: string; span: A.Span }[] {
  const out: { $type: string; span: A.Span }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== "object") return;
    const r = x as Record<string, unknown>;
    if (typeof r["$type"] === "string" && r["span"]) out.push(r as unknown as { $type: string; span: A.Span });
    for (const [k, v] of Object.entries(r)) if (k !== "span") walk(v);
  };
  walk(root);
  return out;
}

/** The items whose source span the summary must map, with the nested declarations they hold. */
function declarations(ir: ContractIR, source: string): { what: string; span: A.Span }[] {
  const out: { what: string; span: A.Span }[] = [];
  const add = (what: string, span: A.Span) => out.push({ what, span });
  // an item an amendment takes out is said where the amendment takes it out (checked below)
  const takenOut = new Set(ir.amendments.flatMap((a) => a.decl.items.flatMap((x) => (x.$type === "RemoveItem" ? [removeKey(x)] : x.$type === "ReplaceItem" ? [`clause:${x.name.value}`] : []))));
  for (const item of ir.ast.items) {
    if (takenOut.has(itemKey(item) ?? "")) continue;
    add(item.$type, item.span);
    switch (item.$type) {
      case "PartiesDecl": item.parties.forEach((p) => add(`party ${p.name.value}`, p.span)); break;
      case "DataDecl": item.fields.forEach((f) => add(`field ${f.name.name}`, f.span)); break;
      case "PaymentClause":
        if (item.amount.$type === "TieredAmount") item.amount.tiers.forEach((t, i) => add(`tier ${i + 1} of ${item.name.value}`, t.span));
        if (item.missing) add(`missing rule of ${item.name.value}`, item.missing.span);
        break;
      case "CohortClause": item.lets.forEach((l) => add(`let ${l.name.name}`, l.span)); break;
      case "FundingDecl": item.shares.forEach((s) => add(`share of ${s.party.name}`, s.span)); break;
      case "EscalationDecl":
        item.measures.forEach((m) => add(`measure ${m.name.name}`, m.span));
        item.levels.forEach((l) => add(`level ${l.level.value}`, l.span));
        break;
      case "RoutinesDecl": item.routines.forEach((r) => add(`routine ${r.what.value}`, r.span)); break;
      case "GovernanceDecl": item.items.forEach((g) => add(g.$type, g.span)); break;
      default: break;
    }
  }
  for (const a of ir.amendments) {
    add("AmendmentDecl", a.decl.span);
    for (const x of a.decl.items) if (x.$type === "RemoveItem" || x.$type === "ReplaceItem" || x.$type === "RenameItem") add(x.$type, x.span);
  }
  // imports and uses are expanded away in the IR: take them from the text
  for (const item of parse(source).value.contract?.items ?? []) {
    if (item.$type === "ImportDecl" || item.$type === "UseDecl") add(item.$type, item.span);
  }
  return out;
}

function expectMapped(doc: SummaryDoc, ir: ContractIR, source: string): void {
  const map = sourceMap(doc);
  const spans = new Set(map.map((e) => `${e.start}:${e.end}`));
  const missing = declarations(ir, source).filter((d) => !spans.has(`${d.span.start}:${d.span.end}`)).map((d) => d.what);
  expect(missing, "declarations without a sentence in the summary").toEqual([]);
  // escalation actions sit inside a level's row: some mapped text covers each of them
  for (const e of ir.escalations) {
    for (const l of e.decl.levels) {
      for (const a of l.actions) {
        expect(map.some((m) => m.start <= a.span.start && m.end >= a.span.end), `action at ${a.span.start}`).toBe(true);
      }
    }
  }
}

// ───────────────────────────── tests ─────────────────────────────

describe("analysis for a cohort (hand-checked)", () => {
  it("algebra pilot: $1,580.00 per student, 68.35% contingent, the caps", () => {
    const { ir } = load("examples/03-algebra-pilot/contract.obc");
    const a = analyzeContract(ir, { cohortSize: 100 });
    // $200 Onboarded + $300 Dosage + $900 × 1.2 Algebra ready; Growth is never paid with Algebra ready
    expect(a.perStudent.max).toBe("1580.00");
    expect(a.perStudent.uncappedMax).toBe("1580.00");
    expect(a.perStudent.min).toBe("0.00");
    expect(a.perStudent.maxClauses).toEqual(["onboarded", "dosage", "algebra_ready"]);
    expect(a.perStudent.sumOfClauseMaxima).toBe("2060.00");
    expect(a.perStudent.exclusive).toEqual([["algebra_ready", "growth"]]);
    // contingent: the outcome payment in the maximum, $1,080 of $1,580 = 68.354…%
    expect(a.contingent).toEqual({ amount: "1080.00", share: "68.35%", clauses: ["algebra_ready"] });
    expect(a.cohort.largestTotal).toBe("158000.00");
    expect(a.cohort.smallestTotal).toBe("0.00");
    // $1,600 is below the $2,060 of every clause, but the clauses that can pay together reach only $1,580
    expect(a.caps.student).toEqual({ amount: "1600.00", allocation: "pro-rata", canBind: false, belowSumOfClauseMaxima: true });
    // $500,000 ÷ $1,580 = 316.46…: the cap binds from 317 students
    expect(a.caps.contract).toEqual({ amount: "500000.00", allocation: "pro-rata", canBind: false, bindsFromCohortSize: 317 });
    const big = analyzeContract(ir, { cohortSize: 400 });
    expect(big.cohort.largestUncapped).toBe("632000.00");
    expect(big.cohort.largestTotal).toBe("500000.00");
    expect(big.caps.contract?.canBind).toBe(true);
  });

  it("Duval: $1,420.00 per student, 52.82% contingent, the student cap equal to the maximum", () => {
    const { ir } = load("examples/01-duval-2022/contract.obc");
    const a = analyzeContract(ir, { cohortSize: 1000 });
    // $670 base + $750 top tier; contingent $750 ÷ $1,420 = 52.816…%
    expect(a.perStudent.max).toBe("1420.00");
    expect(a.contingent).toEqual({ amount: "750.00", share: "52.82%", clauses: ["outcome"] });
    expect(a.caps.student?.canBind).toBe(false);
    // $1,200,000 ÷ $1,420 = 845.07…: binds from 846 students, so for 1,000 students it binds
    expect(a.caps.contract?.bindsFromCohortSize).toBe(846);
    expect(a.cohort.largestUncapped).toBe("1420000.00");
    expect(a.cohort.largestTotal).toBe("1200000.00");
  });

  it("Denver: the prorated base has no stated upper bound; the contract cap is the exposure", () => {
    const { ir } = load("examples/02-denver-2022/contract.obc");
    const a = analyzeContract(ir, { cohortSize: 100 });
    expect(a.perStudent.max).toBeNull();
    expect(a.contingent.share).toBeNull();
    expect(a.cohort.largestTotal).toBe("1200000.00");
    expect(a.caps.contract?.canBind).toBe(true);
  });

  it("the growth guarantee is wholly contingent; the Utah savings share is per period", () => {
    const g = analyzeContract(load("examples/04-studient-guarantee/reading-a.obc").ir, { cohortSize: 50 });
    expect([g.perStudent.max, g.contingent.share, g.cohort.largestTotal]).toEqual(["400.00", "100.00%", "20000.00"]);
    const u = analyzeContract(load("examples/05-utah-preschool-sib/contract.obc").ir, { cohortSize: 100 });
    // 95% × 100 children × $2,600 in one school year
    expect(u.cohort.cohortClauses).toEqual([{ clause: "savings_share", name: "Savings share", perPeriod: true, min: "0.00", max: "247000.00" }]);
    expect(u.cohort.largestTotal).toBeNull();
    // plain JSON
    expect(JSON.parse(JSON.stringify(u))).toEqual(u);
  });
});

describe("every construct is rendered", () => {
  const ir = compile(FIXTURE, resolver);

  it("the fixture uses every kind of item and expression", () => {
    const kinds = new Set(nodes(parse(FIXTURE).value.contract).map((n) => n.$type));
    expect(Object.keys(ITEM_KINDS).filter((k) => !kinds.has(k))).toEqual([]);
    expect(Object.keys(EXPR_KINDS).filter((k) => !kinds.has(k))).toEqual([]);
  });

  it("every item of the fixture has a sentence in the source map", async () => {
    const doc = await summarizeContract(ir, FIXTURE, { cohortSize: 100 });
    expectMapped(doc, ir, FIXTURE);
    const rendered = new Set(declarations(ir, FIXTURE).map((d) => d.what).filter((w) => w in ITEM_KINDS));
    expect(Object.keys(ITEM_KINDS).filter((k) => !rendered.has(k))).toEqual([]);
  });

  it("every expression reads as English, never as code", () => {
    const exprs = nodes(ir.ast).filter((n) => n.$type in EXPR_KINDS) as unknown as A.Expr[];
    const seen = new Set<string>();
    for (const co of ir.cohorts) {
      const locals = new Map(co.decl.lets.map((l) => [l.name.name, l]));
      const rowFields = co.over ? new Map(co.over.fields.map((f) => [f.name, f])) : undefined;
      for (const l of co.decl.lets) {
        const text = valueText(l.expr, { ir, locals, ...(rowFields ? { rowFields, rows: { plural: "students", period: "term name" } } : {}) });
        expect(text).not.toMatch(/>=|<=|!=|\(value\)|undefined/);
      }
    }
    for (const e of exprs) {
      seen.add(e.$type);
      const text = exprText(e, { ir });
      expect(text.length, e.$type).toBeGreaterThan(0);
      expect(text, e.$type).not.toMatch(/>=|<=|!=|==|\(value\)|undefined|\[object/);
    }
    expect(Object.keys(EXPR_KINDS).filter((k) => !seen.has(k))).toEqual([]);
  });

  it("each kind of expression has its wording", async () => {
    const md = toMarkdown(summarize(ir, FIXTURE, { cohortSize: 100 }));
    const text = md.replace(/\\/g, "").replace(/\*\*/g, "");
    for (const phrase of [
      "“Growth” means the end-of-year score (eoy_score) minus the beginning-of-year score (boy_score).", // Binary, NameRef
      "It is missing when the end-of-year score (eoy_score) is missing.",
      "“Months in” means the number of months whose first day falls from 1 September 2026 through the exit date (exit_date) (or through 30 June 2027 if it is missing), both included.", // MonthStarts, Otherwise, DateLit
      "the number of the following that are met: (i) the end-of-year score (eoy_score) is at least 70; (ii) the attendance percentage (attendance_pct) is at least 90%", // CountMet, PercentLit
      "“Stayed” means that the exit date (exit_date) is missing or on or after 1 May 2027.", // IsMissing
      "means a student in grade 6, 7 or 8 whose school is not “Closed Campus”.", // InList, StringLit
      "a base payment of $500.00 × Months in ÷ 10 is payable", // MoneyLit, NumberLit
      "the school is not “Annex”", // Unary not
      "when the student does not qualify for “Proficient”", // ClauseRef
      "a payment of 20% of the course price (course_price) is payable", // PercentOf
      "a penalty of $100.00 is deducted from the student's total when Growth is below -5", // Unary minus
      "“Reached” means the share of Served Students for whom the end-of-year score (eoy_score) is at least 80", // Aggregate share
      "“Ready” means the number of Served Students for whom the end-of-year score (eoy_score) is present and at least 75",
      "“Hours” means the total of the number of sessions (sessions) over the Eligible Students for whom the student is an English learner (english_learner)",
      "“Enrolled” means the number of students",
      "“Completers” means the number of students recorded for the term name for whom passed is yes",
      "means that the exit date (exit_date) is present or in every case", // BoolLit
      "“Days in” means the number of days from 1 September 2026 to (the exit date (exit_date), or 30 June 2027 if it is missing).", // Call
      "“Capped Gain” means the lesser of (the absolute value of (the end-of-year score (eoy_score) minus the beginning-of-year score (boy_score))) and (the greater of Growth and 5).", // Call
      "“Bonus Rate” means $12.00 if the English learner (english_learner), and otherwise $10.00.",
      "“Reading Visits” means the number of the student's rows in the visits data for which the topic is “ela” and the minutes is at least 25.", // EventAggregate
      "“Steady Weeks” means the number of calendar weeks (Monday to Sunday, by visit date) holding at least 2 of the student's rows in the visits data.",
      "“Streak” means the greatest number of consecutive calendar weeks (Monday to Sunday, by visit date) each holding at least 1 of the student's rows in the visits data for which the minutes is at least 25, a week holding a date listed in the holidays data being passed over (it neither counts nor breaks the run).",
      "The visits data has one row per visit, several for a student, identified by student_id and dated by visit_date.",
      "“Left Early” means that 30 days after the exit date (exit_date) is before 30 June 2027.", // DateShift
      "in the amount of the first of the following tiers that applies:",
      "- (a) if Growth is at least 15: $400.00;",
      "- (c) otherwise: $0.00.",
      "If the end-of-year score (eoy_score) is missing, the student is excluded from this payment and it is not made.",
      "If the end-of-year score (eoy_score) is missing, the payment is not made: the student counts as not meeting the condition.",
      "Its deadline, 31 October 2026, is the date from which it is payable: it is not payable before then, and it is not a deadline for the student's performance: the condition does not say by when it must be met, so a student who meets it after 31 October 2026 is paid too.",
      "If the student is an English learner (english_learner), the “Proficient” and “Progress” payments are multiplied by 1.5.",
      "they are kept in the order in which their clauses appear in this contract and the later ones are reduced first",
      "ties to the lower student ID",
      "No student with at least one payment line has a total below $0.00",
      "is rounded half even to the cent",
      "The Funder pays 25% of every payment line, rounded down to the cent.",
      "The District pays the rest",
      "Payments are settled on 15 January 2027 and 31 July 2027.",
      "| 2 | Rate is below 80% at 2 consecutive checkpoints | The District and the Provider meet to agree an improvement plan within 2 weeks | 5% of all payments are withheld until the end of the contract | none |",
      "The District may terminate the contract with 60 days' notice at a checkpoint where this level applies",
      "The Evaluator reviews the outcome data every year.",
      "The District shares test results within 10 days of each testing window.",
      "A committee, the “Oversight board”, made up of the District, the Provider, the Intermediary and the Funder, meets every quarter to review progress.",
      "This contract may be amended only in writing, signed by the District, the Provider and the Funder.",
      "Family engagement: share of families attending a conference.",
      "This contract imports the template attainment from the standard template library, version 1.",
      "This contract imports the template kickoff from the file “./kickoff.obc”.",
      "it adds the outcome payment “Proficient”",
      "Amendment “2.1” takes effect on 1 January 2027.",
      "The cap per student rises from $2,000.00 to $2,100.00.",
      "The 'Proficient' payment rises from $800.00 to $850.00 per student.",
    ]) {
      expect(text, phrase).toContain(phrase);
    }
  });

  it("defined terms of the examples are used, and every example clause is rendered", () => {
    for (const ex of exampleContracts()) {
      const { ir, source } = load(ex.path);
      const doc = summarize(ir, source, { cohortSize: 100 });
      expectMapped(doc, ir, source);
      const text = plainText(doc);
      // a cohort clause may compute a value it does not pay on; every other defined term is used
      const lets = new Set(ir.cohorts.flatMap((co) => co.decl.lets.map((l) => l.span.start)));
      for (const t of doc.terms.filter((x) => !lets.has(x.span.start))) {
        expect(text.split(t.term).length - 1, `${ex.path}: “${t.term}” is defined and used`).toBeGreaterThanOrEqual(2);
      }
      for (const c of ir.clauses) expect(text).toContain(`“${c.name}” (`);
    }
  });
});

describe("the worked examples", () => {
  it("algebra pilot: one student earns the most, one only the milestones, one the partial payment, one has no score", async () => {
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    const ex = (await buildWorkedExamples(ir, source))!;
    const byTitle = Object.fromEntries(ex.students.map((s) => [s.title, s.result.total]));
    expect(byTitle).toEqual({
      "a student who earns the most": "1580.00",
      "a student who earns only the milestones": "500.00",
      "a student who earns the partial payment “Growth”": "980.00",
      "a student whose end-of-year score (eoy_score) is missing": "500.00",
      "a student who is not an Identified Student": "0.00",
    });
    // the checkpoints climb to level 3, give the termination right, and recover
    expect(ex.escalations[0]!.checkpoints.map((c) => c.level)).toEqual([0, 1, 2, 2, 2, 3, 3, 3, 0]);
    expect(ex.escalations[0]!.checkpoints.map((c) => c.terminationRight)).toEqual([false, false, false, false, false, false, false, true, false]);
    // deterministic
    expect(JSON.stringify(await buildWorkedExamples(ir, source))).toBe(JSON.stringify(ex));
  });

  it("Utah: the savings share for each school year of made-up children", async () => {
    const { ir, source } = load("examples/05-utah-preschool-sib/contract.obc");
    const ex = (await buildWorkedExamples(ir, source))!;
    expect(ex.students).toEqual([]);
    expect(ex.cohorts.map((c) => [c.period, c.values["avoided"], c.paid])).toEqual([
      ["2026-27", "1", "2470.00"],
      ["2027-28", "1", "2470.00"],
    ]);
  });
});

function golden(path: string, actual: string): void {
  if (update || !existsSync(path)) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, actual);
    if (!update) throw new Error(`golden file ${path} was missing and has been written: review it and run again`);
    return;
  }
  expect(actual, `${path} differs: review, then UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(path, "utf8"));
}

/** `word/document.xml` of a .docx: a small zip reader (central directory, stored or deflated). */
function documentXml(zip: Uint8Array): string {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    if (name === "word/document.xml") {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 0 ? data : inflateRawSync(data)).toString("utf8");
    }
    at += 46 + nameLen + extra + comment;
  }
  throw new Error("no word/document.xml");
}

const unescapeXml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

describe("golden summaries of the examples", () => {
  for (const ex of exampleContracts()) {
    it(`${ex.path}: Markdown and HTML match the goldens; the Word file reads back`, async () => {
      const { ir, source } = load(ex.path);
      const doc = await summarizeContract(ir, source, { cohortSize: 100 });
      const md = toMarkdown(doc);
      const html = toHtml(doc);
      golden(join(ex.dir, "expected", `${ex.stem}.summary.md`), md);
      golden(join(ex.dir, "expected", `${ex.stem}.summary.html`), html);
      expect(html).not.toMatch(/<script/i);
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      // every source range points into the contract
      for (const e of sourceMap(doc)) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeLessThanOrEqual(source.length);
        expect(e.end).toBeGreaterThanOrEqual(e.start);
      }
      const xml = documentXml(await toDocx(doc));
      const text = unescapeXml(xml.replace(/<\/w:p>/g, "\n").replace(/<w:instrText[^>]*>[^<]*<\/w:instrText>/g, "").replace(/<[^>]+>/g, ""));
      expect(xml).toContain(`w:val="Heading1"`);
      expect(xml).toContain(`w:val="Title"`);
      expect(xml).toContain("<w:tbl>");
      // Word numbers the headings itself: the text of each heading is its title alone
      const headings = [...xml.matchAll(/<w:pStyle w:val="(Heading\d|ScheduleHeading)"\/>.*?<\/w:p>/g)].map((m) => unescapeXml(m[0].replace(/<[^>]+>/g, "")));
      const titles = (ss: Section[]): string[] => ss.flatMap((x) => [x.title, ...titles(x.sections)]);
      expect(headings).toEqual(titles(doc.sections));
      expect(text).toContain("How it is determined");
      for (const c of ir.clauses) expect(text).toContain(`“${c.name}”`);
      for (const c of ir.cohorts) expect(text).toContain(`“${c.name}”`);
      if (ir.clauses.some((c) => c.decl.amount.$type === "TieredAmount") || doc.sections.some((s) => s.blocks.some((b) => b.type === "list" && b.style !== "bullets"))) {
        expect(xml).toContain("<w:numPr>");
      }
    });
  }

  it("the algebra pilot's Word file has the key-terms cells and the clause headings", async () => {
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    const xml = documentXml(await toDocx(summarize(ir, source, { cohortSize: 100 })));
    const text = unescapeXml(xml.replace(/<[^>]+>/g, "|"));
    for (const cell of ["Price per student (maximum)", "$1,580.00", "Share at risk (contingent share)", "68.35%", "Maximum exposure for a cohort of 100 students", "$158,000.00", "Cap per student", "$1,600.00", "Funding split", "Funder 40% and District the rest"]) {
      expect(text).toContain(`|${cell}|`);
    }
    // the clause headings, numbered by Word (Heading 2 under the payments' Heading 1)
    for (const h of ["“Onboarded” (milestone payment)", "“Dosage” (milestone payment)", "“Algebra ready” (outcome payment)", "“Growth” (partial payment)"]) {
      expect(xml).toMatch(new RegExp(`<w:pStyle w:val="Heading2"/></w:pPr><w:bookmarkStart w:id="\\d+" w:name="_Ref_obc_6_\\d"/><w:r><w:t xml:space="preserve">${h.replace(/[()]/g, "\\$&")}</w:t>`));
    }
    expect(xml).toMatch(/<w:pStyle w:val="Heading1"\/><\/w:pPr><w:bookmarkStart w:id="\d+" w:name="_Ref_obc_11"\/><w:r><w:t xml:space="preserve">Escalation protocol</);
    // "section 7" in the text is a cross-reference to the heading it names
    expect(xml).toContain(`<w:instrText xml:space="preserve"> REF _Ref_obc_7 \\w \\h </w:instrText>`);
  });
});

describe("the summary's text", () => {
  it("algebra pilot: the clauses read as the contract", () => {
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    const doc = summarize(ir, source, { cohortSize: 100 });
    const sentences = sourceMap(doc).map((e) => e.sentence);
    const clause = ir.clauses.find((c) => c.name === "Algebra ready")!;
    const mapped = sourceMap(doc).find((e) => e.sentence.startsWith("For each Identified Student, an outcome payment of $900.00"))!;
    expect([mapped.start, mapped.end]).toEqual([clause.decl.span.start, clause.decl.span.end]);
    expect(sentences).toEqual(expect.arrayContaining([
      "“Identified Student” means a student in grade 8 or 9 whose beginning-of-year score (boy_score) is below 60.",
      "For each Identified Student, a milestone payment of $200.00 is payable when the diagnostic date (diagnostic_date) is on or before 15 October 2026 and the first session date (first_session_date) is on or before 15 October 2026.",
      "For each Identified Student, an outcome payment of $900.00 is payable when the student is Enrolled for Testing and the end-of-year score (eoy_score) is at least 70.",
      "“Enrolled for Testing” means that the exit date (exit_date) is missing or on or after 1 May 2027.",
      "If the end-of-year score (eoy_score) is missing, the payment is not made: the student counts as not meeting the condition.",
      "This payment and “Algebra ready” are never both paid for the same student.",
      "The Funder pays 40% of every payment line, rounded half up to the cent.",
      "The most one student can earn is $1,580.00, so this cap cannot bind.",
    ]));
    expect(conditionText(clause.decl.condition!, { ir })).toBe("the student is Enrolled for Testing and the end-of-year score (eoy_score) is at least 70");
  });

  it("the growth guarantee: more than 60 against at least 60, below 30% against at most 30%", () => {
    const a = load("examples/04-studient-guarantee/reading-a.obc");
    const b = load("examples/04-studient-guarantee/reading-b.obc");
    expect(conditionText(a.ir.clauses[0]!.decl.condition!, { ir: a.ir })).toBe(
      "the fall to spring CGP (fall_to_spring_cgp) is more than 60, the engaged minutes per day (engaged_minutes_per_day) is at least 35 and the unproductive time percentage (unproductive_time_pct) is below 30%",
    );
    expect(conditionText(b.ir.clauses[0]!.decl.condition!, { ir: b.ir })).toBe(
      "the fall to spring CGP (fall_to_spring_cgp) is at least 60 and the unproductive time percentage (unproductive_time_pct) is at most 30%",
    );
  });

  it("HTML escapes everything it prints and carries no script", () => {
    const src = `contract "Fees <script>alert('x')</script> & \\"more\\"" {
  parties { district "A & B <District>"  provider "P" }
  data students { score: score }
  outcome "Ready <b>" pays $10 per student when score >= 1
}`;
    const ir = compile(src);
    const html = toHtml(summarize(ir, src));
    expect(html).not.toMatch(/<script|<b>|<District>/);
    expect(html).toContain("Fees &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;");
    expect(html).toContain("A &amp; B &lt;District&gt;");
    const md = toMarkdown(summarize(ir, src));
    expect(md).toContain("Ready \\<b\\>");
  });

  it("the source map is plain JSON of sentences and ranges", () => {
    const { ir, source } = load("examples/01-duval-2022/contract.obc");
    const map = sourceMap(summarize(ir, source));
    expect(map.length).toBeGreaterThan(20);
    for (const e of map) expect(Object.keys(e)).toEqual(["sentence", "start", "end"]);
    const tier = ir.clauses[1]!.decl.amount as A.TieredAmount;
    expect(map.find((e) => e.start === tier.tiers[1]!.span.start)?.sentence).toBe("if Growth is at least the projected growth (projected_growth) ÷ 2: $375.00;");
  });
});

describe("a contract with amendments: figures follow the version in force", () => {
  // the algebra pilot, with an amendment raising “Algebra ready” to $1,000 from 1 January 2027
  const pilot = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
  const amended = `${pilot.slice(0, pilot.lastIndexOf("}"))}
  amendment "1.1" effective 2027-01-01 {
    outcome "Algebra ready" pays $1,000 per identified student
      when enrolled_for_testing and eoy_score >= 70
      if missing: not met
  }
}
`;
  const ir = compile(amended, nodeResolver("examples/03-algebra-pilot/contract.obc"));

  it("gives the key terms of each version: under 1.1 the maximum is $1,600.00 and the cap per student binds", () => {
    const doc = summarize(ir, amended, { cohortSize: 100 });
    const key = doc.sections.find((s) => s.title === "Key terms")!;
    expect(key.sections.map((s) => [s.title, s.version])).toEqual([
      ["Version 1.0 (from 1 September 2026)", "1.0"],
      ["Version 1.1 (from 1 January 2027)", "1.1"],
    ]);
    const rows = (s: Section) => Object.fromEntries(s.blocks.flatMap((b) => (b.type === "table" ? b.rows : [])).map((r) => [r[0]!.text, [r[1]!.text, r[2]!.text]]));
    const [v10, v11] = key.sections.map(rows);
    // $200 + $300 + $900 × 1.2 = $1,580 under 1.0; $200 + $300 + $1,000 × 1.2 = $1,700, cut to the $1,600 cap, under 1.1
    expect(v10!["Price per student (maximum)"]![0]).toBe("$1,580.00");
    expect(v10!["Cap per student"]).toEqual(["$1,600.00", "cannot bind: the most one student can earn is $1,580.00"]);
    expect(v11!["Price per student (maximum)"]![0]).toBe("$1,600.00");
    expect(v11!["Cap per student"]).toEqual(["$1,600.00", "can bind; shared pro rata"]);
    // the body shows the version in force at the end of the term: the amended clause
    const text = plainText(doc);
    expect(text).toContain("For each Identified Student, an outcome payment of $1,000.00 is payable when");
  });

  it("shows the body as of the summary's date, and worked examples under each version", async () => {
    const early = summarize(ir, amended, { asOf: "2026-12-01" });
    expect(plainText(early)).toContain("For each Identified Student, an outcome payment of $900.00 is payable when");
    const doc = await summarizeContract(ir, amended, { cohortSize: 100 });
    const schedules = doc.sections.filter((s) => s.schedule);
    expect(schedules.map((s) => [s.number, s.title, s.version])).toEqual([
      ["A", "Worked examples under version 1.0", "1.0"],
      ["B", "Worked examples under version 1.1", "1.1"],
    ]);
    const most = schedules.map((s) => plainText({ ...doc, sections: [s] }).match(/Total for S1: (\$[\d,]+\.\d\d)/)?.[1]);
    expect(most).toEqual(["$1,580.00", "$1,600.00"]);
  });
});

describe("the lawyer's frame and what the engine means", () => {
  const text = (src: string, opts: Parameters<typeof summarize>[2] = {}) => plainText(summarize(compile(src), src, opts));

  it("opens with the status, the source's SHA-256, the prevailing text, the OBC version and the dates", () => {
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    const doc = summarize(ir, source, { status: "for-signature", exhibit: "Exhibit B", prevails: "the Master Services Agreement", obcVersion: "0.1.0", generated: "2027-01-05" });
    const rows = Object.fromEntries(doc.titleBlock.map((r) => [r.label, r.value.text]));
    expect(rows["Status"]).toBe("For signature");
    expect(rows["Document"]).toBe("Exhibit B: plain-language summary of the contract");
    expect(rows["Source"]).toBe(`The contract's source text, SHA-256 ${createHash("sha256").update(source, "utf8").digest("hex")}`);
    expect(rows["Prevails"]).toBe("Where this summary and the Master Services Agreement differ, the Master Services Agreement prevails.");
    expect(rows["Generated"]).toBe("5 January 2027 by OBC 0.1.0");
    expect(rows["Figures as of"]).toMatch(/^30 June 2027: the worked examples are computed as of this date/);
    expect(doc.meta).toMatchObject({ status: "for-signature", exhibit: "Exhibit B", paper: "letter", header: "Exhibit B: plain-language summary of “Algebra readiness pilot”, version 1.0" });
    expect(doc.sections[0]!.title).toBe("At a glance");
    expect(doc.sections[0]!.sections.map((s) => s.title)).toEqual(["Red flags", "Who is paid, and when", "Data: who supplies it, and if it is late or missing", "Notice and disputes"]);
  });

  it("prints on A4 for contracts in pounds or euros, on US Letter otherwise", () => {
    const src = (cur: string) => `contract "Paper" {
  parties { district "Northbridge Council"  provider "Bright Path Tutoring" }
  currency ${cur}
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
}`;
    expect(["GBP", "EUR", "USD"].map((cur) => summarize(compile(src(cur)), src(cur)).meta!.paper)).toEqual(["a4", "a4", "letter"]);
    expect(summarize(compile(src("GBP")), src("GBP"), { paper: "letter" }).meta!.paper).toBe("letter");
  });

  it("flags no upper bound on exposure, placeholder names and a payment with no payee", () => {
    const t = text(`contract "Flags" {
  parties { district "District"  provider "TBD" as one  provider "Summit Tutoring" as two }
  data students { sessions: count }
  base "Sessions" pays $10 * sessions per student to two
  outcome "Done" pays $500 per student when sessions >= 30
}`);
    expect(t).toContain("No upper bound on exposure: there is no limit to what this contract can pay, because “Sessions” has no upper bound in the contract's terms and there is no cap per student; and there is no cap per contract.");
    expect(t).toContain("Placeholder party name: the District is named “District”, which does not identify a legal person.");
    expect(t).toContain("Placeholder party name: the One is named “TBD”, which does not identify a legal person.");
    expect(t).toContain("A payment with no payee: “Done” names nobody to receive it, and the contract has no single provider to receive it by default.");
    expect(t).toContain("“Sessions” is paid to the Two, Summit Tutoring.");
  });

  it("says who is paid, who supplies which data, and what a blank means", () => {
    const t = text(readFileSync("examples/03-algebra-pilot/contract.obc", "utf8"));
    expect(t).toContain("Every payment under this contract is made to the Provider, Bright Path Tutoring.");
    expect(t).toContain("The payments are funded by the Funder (40% of each payment) and the District (the rest), as section 10 sets out.");
    // "session attendance" is shared weekly by the provider: the checkpoints data (sessions attended)
    expect(t).toContain("students | not stated | not stated");
    expect(t).toContain("checkpoints | The Provider | every week");
    expect(t).toContain("exit_date | Exit date | date | may be blank: “Enrolled for Testing” holds");
    expect(t).toContain("eoy_score | End-of-year score | score | may be blank: “Algebra ready” and “Growth” are not paid");
    expect(t).toContain("Termination: the District may terminate the contract with 30 days' notice once this level (or a higher one) has applied at 2 more consecutive checkpoints, under level 3 of the escalation protocol “Attendance” (section 11).");
  });

  it("says what a deadline, a withholding, escalation levels and a termination right mean", () => {
    const t = text(readFileSync("examples/03-algebra-pilot/contract.obc", "utf8"));
    expect(t).toContain("Its deadline, 28 February 2027, is the date from which it is payable: it is not payable before then; the condition itself measures by the same date (the number of sessions by 28 February (sessions_by_feb28)).");
    expect(t).toContain("Levels do not accumulate: at a checkpoint where level 3 applies, the actions of the lower levels are not required again unless level 3 lists them.");
    expect(t).toContain("The withholding of level 3 covers 10% of every milestone payment (“Onboarded” and “Dosage”) of every student, whenever it fell due: payments already made at an earlier settlement are covered too, and the next settlement pays that much less.");
    expect(t).toContain("each payer keeps back its own share of them, in the proportion in which it funds the payment");
    expect(t).toContain("A right to terminate exists only at the checkpoints where it arises: if the measure recovers and the level no longer applies at a later checkpoint, the right lapses.");
    expect(t).toContain("a month with no row between them is a checkpoint at which nothing is measured and no trigger holds, so it breaks a run of consecutive checkpoints instead of being skipped");
    const never = text(readFileSync("test/diagnostics/warn/21-withholding-never-released.obc", "utf8"));
    expect(never).toContain("It is never released: the contract does not say whether withheld money is paid at the end, and it stays withheld, so the payers keep it.");
    expect(never).toContain("The money withheld at level 1 of 'Attendance' is never released");
  });

  it("reads a deadline by one rule with the checker and the comparison: a description that gives the date measures by it", () => {
    const src = (description: string, condition: string, due = "2027-02-28") => `contract "Deadline" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  term 2026-09-01 to 2027-06-30
  data students { sessions: count "${description}"  first_session_date: optional date }
  milestone "Dosage" due ${due} pays $300 per student when ${condition}
    if missing: not met
}`;
    const read = (description: string, condition: string, due?: string) => {
      const source = src(description, condition, due);
      const c = compileSource(source);
      return { source, ir: c.ir!, warned: c.diagnostics.some((d) => d.code === "OBC4601"), text: plainText(summarize(c.ir!, source)) };
    };
    // the description gives the deadline: no warning, and the summary says the condition measures by it
    const by = read("sessions attended up to 28 February 2027", "sessions >= 30");
    expect(by.warned).toBe(false);
    expect(by.text).toContain("Its deadline, 28 February 2027, is the date from which it is payable: it is not payable before then; the condition itself measures by the same date (the number of sessions (sessions), described as “sessions attended up to 28 February 2027”).");
    // nothing says by when: a warning, and the summary says so in the same words as before
    const open = read("sessions attended", "sessions >= 30");
    expect(open.warned).toBe(true);
    expect(open.text).toContain("it is not a deadline for the student's performance: the condition does not say by when it must be met, so a student who meets it after 28 February 2027 is paid too.");
    // a date that is only present says nothing about when either
    expect(read("sessions attended", "first_session_date is present and sessions >= 30").warned).toBe(true);
    // and moving the deadline past the description's date leaves the condition behind
    const later = read("sessions attended up to 28 February 2027", "sessions >= 30", "2027-03-31");
    expect(later.text).toContain("the condition measures by its own dates (the number of sessions (sessions), described as “sessions attended up to 28 February 2027”), not by the deadline.");
    expect(diffContracts(by.ir, by.source, later.ir, later.source).changes.map((c) => c.text)).toContain(
      "The condition for 'Dosage' did not move with its deadline: it still reads the number of sessions (sessions), described as “sessions attended up to 28 February 2027”, so the change only delays the payment: a student has no more time to meet the condition.",
    );
  });

  it("brings the checker's warnings to the red flags, and lists each with its code under the points to check", () => {
    const never = summarize(compile(readFileSync("test/diagnostics/warn/21-withholding-never-released.obc", "utf8")), readFileSync("test/diagnostics/warn/21-withholding-never-released.obc", "utf8"));
    const checks = never.sections.find((s) => s.title === "Points to check")!;
    const flags = plainText({ ...never, sections: [never.sections[0]!.sections[0]!] });
    expect(flags).toContain(`A point to check: the checker found a term that a reader may take otherwise than the engine computes, or that may not be intended (section ${checks.number}).`);
    expect(plainText(never)).toMatch(/^The money withheld at level 1 of 'Attendance' is never released: .* \(OBC4602\)$/m);
    expect(plainText(never)).toContain("Add “until <condition>” to say when the money is released, for example “until attendance_rate >= 75%”. (OBC4602)");
    // a contract the checker has nothing to say about says so
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    expect(plainText(summarize(ir, source))).toContain("None found: the exposure has an upper bound, every party is named, every payment names who receives it, and the checker found nothing to check.");
  });

  it("states how each payer's share is rounded and how far it can drift, with the figure of the worked examples", async () => {
    const { ir, source } = load("examples/03-algebra-pilot/contract.obc");
    const t = plainText(await summarizeContract(ir, source, { cohortSize: 100 }));
    // 100 students × 4 lines × half a cent
    expect(t).toContain("The Funder pays 40% of every payment line, rounded half up to the cent.");
    expect(t).toContain("Since the Funder's share is rounded line by line, the Funder's total can differ from 40% of all the payments by up to half a cent a line, in either direction, depending on the cents of each line; the District absorbs the difference. For 100 students with up to 4 payment lines each, that is up to $2.00.");
    expect(t).toContain("In the worked examples (Schedule A), the Funder pays $1,424.00 of $3,560.00: exactly 40%.");
    expect(t).toContain("Rounding of the shares | line by line | each share of each line is rounded half up to the cent");
    // rounding down always favours the payer: less than a cent a line
    const down = text(source.replace("philanthropy pays 40% of every line, rounded half up to the cent", "philanthropy pays 40% of every line, rounded down to the cent"));
    expect(down).toContain("by up to just under a cent a line, always in the Funder's favour: every line rounds down, so the District pays the difference");
    expect(down).toContain("that is less than $4.00");
  });

  it("words the minimum, the share at risk from the conditions, and a $0 fallback tier", async () => {
    const t = text(`contract "Kinds" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  data students { sessions_by_feb28: count  eoy_score: score }
  payment "Materials" pays $25 per student
  milestone "Scores" pays $100 per student when eoy_score >= 60
  outcome "Attended" pays $300 per student when sessions_by_feb28 >= 30
  penalty "Decline" pays -$50 per student when eoy_score < 40
}`);
    // the milestone reads a score: at risk; the outcome reads attendance: not
    expect(t).toContain("Share at risk (contingent share) | 23.53% | the part of the maximum whose conditions read an assessment score, so that it depends on students' outcomes: “Scores”, $100.00 of $425.00; “Materials” and “Attended” do not depend on a score");
    expect(t).toContain("Minimum per student | -$25.00 | the payments every student gets: “Materials” ($25.00), less every penalty that can apply: “Decline” (-$50.00)");
    const { ir, source } = load("examples/01-duval-2022/contract.obc");
    const ex = plainText(await summarizeContract(ir, source));
    expect(ex).toContain("“Outcome” (outcome payment) | no tier reached | $0.00 | No tier applies: none of the conditions of its 2 tiers is met, and the last tier pays $0.00.");
  });

  it("gives a field's description where the field is defined", () => {
    const t = text(`contract "Described" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  data students { eoy_score: optional score "the spring MAP Growth RIT score, from the district's export" }
  outcome "Ready" pays $900 per student when eoy_score >= 70
    if missing: not met
}`);
    expect(t).toContain("eoy_score | The spring MAP Growth RIT score, from the district's export | score | may be blank: “Ready” is not paid");
    expect(t).toContain("If the end-of-year score (eoy_score) is missing, the payment is not made: the student counts as not meeting the condition.");
  });
});
