/**
 * Acceptance: every contract of ../shared/acceptance, written in OBC under examples/, run
 * through the CLI on its data, reproduces every hand-worked figure to the cent.
 * The expected files are copies kept in examples/ so a clone passes anywhere.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { RunResult, StudentResult } from "../engine/index.ts";

const run = promisify(execFile);

async function obcRun(contract: string, data: string[]): Promise<RunResult> {
  const args = ["bin/obc.mjs", "run", contract, ...data.flatMap((d) => ["--data", d]), "--json"];
  const { stdout } = await run(process.execPath, args, { cwd: process.cwd(), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as RunResult;
}

const expected = (path: string) => JSON.parse(readFileSync(path, "utf8"));

/** Every expected line must be paid exactly; every other line of ours must pay 0.00. */
function expectLines(s: StudentResult, lines: { component: string; amount: string }[]): void {
  const ours = new Map(s.lines.map((l) => [l.clause, l.paid]));
  for (const l of lines) expect(ours.get(l.component), `${s.id} ${l.component}`).toBe(l.amount);
  for (const l of s.lines) {
    if (!lines.some((x) => x.component === l.clause)) expect(l.paid, `${s.id} ${l.clause}`).toBe("0.00");
  }
}

describe("acceptance contracts through the CLI", () => {
  it("Duval 2022: eligibility, dosage gate, base plus tiered outcome, ties, missing scores", async () => {
    const dir = "examples/01-duval-2022";
    const r = await obcRun(`${dir}/contract.obc`, [`${dir}/students.csv`]);
    const want = expected(`${dir}/expected.json`);
    expect(r.students.map((s) => s.id)).toEqual(Object.keys(want.students));
    for (const s of r.students) {
      expect(s.total, s.id).toBe(want.students[s.id].total);
      expectLines(s, want.students[s.id].lines);
    }
    expect(r.totals.byClause).toEqual({ base: want.totals.base, outcome: want.totals.outcome });
    expect(r.totals.paid).toBe(want.totals.total);
  });

  for (const [file, exp] of [
    ["contract.obc", "expected-cap-1200000.json"],
    ["contract-cap-9000.obc", "expected-cap-9000.json"],
  ] as const) {
    it(`Denver 2022 (${exp}): several measures, proration by months, withdrawal, contract cap to the cent`, async () => {
      const dir = "examples/02-denver-2022";
      const r = await obcRun(`${dir}/${file}`, [`${dir}/students.csv`]);
      const want = expected(`${dir}/${exp}`);
      expect(r.students.map((s) => s.id)).toEqual(Object.keys(want.students));
      for (const s of r.students) {
        const w = want.students[s.id];
        const line = (c: string) => s.lines.find((l) => l.clause === c)?.amount ?? "0.00";
        expect(line("base"), `${s.id} base`).toBe(w.base);
        expect(line("outcome"), `${s.id} outcome`).toBe(w.outcome);
        expect(s.uncapped, `${s.id} uncapped`).toBe(w.uncapped);
        expect(s.total, `${s.id} paid`).toBe(w.paid);
      }
      expect(r.totals.uncapped).toBe(want.uncapped_total);
      expect(r.totals.paid).toBe(want.total_paid);
      expect(r.totals.contractCap?.cap).toBe(want.contract_cap);
      expect(r.totals.contractCap?.binds).toBe(want.total_paid !== want.uncapped_total);
    });
  }

  it("Denver 2022: months enrolled, through a metric of the contract", async () => {
    // months_enrolled is not a payment line; the base reveals it: $900 × months / 10
    const dir = "examples/02-denver-2022";
    const r = await obcRun(`${dir}/contract.obc`, [`${dir}/students.csv`]);
    const want = expected(`${dir}/expected-cap-1200000.json`);
    for (const s of r.students) {
      const base = Number(s.lines.find((l) => l.clause === "base")!.amount);
      expect(Math.round(base / 90), s.id).toBe(want.students[s.id].months_enrolled);
    }
  });

  for (const reading of ["a", "b"] as const) {
    it(`Studient guarantee, reading ${reading.toUpperCase()}: strict versus inclusive thresholds`, async () => {
      const dir = "examples/04-studient-guarantee";
      const r = await obcRun(`${dir}/reading-${reading}.obc`, [`${dir}/students.csv`]);
      const want = expected(`${dir}/expected-reading-${reading}.json`);
      expect(Object.fromEntries(r.students.map((s) => [s.id, s.total]))).toEqual(want.students);
      expect(r.totals.paid).toBe(want.total);
    });
  }

  it("OBCI algebra pilot: milestones, outcome and partial payments, weights, funding split, escalation", async () => {
    const dir = "examples/03-algebra-pilot";
    const r = await obcRun(`${dir}/contract.obc`, [`${dir}/students.csv`, `${dir}/checkpoints.csv`]);
    const want = expected(`${dir}/expected.json`);
    expect(r.students.map((s) => s.id)).toEqual(Object.keys(want.students));
    for (const s of r.students) {
      const w = want.students[s.id];
      expectLines(s, w.lines);
      expect(s.total, s.id).toBe(w.total);
      expect(s.funding["philanthropy"] ?? "0.00", `${s.id} philanthropy`).toBe(w.philanthropy);
      expect(s.funding["district"] ?? "0.00", `${s.id} district`).toBe(w.district);
    }
    expect(r.totals.paid).toBe(want.totals.total);
    expect(r.totals.byPayer).toEqual({ philanthropy: want.totals.philanthropy, district: want.totals.district });
    const levels = r.escalations[0]!.checkpoints
      .filter((c) => c.level > 0)
      .map((c) => ({ checkpoint: c.period, attendance_rate: c.measures["attendance_rate"], level: c.level }));
    expect(levels).toEqual(want.escalations);
  });

  it("Utah preschool SIB: counts per period and a share of avoided cost", async () => {
    const dir = "examples/05-utah-preschool-sib";
    const r = await obcRun(`${dir}/contract.obc`, [`${dir}/children-by-year.csv`]);
    const want = expected(`${dir}/expected.json`);
    const years = Object.fromEntries(
      r.cohorts.map((c) => [
        c.period,
        { tracked: Number(c.values["tracked_children"]), avoided: Number(c.values["avoided"]), savings: c.values["savings"], payment: c.paid },
      ]),
    );
    expect(years).toEqual(want.years);
    expect(r.totals.paid).toBe(want.total);
  });
});
