/**
 * The fuzz campaign on contracts, bounded for every test run (issue 10 §6): 10,000 mutants of
 * the valid contracts (test/fuzz/contracts.ts), each compiled, rendered and, when it compiles,
 * run on generated data, with every property of test/fuzz/check.ts. `npm run fuzz` runs longer
 * campaigns in worker threads (`npm run fuzz -- --cases 100000`).
 */
import { describe, expect, it } from "vitest";
import { runBulk } from "../engine/fast/bulk.ts";
import { compileSource } from "../language/driver.ts";
import { runCases } from "./fuzz/campaign.ts";
import { DEFAULT_SEED } from "./fuzz/seed.ts";

const CASES = 10_000;

describe("fuzz: contracts", () => {
  it(`${CASES} mutated contracts: no throw, no internal error, well-formed and short diagnostics, and every run's money adds up`, async () => {
    const f = await runCases("contract", 0, CASES, { seed: DEFAULT_SEED, boundMs: 30_000 });
    expect(f.failures.map((x) => `${x.id} ${x.kind}: ${x.detail} (${x.input})`)).toEqual([]);
    expect(f.cases).toBe(CASES);
    // the mutants reach every stage: some compile and run, most draw errors
    expect(f.compiled).toBeGreaterThan(CASES / 20);
    expect(f.compiled).toBeLessThan(CASES / 2);
  }, 900_000);
});

describe("defects the campaign found", () => {
  it("a metric named like a data set's key column is declared twice (OBC2004), not a crash of the bulk run", () => {
    const text = `contract "A" {
  parties { district "D" provider "P" }
  data students keyed by growth { boy_score: score  eoy_score: score }
  metric growth = eoy_score - boy_score
  partial "Growth" pays $400 per student when growth >= 10
}
`;
    const r = compileSource(text);
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.message, d.related.map((x) => x.label)])).toEqual([["OBC2004", "'growth' is declared twice.", ["the key column of students"]]]);
    expect(r.ok).toBe(false);
    // the same contract with its own name for the metric runs both ways
    const source = text.replace("metric growth", "metric gain").replace("when growth", "when gain");
    const fixed = compileSource(source);
    expect(fixed.ok).toBe(true);
    const files = [{ label: "students.csv", text: "growth,boy_score,eoy_score\nS1,40,55\nS2,40,45\n" }];
    expect(runBulk(fixed.ir!, source, files).totals?.paid).toBe("400.00");
  });
});
