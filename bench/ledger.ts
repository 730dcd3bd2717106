/**
 * Benchmark (f), the ledger, run by bench/run.ts on SQLite and on PostgreSQL (through
 * .ci/postgres; skipped with the reason when no server can be had):
 *
 * - settling 100,000 students of benchmark (b)'s kind into a new ledger: reading and hashing the
 *   files, the strict run, recording (one transaction: drop, attestation, settlement, chain);
 * - a large ledger: `contracts` contracts (the algebra pilot under ids of their own), each
 *   settled monthly for `months` months from an attested drop, every settlement adjusting a line
 *   for each of `students` students (25 × 12 × 5,000 = 1.5 M lines). The runs are made up (each
 *   month every student's dosage payment grows by a dollar), so that building it measures the
 *   ledger, not the engine. Then: opening it (from its last checkpoint), opening it after one
 *   more settlement, and verifying it in full.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ALGEBRA_CHECKPOINTS, algebraCsv } from "./gen.ts";
import { startPostgres, withSchema } from "../test/ledger-backends.ts";
import { compileSource } from "../language/driver.ts";
import type { RunResult } from "../engine/output.ts";
import { fromCents, openLedger, type Ledger } from "../node/ledger/index.ts";
import { readDataFiles, strictRun } from "../node/ledger/run.ts";

export interface LargeLedgerSize {
  contracts: number;
  months: number;
  students: number;
}

const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

/** A run of the pilot in which each of `students` students is owed `cents` for dosage, paid by the district. */
function madeUpRun(title: string, students: number, cents: number): RunResult {
  const amount = money(cents);
  const out = {
    contract: { title, version: "1.0", currency: "USD" },
    students: Array.from({ length: students }, (_, i) => ({
      id: `S${String(i).padStart(6, "0")}`,
      lines: [{ clause: "dosage", clauseName: "Dosage", status: "met", amount, withheld: "0.00", funding: { district: amount }, conditions: [{ values: { sessions_by_feb28: String(30 + (i % 20)) } }] }],
    })),
    cohorts: [],
    dataQuality: { files: [{ dataSet: "students", rowsAccepted: students }], problems: [] },
  };
  return out as unknown as RunResult;
}

/** The contracts of the large ledger: the pilot under ids and titles of their own. */
function benchContracts(root: string, n: number) {
  const base = readFileSync(join(root, "examples/03-algebra-pilot/contract.obc"), "utf8");
  return Array.from({ length: n }, (_, c) => {
    const id = `bench-${String(c + 1).padStart(2, "0")}`;
    const source = base.replace('contract "Algebra readiness pilot"', `contract "Algebra readiness pilot ${c + 1}" id "${id}"`);
    return { id, source, ir: compileSource(source).ir! };
  });
}

/** Month `m`'s settlement of each contract: a drop, its attestation, the settlement. @returns the lines written */
async function settleMonth(ledger: Ledger, contracts: ReturnType<typeof benchContracts>, m: number, students: number): Promise<number> {
  const day = `${2026 + Math.floor((m + 7) / 12)}-${String(((m + 7) % 12) + 1).padStart(2, "0")}-28`;
  const at = `${day}T09:00:00Z`;
  let lines = 0;
  for (const c of contracts) {
    const o = await ledger.settleNewDrop(
      { files: [{ label: `students-${m}.csv`, dataSet: "students", sha256: `${c.id}-${m}`.padEnd(64, "0"), bytes: 1 }], suppliedBy: "Lakeview USD", suppliedAt: day, recordedAt: at },
      { by: "J. Rivera", role: "district", at },
      { contractSource: c.source, ir: c.ir, result: madeUpRun(c.ir.title, students, 10_000 + m * 100), asOf: day, createdAt: at },
    );
    lines += o.lines.length;
  }
  return lines;
}

/**
 * Builds the ledger at `target` (an SQLite path or postgres://…), which must not exist yet.
 * @returns the time spent (ms) and the number of lines written
 */
export async function buildLargeLedger(root: string, target: string, size: LargeLedgerSize, progress?: (s: string) => void): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  const ledger = await openLedger(target, { create: true, now: "2026-09-01T00:00:00Z" });
  let lines = 0;
  try {
    const contracts = benchContracts(root, size.contracts);
    for (let m = 1; m <= size.months; m++) {
      lines += await settleMonth(ledger, contracts, m, size.students);
      progress?.(`month ${m} of ${size.months}: ${lines.toLocaleString("en-US")} lines`);
    }
  } finally {
    await ledger.close();
  }
  return { ms: performance.now() - t0, lines };
}

/** One more month's settlement of the large ledger's first contract. */
async function buildMore(root: string, target: string, size: LargeLedgerSize): Promise<void> {
  const ledger = await openLedger(target);
  try {
    await settleMonth(ledger, benchContracts(root, 1), size.months + 1, size.students);
  } finally {
    await ledger.close();
  }
}

export interface SettleTiming {
  students: number;
  lines: number;
  /** reading and hashing the files */
  readMs: number;
  /** the strict run */
  runMs: number;
  /** recording in the ledger (one transaction: drop, attestation, settlement and its chain hash) */
  recordMs: number;
  totalMs: number;
  net: string;
}

/** Settles the algebra pilot on `students.csv` and `checkpoints.csv` of `dir` into a new ledger at `target`, timing each phase. */
export async function timeSettle(root: string, dir: string, target: string): Promise<SettleTiming> {
  const source = readFileSync(join(root, "examples/03-algebra-pilot/contract.obc"), "utf8");
  const ir = compileSource(source).ir!;
  const t0 = performance.now();
  const files = await readDataFiles([
    { path: join(dir, "students.csv"), label: "students.csv", dataSet: "students" },
    { path: join(dir, "checkpoints.csv"), label: "checkpoints.csv", dataSet: "checkpoints" },
  ]);
  const t1 = performance.now();
  const run = await strictRun(ir, source, files, "2027-07-01");
  const t2 = performance.now();
  const ledger = await openLedger(target, { create: true, now: "2027-07-02T09:00:00Z" });
  try {
    const at = "2027-07-02T09:00:00Z";
    const o = await ledger.settleNewDrop(
      { files: files.map((f) => f.drop), suppliedBy: "Lakeview USD", suppliedAt: "2027-07-01", recordedAt: at },
      { by: "J. Rivera", role: "district", at },
      { contractSource: source, ir, result: run.result!, asOf: "2027-07-01", createdAt: at },
    );
    const t3 = performance.now();
    return { students: run.result!.students.length, lines: o.lines.length, readMs: t1 - t0, runMs: t2 - t1, recordMs: t3 - t2, totalMs: t3 - t0, net: fromCents(o.net) };
  } finally {
    await ledger.close();
  }
}

type Row = [string, string, string, string];

/** Runs benchmark (f); returns its rows for the report and its figures. */
export async function ledgerBench(root: string, scale: number, log: (s: string) => void): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  // a settlement keeps every student's lines and reasons to record them: 100,000 students (a
  // large district's year) fits in the default heap, a million does not
  const N = 100_000 / scale;
  const size: LargeLedgerSize = { contracts: 25, months: 12, students: 5000 / scale };
  const lines = size.contracts * size.months * size.students;
  const dir = mkdtempSync(join(os.tmpdir(), "obc-bench-ledger-"));
  const pgServer = startPostgres(root, process.pid);
  const schemas: string[] = [];
  try {
    writeFileSync(join(dir, "students.csv"), algebraCsv(N, 2));
    writeFileSync(join(dir, "checkpoints.csv"), ALGEBRA_CHECKPOINTS);
    const backends: { name: string; target: (file: string) => string | undefined }[] = [
      { name: "SQLite", target: (file) => join(dir, `${file}.sqlite`) },
      {
        name: "PostgreSQL",
        target: (file) => {
          if (!("url" in pgServer)) return undefined;
          schemas.push(`bench_${process.pid}_${file}`);
          return withSchema(pgServer.url, schemas.at(-1)!);
        },
      },
    ];
    for (const b of backends) {
      const settleTarget = b.target("settle");
      if (settleTarget === undefined) {
        rows.push([`(f) ledger on ${b.name}`, `not measured: ${"reason" in pgServer ? pgServer.reason : ""}`, "", ""]);
        continue;
      }
      const t = await timeSettle(root, dir, settleTarget);
      results[`settle${b.name}`] = t;
      rows.push([
        `(f) settle ${N.toLocaleString("en-US")} students (b's CSV), new ${b.name} ledger`,
        `${sec(t.totalMs)} (read ${sec(t.readMs)}, run ${sec(t.runMs)}, record ${t.lines.toLocaleString("en-US")} lines ${sec(t.recordMs)})`,
        "",
        "",
      ]);
      log(`(f) settle on ${b.name}: ${sec(t.totalMs)}`);

      const large = b.target("large")!;
      const built = await buildLargeLedger(root, large, size, (s) => log(`(f) ${b.name}: ${s}`));
      const open = async (verify: "since" | "full") => {
        const t0 = performance.now();
        const l = await openLedger(large, { verify });
        const ms = performance.now() - t0;
        const v = l.opened.verification;
        await l.close();
        if (!v.ok) throw new Error(`the large ledger failed verification: ${v.problems[0]}`);
        return { ms, rehashed: v.rehashed };
      };
      const first = await open("since"); // re-hashes what was written since its last checkpoint: all of it
      const quick = await open("since");
      const full = await open("full");
      // one more month's settlement of one contract, then the open that checks it
      await buildMore(root, large, size);
      const afterOne = await open("since");
      results[`large${b.name}`] = { ...size, lines: built.lines, buildMs: built.ms, firstOpenMs: first.ms, openMs: quick.ms, openAfterOneSettlementMs: afterOne.ms, fullVerifyMs: full.ms };
      rows.push([
        `(f) ${b.name} ledger of ${size.contracts} contracts × ${size.months} settlements × ${size.students.toLocaleString("en-US")} students (${lines.toLocaleString("en-US")} lines)`,
        `built in ${sec(built.ms)}; open ${Math.round(quick.ms)} ms, after a settlement of ${size.students.toLocaleString("en-US")} lines ${Math.round(afterOne.ms)} ms; full verify ${sec(full.ms)}`,
        "open ≤ 1 s",
        quick.ms <= 1000 && afterOne.ms <= 1000 ? "met" : "missed",
      ]);
      log(`(f) large ${b.name}: open ${Math.round(quick.ms)} ms, full ${sec(full.ms)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if ("url" in pgServer && schemas.length > 0) {
      const c = new pg.Client({ connectionString: pgServer.url });
      await c.connect();
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await c.end();
    }
  }
  return { rows, results };
}
