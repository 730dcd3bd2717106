import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileSource } from "../language/driver.ts";
import { compileRules } from "../engine/index.ts";
import { RunResultSchema } from "../engine/output.ts";
import { monthStarts } from "../engine/evaluate.ts";
import { paidByStudent, runObc } from "./helpers.ts";

const header = `
  parties { district "D" provider "P" }
  term 2026-09-01 to 2027-06-30
  currency USD
`;

describe("payment clauses", () => {
  it("pays penalties as negative lines and raises a total to the floor", async () => {
    const src = `contract "Penalty" {${header}
      data students { pre: score  post: score }
      metric growth = post - pre
      base "Base" pays $100 per student
      penalty "Decline" pays -$150 per student when growth < 0
      floor $0 per student
    }`;
    const out = await runObc(src, { students: "student_id,pre,post\nA,50,60\nB,50,40\n" });
    expect(paidByStudent(out)).toEqual({ A: "base=100.00 decline=0.00", B: "base=100.00 decline=-150.00 floor=50.00" });
    expect(out.result!.students.map((s) => s.total)).toEqual(["100.00", "0.00"]);
    expect(out.result!.totals.paid).toBe("100.00");
  });

  it("cuts later clauses first when a student cap is allocated in order", async () => {
    const src = `contract "Cap in order" {${header}
      data students { ok: boolean }
      milestone "First" pays $600 per student
      outcome "Second" pays $600 per student when ok
      cap $1,000 per student, allocated in order
    }`;
    const out = await runObc(src, { students: "student_id,ok\nA,true\nB,false\n" });
    expect(paidByStudent(out)).toEqual({ A: "first=600.00 second=400.00", B: "first=600.00 second=0.00" });
  });

  it("shares a student cap pro rata by default, to the cent", async () => {
    const src = `contract "Cap pro rata" {${header}
      data students { ok: boolean }
      milestone "First" pays $100 per student
      outcome "Second" pays $200 per student
      cap $100 per student
    }`;
    const out = await runObc(src, { students: "student_id,ok\nA,true\n" });
    // 100 × 1/3 = 33.33…, 100 × 2/3 = 66.66…: floors 33.33 + 66.66, the last cent to the larger remainder
    expect(paidByStudent(out)).toEqual({ A: "first=33.33 second=66.67" });
  });

  it("caps one clause across students and allocates pro rata with ties to the lower id", async () => {
    const src = `contract "Clause cap" {${header}
      data students { n: count }
      outcome "Reading" pays $10 * n per student
      cap $100 on "Reading"
    }`;
    const out = await runObc(src, { students: "student_id,n\nB,10\nA,10\nC,10\n" });
    // 300 → 100: 33.33 each and one cent left, the tie goes to the lower id A
    expect(paidByStudent(out)).toEqual({ B: "reading=33.33", A: "reading=33.34", C: "reading=33.33" });
    expect(out.result!.totals.byClause["reading"]).toBe("100.00");
  });

  it("applies weights before rounding and splits funding with the rest to the last payer", async () => {
    const src = `contract "Weights" {${header.replace('provider "P"', 'provider "P" funder "F" as foundation')}
      data students { el: boolean }
      outcome "Ready" pays $333.33 per student
      weight 1.5 for el on "Ready"
      funding { foundation pays 33.3% of every line, rounded down to the cent  district pays the rest }
    }`;
    const out = await runObc(src, { students: "student_id,el\nA,true\nB,false\n" });
    const [a, b] = out.result!.students;
    expect(a!.lines[0]!.amount).toBe("500.00"); // 499.995 rounded half up
    expect(a!.funding).toEqual({ foundation: "166.50", district: "333.50" });
    expect(b!.lines[0]!.amount).toBe("333.33");
    expect(b!.funding).toEqual({ foundation: "110.99", district: "222.34" });
    expect(out.result!.totals.byPayer).toEqual({ foundation: "277.49", district: "555.84" });
  });

  it("pays the first matching tier and leaves a student undecided when an earlier tier reads a missing value", async () => {
    const src = `contract "Tiers" {${header}
      data students { a: optional score  b: score }
      outcome "T" pays per student in tiers {
        when a >= 10: $300
        when b >= 10: $200
        otherwise: $50
      }
        if missing: not met
    }`;
    const out = await runObc(src, { students: "student_id,a,b\nX,12,0\nY,5,12\nZ,,12\nW,1,1\n" });
    expect(paidByStudent(out)).toEqual({ X: "t=300.00", Y: "t=200.00", Z: "t=0.00", W: "t=50.00" });
    expect(out.result!.students.map((s) => s.lines[0]!.status)).toEqual(["met", "met", "missing", "met"]);
    expect(out.result!.students.map((s) => s.lines[0]!.tier)).toEqual([1, 2, undefined, 3]);
  });

  it("does not pay milestones due after the as-of date", async () => {
    const src = `contract "As of" {${header}
      data students { sessions: count }
      milestone "Early" due 2026-10-15 pays $100 per student when sessions >= 1
      milestone "Late" due 2027-02-28 pays $100 per student when sessions >= 1
    }`;
    const out = await runObc(src, { students: "student_id,sessions\nA,5\n" }, { asOf: "2026-12-01" });
    expect(paidByStudent(out)).toEqual({ A: "early=100.00 late=0.00" });
    expect(out.result!.students[0]!.lines[1]!.reason).toMatch(/Not yet due/);
    expect(out.result!.asOf).toBe("2026-12-01");
  });

  it("excludes a student whose value is missing when the clause says so", async () => {
    const src = `contract "Excluded" {${header}
      data students { s: optional score }
      outcome "O" pays $10 per student when s >= 1
        if missing: excluded
    }`;
    const out = await runObc(src, { students: "student_id,s\nA,\nB,2\n" });
    expect(out.result!.students.map((s) => s.lines[0]!.status)).toEqual(["excluded", "met"]);
  });
});

describe("cohort clauses", () => {
  it("pays a cohort milestone when a share of students meets a target, with exact ties", async () => {
    const src = `contract "Cohort share" {${header}
      data students { sessions: count }
      identified students when sessions >= 0
      cohort "Reach" due 2026-12-01 {
        let reached = share of identified students where (sessions >= 10)
        pays $5,000 when reached >= 80%
      }
      cohort "Per session" {
        let total_sessions = sum of (sessions) over identified students
        pays $2 * total_sessions
      }
    }`;
    const met = await runObc(src, { students: "student_id,sessions\nA,10\nB,12\nC,9\nD,10\nE,30\n" });
    expect(met.result!.cohorts.map((c) => [c.clause, c.values, c.paid])).toEqual([
      ["reach", { reached: "80.0%" }, "5000.00"],
      ["per_session", { total_sessions: "71" }, "142.00"],
    ]);
    const notMet = await runObc(src, { students: "student_id,sessions\nA,10\nB,12\nC,9\nD,9\nE,30\n" });
    expect(notMet.result!.cohorts[0]!.status).toBe("not-met");
    expect(notMet.result!.cohorts[0]!.paid).toBe("0.00");
  });
});

describe("escalation", () => {
  it("applies the highest level, withholds until the rate recovers, and grants a termination right", async () => {
    const src = `contract "Escalation" {${header}
      data students { sessions: count }
      data checkpoints each month { scheduled: count  attended: count }
      milestone "Dosage" pays $100 per student when sessions >= 1
      escalation "Attendance" over checkpoints {
        measure rate = attended / scheduled
        level 1 when rate < 75% { provider "meets the district" within 10 business days }
        level 2 when rate < 60% for 2 consecutive checkpoints {
          withhold 10% of milestone payments until rate >= 75%
          district may terminate with 30 days notice after 1 more checkpoints
        }
      }
    }`;
    const checkpoints = "month,scheduled,attended\n2026-10,100,50\n2026-11,100,50\n2026-12,100,55\n2027-01,100,80\n2027-02,100,50\n2027-03,100,50\n";
    const out = await runObc(src, { students: "student_id,sessions\nA,3\n", checkpoints });
    const cps = out.result!.escalations[0]!.checkpoints;
    expect(cps.map((c) => [c.period, c.measures["rate"], c.level, c.terminationRight, !!c.withholding])).toEqual([
      ["2026-10", "50.0%", 1, false, false],
      ["2026-11", "50.0%", 2, false, true],
      ["2026-12", "55.0%", 2, true, true],
      ["2027-01", "80.0%", 0, false, false],
      ["2027-02", "50.0%", 1, false, false],
      ["2027-03", "50.0%", 2, false, true],
    ]);
    expect(cps[0]!.actions).toEqual(["provider: meets the district within 10 business days"]);
    // a withholding is in force after the last checkpoint: 10% of the milestone is held back
    expect(out.result!.students[0]!.lines[0]!.withheld).toBe("10.00");
    expect(out.result!.totals.withheld).toBe("10.00");
  });
});

describe("data quality", () => {
  const src = `contract "Data" {${header}
    data students { score: score  exit_date: optional date }
    outcome "O" pays $10 per student when score >= 1
  }`;

  it("reports malformed cells, duplicates and unknown columns without any student value", async () => {
    const csv = "student_id,score,exit_date,first_name\nS-1001,5,2027-01-01,Alice\nS-1002,abc,13/45/2027,Bob\nS-1001,7,,Carol\nS-1003,,,Dan\n";
    const out = await runObc(src, { students: csv });
    const problems = out.problems;
    expect(problems.map((p) => `${p.code}:${p.row ?? "-"}:${p.column ?? "-"}:${p.rule}`).sort()).toEqual([
      "OBC5002:3:exit_date:not-a-date",
      "OBC5002:3:score:not-a-number",
      "OBC5003:5:score:missing-value",
      "OBC5004:4:student_id:duplicate-id",
      "OBC5006:-:first_name:unknown-column",
    ]);
    const text = JSON.stringify(problems);
    for (const secret of ["S-1001", "S-1002", "S-1003", "Alice", "Bob", "Carol", "Dan", "abc", "13/45/2027", "2027-01-01"]) {
      expect(text).not.toContain(secret);
    }
    const report = out.result!.dataQuality.files[0]!;
    expect([report.rowsRead, report.rowsAccepted, report.rowsRejected]).toEqual([4, 3, 1]);
    // no row is silently dropped: every accepted row is a student in the result
    expect(out.result!.students.map((s) => s.id)).toEqual(["S-1001", "S-1002", "S-1003"]);
  });

  it("stops in strict mode and when a data set has no file", async () => {
    const bad = await runObc(src, { students: "student_id,score,exit_date\nA,x,\n" }, { strict: true });
    expect(bad.ok).toBe(false);
    expect(bad.result).toBeUndefined();
    const compiled = compileSource(src);
    const { runContract } = await import("../engine/index.ts");
    const none = await runContract(compiled.ir!, src, []);
    expect(none.ok).toBe(false);
    expect(none.problems.map((p) => p.code)).toEqual(["OBC5011"]);
  });

  it("treats a division by zero as missing and says so", async () => {
    const div = `contract "Div" {${header}
      data students { a: count  b: count }
      metric rate = a / b
      outcome "O" pays $10 per student when rate >= 50%
        if missing: not met
    }`;
    const out = await runObc(div, { students: "student_id,a,b\nA,1,0\nB,1,1\n" });
    expect(out.result!.students.map((s) => s.lines[0]!.status)).toEqual(["missing", "met"]);
    expect(out.problems.map((p) => `${p.code}:${p.row}`)).toContain("OBC5013:2");
  });
});

describe("rules and outputs", () => {
  const RuleSchema = z.object({
    name: z.string(),
    priority: z.number().int(),
    conditions: z.union([z.object({ all: z.array(z.unknown()) }), z.object({ any: z.array(z.unknown()) })]),
    event: z.object({
      type: z.literal("obc.rule"),
      params: z.object({
        rule: z.string(),
        role: z.enum(["population", "clause", "tier", "weight", "level", "cohort"]),
        scope: z.string(),
        text: z.string(),
        source: z.object({ start: z.number(), end: z.number(), line: z.number(), column: z.number() }),
      }),
    }),
  });

  it("compiles one rule per condition, each traced to its source", async () => {
    const { readFileSync } = await import("node:fs");
    const src = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
    const rules = compileRules(compileSource(src).ir!, src);
    for (const r of rules.rules) RuleSchema.parse(r);
    expect(rules.rules.map((r) => r.name)).toEqual([
      "population:identified",
      "clause:onboarded",
      "clause:dosage",
      "clause:algebra_ready",
      "clause:growth",
      "weight:1",
      "escalation:Attendance:level:1",
      "escalation:Attendance:level:2",
      "escalation:Attendance:level:3",
    ]);
    const ready = rules.rules.find((r) => r.name === "clause:algebra_ready")!;
    expect(src.slice(ready.event.params.source.start, ready.event.params.source.start + 23)).toBe('outcome "Algebra ready"');
    expect(ready.event.params.source.line).toBe(44);
    // every leaf's source slices to the condition text it stands for
    for (const leaf of Object.values(rules.leaves)) {
      if (leaf.text.startsWith("the student is ")) continue; // population gates are traced in words
      expect(src.slice(leaf.source.start, leaf.source.end).replace(/\s+/g, " ")).toBe(leaf.text);
    }
  });

  it("gives byte-identical, schema-valid output for the same inputs", async () => {
    const { readFileSync } = await import("node:fs");
    const src = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
    const files = {
      students: readFileSync("examples/03-algebra-pilot/students.csv", "utf8"),
      checkpoints: readFileSync("examples/03-algebra-pilot/checkpoints.csv", "utf8"),
    };
    const a = JSON.stringify((await runObc(src, files)).result);
    const b = JSON.stringify((await runObc(src, files)).result);
    expect(a).toBe(b);
    RunResultSchema.parse(JSON.parse(a));
    expect(a).not.toContain("OBC9001"); // the rule engine and the reference evaluator agree
  });

  it("counts month starts inclusively", () => {
    expect(monthStarts("2022-09-01", "2023-06-30")).toBe(10);
    expect(monthStarts("2022-09-01", "2023-01-31")).toBe(5);
    expect(monthStarts("2022-09-02", "2022-10-01")).toBe(1);
    expect(monthStarts("2022-09-02", "2022-09-30")).toBe(0);
    expect(monthStarts("2023-01-01", "2022-12-31")).toBe(0);
  });
});
