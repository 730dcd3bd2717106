/**
 * The fuzz campaign on contracts, bounded for every test run (issue 10 §6): 10,000 mutants of
 * the valid contracts (test/fuzz/contracts.ts), each compiled, rendered and, when it compiles,
 * run on generated data, with every property of test/fuzz/check.ts. `npm run fuzz` runs longer
 * campaigns in worker threads (`npm run fuzz -- --cases 100000`).
 */
import { describe, expect, it } from "vitest";
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
