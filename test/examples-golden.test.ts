/**
 * Golden files per example: the compiled rules and the full run output of every example
 * contract on its data, kept as plain JSON under examples/<dir>/expected/ and reviewed as a
 * diff. `UPDATE_GOLDEN=1 npx vitest run test/examples-golden.test.ts` rewrites them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { compileRules, runContract } from "../engine/index.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";

const update = process.env["UPDATE_GOLDEN"] === "1";

interface ExampleRun {
  dir: string;
  contract: string;
  data: string[];
}

/** Every contract of every example directory, with the CSV files beside it. */
export function exampleRuns(): ExampleRun[] {
  const runs: ExampleRun[] = [];
  for (const d of readdirSync("examples").sort()) {
    const dir = join("examples", d);
    const files = readdirSync(dir).sort();
    const data = files.filter((f) => f.endsWith(".csv")).map((f) => join(dir, f));
    if (data.length === 0) {
      // e.g. the DATAS example, whose data derive from third-party files and are made by its own test
      console.log(`examples-golden: skipping ${dir}: it ships no CSV data of its own`);
      continue;
    }
    for (const f of files.filter((x) => x.endsWith(".obc"))) runs.push({ dir, contract: join(dir, f), data });
  }
  return runs;
}

function golden(path: string, actual: string): void {
  if (update || !existsSync(path)) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, actual);
    if (!update) throw new Error(`golden file ${path} was missing and has been written: review it and run again`);
    return;
  }
  expect(actual, `${path} differs: review, then UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(path, "utf8"));
}

describe("example goldens", () => {
  const runs = exampleRuns();
  it("covers every acceptance contract and the two rewritten with templates", () => {
    expect(runs.map((r) => r.contract.split(sep).join("/"))).toEqual([
      "examples/01-duval-2022/contract.obc",
      "examples/02-denver-2022/contract-cap-9000.obc",
      "examples/02-denver-2022/contract.obc",
      "examples/03-algebra-pilot/contract.obc",
      "examples/04-studient-guarantee/reading-a.obc",
      "examples/04-studient-guarantee/reading-b.obc",
      "examples/05-utah-preschool-sib/contract.obc",
      "examples/07-algebra-pilot-templates/contract.obc",
      "examples/08-duval-templates/contract.obc",
    ]);
  });
  for (const r of runs) {
    it(`${r.contract}: rules and run output match the goldens`, async () => {
      const source = readFileSync(r.contract, "utf8");
      const compiled = compileSource(source, { resolver: nodeResolver(r.contract) });
      expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const stem = basename(r.contract, ".obc");
      golden(join(r.dir, "expected", `${stem}.rules.json`), JSON.stringify(compileRules(compiled.ir!, source), null, 2) + "\n");
      const out = await runContract(
        compiled.ir!,
        source,
        r.data.map((f) => ({ label: basename(f), text: readFileSync(f, "utf8") })),
      );
      expect(out.ok).toBe(true);
      expect(out.problems.filter((p) => p.severity === "error")).toEqual([]);
      golden(join(r.dir, "expected", `${stem}.run.json`), JSON.stringify(out.result, null, 2) + "\n");
    });
  }
});
