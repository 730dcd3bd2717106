/**
 * Pricing by simulation (engine/fast/simulate.ts, cli/simulate.ts): deterministic for a seed,
 * and right on contracts small enough to work out by hand.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { mulberry32, Normal, runSeed, simulate } from "../engine/fast/simulate.ts";
import { simulateCommand } from "../cli/simulate.ts";

const COIN = `contract "Coin" {
  parties { district "D"  provider "P" }
  data students {
    tutored: boolean
  }
  payment "Tutored" pays $100 per student when tutored
}
`;

const TWO = `contract "Two" {
  parties { district "D"  provider "P" }
  data students {
    a: boolean
    b: boolean
  }
  payment "A" pays $100 per student when a
  payment "B" pays $100 per student when b
  cap $150 per student
  cap $9,000 per contract
}
`;

const irOf = (src: string) => {
  const c = compileSource(src);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c.ir!;
};

describe("randomness", () => {
  it("mulberry32 is deterministic and uniform enough", () => {
    const a = mulberry32(runSeed(1, 0));
    const b = mulberry32(runSeed(1, 0));
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    // uniform on [0,1): mean 1/2, sd of the mean sqrt(1/12/10000) ≈ 0.0029
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015);
    expect(runSeed(1, 0)).not.toBe(runSeed(1, 1));
    expect(runSeed(1, 0)).not.toBe(runSeed(2, 0));
  });
  it("Box–Muller draws have the stated mean and sd", () => {
    const n = new Normal(mulberry32(99));
    const xs = Array.from({ length: 20000 }, () => n.next(50, 10));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    // sd of the mean 10/sqrt(20000) ≈ 0.07; of the sd ≈ 10/sqrt(40000) = 0.05
    expect(Math.abs(mean - 50)).toBeLessThan(0.35);
    expect(Math.abs(sd - 10)).toBeLessThan(0.25);
  });
});

describe("simulate", () => {
  it("is deterministic for a seed: the same seed gives the same JSON, another seed another", () => {
    const ir = irOf(TWO);
    const a = JSON.stringify(simulate(ir, TWO, { cohort: 50, runs: 40, seed: 7 }));
    const b = JSON.stringify(simulate(ir, TWO, { cohort: 50, runs: 40, seed: 7 }));
    const c = JSON.stringify(simulate(ir, TWO, { cohort: 50, runs: 40, seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // and on a real contract
    const src = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
    const pilot = irOf(src);
    expect(JSON.stringify(simulate(pilot, src, { cohort: 100, runs: 20, seed: 3 }))).toBe(JSON.stringify(simulate(pilot, src, { cohort: 100, runs: 20, seed: 3 })));
  });

  it("a $100 payment for a yes/no value true half the time: $50 per student on average", () => {
    const r = simulate(irOf(COIN), COIN, { cohort: 100, runs: 500, seed: 1 });
    // Per student the payment is $0 or $100 with probability 1/2: mean $50, sd $50. Over
    // 100 × 500 = 50,000 students the mean's standard error is 50/√50000 ≈ $0.224; allow 5 of them.
    expect(Math.abs(Number(r.perStudent.mean) - 50)).toBeLessThanOrEqual(5 * (50 / Math.sqrt(50000)));
    expect(r.perStudent.mean).toBe("49.87"); // exact for seed 1
    expect([r.perStudent.p5, r.perStudent.p95, r.perStudent.min, r.perStudent.max]).toEqual(["0.00", "100.00", "0.00", "100.00"]);
    // A cohort's total is $100 × Binomial(100, 1/2): mean $5,000, sd $500, 5th percentile $4,200
    // (P(X ≤ 41) = 0.044, P(X ≤ 42) = 0.067); 500 cohorts put the empirical one within a step or two.
    expect(Math.abs(Number(r.total.mean) - 5000)).toBeLessThanOrEqual(5 * (500 / Math.sqrt(500)));
    expect(Number(r.total.p5)).toBeGreaterThanOrEqual(4000);
    expect(Number(r.total.p5)).toBeLessThanOrEqual(4400);
    expect(r.total).toEqual({ mean: "4987.00", p5: "4100.00", p50: "5000.00", p95: "5800.00", min: "3300.00", max: "6400.00" });
    expect(r.byClause["tutored"]!.mean).toBe("4987.00");
    expect(r.caps).toEqual([]);
  });

  it("how often caps bind: two $100 payments at 1/2 each under a $150 cap per student", () => {
    const r = simulate(irOf(TWO), TWO, { cohort: 100, runs: 500, seed: 1 });
    const student = r.caps.find((c) => c.kind === "student")!;
    const contract = r.caps.find((c) => c.kind === "contract")!;
    // the student cap binds when both are paid: probability 1/4, standard error √(¼·¾/50000) ≈ 0.0019
    expect(Math.abs(student.studentsAtCap! - 0.25)).toBeLessThanOrEqual(5 * Math.sqrt((0.25 * 0.75) / 50000));
    expect(student.bindsInRuns).toBe(1);
    // per student before the contract cap: $0 (¼), $100 (½), $150 (¼): mean $87.50, sd ≈ $54.49,
    // so a cohort of 100 has mean $8,750 and sd ≈ $544.9; the $9,000 cap binds with
    // probability P(Z > 250/544.9) ≈ 0.323 (standard error over 500 cohorts ≈ 0.021)
    expect(Math.abs(contract.bindsInRuns - 0.323)).toBeLessThanOrEqual(5 * Math.sqrt((0.323 * 0.677) / 500));
    expect([student.studentsAtCap, contract.bindsInRuns]).toEqual([0.25264, 0.34]); // exact for seed 1
    expect(r.total.max).toBe("9000.00");
  });
});

describe("obc simulate", () => {
  const dir = mkdtempSync(join(tmpdir(), "obc-sim-"));
  writeFileSync(join(dir, "coin.obc"), COIN);
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), cwd: dir } };
  };

  it("prints a table, or the JSON of simulate()", async () => {
    const t = io();
    expect(await simulateCommand({ contract: "coin.obc", cohort: "100", runs: "500", seed: "1" }, t.io)).toBe(0);
    expect(t.out.join("")).toContain("per student");
    expect(t.out.join("")).toContain("$49.87");
    const j = io();
    expect(await simulateCommand({ contract: "coin.obc", cohort: 100, runs: 500, seed: 1, json: true }, j.io)).toBe(0);
    const parsed = JSON.parse(j.out.join(""));
    expect(parsed).toEqual(JSON.parse(JSON.stringify(simulate(irOf(COIN), COIN, { cohort: 100, runs: 500, seed: 1 }))));
    expect(parsed.assumptions.baseline).toEqual({ mean: 50, sd: 10 });
  });

  it("reads the assumptions and rejects bad values with exit 2", async () => {
    const t = io();
    expect(await simulateCommand({ contract: "coin.obc", runs: 10, cohort: 10, baseline: "60,5", growth: "10,2", attendance: "25,4", missing: "0.1", pTrue: "0.25", json: true }, t.io)).toBe(0);
    const a = JSON.parse(t.out.join("")).assumptions;
    expect([a.baseline, a.growth, a.attendance, a.missing, a.pTrue]).toEqual([{ mean: 60, sd: 5 }, { mean: 10, sd: 2 }, { mean: 25, sd: 4 }, 0.1, 0.25]);
    for (const bad of [{ runs: "x" }, { cohort: "0" }, { baseline: "60" }, { missing: "2" }, { seed: "-1" }]) {
      const b = io();
      expect(await simulateCommand({ contract: "coin.obc", ...bad }, b.io)).toBe(2);
      expect(b.err.join("")).toMatch(/^obc simulate: /);
    }
    const missing = io();
    expect(await simulateCommand({ contract: "nope.obc" }, missing.io)).toBe(4);
  });
});
