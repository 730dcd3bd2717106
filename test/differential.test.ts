/**
 * Proof of sameness: the fast engine and the reference engine (json-rules-engine + the
 * reference evaluator) give byte-identical results.
 *
 * 1. Every example contract on its data, with and without an as-of date.
 * 2. ≥ 1,000 property-based cases (fast-check, fixed seed): a random small contract written as
 *    OBC source text from a grammar subset (fields of every type, optional fields, metrics,
 *    conditions, groups of students, clauses with and/or/not/in/is missing/otherwise/
 *    comparisons/clause references, tiers, weights, caps, floor, penalties, funding, cohort
 *    clauses, escalations), and random CSV data (missing, blank-required and malformed cells,
 *    repeated ids, divisions by zero). Contracts that do not check are skipped, but at least
 *    80% must check. Each case compares the whole `runContract` output of both engines, and
 *    the bulk path (no reasons, streaming load, own settlement) against the reference totals.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract, type RunOutput } from "../engine/index.ts";
import { runBulk, type BulkResult } from "../engine/fast/bulk.ts";
import { generateCase } from "../bench/random-contract.ts";
import { compositeIR, contractAtVersion } from "../engine/amendments.ts";
import { compileContract } from "../engine/compile.ts";
import { fromValue, type RV } from "../engine/evaluate.ts";
import { loadInputs } from "../engine/inputs.ts";
import { buildEngine, Context, runEngine, traceConditions } from "../engine/run.ts";
import { fillSlots, StudentProgram } from "../engine/fast/program.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";

// ───────────── comparisons ─────────────

/** What the bulk path must agree on with a full run: totals, per-student totals and paid lines, data quality. */
function bulkView(out: RunOutput): unknown {
  const r = out.result;
  if (!out.ok || !r) return { ok: false, problems: out.problems };
  return {
    ok: true,
    totals: r.totals,
    students: r.students.map((s) => ({ id: s.id, total: s.total, uncapped: s.uncapped, lines: s.lines.map((l) => [l.clause, l.status, l.paid, l.withheld, l.funding]) })),
    cohorts: r.cohorts.map((c) => [c.clause, c.period ?? null, c.status, c.paid]),
    escalations: r.escalations,
    dataQuality: r.dataQuality,
    problems: out.problems,
  };
}

function bulkAsView(b: BulkResult): unknown {
  if (!b.ok) return { ok: false, problems: b.problems };
  return {
    ok: true,
    totals: b.totals,
    students: b.students.map((s) => ({ id: s.id, total: s.total, uncapped: s.uncapped, lines: s.lines.map((l) => [l.clause, l.status, l.paid, l.withheld, l.funding]) })),
    cohorts: b.cohorts.map((c) => [c.clause, c.period ?? null, c.status, c.paid]),
    escalations: b.escalations,
    dataQuality: b.dataQuality,
    problems: b.problems,
  };
}

/** Every example contract with the CSV files beside it (as in test/examples-golden.test.ts). */
function exampleRuns(): { dir: string; contract: string; data: string[] }[] {
  const runs: { dir: string; contract: string; data: string[] }[] = [];
  for (const d of readdirSync("examples").sort()) {
    const dir = join("examples", d);
    const files = readdirSync(dir).sort();
    const data = files.filter((f) => f.endsWith(".csv")).map((f) => join(dir, f));
    if (data.length === 0) continue;
    for (const f of files.filter((x) => x.endsWith(".obc"))) runs.push({ dir, contract: join(dir, f), data });
  }
  return runs;
}

describe("fast engine = reference engine", () => {
  for (const ex of exampleRuns()) {
    it(`${ex.contract}: identical RunResult JSON, with and without an as-of date`, async () => {
      const source = readFileSync(ex.contract, "utf8");
      const compiled = compileSource(source, { resolver: nodeResolver(ex.contract) });
      expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const ir = compiled.ir!;
      const files = ex.data.map((f) => ({ label: basename(f), text: readFileSync(f, "utf8") }));
      // the fast engine reproduces the reviewed golden output
      const golden = join(ex.dir, "expected", `${basename(ex.contract, ".obc")}.run.json`);
      if (existsSync(golden)) {
        const fast = await runContract(ir, source, files, { engine: "fast" });
        expect(JSON.stringify(fast.result, null, 2) + "\n").toBe(readFileSync(golden, "utf8"));
      }
      for (const asOf of [undefined, "2026-12-01", "2027-07-01"]) {
        const ref = await runContract(ir, source, files, { engine: "reference", asOf });
        const fast = await runContract(ir, source, files, { engine: "fast", asOf });
        expect(JSON.stringify(fast)).toBe(JSON.stringify(ref));
        const bulk = runBulk(ir, source, files, { asOf, detail: true });
        expect(bulkAsView(bulk)).toEqual(bulkView(ref));
      }
    });
  }

  it("every student rule: the same result and the same trace as json-rules-engine (300 random contracts)", async () => {
    let rules = 0;
    for (let seed = 1, done = 0; done < 300; seed++) {
      const g = generateCase(seed);
      const c = compileSource(g.source);
      if (!c.ok || !c.ir) continue;
      done++;
      const ir = compositeIR(g.version !== undefined ? contractAtVersion(c.ir, g.version)! : c.ir, g.asOf).ir;
      const compiled = compileContract(ir, g.source);
      const factText = new Map(compiled.ruleSet.facts.map((f) => [f.id, f.text]));
      const engine = await buildEngine(compiled.ruleSet.rules.filter((r) => r.event.params.scope === "student"), compiled.ruleSet.facts.map((f) => f.id));
      const prog = new StudentProgram(ir, compiled, factText, g.asOf);
      const data = loadInputs(ir, g.files).rows;
      const roster = ir.dataSets.find((d) => d.roster)!;
      const others = ir.dataSets.filter((d) => d.kind === "student" && !d.roster).flatMap((d) => data.get(d.name) ?? []);
      const defs = new Map([...ir.metrics].map(([k, m]) => [k, m.expr] as const));
      const clauseIds = new Map(ir.clauses.map((x) => [x.name, x.id]));
      for (const row of data.get(roster.name) ?? []) {
        const extras = others.filter((x) => x.key === row.key);
        const values: Record<string, RV> = {};
        for (const r of [row, ...extras]) for (const [k, v] of Object.entries(r.values)) values[k] = fromValue(v);
        const ctx = new Context(values, defs, compiled.exprs, clauseIds, undefined, { clauses: new Map(ir.clauses.map((x) => [x.id, x])), asOf: g.asOf });
        const want = await runEngine(engine, ctx);
        const slots = new Array<unknown>(prog.nSlots).fill(undefined);
        for (const r of [row, ...extras]) fillSlots(slots, prog.fields, r.values);
        prog.frame.slots = slots;
        prog.decide(true);
        const got = prog.decisions();
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [name, d] of want) {
          rules++;
          expect(got.get(name)!.result, `${name}, seed ${seed}`).toBe(d.result);
          expect(traceConditions(got.get(name)!.conditions, compiled.ruleSet.leaves, factText), `${name}, seed ${seed}`).toEqual(traceConditions(d.conditions, compiled.ruleSet.leaves, factText));
        }
      }
    }
    expect(rules).toBeGreaterThan(5000);
  }, 120_000);

  it("1,000+ random contracts and data sets: identical outputs (fixed seed)", async () => {
    let checked = 0;
    let skipped = 0;
    let amended = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const g = generateCase(seed);
        const compiled = compileSource(g.source);
        if (!compiled.ok || !compiled.ir) {
          skipped++;
          for (const d of compiled.diagnostics) if (d.severity === "error") codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
          return;
        }
        checked++;
        if (compiled.ir.amendments.length) amended++;
        // the contract as it stood at one version, when the case names one
        const ir = g.version !== undefined ? contractAtVersion(compiled.ir, g.version)! : compiled.ir;
        const ref = await runContract(ir, g.source, g.files, { engine: "reference", asOf: g.asOf });
        const fast = await runContract(ir, g.source, g.files, { engine: "fast", asOf: g.asOf });
        expect(JSON.stringify(fast), `seed ${seed}\n${g.source}`).toBe(JSON.stringify(ref));
        const bulk = runBulk(ir, g.source, g.files, { asOf: g.asOf, detail: true });
        expect(bulkAsView(bulk), `bulk, seed ${seed}\n${g.source}`).toEqual(bulkView(ref));
      }),
      { seed: 20261123, numRuns: 2000, endOnFailure: true },
    );
    const share = checked / (checked + skipped);
    expect(share, `only ${checked} of ${checked + skipped} generated contracts check; errors: ${JSON.stringify([...codes])}`).toBeGreaterThanOrEqual(0.8);
    expect(checked).toBeGreaterThanOrEqual(1000);
    expect(amended, "contracts with amendments").toBeGreaterThanOrEqual(200);
  }, 120_000);
});
