/**
 * The DATAS sessions example (examples/09-datas-sessions) on the real third-party files in
 * ../shared/data/datas, read directly: every student's payment of every clause, to the cent,
 * against the figures of an independent script (expected-figures.mjs, plain JavaScript over
 * the CSV files, no OBC code), with both deciders. Skipped, with the reason printed, where
 * ../shared/data is absent.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runContract } from "../engine/index.ts";
import { compileSource } from "../language/driver.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DATAS = resolve(ROOT, "../shared/data/datas");
const EXAMPLE = join(ROOT, "examples/09-datas-sessions");
const has = existsSync(join(DATAS, "sessions.csv")) && existsSync(join(DATAS, "students.csv"));
if (!has) console.log(`datas-sessions: skipped: ${DATAS} (the DATAS files) is absent`);

describe.skipIf(!has)("DATAS sessions, read directly (../shared/data/datas)", () => {
  const files = [
    { label: "students.csv", text: has ? readFileSync(join(DATAS, "students.csv"), "utf8") : "" },
    { label: "sessions.csv", text: has ? readFileSync(join(DATAS, "sessions.csv"), "utf8") : "" },
    { label: "holidays.csv", text: readFileSync(join(EXAMPLE, "calendar/holidays.csv"), "utf8") },
  ];
  const source = readFileSync(join(EXAMPLE, "contract.obc"), "utf8");
  const expected = (): Record<string, Record<string, string>> =>
    JSON.parse(execFileSync(process.execPath, [join(EXAMPLE, "expected-figures.mjs"), join(DATAS, "students.csv"), join(DATAS, "sessions.csv"), join(EXAMPLE, "calendar/holidays.csv")], { encoding: "utf8", maxBuffer: 64 << 20 }));

  it.each(["fast", "reference"] as const)("pays every student what the independent script computes, to the cent (%s decider)", async (engine) => {
    const c = compileSource(source);
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const run = await runContract(c.ir!, source, files, { engine });
    expect(run.ok).toBe(true);
    // the log's 50,520 sessions are all read: none rejected
    const sessions = run.result!.dataQuality.files.find((f) => f.dataSet === "sessions");
    expect([sessions?.rowsRead, sessions?.rowsAccepted]).toEqual([50_520, 50_520]);
    const got = Object.fromEntries(run.result!.students.map((s) => [s.id, Object.fromEntries(s.lines.map((l) => [l.clause, l.paid]))]));
    const want = expected();
    expect(Object.keys(got).length).toBe(2_500);
    expect(got).toEqual(want);
    // the figures are not trivial: many students are paid each clause, many are not
    for (const clause of ["reading_dosage", "steady_attendance", "unbroken_streak", "early_start", "strong_finish", "reading_growth"]) {
      const paid = Object.values(want).filter((l) => l[clause] !== undefined && l[clause] !== "0.00").length;
      const unpaid = Object.values(want).filter((l) => l[clause] === "0.00").length;
      expect(paid, clause).toBeGreaterThan(20);
      expect(unpaid, clause).toBeGreaterThan(20);
    }
  }, 120_000);
});
