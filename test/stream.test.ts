import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { runBulkParallelFromFiles } from "../node/bulk-stream.ts";
import { runBulk } from "../engine/fast/bulk.ts";
import { runContract } from "../engine/index.ts";
import { readDataFile } from "../node/data-file.ts";
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

  it("a roster with a quoted multi-line cell and a CRLF line is streamed in chunks, with the same result as the whole text", async () => {
    const base = roster(2_000, 3);
    const text = base.replace("\nS5,", '\n"S\n5",').replace("\nS9,", "\r\nS9,");
    const path = join(dir, "quoted.csv");
    writeFileSync(path, text);
    const whole = await runBulkParallel(ir, source, [{ label: "quoted.csv", text, dataSet: "students" }], { workers: 2 });
    const plans: { chunks: number; onePart?: string }[] = [];
    const streamed = await runBulkParallelFromFiles(ir, source, [{ path, label: "quoted.csv", dataSet: "students" }], { workers: 2, chunkBytes: 4096, onPlan: (p) => plans.push(p) });
    expect(plans[0]?.onePart).toBeUndefined();
    expect(plans[0]!.chunks).toBeGreaterThan(5);
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

  it("messy rosters (line endings, byte-order marks, encodings, quotes, refusals): streamed = whole text = one thread = full run", async () => {
    const base = roster(1_500, 11);
    const lines = base.trimEnd().split("\n").map((l, i) => (i === 0 ? l + ",notes" : l + (i % 97 === 5 ? ',"met twice,\nthen ""absent"""' : i % 89 === 3 ? ',Zoë' : ",")));
    const unclosed = [...lines];
    unclosed[700] = unclosed[700]!.replace(/,$/, ',"never closed');
    // no other quote after it: the quote runs to the end of the file
    const early = lines.map((l) => l.replace(/,"met twice,\nthen ""absent"""$/, ","));
    early[20] = early[20]!.replace(/,$/, ',"never closed');
    const ragged = [...lines];
    ragged[300] = ragged[300]! + ",extra";
    ragged[301] = ragged[301]!.replace(/,[^,]*,/, ",");
    ragged[302] = ragged[302]!.replace(/,$/, ',"a"b"');
    const variants: [string, Buffer][] = [
      ["crlf-bom.csv", Buffer.from("\ufeff" + lines.join("\r\n") + "\r\n")],
      ["cr-blank-first.csv", Buffer.from("\n" + lines.join("\r").replace(/\n/g, "\r"))],
      ["mixed.csv", Buffer.from(lines.map((l, i) => l + (i % 3 === 0 ? "\r\n" : i % 3 === 1 ? "\n" : "\r")).join(""))],
      ["cp1252.csv", Buffer.from(lines.join("\r\n") + "\r\n", "latin1")],
      ["utf16.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join("\n") + "\n", "utf16le")])],
      ["ragged.csv", Buffer.from(ragged.join("\n") + "\n")],
      ["unclosed.csv", Buffer.from(unclosed.join("\n") + "\n")],
      ["unclosed-early.csv", Buffer.from(early.join("\n") + "\n")],
      ["header-only.csv", Buffer.from(lines[0] + "\r\n")],
      // a column without a name, holding data: read in chunks like any other
      ["unnamed.csv", Buffer.from(lines.map((l, i) => l + (i === 0 ? "," : i === 1200 ? ",x" : ",")).join("\n") + "\n")],
    ];
    const got = new Map<string, Awaited<ReturnType<typeof runBulkParallelFromFiles>>>();
    for (const [k, [name, bytes]] of variants.entries()) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const files = [(await readDataFile(path, name, "students")).file];
      const one = runBulk(ir, source, files);
      const plans: { onePart?: string }[] = [];
      const streamed = await runBulkParallelFromFiles(ir, source, [{ path, label: name, dataSet: "students" }], { workers: 1 + (k % 2), chunkBytes: 8192, onPlan: (p) => plans.push(p) });
      expect(plans.map((p) => p.onePart).filter(Boolean), name).toEqual([]);
      expect(view(streamed), name).toEqual(view(one));
      const full = await runContract(ir, source, files);
      expect(full.ok, name).toBe(one.ok);
      expect(full.problems, name).toEqual(one.problems);
      if (full.result) {
        expect(full.result.totals, name).toEqual(one.totals);
        expect(full.result.dataQuality, name).toEqual(one.dataQuality);
      }
      got.set(name, streamed);
    }
    // what each variant gives
    for (const name of ["crlf-bom.csv", "cr-blank-first.csv", "mixed.csv", "cp1252.csv", "utf16.csv"]) expect(got.get(name)!.count, name).toBe(1_500);
    expect(got.get("cp1252.csv")!.dataQuality!.files[0]!.encoding).toBe("windows-1252");
    expect(got.get("ragged.csv")!.problems.filter((p) => p.row !== undefined && p.row >= 301 && p.row <= 303).map((p) => [p.row, p.rule])).toEqual([[301, "too-many-cells"], [302, "too-few-cells"], [303, "bad-quotes"], [302, "missing-value"], [302, "missing-value"]]);
    expect(got.get("unclosed.csv")!.problems.map((p) => [p.code, p.row])).toEqual([["OBC5014", 701]]);
    // rows 6, 103, … hold a cell on two lines, so row 701 starts on line 709; the quote runs to the next quoted cell
    expect(got.get("unclosed.csv")!.problems[0]!.message).toContain("Row 701 of unclosed.csv (line 709) opens a quoted cell that is not closed properly: it would swallow the next");
    expect(got.get("unclosed-early.csv")!.problems[0]!.message).toContain("Row 21 of unclosed-early.csv (line 21) opens a quoted cell that is not closed properly: it would swallow more than 1,000 lines.");
    expect(got.get("header-only.csv")!.problems.filter((p) => p.severity === "error").map((p) => p.code)).toEqual(["OBC5007"]);
    expect(got.get("header-only.csv")!.ok).toBe(false);
    expect(got.get("unnamed.csv")!.problems.filter((p) => p.rule === "unnamed-column").map((p) => p.column)).toEqual(["column 8"]);
  }, 120_000);
});
