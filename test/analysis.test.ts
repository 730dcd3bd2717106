import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { studentBounds } from "../engine/index.ts";

const bounds = (path: string) => studentBounds(compileSource(readFileSync(path, "utf8")).ir!);

describe("the largest amount one student can earn", () => {
  it("algebra pilot: $1,580.00, the growth payment excluded by 'not \"Algebra ready\"'", () => {
    const b = bounds("examples/03-algebra-pilot/contract.obc");
    const want = JSON.parse(readFileSync("examples/03-algebra-pilot/expected.json", "utf8")).max_per_student;
    expect(b.max?.toDecimalString(2)).toBe(want);
    expect(b.max?.toDecimalString(2)).toBe("1580.00");
    expect(b.maxClauses).toEqual(["onboarded", "dosage", "algebra_ready"]);
    expect(b.clauses.map((c) => [c.clause, c.max?.toDecimalString(2)])).toEqual([
      ["onboarded", "200.00"],
      ["dosage", "300.00"],
      ["algebra_ready", "1080.00"],
      ["growth", "480.00"],
    ]);
    expect(b.min?.toDecimalString(2)).toBe("0.00");
  });

  it("Duval: $1,420.00, base plus the top tier, equal to the cap", () => {
    const b = bounds("examples/01-duval-2022/contract.obc");
    const want = JSON.parse(readFileSync("examples/01-duval-2022/expected.json", "utf8")).max_per_student;
    expect(b.max?.toDecimalString(2)).toBe(want);
  });

  it("Denver: $2,400.00 from per-unit and bounded counts; the proration has no stated upper bound", () => {
    const b = bounds("examples/02-denver-2022/contract.obc");
    expect(b.clauses.map((c) => [c.clause, c.max?.toDecimalString(2)])).toEqual([
      ["base", undefined],
      ["outcome", "1500.00"],
    ]);
    expect(b.max).toBeUndefined();
  });
});
