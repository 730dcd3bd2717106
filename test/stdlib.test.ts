/**
 * The template library (stdlib/templates/): every template is documented, has an example
 * contract that compiles and pays exact amounts on data (test/stdlib/<name>.good.obc with its
 * CSV files), and a mistaken use that gives the diagnostic a caller would see
 * (test/stdlib/<name>.bad.obc). The generated docs/stdlib.md must be up to date
 * (`UPDATE_GOLDEN=1 npx vitest run test/stdlib.test.ts` rewrites it), and the two acceptance
 * examples rewritten with templates (examples/07, examples/08) pay exactly what the
 * hand-written contracts pay on the same data.
 *
 * CSV files: `test/stdlib/<name>.csv` is the students data set; `<name>.<data set>.csv` any other.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { LineIndex } from "../language/diagnostics/source.ts";
import { parse } from "../language/syntax/parse.ts";
import { runContract, type RunResult } from "../engine/index.ts";
import { STDLIB_VERSION } from "../stdlib/index.ts";
import { libraryNames, nodeResolver, STDLIB_DIR } from "../stdlib/node-resolver.ts";
import { generateStdlibDocs, templateDoc } from "../stdlib/docs.ts";

const update = process.env["UPDATE_GOLDEN"] === "1";
const FIXTURES = "test/stdlib";

/** Compiles a contract file with the Node resolver (library + files beside it). */
function compileFile(path: string) {
  const source = readFileSync(path, "utf8");
  return { source, compiled: compileSource(source, { resolver: nodeResolver(path) }) };
}

/** Runs a contract file on CSV files given as [data set, path]. */
async function runFile(path: string, data: [string, string][]): Promise<RunResult> {
  const { source, compiled } = compileFile(path);
  expect(compiled.diagnostics.filter((d) => d.severity !== "info"), path).toEqual([]);
  const out = await runContract(
    compiled.ir!,
    source,
    data.map(([dataSet, file]) => ({ label: file.split("/").pop()!, text: readFileSync(file, "utf8"), dataSet })),
  );
  expect(out.ok).toBe(true);
  expect(out.problems, path).toEqual([]);
  return out.result!;
}

/** The CSV files of a fixture: `<name>.csv` is the students data set, `<name>.<set>.csv` the others. */
function fixtureData(name: string): [string, string][] {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(`${name}.`) && f.endsWith(".csv"))
    .sort()
    .map((f) => {
      const middle = f.slice(name.length + 1, -".csv".length);
      return [middle === "" ? "students" : middle, join(FIXTURES, f)];
    });
}

/** Each student's lines as "clause=paid", with "(withheld x)" when an escalation held some back. */
function paid(r: RunResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of r.students) {
    out[s.id] = s.lines.map((l) => `${l.clause}=${l.paid}${l.withheld !== "0.00" ? ` (withheld ${l.withheld})` : ""}`).join(" ");
  }
  return out;
}

interface Expected {
  /** per student: the paid amount of each line */
  students: Record<string, string>;
  /** everything the contract pays */
  total: string;
  /** cohort payments: "clause=paid" */
  cohorts?: string[];
  /** escalation levels by checkpoint: "period:level", with "W" for a withholding in force and "T" for a right to terminate */
  escalations?: string[];
  /** the routines and governance the template adds, as written in the expansion */
  routines?: string[];
  governance?: string[];
}

const EXPECTED: Record<string, Expected> = {
  base_payment: {
    students: { P1: "base=670.00", P2: "base=670.00", P3: "", P4: "" },
    total: "1340.00",
  },
  benchmark_attainment: {
    // 70 is inclusive; a missing score is not met; A5 (grade 7) is not identified
    students: { A1: "algebra_ready=900.00", A2: "algebra_ready=900.00", A3: "algebra_ready=0.00", A4: "algebra_ready=0.00", A5: "" },
    total: "1800.00",
  },
  cohort_share_milestone: {
    // 4 of 5 students (80%, inclusive) have 10 sessions; M5's missing count is in the denominator only
    students: { M1: "", M2: "", M3: "", M4: "", M5: "" },
    total: "10000.00",
    cohorts: ["early_reach=10000.00"],
  },
  conditional_growth_percentile: {
    students: { C1: "conditional_growth=400.00", C2: "conditional_growth=0.00", C3: "conditional_growth=400.00", C4: "conditional_growth=0.00" },
    total: "800.00",
  },
  course_completion: {
    // 60% of $333.33 = $199.998, rounded half up to $200.00
    students: { K1: "course_completion=300.00", K2: "course_completion=0.00", K3: "course_completion=200.00" },
    total: "500.00",
  },
  credit_recovery: {
    students: { R1: "credit_recovery=0.00", R2: "credit_recovery=250.00", R3: "credit_recovery=500.00", R4: "credit_recovery=500.00" },
    total: "1250.00",
  },
  data_sharing: {
    students: { H1: "base=100.00", H2: "base=100.00" },
    total: "200.00",
    routines: [
      'provider shares "session attendance" weekly',
      'district shares "assessment results" within 15 days of "each testing window (beginning, middle and end of year)"',
    ],
  },
  decline_penalty: {
    students: { N1: "base=100.00 decline=-150.00 floor=50.00", N2: "base=100.00 decline=0.00", N3: "base=100.00 decline=0.00", N4: "base=100.00 decline=0.00" },
    total: "300.00",
  },
  dosage_milestone: {
    students: { D1: "dosage=300.00", D2: "dosage=0.00", D3: "dosage=0.00", D4: "dosage=300.00" },
    total: "600.00",
  },
  dosage_threshold: {
    students: { S1: "dosage=300.00", S2: "dosage=300.00", S3: "dosage=0.00" },
    total: "600.00",
  },
  early_literacy_contract: {
    // the figures of examples/02-denver-2022 on its data
    students: {
      U1: "base=900.00 outcome=1500.00",
      U2: "base=900.00 outcome=1000.00",
      U3: "base=900.00 outcome=0.00",
      U4: "base=900.00 outcome=500.00",
      U5: "base=450.00",
      U6: "base=900.00",
      U7: "base=900.00 outcome=1000.00",
    },
    total: "9850.00",
    routines: [
      'provider shares "session attendance" weekly',
      'district shares "assessment results" within 15 days of "each testing window (beginning, middle and end of year)"',
      'provider reports "progress on dosage, attendance and interim results" monthly',
      'district and provider meet "a check-in" monthly',
    ],
  },
  escalation_ladder: {
    // below 60% at three checkpoints in a row from 2027-02: 10% of milestone payments withheld;
    // two more checkpoints at level 3 give the district the right to terminate
    students: { L1: "dosage=300.00 (withheld 30.00)", L2: "dosage=0.00", L3: "dosage=300.00 (withheld 30.00)" },
    total: "600.00",
    escalations: ["2026-10:0", "2026-11:1", "2026-12:2", "2027-01:2", "2027-02:3W", "2027-03:3W", "2027-04:3WT"],
  },
  governance_committee: {
    students: { H1: "base=100.00", H2: "base=100.00" },
    total: "200.00",
    governance: ['committee "Steering committee" of district and provider meets quarterly to "review data and progress"', 'amendments "in writing" signed by district and provider'],
  },
  growth_to_projection: {
    // growth equal to the projection (G2) counts
    students: { G1: "met_projected_growth=750.00", G2: "met_projected_growth=750.00", G3: "met_projected_growth=0.00", G4: "met_projected_growth=0.00" },
    total: "1500.00",
  },
  growth_without_attainment: {
    students: {
      W1: "algebra_ready=900.00 growth=0.00",
      W2: "algebra_ready=0.00 growth=400.00",
      W3: "algebra_ready=0.00 growth=0.00",
      W4: "algebra_ready=0.00 growth=0.00",
      W5: "algebra_ready=900.00 growth=0.00",
    },
    total: "2200.00",
  },
  iready_typical_growth: {
    students: { I1: "typical_growth=600.00", I2: "typical_growth=0.00", I3: "typical_growth=600.00", I4: "typical_growth=0.00" },
    total: "1200.00",
  },
  middle_school_math_contract: {
    students: {
      M1: "onboarded=200.00 dosage=300.00 math_benchmark=900.00 growth=0.00",
      M2: "onboarded=0.00 dosage=300.00 math_benchmark=0.00 growth=400.00",
      M3: "onboarded=200.00 dosage=0.00 math_benchmark=0.00 growth=0.00",
      M4: "onboarded=0.00 dosage=300.00 math_benchmark=0.00 growth=0.00",
      M5: "onboarded=200.00 dosage=300.00 math_benchmark=0.00 growth=0.00",
      M6: "",
      M7: "",
    },
    total: "3100.00",
    escalations: ["2026-10:0", "2026-11:1", "2026-12:0"],
  },
  monthly_checkin: {
    students: { H1: "base=100.00", H2: "base=100.00" },
    total: "200.00",
    routines: ['provider reports "progress on dosage, attendance and interim results" monthly', 'district and provider meet "a check-in" monthly'],
  },
  onboarding_milestone: {
    students: { O1: "onboarded=200.00", O2: "onboarded=200.00", O3: "onboarded=0.00", O4: "onboarded=0.00" },
    total: "400.00",
  },
  prorated_base: {
    // 10, 5, 1 and 3 month starts out of 10
    students: { B1: "base=900.00", B2: "base=450.00", B3: "base=90.00", B4: "base=270.00" },
    total: "1710.00",
  },
  rate_card: {
    // R1 earns $1,300 and is capped at $1,000 in order: the third outcome is cut
    students: {
      R1: "attends_20_sessions=300.00 grows_10_points=400.00 reaches_benchmark=300.00",
      R2: "attends_20_sessions=0.00 grows_10_points=400.00 reaches_benchmark=600.00",
      R3: "attends_20_sessions=300.00 grows_10_points=0.00 reaches_benchmark=0.00",
      R4: "attends_20_sessions=300.00 grows_10_points=0.00 reaches_benchmark=0.00",
    },
    total: "2600.00",
  },
  savings_share: {
    // 3 children avoid special education: 95% of 3 x $2,600
    students: { V1: "", V2: "", V3: "", V4: "", V5: "" },
    total: "7410.00",
    cohorts: ["savings_share=7410.00"],
  },
  subgroup_weighting: {
    students: {
      E1: "algebra_ready=900.00 subgroup_premium=180.00",
      E2: "algebra_ready=900.00 subgroup_premium=0.00",
      E3: "algebra_ready=0.00 subgroup_premium=0.00",
      E4: "algebra_ready=0.00 subgroup_premium=0.00",
      E5: "algebra_ready=900.00 subgroup_premium=180.00",
    },
    total: "3060.00",
  },
  tiered_growth: {
    // growth 12 ≥ 10; 6 ≥ 5; 2 < 4.5; missing; 5 = half of 10 (inclusive)
    students: { T1: "growth=750.00", T2: "growth=375.00", T3: "growth=0.00", T4: "growth=0.00", T5: "growth=375.00" },
    total: "1500.00",
  },
};

interface Mistake {
  code: string;
  /** the message, or a pattern it must match */
  message: string | RegExp;
  /** where the diagnostic points, as "line:column" of the first occurrence of this text in the file */
  at: string;
  /** the did-you-mean hint, when there is one */
  help?: string;
}

const MISTAKES: Record<string, Mistake> = {
  base_payment: { code: "OBC2019", message: "The argument 'group' must be a group of students: eligible, identified or served.", at: "tutored" },
  benchmark_attainment: { code: "OBC2018", message: "The template benchmark_attainment needs a value for 'cut' (score).", at: "use benchmark_attainment" },
  cohort_share_milestone: { code: "OBC2001", message: "I can't find a field, metric or condition named 'sessions_by_oct3'.", at: "sessions_by_oct3," },
  conditional_growth_percentile: { code: "OBC2019", message: "The argument 'cut' must be a number.", at: '"60"' },
  course_completion: { code: "OBC2019", message: "The argument 'portion' must be a percentage such as 80%.", at: "0.6" },
  credit_recovery: { code: "OBC2019", message: "The argument 'per_credit' must be an amount such as $500.", at: "250" },
  data_sharing: { code: "OBC2017", message: "The template data_sharing has no parameter named 'frequency'.", at: "frequency" },
  decline_penalty: { code: "OBC2019", message: "The argument 'amount' must be an amount such as $500.", at: "150)" },
  dosage_milestone: { code: "OBC2019", message: "The argument 'deadline' must be a date such as 2026-10-15.", at: '"2027-02-28"' },
  dosage_threshold: { code: "OBC2018", message: "The template dosage_threshold needs a value for 'deadline' (date).", at: "use dosage_threshold" },
  early_literacy_contract: {
    code: "OBC2011",
    message: "I can't find a template named 'early_literacy_contrct'.",
    at: "early_literacy_contrct from",
    help: "Did you mean 'early_literacy_contract'? `obc templates` lists the library.",
  },
  escalation_ladder: { code: "OBC2005", message: "There is no data set named 'checkpoints'.", at: "use escalation_ladder" },
  governance_committee: { code: "OBC2016", message: "The template 'governance_committee' is used but never imported.", at: "governance_committee()" },
  growth_to_projection: { code: "OBC2019", message: "The argument 'projected' must be the name of a data field.", at: "10, amount" },
  growth_without_attainment: { code: "OBC2019", message: "The argument 'not_attained' must be a condition or a clause name in quotes.", at: "identified, growth" },
  iready_typical_growth: { code: "OBC2019", message: "The argument 'target' must be a percentage such as 80%.", at: "100, amount" },
  middle_school_math_contract: { code: "OBC1008", message: /already has a parties section/, at: "use middle_school_math_contract" },
  monthly_checkin: { code: "OBC2003", message: "'district' is not one of the contract's parties.", at: "use monthly_checkin" },
  onboarding_milestone: { code: "OBC4001", message: "The deadline 2027-10-15 is outside the contract term (2026-09-01 to 2027-06-30).", at: "use onboarding_milestone" },
  prorated_base: { code: "OBC2019", message: "The argument 'exit' must be the name of a data field.", at: "2027-01-15)" },
  rate_card: { code: "OBC2018", message: "The template rate_card needs a value for 'per_person_cap' (money).", at: "use rate_card" },
  savings_share: { code: "OBC2019", message: "The argument 'rate' must be a percentage such as 80%.", at: "95)" },
  subgroup_weighting: { code: "OBC2019", message: "The argument 'factor' must be a number.", at: "120%" },
  tiered_growth: { code: "OBC2017", message: "The template tiered_growth has no parameter named 'full_ammount'.", at: "full_ammount", help: "Did you mean 'full_amount'?" },
};

/** 1-based "line:column" of the first occurrence of `needle` in `text`. */
function lineCol(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  expect(offset, `'${needle}' is not in the file`).toBeGreaterThanOrEqual(0);
  const p = new LineIndex(text).position(offset);
  return `${p.line}:${p.column}`;
}

const NAMES = libraryNames();

describe("the template library", () => {
  it("has at least 18 templates, each in a file named after it, with a version, a purpose, an example and documented parameters", () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(18);
    for (const name of NAMES) {
      const text = readFileSync(join(STDLIB_DIR, `${name}.obc`), "utf8");
      const parsed = parse(text);
      expect(parsed.diagnostics, name).toEqual([]);
      const t = parsed.value.template!;
      expect(t.name.name, name).toBe(name);
      expect(t.version?.value, name).toMatch(/^\d+\.\d+$/);
      const d = templateDoc(name);
      expect(d.purpose, name).toMatch(/^[A-Za-z][^:]+: [a-z].+\.$/);
      expect(d.grounding, name).toMatch(/^Real contracts/);
      expect(d.example, name).toMatch(new RegExp(`^use ${name}\\(.*\\)$`));
      for (const p of d.params) expect(p.doc, `${name}.${p.name}`).not.toBe("");
    }
  });

  it("covers the clauses and contracts outcomes-based tutoring contracts are made of", () => {
    for (const name of [
      "benchmark_attainment", "growth_to_projection", "conditional_growth_percentile", "iready_typical_growth", "tiered_growth",
      "growth_without_attainment", "dosage_milestone", "dosage_threshold", "onboarding_milestone", "course_completion",
      "credit_recovery", "subgroup_weighting", "prorated_base", "rate_card", "cohort_share_milestone", "savings_share",
      "escalation_ladder", "data_sharing", "monthly_checkin", "governance_committee", "middle_school_math_contract",
      "early_literacy_contract", "base_payment", "decline_penalty",
    ]) expect(NAMES).toContain(name);
  });

  it("gives NSSA's high-impact dosage as the dosage milestone's defaults: 3 sessions a week of 30 minutes", () => {
    const d = templateDoc("dosage_milestone");
    expect(d.params.find((p) => p.name === "min_sessions")?.default).toBe("3");
    expect(d.params.find((p) => p.name === "min_minutes")?.default).toBe("30");
  });

  it("docs/stdlib.md is generated from the templates and up to date", () => {
    const docs = generateStdlibDocs();
    const path = "docs/stdlib.md";
    if (update || !existsSync(path)) {
      writeFileSync(path, docs);
      if (!update) throw new Error(`${path} was missing and has been written: review it and run again`);
    }
    expect(docs, `${path} is out of date: run UPDATE_GOLDEN=1 npx vitest run test/stdlib.test.ts`).toBe(readFileSync(path, "utf8"));
    for (const name of NAMES) expect(docs).toContain(`\n## ${name}\n`);
    expect(docs).toContain(`Version ${STDLIB_VERSION} of the library`);
  });
});

describe("each template's example contract runs on data and pays exact amounts", () => {
  it("has an expectation for every template", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(NAMES);
  });
  for (const name of NAMES) {
    it(name, async () => {
      const file = join(FIXTURES, `${name}.good.obc`);
      const text = readFileSync(file, "utf8");
      expect(text, "the example contract uses the template's // Example: line").toContain(`\n  ${templateDoc(name).example}\n`);
      const want = EXPECTED[name]!;
      const r = await runFile(file, fixtureData(name));
      expect(paid(r)).toEqual(want.students);
      expect(r.totals.paid).toBe(want.total);
      expect(r.cohorts.map((c) => `${c.clause}=${c.paid}`)).toEqual(want.cohorts ?? []);
      expect(r.escalations.flatMap((e) => e.checkpoints.map((c) => `${c.period}:${c.level}${c.withholding ? "W" : ""}${c.terminationRight ? "T" : ""}`))).toEqual(want.escalations ?? []);
      const { compiled } = compileFile(file);
      if (want.routines) {
        expect(compiled.ir!.routines.map((x) => `${x.parties.map((p) => p.name).join(" and ")} ${x.verb} "${x.what.value}"${x.frequency ? ` ${x.frequency.name}` : ""}${x.within ? ` within ${x.within.amount.value} ${x.within.unit}` : ""}${x.of ? ` of "${x.of.value}"` : ""}`)).toEqual(want.routines);
      }
      if (want.governance) {
        expect(compiled.ir!.governance.map((g) =>
          g.$type === "CommitteeDecl"
            ? `committee "${g.name.value}" of ${g.members.map((m) => m.name).join(" and ")} meets ${g.frequency.name} to "${g.purpose?.value}"`
            : `amendments "${g.form.value}" signed by ${g.signers.map((s) => s.name).join(" and ")}`,
        )).toEqual(want.governance);
      }
    });
  }
});

describe("each template's mistaken use gives the caller a diagnostic", () => {
  it("has an expectation for every template", () => {
    expect(Object.keys(MISTAKES).sort()).toEqual(NAMES);
  });
  for (const name of NAMES) {
    it(name, () => {
      const file = join(FIXTURES, `${name}.bad.obc`);
      const { source, compiled } = compileFile(file);
      const want = MISTAKES[name]!;
      expect(compiled.ok).toBe(false);
      const d = compiled.diagnostics.find((x) => x.code === want.code);
      expect(d, compiled.diagnostics.map((x) => `${x.code} ${x.message}`).join("\n")).toBeDefined();
      expect(d!.severity).toBe("error");
      if (typeof want.message === "string") expect(d!.message).toBe(want.message);
      else expect(d!.message).toMatch(want.message);
      const p = new LineIndex(source).position(d!.primary.span.start);
      expect(`${p.line}:${p.column}`).toBe(lineCol(source, want.at));
      if (want.help) expect(d!.help).toBe(want.help);
    });
  }
});

/** What a run pays, to compare two contracts on the same data: every line, total, funding split and escalation. */
function payments(r: RunResult) {
  return {
    students: r.students.map((s) => ({
      id: s.id,
      total: s.total,
      funding: s.funding,
      lines: s.lines.map((l) => ({ clause: l.clause, status: l.status, tier: l.tier, amount: l.amount, paid: l.paid, withheld: l.withheld, funding: l.funding })),
    })),
    cohorts: r.cohorts.map((c) => ({ clause: c.clause, period: c.period, paid: c.paid, funding: c.funding })),
    totals: r.totals,
    escalations: r.escalations,
  };
}

describe("acceptance examples rewritten with templates pay exactly what the hand-written contracts pay", () => {
  it("examples/07-algebra-pilot-templates = examples/03-algebra-pilot", async () => {
    const data = (dir: string): [string, string][] => [["students", `examples/${dir}/students.csv`], ["checkpoints", `examples/${dir}/checkpoints.csv`]];
    const hand = await runFile("examples/03-algebra-pilot/contract.obc", data("03-algebra-pilot"));
    const templated = await runFile("examples/07-algebra-pilot-templates/contract.obc", data("07-algebra-pilot-templates"));
    expect(payments(templated)).toEqual(payments(hand));
    expect(templated.totals.paid).toBe("5560.00");
    expect(templated.totals.byPayer).toEqual({ philanthropy: "2224.00", district: "3336.00" });
    // the same data
    for (const f of ["students.csv", "checkpoints.csv"]) {
      expect(readFileSync(`examples/07-algebra-pilot-templates/${f}`, "utf8")).toBe(readFileSync(`examples/03-algebra-pilot/${f}`, "utf8"));
    }
  });

  it("examples/07 imports a local template by a relative path, kept in clauses/", () => {
    const { source, compiled } = compileFile("examples/07-algebra-pilot-templates/contract.obc");
    expect(source).toContain('import attendance_escalation from "./clauses/attendance_escalation.obc"');
    expect(compiled.ir!.escalations.map((e) => e.decl.origin)).toEqual(["attendance_escalation"]);
  });

  it("examples/08-duval-templates = examples/01-duval-2022", async () => {
    const hand = await runFile("examples/01-duval-2022/contract.obc", [["students", "examples/01-duval-2022/students.csv"]]);
    const templated = await runFile("examples/08-duval-templates/contract.obc", [["students", "examples/08-duval-templates/students.csv"]]);
    expect(payments(templated)).toEqual(payments(hand));
    expect(readFileSync("examples/08-duval-templates/students.csv", "utf8")).toBe(readFileSync("examples/01-duval-2022/students.csv", "utf8"));
  });

  it("the early literacy contract template pays what examples/02-denver-2022 pays on its data", async () => {
    const hand = await runFile("examples/02-denver-2022/contract.obc", [["students", "examples/02-denver-2022/students.csv"]]);
    const templated = await runFile(join(FIXTURES, "early_literacy_contract.good.obc"), fixtureData("early_literacy_contract"));
    expect(payments(templated)).toEqual(payments(hand));
  });
});
