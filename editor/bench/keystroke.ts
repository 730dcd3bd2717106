/**
 * Keystroke latency of the language service: on a generated 500-line contract, the time from
 * a text change to its diagnostics (and to the full analysis: outline, names, the
 * plain-language summary, bounds), calling the same handler the web worker calls.
 *
 *   npx tsx editor/bench/keystroke.ts [--edits 50] [--lines 500]
 *
 * Note: tsx compiles with esbuild's keepNames, which slows Chevrotain's parser (see
 * shared toolchain notes); the bundled worker in the browser runs the minified build.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLanguageService } from "../src/service/handler.ts";
import { generateContract } from "./generate.ts";
import type { WorkerResponse } from "../src/service/protocol.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function main(): Promise<void> {
  const edits = arg("edits", 50);
  const lineCount = arg("lines", 500);
  const templatesDir = fileURLToPath(new URL("../../stdlib/templates/", import.meta.url));
  const library = Object.fromEntries(
    readdirSync(templatesDir).filter((f) => f.endsWith(".obc")).map((f) => [f.slice(0, -4), readFileSync(join(templatesDir, f), "utf8")]),
  );
  const service = createLanguageService({ library });
  const base = generateContract(lineCount);
  let text = base;

  // one check that the generated contract is valid
  let first: WorkerResponse | undefined;
  await service.handle({ type: "analyze", version: 0, text }, (m) => {
    first ??= m;
  });
  if (first?.type !== "diagnostics" || !first.ok) {
    throw new Error(`the generated contract has errors: ${first?.type === "diagnostics" ? first.cliText : "no answer"}`);
  }

  const toDiagnostics: number[] = [];
  const toAnalysis: number[] = [];
  const toSummary: number[] = [];
  const toBounds: number[] = [];
  const compile: number[] = [];
  const warmup = 5;
  for (let i = 0; i < warmup + edits; i++) {
    // an edit: one more digit in one clause's amount, as typing would
    const amount = `pays $${100 + (i % 30)} `;
    text = base.replace(amount, `pays $${100 + (i % 30)}${i % 10} `);
    const t0 = performance.now();
    let tDiag = 0;
    let tAnalysis = 0;
    let tSummary = 0;
    let tAll = 0;
    let compileMs = 0;
    await service.handle({ type: "analyze", version: i + 1, text }, (m) => {
      if (m.type === "diagnostics") {
        tDiag = performance.now() - t0;
        compileMs = m.compileMs;
      } else if (m.type === "analysis") tAnalysis = performance.now() - t0;
      else if (m.type === "summary" && !m.examples) tSummary = performance.now() - t0;
      else if (m.type === "bounds") tAll = performance.now() - t0;
    });
    if (i >= warmup) {
      toDiagnostics.push(tDiag);
      toAnalysis.push(tAnalysis);
      toSummary.push(tSummary);
      toBounds.push(tAll);
      compile.push(compileMs);
    }
  }

  const rows = [
    ["compile (parse + check)", compile],
    ["edit → diagnostics", toDiagnostics],
    ["edit → outline, names", toAnalysis],
    ["edit → plain-language summary", toSummary],
    ["edit → bounds (everything)", toBounds],
  ] as const;
  console.log(`Keystroke latency: ${text.split("\n").length - 1}-line contract, ${edits} edits (after ${warmup} warm-up), Node ${process.version}`);
  console.log("");
  console.log("| step | median (ms) | p95 (ms) | min (ms) | max (ms) |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, values] of rows) {
    const s = [...values].sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    console.log(`| ${name} | ${f(percentile(s, 50))} | ${f(percentile(s, 95))} | ${f(s[0]!)} | ${f(s[s.length - 1]!)} |`);
  }
  console.log("");
  console.log("The editor waits 150 ms after the last keystroke before sending the text (debounce), and runs all of this in a web worker.");
}

await main();
