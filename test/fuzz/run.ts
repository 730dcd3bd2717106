/**
 * `npm run fuzz`: a fuzz campaign on contracts and data files, in worker threads.
 *
 *   npm run fuzz                                     10,000 contracts and 2,000 data files
 *   npm run fuzz -- --cases 100000 --data-cases 10000
 *   npm run fuzz -- --seed 7 --workers 1             another campaign, one thread
 *   npm run fuzz -- --only contract:1234             replays one case and prints it
 *
 * Prints the figures of each kind (cases, time, runs, the slowest case, failures by kind) and
 * writes each failure to test-artifacts/fuzz/; exits 1 when there is any failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { runCampaign, runCases, type CaseKind, type Figures } from "./campaign.ts";
import { FAILURE_KINDS } from "./check.ts";
import { contractSeeds, mutant } from "./contracts.ts";
import { Rng } from "./rng.ts";
import { DEFAULT_SEED } from "./seed.ts";

function args(argv: string[]): { cases: number; dataCases: number; seed: number; workers: number; boundMs: number; only?: string } {
  const o = { cases: 10_000, dataCases: 2_000, seed: DEFAULT_SEED, workers: Math.max(1, Math.min(2, availableParallelism())), boundMs: 10_000 } as ReturnType<typeof args>;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a whole number`);
      i++;
      return n;
    };
    if (a === "--cases") o.cases = num();
    else if (a === "--data-cases") o.dataCases = num();
    else if (a === "--seed") o.seed = num();
    else if (a === "--workers") o.workers = Math.max(1, num());
    else if (a === "--bound-ms") o.boundMs = num();
    else if (a === "--only" && v && /^(contract|data):\d+$/.test(v)) {
      o.only = v;
      i++;
    } else throw new Error(`unknown option ${a} (--cases N, --data-cases N, --seed N, --workers N, --bound-ms N, --only contract:N|data:N)`);
  }
  return o;
}

function report(f: Figures): string {
  const byKind = FAILURE_KINDS.map((k) => `${k} ${f.failures.filter((x) => x.kind === k).length}`).join(", ");
  const extra = f.kind === "contract" ? `${f.compiled} compiled and ran` : `${f.refused} refused on their data`;
  return `${f.kind} cases: ${f.cases} in ${(f.wallMs / 1000).toFixed(1)} s (${extra}; slowest ${Math.round(f.slowestMs)} ms, ${f.slowestId}); failures: ${f.failures.length} (${byKind})`;
}

async function main(): Promise<number> {
  const o = args(process.argv.slice(2));
  const opts = { seed: o.seed, boundMs: o.boundMs };
  if (o.only) {
    const [kind, n] = o.only.split(":") as [CaseKind, string];
    const i = Number(n);
    if (kind === "contract") {
      const m = mutant(contractSeeds(), new Rng(o.seed, i));
      process.stdout.write(`// ${m.seed.name}, mutated by ${m.applied.join(", ")}\n${m.text.length > 20_000 ? m.text.slice(0, 20_000) + "\n…" : m.text}\n`);
    }
    const f = await runCases(kind, i, i + 1, opts);
    for (const x of f.failures) process.stdout.write(`${x.kind}: ${x.detail}\n  ${x.input}\n`);
    process.stdout.write(report(f) + "\n");
    return f.failures.length > 0 ? 1 : 0;
  }
  process.stdout.write(`fuzz: seed ${o.seed}, ${o.workers} worker${o.workers === 1 ? "" : "s"}, a case may take ${o.boundMs} ms\n`);
  const all: Figures[] = [];
  // the data files first: a campaign stopped before its end has the figures of whatever finished
  for (const [kind, n] of [["data", o.dataCases], ["contract", o.cases]] as const) {
    if (n === 0) continue;
    let last = 0;
    const t0 = performance.now();
    const f = await runCampaign(kind, n, o.workers, opts, (done, failures) => {
      if (process.stderr.isTTY && done - last >= 500) {
        last = done;
        process.stderr.write(`\r${kind}: ${done} of ${n}`);
      } else if (!process.stderr.isTTY && done - last >= 5_000) {
        // a log gets a line every 5,000 cases
        last = done;
        process.stdout.write(`  ${kind}: ${done} of ${n} after ${((performance.now() - t0) / 1000).toFixed(0)} s, ${failures} failure${failures === 1 ? "" : "s"}\n`);
      }
    });
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    process.stdout.write(report(f) + "\n");
    all.push(f);
  }
  const failures = all.flatMap((f) => f.failures);
  if (failures.length > 0) {
    const dir = join("test-artifacts", "fuzz");
    mkdirSync(dir, { recursive: true });
    for (const x of failures) {
      const file = join(dir, `${x.id.replace(":", "-")}-${x.kind}.txt`);
      writeFileSync(file, `${x.kind}: ${x.detail}\n${x.input}\nreplay: npm run fuzz -- --seed ${o.seed} --only ${x.id}\n`);
    }
    process.stdout.write(`${failures.length} failure${failures.length === 1 ? "" : "s"}; each in ${dir}/, e.g. npm run fuzz -- --seed ${o.seed} --only ${failures[0]!.id}\n`);
    for (const x of failures.slice(0, 10)) process.stdout.write(`  ${x.id} ${x.kind}: ${x.detail.split("\n")[0]}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
  return 2;
});
