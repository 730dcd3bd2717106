import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { contractAtVersion, versionLabels } from "../engine/amendments.ts";
import { paidByStudent, runObc } from "./helpers.ts";

const contract = `contract "Amended" version "1.0" {
  parties { district "D" provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { onboarded_on: date  eoy: score }
  milestone "Onboarded" due 2026-10-15 pays $200 per student when onboarded_on <= 2026-10-15
  milestone "Midyear" due 2027-02-01 pays $100 per student when onboarded_on <= 2026-12-31
  outcome "Ready" pays $900 per student when eoy >= 70

  amendment "1.1" effective 2027-01-01 {
    milestone "Midyear" due 2027-02-15 pays $150 per student when onboarded_on <= 2026-12-31
    outcome "Ready" pays $950 per student when eoy >= 72
  }
}`;
const data = { students: "student_id,onboarded_on,eoy\nA,2026-10-01,71\nB,2026-10-01,73\n" };

describe("amendments", () => {
  it("computes each clause under the version in force on its own date", async () => {
    const out = await runObc(contract, data);
    expect(paidByStudent(out)).toEqual({
      A: "onboarded=200.00 midyear=150.00 ready=0.00",
      B: "onboarded=200.00 midyear=150.00 ready=950.00",
    });
    expect(out.result!.students[0]!.lines.map((l) => l.version)).toEqual(["1.0", "1.1", "1.1"]);
  });

  it("uses the original terms for a run dated before the amendment takes effect", async () => {
    const out = await runObc(contract, data, { asOf: "2026-12-15" });
    expect(paidByStudent(out)).toEqual({
      A: "onboarded=200.00 midyear=0.00 ready=900.00",
      B: "onboarded=200.00 midyear=0.00 ready=900.00",
    });
    // "Midyear" is not due yet; when it falls due (February) version 1.1 will be in force
    expect(out.result!.students[0]!.lines.map((l) => [l.version, l.status])).toEqual([
      ["1.0", "met"],
      ["1.1", "not-met"],
      ["1.0", "met"],
    ]);
  });

  it("checks an amendment's clauses and its date, reporting each problem once", () => {
    const bad = contract
      .replace("effective 2027-01-01", "effective 2027-08-01")
      .replace("when eoy >= 72", "when eoy_scor >= 72");
    const diags = compileSource(bad).diagnostics;
    expect(diags.map((d) => d.code)).toEqual(["OBC4017", "OBC2001"]);
    expect(diags[1]!.message).toBe("I can't find a field, metric or condition named 'eoy_scor'.");
  });
});

const split = `contract "Split" version "1.0" {
  parties { district "D" provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { sessions: count "sessions attended by 28 February"  mid: optional score "the test of 28 February"  eoy: score  el: boolean }
  milestone "Early" due 2026-11-30 pays $100 per student when sessions >= 5
  milestone "Midyear" due 2027-02-28 pays $300 per student when sessions >= 20
  outcome "Ready" pays $900 per student when eoy >= 70
  bonus "Stretch" pays $100 per student when "Ready" and eoy >= 85
  weight 2 for el on "Ready"
  cap $1,900 per student
  cohort "Reach" due 2027-06-30 {
    let on_track = share of students where ("Ready")
    pays $1,000 when on_track >= 50%
  }

  amendment "1.1" effective 2027-01-15 {
    replace "Midyear" with {
      milestone "Midyear attendance" due 2027-02-28 pays $200 per student when sessions >= 20
      milestone "Midyear growth" due 2027-02-28 pays $150 per student when mid >= 55
        if missing: not met
    }
    rename "Ready" to "Algebra ready"
    remove cap per student
  }
}`;
const splitData = { students: "student_id,sessions,mid,eoy,el\nA,25,60,72,no\nB,25,,90,yes\nC,3,40,50,no\n" };

describe("amendments that remove, replace and rename", () => {
  it("pays the clauses that replace a milestone, never the milestone they replace", async () => {
    const out = await runObc(split, splitData, { asOf: "2027-06-30" });
    expect(paidByStudent(out)).toEqual({
      A: "early=100.00 midyear_attendance=200.00 midyear_growth=150.00 algebra_ready=900.00 stretch=0.00",
      B: "early=100.00 midyear_attendance=200.00 midyear_growth=0.00 algebra_ready=1800.00 stretch=100.00",
      C: "early=0.00 midyear_attendance=0.00 midyear_growth=0.00 algebra_ready=0.00 stretch=0.00",
    });
    // the replacing clauses stand where the replaced one stood; each line says its version
    expect(out.result!.students[0]!.lines.map((l) => [l.clause, l.version])).toEqual([
      ["early", "1.0"],
      ["midyear_attendance", "1.1"],
      ["midyear_growth", "1.1"],
      ["algebra_ready", "1.1"],
      ["stretch", "1.1"],
    ]);
    // the cap per student was removed: B's $2,200 is paid in full
    expect(out.result!.students[1]!.total).toBe("2200.00");
  });

  it("before the amendment: the original terms, and no line for a milestone replaced before it falls due", async () => {
    const out = await runObc(split, splitData, { asOf: "2026-12-31" });
    expect(paidByStudent(out)).toEqual({
      A: "early=100.00 ready=900.00 stretch=0.00",
      B: "early=95.00 ready=1710.00 stretch=95.00",
      C: "early=0.00 ready=0.00 stretch=0.00",
    });
    // the cap per student of version 1.0 binds on B ($100 + $1,800 + $100 cut back to $1,900)
    expect(out.result!.students[1]!.total).toBe("1900.00");
  });

  it("a renamed clause keeps its references: the weight, the bonus and the cohort follow it", async () => {
    const out = await runObc(split, splitData, { asOf: "2027-06-30" });
    const b = out.result!.students[1]!.lines;
    expect(b.find((l) => l.clause === "algebra_ready")!.weight).toBe("2");
    expect(b.find((l) => l.clause === "stretch")!.status).toBe("met");
    expect(out.result!.cohorts.map((c) => [c.clause, c.version, c.values["on_track"], c.paid])).toEqual([["reach", "1.1", "66.7%", "1000.00"]]);
  });

  it("a clause removed after it fell due is still paid, and the removal is reported as never taking effect", async () => {
    const src = split.replace('remove cap per student', 'remove cap per student\n    remove "Early"');
    const diags = compileSource(src).diagnostics;
    expect(diags.map((d) => [d.code, d.severity])).toEqual([["OBC4701", "warning"]]);
    expect(diags[0]!.message).toBe(
      'This change to "Early" in amendment 1.1 can never take effect: it falls due on 2026-11-30, before the amendment takes effect on 2027-01-15, and a payment follows the version in force on its deadline.',
    );
    const out = await runObc(src, splitData, { asOf: "2027-06-30" });
    expect(out.result!.students[0]!.lines.map((l) => [l.clause, l.version, l.paid])[0]).toEqual(["early", "1.0", "100.00"]);
  });

  it("a removed clause that is not yet due is no longer paid", async () => {
    const src = split.replace('remove cap per student', 'remove cap per student\n    remove "Stretch"');
    expect(compileSource(src).diagnostics).toEqual([]);
    const out = await runObc(src, splitData, { asOf: "2027-06-30" });
    expect(out.result!.students[1]!.lines.map((l) => l.clause)).toEqual(["early", "midyear_attendance", "midyear_growth", "algebra_ready"]);
  });

  it("reports removals, replacements and renames of what is not in force, and new names already taken", () => {
    const bad = split
      .replace('replace "Midyear" with', 'replace "Midyaer" with')
      .replace('rename "Ready" to "Algebra ready"', 'rename "Ready" to "Stretch"')
      .replace("remove cap per student", "remove cap per contract\n    remove weight on \"Ready\"");
    const diags = compileSource(bad).diagnostics;
    expect(diags.map((d) => d.code)).toEqual(["OBC2701", "OBC2702", "OBC2701"]);
    expect(diags.map((d) => d.message)).toEqual([
      'Amendment 1.1 replaces the clause "Midyaer", but the contract in force before it has no such item.',
      'Amendment 1.1 renames "Ready" to "Stretch", but another clause in force already has that name.',
      "Amendment 1.1 removes the cap per contract, but the contract in force before it has no such item.",
    ]);
    expect(diags[0]!.help).toBe('Did you mean "Midyear"?');
  });

  it("a removed clause still referred to is an error under the amendment", () => {
    const diags = compileSource(split.replace('rename "Ready" to "Algebra ready"', 'remove "Ready"')).diagnostics;
    expect(diags.map((d) => d.code)).toEqual(["OBC2002", "OBC2002", "OBC2002"]);
    expect(diags.every((d) => d.related.some((r) => r.label === "under amendment 1.1"))).toBe(true);
  });

  it("warns of a clause added beside a similar one that stays in force, and of a change undone the same day", () => {
    const add = split.replace(/replace "Midyear" with \{([\s\S]*?)\n    \}/, "$1");
    const diags = compileSource(add).diagnostics;
    expect(diags.map((d) => [d.code, d.message])).toEqual([
      ["OBC4702", 'Amendment 1.1 adds "Midyear attendance" beside "Midyear", which stays in force, so both are paid.'],
      ["OBC4702", 'Amendment 1.1 adds "Midyear growth" beside "Midyear", which stays in force, so both are paid.'],
    ]);
    const twice = split.replace(/\n}$/, `
  amendment "1.2" effective 2027-01-15 {
    milestone "Midyear growth" due 2027-02-28 pays $175 per student when mid >= 55
      if missing: not met
  }
}`);
    const d2 = compileSource(twice).diagnostics;
    expect(d2.map((d) => [d.code, d.message])).toEqual([
      ["OBC4701", 'This change to "Midyear growth" in amendment 1.1 can never take effect: amendment 1.2 changes it again on the same day.'],
    ]);
  });
});

describe("the contract at one version", () => {
  it("runs the contract as signed, and as each amendment left it", async () => {
    const compiled = compileSource(split);
    const ir = compiled.ir!;
    expect(versionLabels(ir)).toEqual(["1.0", "1.1"]);
    expect(contractAtVersion(ir, "2.0")).toBeUndefined();
    const files = [{ label: "students.csv", text: splitData.students, dataSet: "students" }];
    const signed = await runContract(contractAtVersion(ir, "1.0")!, split, files, { asOf: "2027-06-30" });
    expect(paidByStudent(signed)).toEqual({
      A: "early=100.00 midyear=300.00 ready=900.00 stretch=0.00",
      // $2,300 cut back to the cap of $1,900 pro rata; the 3 cents left go to the largest remainders
      B: "early=82.61 midyear=247.82 ready=1486.96 stretch=82.61",
      C: "early=0.00 midyear=0.00 ready=0.00 stretch=0.00",
    });
    expect(signed.result!.contract.version).toBe("1.0");
    expect(new Set(signed.result!.students.flatMap((s) => s.lines.map((l) => l.version)))).toEqual(new Set(["1.0"]));
    const amended = await runContract(contractAtVersion(ir, "1.1")!, split, files, { asOf: "2026-10-01" });
    // every clause follows version 1.1, whatever its date: "Early" is simply not yet due
    expect(paidByStudent(amended)["A"]).toBe("early=0.00 midyear_attendance=0.00 midyear_growth=0.00 algebra_ready=900.00 stretch=0.00");
  });
});

describe("an amended contract (test/fixtures/amended-reading): two amendments against figures computed without OBC", () => {
  const dir = "test/fixtures/amended-reading";
  const source = readFileSync(`${dir}/contract.obc`, "utf8");
  const files = [{ label: "students.csv", text: readFileSync(`${dir}/students.csv`, "utf8"), dataSet: "students" }];
  // written by expected.py from the CSV and the terms as the contract states them
  const expected = JSON.parse(readFileSync(`${dir}/expected.json`, "utf8")) as Record<string, { students: Record<string, { lines: Record<string, string>; total: string }>; total: string }>;
  const ir = compileSource(source).ir!;
  const cases: [string, { asOf?: string; version?: string }][] = [
    ["as-of 2026-12-01", { asOf: "2026-12-01" }],
    ["as-of 2027-03-15", { asOf: "2027-03-15" }],
    ["as-of 2027-06-30", { asOf: "2027-06-30" }],
    ["version 1.0", { version: "1.0" }],
    ["version 1.1", { version: "1.1" }],
    ["version 1.2", { version: "1.2" }],
  ];
  it.each(cases)("%s", async (name, { asOf, version }) => {
    const want = expected[name]!;
    for (const engine of ["reference", "fast"] as const) {
      const contract = version !== undefined ? contractAtVersion(ir, version)! : ir;
      const r = (await runContract(contract, source, files, { engine, ...(asOf ? { asOf } : {}) })).result!;
      const got = Object.fromEntries(r.students.map((s) => [s.id, { lines: Object.fromEntries(s.lines.map((l) => [l.clause, l.paid])), total: s.total }]));
      expect(got, `${name}, ${engine}`).toEqual(want.students);
      expect(r.totals.paid).toBe(want.total);
      if (version !== undefined) expect(new Set(r.students.flatMap((s) => s.lines.map((l) => l.version)))).toEqual(new Set([version]));
    }
  });
});
