/**
 * The settlement ledger: migrations, idempotent settlement, corrections as exact adjustments,
 * atomicity under a simulated crash, queries, and the settle / ledger commands.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract, type RunResult } from "../engine/index.ts";
import {
  appliedVersions,
  balances,
  exportLinesCsv,
  fromCents,
  history,
  migrate,
  MigrationError,
  MIGRATIONS,
  openLedger,
  owedByRun,
  settle,
  settlementLines,
  toCents,
  type Ledger,
} from "../node/ledger/index.ts";
import { settleCommand } from "../cli/settle.ts";
import { ledgerCommand } from "../cli/ledger.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const PILOT = join(ROOT, "examples/03-algebra-pilot");
const source = readFileSync(join(PILOT, "contract.obc"), "utf8");
const studentsCsv = readFileSync(join(PILOT, "students.csv"), "utf8");
const checkpointsCsv = readFileSync(join(PILOT, "checkpoints.csv"), "utf8");
const compiled = compileSource(source);
const AS_OF = "2027-07-01";

async function runPilot(students = studentsCsv): Promise<RunResult> {
  const out = await runContract(compiled.ir!, source, [
    { label: "students.csv", text: students, dataSet: "students" },
    { label: "checkpoints.csv", text: checkpointsCsv, dataSet: "checkpoints" },
  ], { asOf: AS_OF });
  expect(out.ok).toBe(true);
  return out.result!;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const inputsOf = (students: string) => [
  { label: "students.csv", sha256: sha(students) },
  { label: "checkpoints.csv", sha256: sha(checkpointsCsv) },
];

const count = (db: Ledger, table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migrations", () => {
  it("creates the schema once and records each migration", () => {
    const db = openLedger(":memory:", { now: "2027-01-01T00:00:00Z" });
    expect(appliedVersions(db)).toEqual([1]);
    expect(migrate(db)).toEqual([]);
    const row = db.prepare("SELECT version, name, applied_at FROM schema_migrations").get();
    expect(row).toEqual({ version: 1, name: "settlements and lines", applied_at: "2027-01-01T00:00:00Z" });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(["lines", "schema_migrations", "settlement_inputs", "settlements"]);
  });
  it("applies later migrations in order, and refuses a changed or unknown one", () => {
    const db = new Database(":memory:");
    migrate(db);
    const v2 = { version: 2, name: "notes", sql: "ALTER TABLE settlements ADD COLUMN note TEXT;" };
    const v3 = { version: 3, name: "index", sql: "CREATE INDEX settlements_as_of ON settlements (as_of);" };
    expect(migrate(db, [...MIGRATIONS, v3, v2])).toEqual([2, 3]);
    expect(appliedVersions(db)).toEqual([1, 2, 3]);
    expect(() => migrate(db, [...MIGRATIONS, { ...v2, sql: "SELECT 1;" }, v3])).toThrow(MigrationError);
    expect(() => migrate(db, MIGRATIONS)).toThrow(/newer obc/);
  });
});

describe("settle", () => {
  let first: RunResult;
  beforeAll(async () => {
    first = await runPilot();
    expect(first.totals.paid).toBe("5560.00");
  });

  it("records a run's lines as payments, per student, clause and payer, adding up to the run's totals", () => {
    const db = openLedger(":memory:");
    const o = settle(db, { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z", ir: compiled.ir });
    expect(o.status).toBe("recorded");
    expect(o.settlementId).toBe(1);
    expect(o.lines.every((l) => l.kind === "payment")).toBe(true);
    expect(fromCents(o.net)).toBe("5560.00");
    expect(o.lines.filter((l) => l.studentKey === "P1").map((l) => `${l.clause}/${l.payer}=${fromCents(l.amount)}`)).toEqual([
      "algebra_ready/district=540.00",
      "algebra_ready/philanthropy=360.00",
      "dosage/district=180.00",
      "dosage/philanthropy=120.00",
      "onboarded/district=120.00",
      "onboarded/philanthropy=80.00",
    ]);
    expect(Object.fromEntries(balances(db, "payer").map((b) => [b.key, fromCents(b.cents)]))).toEqual(first.totals.byPayer);
    expect(Object.fromEntries(balances(db, "clause").map((b) => [b.key, fromCents(b.cents)]))).toEqual(
      Object.fromEntries(Object.entries(first.totals.byClause).filter(([, v]) => v !== "0.00")),
    );
  });

  it("settling the same inputs twice records nothing new", () => {
    const db = openLedger(":memory:");
    const input = { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z" };
    settle(db, input);
    const before = exportLinesCsv(db);
    const again = settle(db, { ...input, createdAt: "2027-07-03T09:00:00Z" });
    expect(again).toMatchObject({ status: "duplicate", settlementId: 1, lines: [] });
    // other files (other hashes) whose run owes the same: nothing to record either
    const same = settle(db, { ...input, inputs: [{ label: "students-copy.csv", sha256: "other" }], createdAt: "2027-07-04T09:00:00Z" });
    expect(same).toMatchObject({ status: "unchanged", lines: [] });
    expect(count(db, "settlements")).toBe(1);
    expect(exportLinesCsv(db)).toBe(before);
  });

  it("a corrected data drop gives exact adjustment lines with their reasons", async () => {
    const db = openLedger(":memory:");
    settle(db, { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z", ir: compiled.ir });
    // P1's end-of-year score is corrected from 72 to 68: no longer "Algebra ready", but Growth (68 - 50 >= 10)
    const corrected = studentsCsv.replace("P1,8,false,false,2026-09-20,2026-10-01,34,50,72,", "P1,8,false,false,2026-09-20,2026-10-01,34,50,68,");
    expect(corrected).not.toBe(studentsCsv);
    const second = await runPilot(corrected);
    const o = settle(db, { contractSource: source, result: second, inputs: inputsOf(corrected), asOf: AS_OF, createdAt: "2027-07-09T09:00:00Z", ir: compiled.ir });
    expect(o.status).toBe("recorded");
    expect(o.lines.map((l) => [l.studentKey, l.clause, l.payer, l.kind, fromCents(l.amount), l.reason])).toEqual([
      ["P1", "algebra_ready", "district", "adjustment", "-540.00", "correction: eoy_score data changed"],
      ["P1", "algebra_ready", "philanthropy", "adjustment", "-360.00", "correction: eoy_score data changed"],
      ["P1", "growth", "district", "payment", "240.00", "payment: Growth met"],
      ["P1", "growth", "philanthropy", "payment", "160.00", "payment: Growth met"],
    ]);
    expect(fromCents(o.net)).toBe("-500.00");
    expect(fromCents(o.adjustments)).toBe("-900.00");
    expect(settlementLines(db, 2)).toEqual(o.lines);
    // the ledger now holds what the corrected run owes
    expect(Object.fromEntries(balances(db, "payer").map((b) => [b.key, fromCents(b.cents)]))).toEqual(second.totals.byPayer);
    expect(history(db).map((h) => [h.id, fromCents(h.payments), fromCents(h.adjustments), fromCents(h.net), h.lineCount])).toEqual([
      [1, "5560.00", "0.00", "5560.00", 30],
      [2, "400.00", "-900.00", "-500.00", 4],
    ]);
    // and a student dropped from the data gets everything back out, as adjustments
    const withoutP9 = corrected.split("\n").filter((l) => !l.startsWith("P9,")).join("\n");
    const third = await runPilot(withoutP9);
    const o3 = settle(db, { contractSource: source, result: third, inputs: inputsOf(withoutP9), asOf: AS_OF, createdAt: "2027-07-10T09:00:00Z" });
    expect(o3.lines.every((l) => l.studentKey === "P9" && l.kind === "adjustment" && l.amount < 0n && l.reason === "adjustment: no longer owed (the line is not in this run)")).toBe(true);
    expect(fromCents(o3.net)).toBe("-" + first.students.find((s) => s.id === "P9")!.total);
  });

  it("a crash in the middle of a settlement leaves the ledger unchanged", async () => {
    const db = openLedger(":memory:");
    settle(db, { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z" });
    const before = { s: count(db, "settlements"), l: count(db, "lines"), i: count(db, "settlement_inputs"), csv: exportLinesCsv(db) };
    const corrected = studentsCsv.replace(",34,50,72,", ",34,50,68,").replace(",33,65,80,", ",33,65,62,");
    const second = await runPilot(corrected);
    const input = { contractSource: source, result: second, inputs: inputsOf(corrected), asOf: AS_OF, createdAt: "2027-07-09T09:00:00Z" };
    expect(() =>
      settle(db, input, {
        afterLine: (n) => {
          if (n === 3) throw new Error("simulated crash");
        },
      }),
    ).toThrow("simulated crash");
    expect({ s: count(db, "settlements"), l: count(db, "lines"), i: count(db, "settlement_inputs"), csv: exportLinesCsv(db) }).toEqual(before);
    // the same settlement then succeeds in full
    const ok = settle(db, input);
    expect(ok.status).toBe("recorded");
    expect(ok.lines.length).toBeGreaterThan(3);
    expect(count(db, "lines")).toBe(before.l + ok.lines.length);
  });

  it("a dry run computes the lines and writes nothing", () => {
    const db = openLedger(":memory:");
    const o = settle(db, { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z" }, { dryRun: true });
    expect(o.status).toBe("recorded");
    expect(o.lines.length).toBe(30);
    expect(count(db, "settlements")).toBe(0);
    expect(count(db, "lines")).toBe(0);
  });

  it("withholding is shared among the payers to the cent and is owed later when released", () => {
    const r: RunResult = structuredClone(first);
    const line = r.students[0].lines.find((l) => l.clause === "dosage")!;
    line.withheld = "30.01";
    const owed = owedByRun(r);
    const key = (payer: string) => JSON.stringify([r.students[0].id, "dosage", "", payer]);
    // funding 180.00 / 120.00; 30.01 withheld: 18.01 / 12.00 (largest remainder to the first payer)
    expect(fromCents(owed.get(key("district"))!.cents)).toBe("161.99");
    expect(fromCents(owed.get(key("philanthropy"))!.cents)).toBe("108.00");
    const db = openLedger(":memory:");
    settle(db, { contractSource: source, result: r, inputs: [{ label: "a", sha256: "1" }], asOf: AS_OF, createdAt: "t1" });
    const released = settle(db, { contractSource: source, result: first, inputs: [{ label: "a", sha256: "2" }], asOf: AS_OF, createdAt: "t2" });
    expect(released.lines.map((l) => [l.payer, fromCents(l.amount), l.reason])).toEqual([
      ["district", "18.01", "adjustment: a cap or withholding changed the amount"],
      ["philanthropy", "12.00", "adjustment: a cap or withholding changed the amount"],
    ]);
  });

  it("exports every line as CSV in a fixed order", () => {
    const db = openLedger(":memory:");
    settle(db, { contractSource: source, result: first, inputs: inputsOf(studentsCsv), asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z" });
    const csv = exportLinesCsv(db);
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("settlement,created_at,as_of,contract,contract_version,contract_sha256,student_key,clause,period,payer,kind,amount,reason");
    expect(lines.length).toBe(31);
    expect(lines[1]).toMatch(/^1,2027-07-02T09:00:00Z,2027-07-01,Algebra readiness pilot,1\.0,[0-9a-f]{64},P1,algebra_ready,,district,payment,540\.00,payment: Algebra ready met$/);
    expect(exportLinesCsv(db)).toBe(csv);
    const sorted = [...lines.slice(1)].sort((a, b) => {
      const ka = a.split(",").slice(6, 10).join("\u0000");
      const kb = b.split(",").slice(6, 10).join("\u0000");
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    expect(lines.slice(1)).toEqual(sorted);
    expect(toCents("-12.5")).toBe(-1250n);
  });
});

describe("obc settle and obc ledger", () => {
  let dir: string;
  const io = () => {
    const out = { stdout: "", stderr: "" };
    return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir } };
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-ledger-"));
    await writeFile(join(dir, "students.csv"), studentsCsv);
    await writeFile(join(dir, "checkpoints.csv"), checkpointsCsv);
    await writeFile(join(dir, "contract.obc"), source);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const args = (extra: Partial<Parameters<typeof settleCommand>[0]> = {}) => ({
    contract: "contract.obc",
    data: ["students=students.csv", "checkpoints=checkpoints.csv"],
    ledger: "ledger.sqlite",
    asOf: AS_OF,
    now: "2027-07-02T09:00:00Z",
    ...extra,
  });

  it("settles, then says there is nothing new", async () => {
    const a = io();
    expect(await settleCommand(args(), a.io)).toBe(0);
    expect(a.out.stdout).toContain("settlement 1 recorded: 30 lines (30 payments $5,560.00, 0 adjustments $0.00), net $5,560.00");
    expect(a.out.stdout).toMatch(/algebra_ready\s+payment\s+4\s+\$1,980\.00\s+payment: Algebra ready met/);
    const b = io();
    expect(await settleCommand(args({ now: "2027-07-03T09:00:00Z" }), b.io)).toBe(0);
    expect(b.out.stdout).toBe("nothing new: this contract, these files and as-of 2027-07-01 were settled as settlement 1\n");
    const c = io();
    expect(await settleCommand(args({ json: true, asOf: "2027-07-02" }), c.io)).toBe(0);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ status: "unchanged", net: "0.00", lines: [] });
  });

  it("shows the history, balances and CSV", async () => {
    const a = io();
    expect(await ledgerCommand({ ledger: "ledger.sqlite" }, a.io)).toBe(0);
    expect(a.out.stdout.split("\n")[1]).toMatch(/^1\s+2027-07-02T09:00:00Z\s+2027-07-01\s+Algebra readiness pilot\s+1\.0\s+30\s+\$5,560\.00\s+\$0\.00\s+\$5,560\.00$/);
    const b = io();
    expect(await ledgerCommand({ ledger: "ledger.sqlite", balances: "payer" }, b.io)).toBe(0);
    expect(b.out.stdout).toBe("payer              paid  lines\ndistrict      $3,336.00     15\nphilanthropy  $2,224.00     15\ntotal         $5,560.00     30\n");
    const c = io();
    expect(await ledgerCommand({ ledger: "ledger.sqlite", balances: "student", csv: true }, c.io)).toBe(0);
    expect(c.out.stdout.split("\n").slice(0, 2)).toEqual(["student,amount,lines", "P1,1400.00,6"]);
    const d = io();
    expect(await ledgerCommand({ ledger: "ledger.sqlite", csv: true }, d.io)).toBe(0);
    expect(d.out.stdout.trimEnd().split("\n").length).toBe(31);
  });

  it("exits 1 for an invalid contract, 2 for bad usage, 3 for bad data, 4 for a missing file", async () => {
    await writeFile(join(dir, "bad.obc"), 'contract "x" { parties { district "D" provider "P" } outcome "O" pays $1 per student when nope >= 1 }');
    const a = io();
    expect(await settleCommand(args({ contract: "bad.obc" }), a.io)).toBe(1);
    expect(a.out.stderr).toContain("obc settle: bad.obc has errors");
    const b = io();
    expect(await settleCommand(args({ asOf: "07/01/2027" }), b.io)).toBe(2);
    const c = io();
    await writeFile(join(dir, "broken.csv"), "student_id,grade\nP1,eight\n");
    expect(await settleCommand(args({ data: ["students=broken.csv", "checkpoints=checkpoints.csv"], strict: true }), c.io)).toBe(3);
    expect(c.out.stderr).toContain("nothing was settled");
    const d = io();
    expect(await settleCommand(args({ data: ["students=nope.csv"] }), d.io)).toBe(4);
    expect(d.out.stderr).toBe("obc settle: cannot read nope.csv: no such file\n");
    const e = io();
    expect(await ledgerCommand({ ledger: "missing.sqlite" }, e.io)).toBe(4);
    expect(existsSync(join(dir, "missing.sqlite"))).toBe(false);
    const f = io();
    expect(await ledgerCommand({ ledger: "ledger.sqlite", balances: "school" }, f.io)).toBe(2);
  });
});

// ───────────────────────────── the DATAS example (examples/06-datas-dosage/README.md) ─────────────────────────────

const DATAS = resolve(ROOT, "../shared/data/datas");
const hasDatas = existsSync(join(DATAS, "students.csv")) && existsSync(join(DATAS, "sessions.csv"));
if (!hasDatas) console.log(`SKIP: ${DATAS} not found; the DATAS example test is skipped`);

describe.skipIf(!hasDatas)("the DATAS example: adapt, then settle two data drops", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-datas-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it("gives the README's numbers", async () => {
    const { adaptCommand } = await import("../cli/adapt.ts");
    const contract = join(ROOT, "examples/06-datas-dosage/contract.obc");
    const run = async (f: (io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }) => Promise<number>) => {
      const out = { stdout: "", stderr: "" };
      const code = await f({ stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), cwd: dir });
      expect(code, out.stderr).toBe(0);
      return out;
    };
    const files = [join(DATAS, "students.csv"), join(DATAS, "sessions.csv")];
    const a1 = await run((io) => adaptCommand({ format: "datas", files, contract, dataSet: "students", sessionsThrough: "2026-01-31", out: "drop1.csv" }, io));
    expect(a1.stderr).toContain("sessions.csv (datas, sessions): 50520 read, 26700 accepted, 0 rejected; excluded: 23820 after-cut-off");
    await run((io) => adaptCommand({ format: "datas", files, contract, dataSet: "students", out: "drop2.csv" }, io));
    const settleArgs = (data: string, asOf: string, now: string) => ({ contract, data: [`students=${data}`], asOf, now, ledger: "ledger.sqlite" });
    const s1 = await run((io) => settleCommand(settleArgs("drop1.csv", "2026-02-01", "2026-02-02T09:00:00Z"), io));
    expect(s1.stdout.split("\n")[0]).toBe("settlement 1 recorded: 1108 lines (1108 payments $113,250.00, 0 adjustments $0.00), net $113,250.00");
    const again = await run((io) => settleCommand(settleArgs("drop1.csv", "2026-02-01", "2026-02-03T09:00:00Z"), io));
    expect(again.stdout).toBe("nothing new: this contract, these files and as-of 2026-02-01 were settled as settlement 1\n");
    const s2 = await run((io) => settleCommand(settleArgs("drop2.csv", "2026-06-30", "2026-07-01T09:00:00Z"), io));
    expect(s2.stdout).toBe(
      [
        "settlement 2 recorded: 2272 lines (1610 payments $387,591.07, 662 adjustments -$14,641.07), net $372,950.00",
        "  clause       kind        lines       amount  reason",
        "  early_start  adjustment    582   -$9,201.17  adjustment: a cap or withholding changed the amount",
        "  high_dosage  adjustment     80   -$5,439.90  adjustment: a cap or withholding changed the amount",
        "  high_dosage  payment       908  $239,581.10  payment: High dosage met",
        "  math_growth  payment       702  $148,009.97  payment: Math growth met",
        "",
      ].join("\n"),
    );
    const bal = await run((io) => ledgerCommand({ ledger: "ledger.sqlite", balances: "payer" }, io));
    expect(bal.stdout).toBe("payer            paid  lines\ndistrict  $364,650.00   1690\nfund      $121,550.00   1690\ntotal     $486,200.00   3380\n");
    // what the ledger paid in all is what a fresh run on the end-of-year data pays
    const source = readFileSync(contract, "utf8");
    const fresh = await runContract(compileSource(source).ir!, source, [{ label: "drop2.csv", text: readFileSync(join(dir, "drop2.csv"), "utf8"), dataSet: "students" }], { asOf: "2026-06-30" });
    expect(fresh.result!.totals.paid).toBe("486200.00");
  });
});
