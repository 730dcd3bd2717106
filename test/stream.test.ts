import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { runBulkParallelFromFiles } from "../engine/fast/node-stream.ts";
import { lcg } from "../bench/gen.ts";

const source = readFileSync(new URL("../examples/01-duval-2022/contract.obc", import.meta.url), "utf8");
const ir = compileSource(source).ir!;
const dir = mkdtempSync(join(tmpdir(), "obc-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roster(n: number, seed = 7): string {
  const rnd = lcg(seed);
  const lines = ["student_id,grade,sessions_attended,map_fall_rit,map_spring_rit,projected_growth"];
  for (let i = 0; i < n; i++) {
    const fall = 190 + Math.floor(rnd() * 40);
    const spring = rnd() < 0.1 ? "" : String(fall + Math.floor(rnd() * 25) - 5);
    lines.push(`S${i},${rnd() < 0.9 ? 8 : 7},${Math.floor(rnd() * 40)},${fall},${spring},${5 + Math.floor(rnd() * 10)}`);
  }
  return lines.join("\n") + "\n";
}

const view = (r: Awaited<ReturnType<typeof runBulkParallel>>) => ({ ok: r.ok, count: r.count, totals: r.totals, ids: r.ids, studentTotals: [...r.studentTotals], problems: r.problems, dataQuality: r.dataQuality, cohorts: r.cohorts });

describe("streamed bulk runs", () => {
  it("a 50,000-row roster streamed in chunks equals runBulkParallel on the whole text, for 1 and 2 workers", async () => {
    const text = "\ufeff" + roster(50_000);
    const path = join(dir, "students.csv");
    writeFileSync(path, text);
    const whole = await runBulkParallel(ir, source, [{ label: "students.csv", text: text.slice(1) }], { workers: 2 });
    expect(whole.ok).toBe(true);
    expect(whole.count).toBeGreaterThan(40_000);
    for (const workers of [1, 2]) {
      const plans: { chunks: number; workers: number; onePart?: string }[] = [];
      const streamed = await runBulkParallelFromFiles(ir, source, [{ path, label: "students.csv" }], { workers, chunkBytes: 64 * 1024, maxInFlight: 3, onPlan: (p) => plans.push(p) });
      expect(plans[0]?.onePart, `${workers} workers`).toBeUndefined();
      expect(plans[0]!.chunks).toBeGreaterThan(10);
      expect(view(streamed), `${workers} workers`).toEqual(view(whole));
      expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole));
    }
  }, 120_000);

  it("a roster with a quoted multi-line cell is read whole, with the same result as the non-streamed path", async () => {
    const base = roster(2_000, 3);
    const text = base.replace("\nS5,", '\n"S\n5",').replace("\nS9,", "\r\nS9,");
    const path = join(dir, "quoted.csv");
    writeFileSync(path, text);
    const whole = await runBulkParallel(ir, source, [{ label: "quoted.csv", text, dataSet: "students" }], { workers: 2 });
    const plans: { onePart?: string }[] = [];
    const streamed = await runBulkParallelFromFiles(ir, source, [{ path, label: "quoted.csv", dataSet: "students" }], { workers: 2, chunkBytes: 4096, onPlan: (p) => plans.push(p) });
    expect(plans.some((p) => p.onePart !== undefined)).toBe(true);
    expect(view(streamed)).toEqual(view(whole));
    expect(streamed.ids).toContain("S\n5");
  }, 60_000);

  it("ragged rows and a quote late in the file: the same problems and totals as the whole text", async () => {
    const base = roster(5_000, 5);
    const ragged = base.replace("\nS100,", "\nS100,8,").replace("\nS200,8,", "\nS200,");
    const pr = join(dir, "ragged.csv");
    writeFileSync(pr, ragged);
    const w1 = await runBulkParallel(ir, source, [{ label: "ragged.csv", text: ragged }], { workers: 2 });
    const s1 = await runBulkParallelFromFiles(ir, source, [{ path: pr, label: "ragged.csv" }], { workers: 2, chunkBytes: 8192 });
    expect(view(s1)).toEqual(view(w1));
    const late = base.replace("\nS4900,", '\n"S4900",');
    const pl = join(dir, "late.csv");
    writeFileSync(pl, late);
    const w2 = await runBulkParallel(ir, source, [{ label: "late.csv", text: late }], { workers: 2 });
    const s2 = await runBulkParallelFromFiles(ir, source, [{ path: pl, label: "late.csv" }], { workers: 2, chunkBytes: 8192 });
    expect(view(s2)).toEqual(view(w2));
  }, 60_000);
});
