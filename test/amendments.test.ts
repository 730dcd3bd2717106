import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
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
