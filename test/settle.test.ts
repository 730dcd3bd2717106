/**
 * The one settlement (engine/settle.ts), as every path uses it: a full run with either decider
 * and a bulk run settle the same lines the same way, and a run whose amounts cannot be settled
 * exactly in integer cents is refused, never rounded.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { runBulk } from "../engine/fast/bulk.ts";

const contract = (body: string) => `contract "Settlement" {
  parties { district "D"  provider "P" }
  term 2026-09-01 to 2027-06-30
  data students keyed by student_id {
    score: score
    award: optional money
  }
${body}
}
`;

async function runAll(source: string, students: string) {
  const c = compileSource(source);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const files = [{ label: "students.csv", text: students, dataSet: "students" }];
  const reference = await runContract(c.ir!, source, files, { engine: "reference" });
  const fast = await runContract(c.ir!, source, files, { engine: "fast" });
  const bulk = runBulk(c.ir!, source, files, { detail: true });
  return { reference, fast, bulk };
}

describe("amounts beyond exact integer cents", () => {
  it("refuses a run whose amounts add up to more than 2^53 − 1 cents, on every path (OBC5090)", async () => {
    // each line is settleable, their sum is not: $60 trillion + $60 trillion
    const { reference, fast, bulk } = await runAll(contract(`  outcome "Award" pays award per student when score >= 50\n    if missing: not met`), "student_id,score,award\nA,60,60000000000000\nB,70,60000000000000\n");
    for (const out of [reference, fast]) {
      expect(out.ok).toBe(false);
      expect(out.result).toBeUndefined();
      expect(out.problems.filter((p) => p.code === "OBC5090").map((p) => p.rule)).toEqual(["amount-too-large"]);
    }
    expect(bulk.ok).toBe(false);
    expect(bulk.totals).toBeUndefined();
    expect(bulk.problems.map((p) => p.code)).toContain("OBC5090");
    // no student value in the message
    for (const p of [...fast.problems, ...bulk.problems]) expect(p.message).not.toMatch(/60000000000000|60,000,000,000,000/);
  });

  it("refuses a single line too large for a safe integer", async () => {
    const { fast, bulk } = await runAll(contract(`  outcome "Award" pays $100,000,000,000,000 per student when score >= 50`), "student_id,score,award\nA,60,\n");
    expect(fast.ok).toBe(false);
    expect(fast.problems.map((p) => p.code)).toContain("OBC5090");
    expect(bulk.ok).toBe(false);
  });

  it("settles amounts just under the bound exactly, and a cap beyond it never binds", async () => {
    const { reference, fast, bulk } = await runAll(
      contract(`  outcome "Award" pays award per student when score >= 50\n    if missing: not met\n  cap $100,000,000,000,000 per contract`),
      "student_id,score,award\nA,60,45035996273704.95\nB,70,45035996273704.96\n",
    );
    expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
    const r = fast.result!;
    expect(r.totals.paid).toBe("90071992547409.91");
    expect(r.totals.contractCap).toEqual({ cap: "100000000000000.00", binds: false, factor: "1" });
    expect(r.students.map((s) => s.total)).toEqual(["45035996273704.95", "45035996273704.96"]);
    expect(bulk.totals).toEqual(r.totals);
  });
});
