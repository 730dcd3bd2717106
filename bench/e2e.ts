/**
 * Benchmark (b), run as a child process by bench/run.ts: a large CSV to payments, end to end.
 *
 *   node bench/dist/e2e.mjs CONTRACT STUDENTS.csv CHECKPOINTS.csv OUT_DIR WORKERS
 *
 * Reads the contract and the files, checks the contract, runs it with the bulk path on WORKERS
 * worker threads, writes OUT_DIR/payments.csv (student id, total paid) and OUT_DIR/totals.json,
 * and prints one JSON line with the phase times and the peak resident memory (VmHWM).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../language/driver.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";

function peakKb(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const [contractPath, studentsPath, checkpointsPath, outDir, workersArg] = process.argv.slice(2);
const t0 = performance.now();
const source = readFileSync(contractPath!, "utf8");
const students = readFileSync(studentsPath!, "utf8");
const checkpoints = readFileSync(checkpointsPath!, "utf8");
const t1 = performance.now();
const compiled = compileSource(source);
if (!compiled.ok || !compiled.ir) throw new Error("the contract has errors");
const t2 = performance.now();
let plan: unknown;
const result = await runBulkParallel(
  compiled.ir,
  source,
  [
    { label: "students.csv", text: students },
    { label: "checkpoints.csv", text: checkpoints },
  ],
  { workers: Number(workersArg ?? 2), onPlan: (p) => (plan = p) },
);
const t3 = performance.now();
if (!result.ok) throw new Error("the run stopped on data errors");
const lines: string[] = ["student_id,total"];
for (let i = 0; i < result.ids.length; i++) {
  const c = result.studentTotals[i]!;
  lines.push(`${result.ids[i]},${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`);
}
writeFileSync(join(outDir!, "payments.csv"), lines.join("\n") + "\n");
writeFileSync(join(outDir!, "totals.json"), JSON.stringify({ totals: result.totals, dataQuality: result.dataQuality?.files.map((f) => ({ file: f.file, rowsRead: f.rowsRead, rowsAccepted: f.rowsAccepted })) }, null, 2));
const t4 = performance.now();
process.stdout.write(
  JSON.stringify({
    students: result.count,
    plan,
    paid: result.totals?.paid,
    ms: { read: t1 - t0, check: t2 - t1, run: t3 - t2, write: t4 - t3, total: t4 - t0 },
    peakKb: peakKb(),
  }) + "\n",
);
