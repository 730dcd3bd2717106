/** Checks added after review: each one a specification with the exact code and place. */
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { paidByStudent, runObc } from "./helpers.ts";

const head = `parties { district "D" provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { sessions: count  eoy: optional score  boy: score }`;

function codes(body: string): string[] {
  return compileSource(`contract "C" {\n  ${head}\n  ${body}\n}`).diagnostics.map((d) => d.code);
}

describe("clause references", () => {
  it("are only allowed where clauses are already decided", () => {
    expect(codes(`served students when "Dosage"
      milestone "Dosage" pays $100 per student when sessions >= 10`)).toEqual(["OBC2021"]);
    expect(codes(`condition dosed = "Dosage"
      milestone "Dosage" pays $100 per student when sessions >= 10`)).toEqual(["OBC2021"]);
  });

  it("may not go round in a circle", () => {
    const c = compileSource(`contract "C" {\n  ${head}
      milestone "A" pays $100 per student when "B"
      milestone "B" pays $100 per student when "A"\n}`);
    expect(c.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["OBC2022", 'These clauses depend on each other in a circle, so none of them can be decided: "A" → "B" → "A".'],
    ]);
  });

  it("are missing, not false, when the clause they name could not be decided", async () => {
    const src = `contract "C" {\n  ${head}
      outcome "Ready" pays $900 per student when eoy >= 70
        if missing: not met
      partial "Growth" pays $400 per student when not "Ready" and boy >= 0
        if missing: not met\n}`;
    const out = await runObc(src, { students: "student_id,sessions,eoy,boy\nA,1,,50\nB,1,60,50\nC,1,80,50\n" });
    expect(paidByStudent(out)).toEqual({ A: "ready=0.00 growth=0.00", B: "ready=0.00 growth=400.00", C: "ready=900.00 growth=0.00" });
    expect(out.result!.students[0]!.lines.map((l) => l.status)).toEqual(["missing", "missing"]);
  });
});

describe("caps and rounding", () => {
  it("allows in-order allocation only for a cap per student", () => {
    expect(codes(`milestone "A" pays $100 per student
      cap $500 per contract, allocated in order`)).toEqual(["OBC4019"]);
  });

  it("never raises a line when the contract cap binds, and shares the floor like any line", async () => {
    const src = `contract "C" {\n  ${head}
      base "Base" pays $100 per student
      penalty "Decline" pays -$150 per student when sessions = 0
      floor $50 per student
      cap $100 per contract\n}`;
    const out = await runObc(src, { students: "student_id,sessions,eoy,boy\nA,0,,1\nB,3,,1\n" });
    // before the cap: A = 100 - 150 + floor 100 = 50, B = 100; 150 > 100, so A gets 33.33 and B 66.67;
    // A's positive lines (base 100, floor 100) share 33.33 + 150 = 183.33 pro rata: 91.67 and 91.66
    expect(paidByStudent(out)).toEqual({ A: "base=91.67 decline=-150.00 floor=91.66", B: "base=66.67 decline=0.00" });
    for (const s of out.result!.students) for (const l of s.lines) expect(Number(l.paid)).toBeLessThanOrEqual(Number(l.amount));
    expect(out.result!.totals.paid).toBe("100.00");
  });

  it("pays an amount per point of a score and rounds funding shares to the dollar when told", async () => {
    const body = `contract "C" {
      parties { district "D" provider "P" funder "F" as foundation }
      term 2026-09-01 to 2027-06-30
      data students { boy: score  eoy: score }
      metric growth = eoy - boy
      outcome "Growth" pays $10.25 * growth per student when growth > 0
      funding { foundation pays 33% of every line, rounded half up to the dollar  district pays the rest }
    }`;
    const out = await runObc(body, { students: "student_id,boy,eoy\nA,50,63\n" });
    const s = out.result!.students[0]!;
    expect(s.lines[0]!.paid).toBe("133.25");
    expect(s.funding).toEqual({ foundation: "44.00", district: "89.25" });
  });
});
