/**
 * The settlement ledger: migrations (from the schema before identities too), idempotent
 * settlement, corrections as exact adjustments, atomicity under a simulated crash, contract
 * identity, the roster and reversal guards, drops and attestation, the hash chain and its
 * verification, foreign and damaged files, and the settle / drop / ledger commands.
 * Regression tests for ../shared/repro F08, F09, F11 and F12 (copied to test/fixtures/repro).
 */
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { runContract, type RunResult } from "../engine/index.ts";
import {
  appliedVersions,
  fromCents,
  LedgerFileError,
  LedgerRefusal,
  migrationSql,
  MIGRATIONS,
  openLedger,
  owedByRun,
  toCents,
  type Ledger,
  type Migration,
  type SettleInput,
} from "../node/ledger/index.ts";
import { settleCommand } from "../cli/settle.ts";
import { ledgerCommand } from "../cli/ledger.ts";
import { dropCommand } from "../cli/drop.ts";
import { dropTestSchemas, ledgerBackends, postgresSql, type Backend } from "./ledger-backends.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const PILOT = join(ROOT, "examples/03-algebra-pilot");
const REPRO = join(ROOT, "test/fixtures/repro");
const source = readFileSync(join(PILOT, "contract.obc"), "utf8");
const studentsCsv = readFileSync(join(PILOT, "students.csv"), "utf8");
const checkpointsCsv = readFileSync(join(PILOT, "checkpoints.csv"), "utf8");
const compiled = compileSource(source);
const ir = compiled.ir!;
const AS_OF = "2027-07-01";

async function runPilot(students = studentsCsv, contract: { ir: ContractIR; source: string } = { ir, source }): Promise<RunResult> {
  const out = await runContract(contract.ir, contract.source, [
    { label: "students.csv", text: students, dataSet: "students" },
    { label: "checkpoints.csv", text: checkpointsCsv, dataSet: "checkpoints" },
  ], { asOf: AS_OF });
  expect(out.ok).toBe(true);
  return out.result!;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const filesOf = (students: string) => [
  { label: "students.csv", dataSet: "students", sha256: sha(students), bytes: students.length },
  { label: "checkpoints.csv", dataSet: "checkpoints", sha256: sha(checkpointsCsv), bytes: checkpointsCsv.length },
];

/** Records the files as a drop, attests it and settles the run, in one transaction. */
async function settleRun(db: Ledger, result: RunResult, students: string, createdAt: string, extra: Partial<SettleInput> = {}, opts = {}) {
  return db.settleNewDrop(
    { files: filesOf(students), suppliedBy: "Lakeview USD", suppliedAt: createdAt.slice(0, 10), recordedAt: createdAt },
    { by: "J. Rivera", role: "district", at: createdAt },
    { contractSource: source, ir, result, asOf: AS_OF, createdAt, ...extra },
    opts,
  );
}

/** Every test below runs on each backend: SQLite, and PostgreSQL where a server is available (always in CI). */
const backends = await ledgerBackends();
afterAll(dropTestSchemas);
/** A new, empty ledger of the backend (in memory for SQLite). */
const fresh = (b: Backend) => openLedger(b.fresh(), { create: true });

/** The line every settle ends with: the ledger's head, to keep outside it. */
const HEAD_LINE = /^ledger head (\d+):([0-9a-f]{64}) \(keep it outside the ledger: obc ledger --verify --expect-head \1:\2 finds a ledger rewritten or cut short since\)\n/m;
const withoutHead = (stdout: string) => stdout.replace(HEAD_LINE, "");
/** The head a settle printed, as SEQ:HASH. */
const printedHead = (stdout: string) => {
  const m = HEAD_LINE.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return `${m![1]}:${m![2]}`;
};

const payerTotals = async (db: Ledger) => Object.fromEntries((await db.balances("payer")).map((b) => [b.key, fromCents(b.cents)]));

describe.each(backends)("migrations ($name)", (b) => {
  it("creates the schema once, records each migration, and protects every table", async () => {
    const target = b.fresh();
    const db = await openLedger(target, { create: true, now: "2027-01-01T00:00:00Z" });
    expect(db.opened.migrated).toEqual([1, 2, 3]);
    expect(db.opened.verification.ok).toBe(true);
    expect(await db.count("schema_migrations")).toBe(3);
    expect(db.backend).toBe(b.name);
    if (b.name === "postgres") {
      await db.close();
      const again = await openLedger(target);
      expect(again.opened.migrated).toEqual([]);
      expect(again.opened.verification).toMatchObject({ ok: true, records: 0 });
      await again.close();
    } else await db.close();
  });
});

describe("migrations (SQLite files)", () => {
  it("upgrades a ledger written before identities: its settlements are chained, kept, and taken over by their contract", async () => {
    const dir = await mkdtemp(join(tmpdir(), "obc-legacy-"));
    try {
      const path = join(dir, "old.sqlite");
      // a version-1 ledger, as obc wrote it before: one settlement of the pilot, 2 lines
      const raw = new Database(path);
      raw.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT)`);
      const v1 = migrationSql(MIGRATIONS[0]!, "sqlite");
      raw.exec(v1);
      raw.prepare("INSERT INTO schema_migrations VALUES (1, 'settlements and lines', ?, NULL)").run(createHash("sha256").update(v1.trim()).digest("hex"));
      raw.prepare("INSERT INTO settlements VALUES (1, 'Algebra readiness pilot', '1.0', 'h', 'i', '2027-06-01', 't0', 'USD', 2, 30000)").run();
      raw.prepare("INSERT INTO lines VALUES (1, 1, 'P1', 'dosage', '', 'district', 18000, 'payment', 'payment: Dosage met', NULL)").run();
      raw.prepare("INSERT INTO lines VALUES (2, 1, 'P1', 'dosage', '', 'philanthropy', 12000, 'payment', 'payment: Dosage met', NULL)").run();
      raw.close();
      const io = { out: "", err: "" };
      const code = await ledgerCommand({ ledger: path }, { stdout: (s) => void (io.out += s), stderr: (s) => void (io.err += s) });
      expect(code, io.err).toBe(0);
      expect(io.err).toBe("obc ledger: note: the ledger was upgraded to identities and a hash chain; its 1 earlier settlement was chained now, so the chain vouches for them only from today\n");
      const db = await openLedger(path);
      expect(db.opened.migrated).toEqual([]);
      expect(await appliedVersions((db as unknown as { store: never }).store)).toEqual([1, 2, 3]);
      // the next settlement of the pilot pays only what the old ledger had not paid
      const o = await settleRun(db, await runPilot(), studentsCsv, "2027-07-02T09:00:00Z");
      expect(fromCents(o.net)).toBe("5260.00");
      expect(o.lines.some((l) => l.studentKey === "P1" && l.clause === "dosage")).toBe(false);
      expect(await payerTotals(db)).toEqual({ district: "3336.00", philanthropy: "2224.00" });
      expect((await db.verify()).ok).toBe(true);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(backends)("settle ($name)", (b) => {
  let first: RunResult;
  beforeAll(async () => {
    first = await runPilot();
    expect(first.totals.paid).toBe("5560.00");
  });

  it("records a run's lines as payments, per student, clause and payer, adding up to the run's totals", async () => {
    const db = await fresh(b);
    const o = await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z");
    expect(o.status).toBe("recorded");
    expect(o.settlementId).toBe(1);
    expect(o.contract).toMatch(/^algebra-readiness-pilot-[0-9a-f]{12}$/);
    expect(o.lines.every((l) => l.kind === "payment")).toBe(true);
    expect(fromCents(o.net)).toBe("5560.00");
    expect(o.roster).toBe(9);
    expect(o.lines.filter((l) => l.studentKey === "P1").map((l) => `${l.clause}/${l.payer}=${fromCents(l.amount)}`)).toEqual([
      "algebra_ready/district=540.00",
      "algebra_ready/philanthropy=360.00",
      "dosage/district=180.00",
      "dosage/philanthropy=120.00",
      "onboarded/district=120.00",
      "onboarded/philanthropy=80.00",
    ]);
    expect(await payerTotals(db)).toEqual(first.totals.byPayer);
    expect(Object.fromEntries((await db.balances("clause")).map((b) => [b.key, fromCents(b.cents)]))).toEqual(
      Object.fromEntries(Object.entries(first.totals.byClause).filter(([, v]) => v !== "0.00")),
    );
  });

  it("settling the same inputs twice records nothing new", async () => {
    const db = await fresh(b);
    await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z");
    const before = await db.exportLinesCsv();
    const again = await db.settle({ contractSource: source, ir, result: first, drop: 1, asOf: AS_OF, createdAt: "2027-07-03T09:00:00Z" });
    expect(again).toMatchObject({ status: "duplicate", settlementId: 1, lines: [] });
    expect(await db.count("settlements")).toBe(1);
    expect(await db.exportLinesCsv()).toBe(before);
  });

  it("a corrected data drop gives exact adjustment lines with their reasons", async () => {
    const db = await fresh(b);
    await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z");
    // P1's end-of-year score is corrected from 72 to 68: no longer "Algebra ready", but Growth (68 - 50 >= 10)
    const corrected = studentsCsv.replace("P1,8,false,false,2026-09-20,2026-10-01,34,50,72,", "P1,8,false,false,2026-09-20,2026-10-01,34,50,68,");
    expect(corrected).not.toBe(studentsCsv);
    const second = await runPilot(corrected);
    const o = await settleRun(db, second, corrected, "2027-07-09T09:00:00Z");
    expect(o.status).toBe("recorded");
    expect(o.lines.map((l) => [l.studentKey, l.clause, l.payer, l.kind, fromCents(l.amount), l.reason])).toEqual([
      ["P1", "algebra_ready", "district", "adjustment", "-540.00", "correction: eoy_score data changed"],
      ["P1", "algebra_ready", "philanthropy", "adjustment", "-360.00", "correction: eoy_score data changed"],
      ["P1", "growth", "district", "payment", "240.00", "payment: Growth met"],
      ["P1", "growth", "philanthropy", "payment", "160.00", "payment: Growth met"],
    ]);
    expect(fromCents(o.net)).toBe("-500.00");
    expect(await db.settlementLines(2)).toEqual(o.lines);
    expect(await payerTotals(db)).toEqual(second.totals.byPayer);
    expect((await db.history()).map((h) => [h.id, fromCents(h.payments), fromCents(h.adjustments), fromCents(h.net), h.lineCount, h.drop])).toEqual([
      [1, "5560.00", "0.00", "5560.00", 30, 1],
      [2, "400.00", "-900.00", "-500.00", 4, 2],
    ]);
    // a student dropped from the data: 1 of 9 is more than the 10% a drop may lose without a reason
    const withoutP9 = corrected.split("\n").filter((l) => !l.startsWith("P9,")).join("\n");
    const o3 = await settleRun(db, await runPilot(withoutP9), withoutP9, "2027-07-10T09:00:00Z", { accept: "P9 left the district before testing" });
    expect(o3.lines.every((l) => l.studentKey === "P9" && l.kind === "adjustment" && l.amount < 0n && l.reason === "adjustment: no longer owed (the line is not in this run)")).toBe(true);
    expect(fromCents(o3.net)).toBe("-" + first.students.find((s) => s.id === "P9")!.total);
    expect((await db.verify()).ok).toBe(true);
  });

  it("a crash in the middle of a settlement leaves the ledger unchanged", async () => {
    const db = await fresh(b);
    await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z");
    const snapshot = async () => ({ s: await db.count("settlements"), l: await db.count("lines"), d: await db.count("drops"), j: await db.count("journal"), csv: await db.exportLinesCsv() });
    const before = await snapshot();
    const corrected = studentsCsv.replace(",34,50,72,", ",34,50,68,").replace(",33,65,80,", ",33,65,62,");
    const second = await runPilot(corrected);
    await expect(settleRun(db, second, corrected, "2027-07-09T09:00:00Z", {}, { afterLines: () => { throw new Error("simulated crash"); } })).rejects.toThrow("simulated crash");
    expect(await snapshot()).toEqual(before);
    const ok = await settleRun(db, second, corrected, "2027-07-09T09:00:00Z");
    expect(ok.status).toBe("recorded");
    expect(await db.count("lines")).toBe(before.l + ok.lines.length);
    expect((await db.verify()).ok).toBe(true);
  });

  it("a dry run computes the lines and writes nothing", async () => {
    const db = await fresh(b);
    const o = await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z", {}, { dryRun: true });
    expect(o.status).toBe("recorded");
    expect(o.lines.length).toBe(30);
    for (const t of ["settlements", "lines", "drops", "contracts", "journal"]) expect(await db.count(t), t).toBe(0);
  });

  it("withholding is shared among the payers to the cent and is owed later when released", async () => {
    const r: RunResult = structuredClone(first);
    const line = r.students[0]!.lines.find((l) => l.clause === "dosage")!;
    line.withheld = "30.01";
    const owed = owedByRun(r);
    const key = (payer: string) => JSON.stringify([r.students[0]!.id, "dosage", "", payer]);
    expect(fromCents(owed.get(key("district"))!.cents)).toBe("161.99");
    expect(fromCents(owed.get(key("philanthropy"))!.cents)).toBe("108.00");
    const db = await fresh(b);
    await settleRun(db, r, studentsCsv, "2027-07-02T09:00:00Z");
    const released = await settleRun(db, first, studentsCsv + "\n", "2027-07-03T09:00:00Z");
    expect(released.lines.map((l) => [l.payer, fromCents(l.amount), l.reason])).toEqual([
      ["district", "18.01", "adjustment: a cap or withholding changed the amount"],
      ["philanthropy", "12.00", "adjustment: a cap or withholding changed the amount"],
    ]);
  });

  it("exports every line as CSV in a fixed order", async () => {
    const db = await fresh(b);
    await settleRun(db, first, studentsCsv, "2027-07-02T09:00:00Z");
    const csv = await db.exportLinesCsv();
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("settlement,created_at,as_of,contract_id,contract,contract_version,contract_sha256,student_key,clause,period,payer,kind,amount,reason");
    expect(lines.length).toBe(31);
    expect(lines[1]).toMatch(/^1,2027-07-02T09:00:00Z,2027-07-01,algebra-readiness-pilot-[0-9a-f]{12},Algebra readiness pilot,1\.0,[0-9a-f]{64},P1,algebra_ready,,district,payment,540\.00,payment: Algebra ready met$/);
    expect(toCents("-12.5")).toBe(-1250n);
  });
});

describe.each(backends)("the guards: a shrinking roster, reversed lines (issue 10 §2, F08) ($name)", (b) => {
  it("refuses a drop whose roster shrank by more than 10%, and records it with a reason", async () => {
    const db = await fresh(b);
    await settleRun(db, await runPilot(), studentsCsv, "2027-07-02T09:00:00Z");
    // two of nine students gone: 22.2% fewer
    const fewer = studentsCsv.split("\n").filter((l) => !l.startsWith("P8,") && !l.startsWith("P9,")).join("\n");
    const run = await runPilot(fewer);
    const err = await settleRun(db, run, fewer, "2027-07-03T09:00:00Z").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerRefusal);
    expect((err as LedgerRefusal).kind).toBe("shrink");
    expect((err as Error).message).toBe(
      'refused: the roster has 7 students, 22.2% fewer than the 9 of the previous settlement, and it would reverse 6 of the 30 paid lines (20%); more than the 10% allowed. If this is right, settle again with the reason (--accept "…"); it is kept in the ledger',
    );
    expect(await db.count("drops")).toBe(1);
    // a higher limit lets it through; or the reason
    expect((await settleRun(db, run, fewer, "2027-07-03T09:00:00Z", { maxShrink: 25 }, { dryRun: true })).status).toBe("recorded");
    const o = await settleRun(db, run, fewer, "2027-07-03T09:00:00Z", { accept: "two students moved out of the district in May" });
    expect(o.accepted?.reason).toBe("two students moved out of the district in May");
    expect((await db.history())[1]!.acceptedReason).toBe("two students moved out of the district in May");
  });

  it("refuses a settlement that reverses more than 10% of the paid lines", async () => {
    const db = await fresh(b);
    await settleRun(db, await runPilot(), studentsCsv, "2027-07-02T09:00:00Z");
    // every session count halved: the roster is whole, but the dosage lines are reversed
    const lower = studentsCsv.replace(/,(3\d|4\d),(\d+),/g, (_, n: string, b: string) => `,${Math.floor(Number(n) / 2)},${b},`);
    const err = await settleRun(db, await runPilot(lower), lower, "2027-07-03T09:00:00Z").catch((e: unknown) => e);
    expect((err as LedgerRefusal).kind).toBe("reversal");
    expect((err as Error).message).toMatch(/^refused: it would reverse \d+ of the 30 paid lines \(\d+(\.\d)?%\); more than the 10% allowed/);
  });

  it("F08: a headerless drop after a good one is refused (exit 3) and pays nothing back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "obc-f08-"));
    try {
      for (const f of ["contract.obc", "students.csv", "headerless.csv", "checkpoints.csv"]) await copyFile(join(REPRO, "F08-settle-clawback-on-broken-drop", f), join(dir, f));
      const out = { stdout: "", stderr: "" };
      const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir };
      const ledger = b.fresh(dir, "l.sqlite");
      const args = (students: string) => ({ contract: "contract.obc", data: [`students=${students}`, "checkpoints.csv"], asOf: AS_OF, ledger, now: "2027-07-02T09:00:00Z", suppliedBy: "Lakeview USD", attestedBy: "J. Rivera" });
      expect(await settleCommand(args("students.csv"), io)).toBe(0);
      out.stderr = "";
      expect(await settleCommand(args("headerless.csv"), io)).toBe(3);
      expect(out.stderr.trimEnd().split("\n").at(-1)).toMatch(/^obc settle: the data has \d+ data errors?( and \d+ rejected rows? \(headerless\.csv\))?; settlement needs every row accepted, so nothing was settled/);
      const db = await openLedger(ledger);
      expect(await db.count("settlements")).toBe(1);
      expect(await db.count("drops")).toBe(1);
      expect(await payerTotals(db)).toEqual({ district: "3336.00", philanthropy: "2224.00" });
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(backends)("contract identity (issue 10 §4, F09) ($name)", (b) => {
  it("F09: another contract under the same title is refused, and reverses nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "obc-f09-"));
    try {
      const F = join(REPRO, "F09-ledger-title-collision");
      for (const f of ["contract.obc", "students.csv", "checkpoints.csv", "duval-same-title.obc", "duval-students.csv"]) await copyFile(join(F, f), join(dir, f));
      const out = { stdout: "", stderr: "" };
      const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir };
      const ledger = b.fresh(dir, "l.sqlite");
      const common = { asOf: AS_OF, ledger, now: "2027-07-02T09:00:00Z", suppliedBy: "Lakeview USD", attestedBy: "J. Rivera" };
      expect(await settleCommand({ ...common, contract: "contract.obc", data: ["students=students.csv", "checkpoints.csv"] }, io)).toBe(0);
      out.stderr = "";
      expect(await settleCommand({ ...common, contract: "duval-same-title.obc", data: ["students=duval-students.csv"] }, io)).toBe(3);
      expect(out.stderr).toMatch(/^obc settle: the ledger already holds a different contract titled "Algebra readiness pilot" \(identity algebra-readiness-pilot-[0-9a-f]{12}\): if this text is that contract, write id "algebra-readiness-pilot-[0-9a-f]{12}" in its header; if it is another contract, give it its own id\n$/);
      // with its own id it is a separate contract: it pays its own lines and reverses none of the first's
      await writeFile(join(dir, "duval-own-id.obc"), readFileSync(join(dir, "duval-same-title.obc"), "utf8").replace(/contract "Algebra readiness pilot"/, 'contract "Algebra readiness pilot" id "duval-2022"'));
      await writeFile(join(dir, "pilot-own-id.obc"), readFileSync(join(dir, "contract.obc"), "utf8"));
      out.stdout = "";
      out.stderr = "";
      expect(await settleCommand({ ...common, contract: "duval-own-id.obc", data: ["students=duval-students.csv"] }, io), out.stderr).toBe(3);
      // still refused: the first contract has no id of its own, so its title alone cannot tell them apart
      expect(out.stderr).toContain("already holds a different contract titled");
      const db = await openLedger(ledger);
      expect((await db.history()).length).toBe(1);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keys settlements by the id in the text: a new title keeps the payments; other parties or clauses are refused", async () => {
    const withId = source.replace('contract "Algebra readiness pilot"', 'contract "Algebra readiness pilot" id "lakeview-algebra-2026"');
    const c1 = compileSource(withId);
    const db = await fresh(b);
    const settle = async (text: string, createdAt: string) => {
      const c = compileSource(text);
      expect(c.ok, JSON.stringify(c.diagnostics.map((d) => d.message))).toBe(true);
      const result = await runPilot(studentsCsv, { ir: c.ir!, source: text });
      return db.settleNewDrop(
        { files: filesOf(studentsCsv), suppliedBy: "Lakeview USD", suppliedAt: "2027-07-01", recordedAt: createdAt },
        { by: "J. Rivera", role: "district", at: createdAt },
        { contractSource: text, ir: c.ir!, result, asOf: AS_OF, createdAt },
      );
    };
    expect((await settle(withId, "t1")).contract).toBe("lakeview-algebra-2026");
    expect(c1.ir!.id).toBe("lakeview-algebra-2026");
    // retitled, same id: nothing new is owed
    const retitled = withId.replace('"Algebra readiness pilot"', '"Algebra readiness pilot (renewed)"');
    expect((await settle(retitled, "t2")).status).toBe("unchanged");
    // another provider under the same id
    await expect(settle(withId.replace('"Bright Path Tutoring"', '"Other Tutoring"'), "t3")).rejects.toThrow(
      "this text of contract lakeview-algebra-2026 does not follow from the one recorded before: its parties differ from those settled before",
    );
    // a clause removed outside an amendment
    const noGrowth = withId.replace(/  partial "Growth"[\s\S]*?if missing: not met\n/, "").replace(' on "Algebra ready", "Growth"', ' on "Algebra ready"');
    await expect(settle(noGrowth, "t4")).rejects.toThrow(/does not follow from the one recorded before: its clauses differ from those settled before \(without growth\): change clauses through an amendment/);
    // without the id, the same text is refused: the ledger holds a contract with these parties and term
    await expect(settle(source, "t5")).rejects.toThrow(/already holds a different contract titled "Algebra readiness pilot" \(identity lakeview-algebra-2026\)/);
    expect((await db.verify()).ok).toBe(true);
  });
});

describe.each(backends)("drops and attestation (issue 15 §2) ($name)", (b) => {
  it("settles only attested, current drops of the contract, with the recorded files", async () => {
    const db = await fresh(b);
    const d1 = await db.addDrop({ contract: ir, files: filesOf(studentsCsv), suppliedBy: "Bright Path Tutoring", suppliedAt: "2027-06-30", recordedAt: "2027-07-01T08:00:00Z" });
    expect(d1).toMatchObject({ id: 1, suppliedBy: "Bright Path Tutoring", attestations: [], settlements: [] });
    const input = { contractSource: source, ir, result: await runPilot(), drop: 1, asOf: AS_OF, createdAt: "2027-07-02T09:00:00Z" };
    await expect(db.settle(input)).rejects.toThrow("drop 1 has not been attested: the district or an evaluator attests it first (obc drop attest 1 --by NAME --role district)");
    await expect(db.attestDrop({ drop: 1, by: "Dr. Evans", role: "evaluator", at: "t" })).rejects.toThrow("the contract has no evaluator among its parties");
    await expect(db.attestDrop({ drop: 1, by: "Bright Path", role: "provider", at: "t" })).rejects.toThrow("a drop is attested by the district or an evaluator, not by the provider");
    await db.attestDrop({ drop: 1, by: "J. Rivera", role: "district", at: "2027-07-01T10:00:00Z", note: "checked against the SIS" });
    expect((await db.settle(input)).status).toBe("recorded");
    // a corrected drop supersedes it, with its reason; the old one can no longer be attested or settled
    const corrected = studentsCsv.replace(",34,50,72,", ",34,50,68,");
    await expect(db.addDrop({ contract: ir, files: filesOf(corrected), suppliedBy: "Lakeview USD", suppliedAt: "2027-07-05", recordedAt: "t", supersedes: 1 })).rejects.toThrow(
      "say why the drop replaces drop 1 (a reason is kept with it)",
    );
    const d2 = await db.addDrop({ contract: ir, files: filesOf(corrected), suppliedBy: "Lakeview USD", suppliedAt: "2027-07-05", recordedAt: "2027-07-05T08:00:00Z", supersedes: 1, reason: "P1's end-of-year score was mis-keyed" });
    expect(d2).toMatchObject({ id: 2, supersedes: 1, reason: "P1's end-of-year score was mis-keyed" });
    expect((await db.drop(1))).toMatchObject({ supersededBy: 2, settlements: [1] });
    await expect(db.attestDrop({ drop: 1, by: "J. Rivera", role: "district", at: "t" })).rejects.toThrow("drop 1 was superseded by drop 2: attest that one");
    await expect(db.settle({ ...input, asOf: "2027-07-02" })).rejects.toThrow("drop 1 was superseded by drop 2: settle that one");
    await expect(db.addDrop({ contract: ir, files: filesOf(corrected), suppliedBy: "x", suppliedAt: "x", recordedAt: "x", supersedes: 1, reason: "again" })).rejects.toThrow("drop 1 was already superseded by drop 2");
    await db.attestDrop({ drop: 2, by: "J. Rivera", role: "district", at: "2027-07-05T10:00:00Z" });
    const o = await db.settle({ ...input, result: await runPilot(corrected), drop: 2, createdAt: "2027-07-05T11:00:00Z" });
    expect(fromCents(o.net)).toBe("-500.00");
    expect((await db.drops()).map((d) => [d.id, d.supersededBy ?? null, d.attestations.length, d.settlements])).toEqual([[1, 2, 1, [1]], [2, null, 1, [2]]]);
    expect((await db.verify()).ok).toBe(true);
  });

  it("obc drop add, attest, list and obc settle --drop; changed files are refused", async () => {
    const dir = await mkdtemp(join(tmpdir(), "obc-drop-"));
    try {
      await writeFile(join(dir, "students.csv"), studentsCsv);
      await writeFile(join(dir, "checkpoints.csv"), checkpointsCsv);
      await writeFile(join(dir, "contract.obc"), source);
      const out = { stdout: "", stderr: "" };
      const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir };
      const common = { ledger: b.fresh(dir, "l.sqlite"), now: "2027-07-02T09:00:00Z" };
      expect(await dropCommand({ action: "add", contract: "contract.obc", data: ["students=students.csv", "checkpoints.csv"], suppliedBy: "Bright Path Tutoring", suppliedAt: "2027-06-30", ...common }, io)).toBe(0);
      expect(out.stdout).toMatch(/^drop 1 for algebra-readiness-pilot-[0-9a-f]{12}: 2 files supplied by Bright Path Tutoring on 2027-06-30\nrecorded; before it can be settled/);
      expect(await settleCommand({ contract: "contract.obc", drop: 1, asOf: AS_OF, ...common }, io)).toBe(3);
      expect(out.stderr).toBe("obc settle: drop 1 has not been attested: the district or an evaluator attests it first (obc drop attest 1 --by NAME --role district)\n");
      expect(await dropCommand({ action: "attest", drop: 1, by: "J. Rivera", role: "district", ...common }, io)).toBe(0);
      out.stdout = "";
      expect(await settleCommand({ contract: "contract.obc", drop: 1, asOf: AS_OF, ...common }, io)).toBe(0);
      expect(out.stdout.split("\n")[0]).toBe("settlement 1 recorded: 30 lines (30 payments $5,560.00, 0 adjustments $0.00), net $5,560.00");
      out.stdout = "";
      expect(await dropCommand({ action: "list", ...common }, io)).toBe(0);
      expect(out.stdout).toContain("  attested by J. Rivera (district) at 2027-07-02T09:00:00Z; settled in 1\n");
      // the files on disk changed after the drop was recorded
      await writeFile(join(dir, "students.csv"), studentsCsv.replace(",34,50,72,", ",34,50,68,"));
      out.stderr = "";
      expect(await settleCommand({ contract: "contract.obc", drop: 1, asOf: "2027-07-03", ...common }, io)).toBe(3);
      expect(out.stderr).toBe("obc settle: students.csv is not a file of drop 1: its contents differ from every file recorded with the drop\n");
      // settle without an attested drop: usage error
      out.stderr = "";
      expect(await settleCommand({ contract: "contract.obc", data: ["students.csv"], asOf: AS_OF, ...common }, io)).toBe(2);
      expect(out.stderr).toContain("only attested data is settled");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("tamper evidence and foreign files (issue 10 §4, F11, F12)", () => {
  let dir: string;
  const out = { stdout: "", stderr: "" };
  const io = () => {
    out.stdout = "";
    out.stderr = "";
    return { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir };
  };
  const args = { contract: "contract.obc", data: ["students=students.csv", "checkpoints=checkpoints.csv"], asOf: AS_OF, now: "2027-07-02T09:00:00Z", suppliedBy: "Lakeview USD", attestedBy: "J. Rivera" };
  const sqlite = (file: string, sql: string) => {
    const db = new Database(join(dir, file));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-tamper-"));
    await writeFile(join(dir, "students.csv"), studentsCsv);
    await writeFile(join(dir, "checkpoints.csv"), checkpointsCsv);
    await writeFile(join(dir, "contract.obc"), source);
    expect(await settleCommand({ ...args, ledger: "good.sqlite" }, io())).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses UPDATE and DELETE of any ledger row", () => {
    expect(() => sqlite("good.sqlite", "UPDATE lines SET amount_cents = amount_cents + 1000000 WHERE id = 1")).toThrow("the obc ledger is append-only: rows of lines cannot be changed or deleted");
    expect(() => sqlite("good.sqlite", "DELETE FROM settlements")).toThrow("append-only");
    expect(() => sqlite("good.sqlite", "DELETE FROM journal")).toThrow("append-only");
    // INSERT OR REPLACE deletes the row in its way without firing DELETE triggers: refused too
    expect(() => sqlite("good.sqlite", "INSERT OR REPLACE INTO lines (id, settlement_id, student_key, clause, period, payer, amount_cents, kind, reason) VALUES (1, 1, 'P1', 'dosage', '', 'district', 99999999, 'payment', 'x')")).toThrow(
      "the obc ledger is append-only: rows of lines cannot be replaced",
    );
    expect(() => sqlite("good.sqlite", "REPLACE INTO drop_files (rowid, drop_id, label, sha256, bytes) VALUES (1, 1, 'other.csv', 'x', 1)")).toThrow("rows of drop_files cannot be replaced");
    expect(() => sqlite("good.sqlite", "REPLACE INTO journal (seq, kind, ref, prev_hash, hash) VALUES (99, 'settlement', '1', 'x', 'y')")).toThrow("rows of journal cannot be replaced");
  });

  it("verifies a good ledger and prints its head", async () => {
    expect(await ledgerCommand({ ledger: "good.sqlite", verify: true, now: "2027-07-02T10:00:00Z" }, io())).toBe(0);
    expect(out.stdout).toMatch(/^ledger verified: 4 records, 1 settlements, every total and hash checked; head 4:[0-9a-f]{64}\n$/);
  });

  it("F11: an edited amount is found by --verify and refused by every command (exit 4)", async () => {
    await copyFile(join(dir, "good.sqlite"), join(dir, "edited.sqlite"));
    sqlite("edited.sqlite", "DROP TRIGGER lines_no_update; UPDATE lines SET amount_cents = amount_cents + 1000000 WHERE id = 1; " +
      "CREATE TRIGGER lines_no_update BEFORE UPDATE ON lines BEGIN SELECT RAISE(ABORT, 'x'); END;");
    expect(await ledgerCommand({ ledger: "edited.sqlite", balances: "payer" }, io())).toBe(4);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe("obc ledger: the ledger edited.sqlite failed verification: settlement 1 was changed after it was recorded (its contents do not match its hash); nothing was done (obc ledger --verify lists every problem)\n");
    expect(await ledgerCommand({ ledger: "edited.sqlite", verify: true }, io())).toBe(4);
    expect(out.stderr.split("\n")).toEqual([
      "obc ledger: settlement 1 was changed after it was recorded (its contents do not match its hash)",
      "obc ledger: settlement 1's stored total or line count does not match its lines",
      "obc ledger: the ledger's append-only protection was altered (1 trigger not as obc wrote it, e.g. lines_no_update)",
      "obc ledger: the ledger's schema (its tables or append-only triggers) was changed outside obc since it was verified on 2027-07-02T10:00:00Z, " +
        "so records may have been removed from its end: check it against the head you kept (obc ledger --verify --expect-head SEQ:HASH)",
      "obc ledger: the ledger edited.sqlite failed verification (4 problems): do not settle from it",
      "",
    ]);
    expect(await settleCommand({ ...args, ledger: "edited.sqlite", asOf: "2027-07-05" }, io())).toBe(4);
    expect(out.stderr).toMatch(/^obc settle: the ledger edited\.sqlite failed verification: /);
  });

  it("an edit with the triggers put back exactly as obc wrote them is found at once (the schema's fingerprint changed)", async () => {
    await copyFile(join(dir, "good.sqlite"), join(dir, "put-back.sqlite"));
    const trigger = (new Database(join(dir, "good.sqlite"), { readonly: true }).prepare("SELECT sql FROM sqlite_master WHERE name = 'lines_no_update'").pluck().get()) as string;
    sqlite("put-back.sqlite", `DROP TRIGGER lines_no_update; UPDATE lines SET amount_cents = amount_cents + 1000000 WHERE id = 1; ${trigger};`);
    expect(await ledgerCommand({ ledger: "put-back.sqlite", balances: "payer" }, io())).toBe(4);
    expect(out.stderr).toBe("obc ledger: the ledger put-back.sqlite failed verification: settlement 1 was changed after it was recorded (its contents do not match its hash); nothing was done (obc ledger --verify lists every problem)\n");
  });

  it("a later obc's migration changes the schema without a refusal; a schema changed before it is still refused", async () => {
    const v4: Migration = { version: 4, name: "a later obc's table", sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);" };
    await copyFile(join(dir, "good.sqlite"), join(dir, "upgraded.sqlite"));
    const up = await openLedger(join(dir, "upgraded.sqlite"), { migrations: [...MIGRATIONS, v4] });
    expect(up.opened.migrated).toEqual([4]);
    expect(up.opened.verification).toMatchObject({ ok: true, how: "full", problems: [] });
    await up.close();
    const again = await openLedger(join(dir, "upgraded.sqlite"), { migrations: [...MIGRATIONS, v4] });
    expect(again.opened.verification).toMatchObject({ ok: true, how: "since", rehashed: 0 });
    await again.close();
    // triggers dropped and put back before the upgrade: the upgrade does not hide it
    await copyFile(join(dir, "good.sqlite"), join(dir, "tampered-then-upgraded.sqlite"));
    const trigger = (new Database(join(dir, "good.sqlite"), { readonly: true }).prepare("SELECT sql FROM sqlite_master WHERE name = 'lines_no_delete'").pluck().get()) as string;
    sqlite("tampered-then-upgraded.sqlite", `DROP TRIGGER lines_no_delete; ${trigger};`);
    await expect(openLedger(join(dir, "tampered-then-upgraded.sqlite"), { migrations: [...MIGRATIONS, v4] })).rejects.toThrow(/the ledger's schema \(its tables or append-only triggers\) was changed outside obc/);
  });

  it("a ledger cut short (the newest records removed, the triggers put back) is refused until checked against a head kept outside it", async () => {
    await copyFile(join(dir, "good.sqlite"), join(dir, "long.sqlite"));
    const first = io();
    expect(await ledgerCommand({ ledger: "long.sqlite", verify: true, now: "2027-07-03T09:00:00Z" }, first)).toBe(0);
    const h4 = /head (4:[0-9a-f]{64})/.exec(out.stdout)![1]!;
    // a second settlement (a corrected drop): records 5, 6, 7
    await writeFile(join(dir, "corrected.csv"), studentsCsv.replace(",34,50,72,", ",34,50,68,"));
    expect(await settleCommand({ ...args, data: ["students=corrected.csv", "checkpoints=checkpoints.csv"], ledger: "long.sqlite", now: "2027-07-04T09:00:00Z" }, io())).toBe(0);
    const h7 = printedHead(out.stdout);
    expect(h7).toMatch(/^7:/);
    await copyFile(join(dir, "long.sqlite"), join(dir, "cut.sqlite"));
    const db = new Database(join(dir, "cut.sqlite"));
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete'").pluck().all() as string[];
    db.exec(
      "DROP TRIGGER journal_no_delete; DROP TRIGGER lines_no_delete; DROP TRIGGER settlement_inputs_no_delete; DROP TRIGGER settlements_no_delete; " +
        "DROP TRIGGER attestations_no_delete; DROP TRIGGER drop_files_no_delete; DROP TRIGGER drops_no_delete; " +
        "DELETE FROM journal WHERE seq > 4; DELETE FROM lines WHERE settlement_id = 2; DELETE FROM settlement_inputs WHERE settlement_id = 2; DELETE FROM settlements WHERE id = 2; " +
        "DELETE FROM attestations WHERE drop_id = 2; DELETE FROM drop_files WHERE drop_id = 2; DELETE FROM drops WHERE id = 2;",
    );
    for (const t of triggers) db.exec(`DROP TRIGGER IF EXISTS ${/CREATE TRIGGER (\w+)/.exec(t)![1]}; ${t};`);
    db.close();
    // every record left verifies, but the schema was changed: refused
    expect(await ledgerCommand({ ledger: "cut.sqlite", balances: "payer" }, io())).toBe(4);
    expect(out.stderr).toBe(
      "obc ledger: the ledger cut.sqlite failed verification: the ledger's schema (its tables or append-only triggers) was changed outside obc since it was verified on 2027-07-03T09:00:00Z, " +
        "so records may have been removed from its end: check it against the head you kept (obc ledger --verify --expect-head SEQ:HASH); nothing was done (obc ledger --verify lists every problem)\n",
    );
    expect(await settleCommand({ ...args, data: ["students=corrected.csv", "checkpoints=checkpoints.csv"], ledger: "cut.sqlite", now: "2027-07-05T09:00:00Z" }, io())).toBe(4);
    // the head kept after the second settlement is not there: the ledger was cut short
    expect(await ledgerCommand({ ledger: "cut.sqlite", verify: true, expectHead: h7 }, io())).toBe(4);
    expect(out.stderr).toContain(`obc ledger: the ledger has 4 records, not the 7 of the head you kept (${h7.slice(2, 18)}…): records were removed\n`);
    // the same head, on the ledger as it was: found
    expect(await ledgerCommand({ ledger: "long.sqlite", verify: true, expectHead: h7 }, io())).toBe(0);
    expect(out.stdout.split("\n")[1]).toBe("the head you kept is record 7 of 7: the ledger holds it as its head");
    expect(await settleCommand({ ...args, ledger: "long.sqlite", asOf: "2027-07-06", expectHead: h4, now: "2027-07-06T09:00:00Z" }, io())).toBe(0);
    // an earlier head on the cut ledger: records 1-4 are what they were, so it is sealed again (the user's call)
    expect(await ledgerCommand({ ledger: "cut.sqlite", verify: true, expectHead: h4.slice(2, 20) }, io())).toBe(0);
    expect(out.stdout.split("\n")[1]).toBe("the head you kept is record 4 of 4: the ledger holds it as its head");
    expect(out.stderr).toMatch(/^obc ledger: note: the ledger's schema was changed outside obc since it was verified on 2027-07-03T09:00:00Z; every record verified, and the first 4 records match the head you kept, so it is sealed again\n$/);
    expect(await ledgerCommand({ ledger: "cut.sqlite", balances: "payer" }, io())).toBe(0);
    // a ledger replaced by another one, consistent in itself: only the kept head tells
    expect(await settleCommand({ ...args, data: ["students=corrected.csv", "checkpoints=checkpoints.csv"], ledger: "forged.sqlite" }, io())).toBe(0);
    expect(await ledgerCommand({ ledger: "forged.sqlite", verify: true }, io())).toBe(0);
    expect(await ledgerCommand({ ledger: "forged.sqlite", verify: true, expectHead: h4 }, io())).toBe(4);
    expect(out.stderr).toContain(`obc ledger: the ledger does not contain the head you kept (4:${h4.slice(2, 18)}…): it was rewritten or cut short since, or the head is from another ledger\n`);
    expect(await settleCommand({ ...args, ledger: "forged.sqlite", asOf: "2027-07-07", expectHead: h4 }, io())).toBe(4);
    expect(await ledgerCommand({ ledger: "forged.sqlite", expectHead: "12:xyz" }, io())).toBe(2);
  });

  it("F11: deleting the settlements (protection removed) is found; the same files do not pay again", async () => {
    await copyFile(join(dir, "good.sqlite"), join(dir, "deleted.sqlite"));
    sqlite("deleted.sqlite", "DROP TRIGGER lines_no_delete; DROP TRIGGER settlement_inputs_no_delete; DROP TRIGGER settlements_no_delete; " +
      "DELETE FROM lines; DELETE FROM settlement_inputs; DELETE FROM settlements;");
    expect(await settleCommand({ ...args, ledger: "deleted.sqlite" }, io())).toBe(4);
    expect(out.stderr).toBe("obc settle: the ledger deleted.sqlite failed verification: settlement 1 is in the chain but no longer in the ledger; nothing was done (obc ledger --verify lists every problem)\n");
    expect(await ledgerCommand({ ledger: "deleted.sqlite", verify: true }, io())).toBe(4);
    expect(out.stderr).toContain("obc ledger: settlement 1 is in the chain but no longer in the ledger\n");
    expect(out.stderr).toContain("obc ledger: the ledger's append-only protection was removed (3 triggers missing, e.g. ");
  });

  it("F12: a non-SQLite file, a truncated ledger, another application's database: exit 4, one line, nothing written", async () => {
    await writeFile(join(dir, "notsqlite.txt"), "date,amount\n2027-01-01,5\n");
    expect(await ledgerCommand({ ledger: "notsqlite.txt" }, io())).toBe(4);
    expect(out.stderr).toBe("obc ledger: cannot open the ledger notsqlite.txt: it is not an SQLite database\n");
    expect(await settleCommand({ ...args, ledger: "notsqlite.txt" }, io())).toBe(4);
    expect(readFileSync(join(dir, "notsqlite.txt"), "utf8")).toBe("date,amount\n2027-01-01,5\n");

    const good = readFileSync(join(dir, "good.sqlite"));
    await writeFile(join(dir, "truncated.sqlite"), good.subarray(0, Math.floor(good.length / 2)));
    expect(await ledgerCommand({ ledger: "truncated.sqlite" }, io())).toBe(4);
    expect(out.stderr).toBe("obc ledger: cannot open the ledger truncated.sqlite: the file is damaged (truncated or corrupt)\n");

    sqlite("other-app.sqlite", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('a');");
    expect(await settleCommand({ ...args, ledger: "other-app.sqlite" }, io())).toBe(4);
    expect(out.stderr).toBe("obc settle: other-app.sqlite is not an obc ledger: it is another application's database; give another --ledger\n");
    const other = new Database(join(dir, "other-app.sqlite"), { readonly: true });
    expect((other.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)).toEqual(["users"]);
    other.close();
    // a missing ledger is not created by a command that only reads
    expect(await ledgerCommand({ ledger: "missing.sqlite" }, io())).toBe(4);
    expect(out.stderr).toBe("obc ledger: cannot open the ledger missing.sqlite: no such file\n");
    expect(existsSync(join(dir, "missing.sqlite"))).toBe(false);
    await expect(openLedger(join(dir, "notsqlite.txt"))).rejects.toBeInstanceOf(LedgerFileError);
  });

  it("the sqlite3 shell too is refused an edit (what F11 did)", () => {
    let hasShell = true;
    try {
      execFileSync("sqlite3", ["-version"], { stdio: "ignore" });
    } catch {
      hasShell = false;
    }
    if (!hasShell) return void console.log("SKIP: no sqlite3 shell on this machine; the same triggers are tested through better-sqlite3 above");
    expect(() => execFileSync("sqlite3", [join(dir, "good.sqlite"), "update lines set amount_cents = amount_cents + 1000000 where id = 1"], { stdio: "pipe" })).toThrow(/append-only/);
  });
});

const postgres = backends.find((b) => b.name === "postgres");

describe("the PostgreSQL tests in CI", () => {
  it("fail, rather than skip, when no server can be had (CI=true), and skip with the reason printed elsewhere", () => {
    const probe = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["--import", "tsx", "-e", 'const m = await import("./test/ledger-backends.ts"); console.log((await m.ledgerBackends()).map((b) => b.name).join(","));'], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, OBC_TEST_POSTGRES_URL: "", CI: "", OBC_PG_CLUSTER: "99/none", ...env },
      });
    const ci = probe({ CI: "true" });
    expect(ci.status).not.toBe(0);
    expect(ci.stderr).toContain("PostgreSQL is required here (CI) but not available: postgres: no PostgreSQL cluster 99/none");
    const local = probe({});
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout).toBe("SKIP: the PostgreSQL ledger tests: postgres: no PostgreSQL cluster 99/none (pg_lsclusters lists none)\nsqlite\n");
  });
});

describe.skipIf(!postgres)("tamper evidence and foreign schemas on PostgreSQL (issue 15 §7)", () => {
  let dir: string;
  let good: string;
  const out = { stdout: "", stderr: "" };
  const io = () => {
    out.stdout = "";
    out.stderr = "";
    return { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir };
  };
  const args = { contract: "contract.obc", data: ["students=students.csv", "checkpoints=checkpoints.csv"], asOf: AS_OF, now: "2027-07-02T09:00:00Z", suppliedBy: "Lakeview USD", attestedBy: "J. Rivera" };
  /** a new ledger holding one settlement of the pilot */
  const settled = async () => {
    const ledger = postgres!.fresh();
    expect(await settleCommand({ ...args, ledger }, io())).toBe(0);
    return ledger;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-pg-tamper-"));
    await writeFile(join(dir, "students.csv"), studentsCsv);
    await writeFile(join(dir, "checkpoints.csv"), checkpointsCsv);
    await writeFile(join(dir, "contract.obc"), source);
    good = await settled();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses UPDATE, DELETE and TRUNCATE of any ledger row", async () => {
    await expect(postgresSql(good, "UPDATE lines SET amount_cents = amount_cents + 1000000 WHERE id = 1")).rejects.toThrow("the obc ledger is append-only: rows of lines cannot be changed or deleted");
    await expect(postgresSql(good, "DELETE FROM settlements")).rejects.toThrow("append-only");
    await expect(postgresSql(good, "TRUNCATE journal CASCADE")).rejects.toThrow("append-only");
    expect(await ledgerCommand({ ledger: good, verify: true }, io())).toBe(0);
    expect(out.stdout).toMatch(/^ledger verified: 4 records, 1 settlements, every total and hash checked; head 4:[0-9a-f]{64}\n$/);
  });

  it("an amount edited with its trigger disabled and enabled again is refused by every command (exit 4)", async () => {
    const ledger = await settled();
    await postgresSql(ledger, "ALTER TABLE lines DISABLE TRIGGER lines_no_update; UPDATE lines SET amount_cents = amount_cents + 1000000 WHERE id = 1; ALTER TABLE lines ENABLE ALWAYS TRIGGER lines_no_update");
    expect(await ledgerCommand({ ledger, balances: "payer" }, io())).toBe(4);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^obc ledger: the ledger postgres:\/\/obc:\*\*\*@[^ ]+ failed verification: settlement 1 was changed after it was recorded \(its contents do not match its hash\); nothing was done/);
    expect(out.stderr).not.toContain(":obc@");
    expect(await settleCommand({ ...args, ledger, asOf: "2027-07-05" }, io())).toBe(4);
  });

  it("a table rewritten by ALTER COLUMN … TYPE … USING (which fires no row trigger) is refused", async () => {
    const ledger = await settled();
    await postgresSql(ledger, "ALTER TABLE lines ALTER COLUMN amount_cents TYPE BIGINT USING amount_cents + 100");
    expect(await ledgerCommand({ ledger }, io())).toBe(4);
    expect(out.stderr).toContain("failed verification: settlement 1 was changed after it was recorded (its contents do not match its hash)");
  });

  it("a trigger left disabled, or dropped, is found", async () => {
    const disabled = await settled();
    await postgresSql(disabled, "ALTER TABLE lines DISABLE TRIGGER lines_no_update");
    expect(await ledgerCommand({ ledger: disabled, verify: true }, io())).toBe(4);
    expect(out.stderr).toContain("obc ledger: the ledger's append-only protection can be bypassed (1 trigger disabled or not enabled always, e.g. lines_no_update)\n");
    const dropped = await settled();
    await postgresSql(dropped, "DROP TRIGGER settlements_no_truncate ON settlements");
    expect(await ledgerCommand({ ledger: dropped }, io())).toBe(4);
    expect(out.stderr).toContain("the ledger's append-only protection was removed (1 trigger missing, e.g. settlements_no_truncate)");
  });

  it("another application's schema, a missing schema, a wrong password, no server: exit 4, one line, nothing written", async () => {
    const other = postgres!.fresh();
    await postgresSql(other.replace(/\?schema=\w+/, ""), `CREATE SCHEMA ${new URL(other).searchParams.get("schema")}`);
    await postgresSql(other, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    expect(await settleCommand({ ...args, ledger: other }, io())).toBe(4);
    expect(out.stderr).toMatch(/^obc settle: postgres:\/\/\S+ is not an obc ledger: it is another application's database; give another --ledger\n$/);
    expect((await postgresSql(other, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")).rows).toEqual([{ table_name: "users" }]);
    const missing = postgres!.fresh();
    expect(await ledgerCommand({ ledger: missing }, io())).toBe(4);
    expect(out.stderr).toMatch(/^obc ledger: cannot open the ledger \S+: it has no schema t\w+ \(no ledger there yet\)\n$/);
    const u = new URL(good);
    u.password = "not-the-password";
    expect(await ledgerCommand({ ledger: u.toString() }, io())).toBe(4);
    expect(out.stderr).toMatch(/^obc ledger: cannot open the ledger postgres:\/\/obc:\*\*\*@\S+: the user name or password was refused\n$/);
    expect(out.stderr).not.toContain("not-the-password");
    u.password = "obc";
    u.port = "1";
    expect(await ledgerCommand({ ledger: u.toString() }, io())).toBe(4);
    expect(out.stderr).toMatch(/: no PostgreSQL server answers there\n$/);
  });
});

describe.each(backends)("obc settle and obc ledger ($name)", (backend) => {
  let dir: string;
  let ledger: string;
  const io = () => {
    const out = { stdout: "", stderr: "" };
    return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: dir } };
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-ledger-"));
    await writeFile(join(dir, "students.csv"), studentsCsv);
    await writeFile(join(dir, "checkpoints.csv"), checkpointsCsv);
    await writeFile(join(dir, "contract.obc"), source);
    ledger = backend.fresh(dir, "ledger.sqlite");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const args = (extra: Partial<Parameters<typeof settleCommand>[0]> = {}) => ({
    contract: "contract.obc",
    data: ["students=students.csv", "checkpoints=checkpoints.csv"],
    ledger,
    asOf: AS_OF,
    now: "2027-07-02T09:00:00Z",
    suppliedBy: "Lakeview USD",
    attestedBy: "J. Rivera",
    ...extra,
  });

  it("settles, then says there is nothing new", async () => {
    const a = io();
    expect(await settleCommand(args(), a.io)).toBe(0);
    expect(a.out.stdout).toContain("settlement 1 recorded: 30 lines (30 payments $5,560.00, 0 adjustments $0.00), net $5,560.00");
    expect(a.out.stdout).toMatch(/algebra_ready\s+payment\s+4\s+\$1,980\.00\s+payment: Algebra ready met/);
    expect(a.out.stderr).toBe("obc settle: the files were recorded as drop 1, attested by J. Rivera (district)\n");
    const b = io();
    expect(await settleCommand({ ...args({ now: "2027-07-03T09:00:00Z" }), drop: 1, suppliedBy: undefined, attestedBy: undefined } as never, b.io)).toBe(0);
    expect(withoutHead(b.out.stdout)).toBe("nothing new: this contract, these files and as-of 2027-07-01 were settled as settlement 1\n");
    // the head is the same before and after: nothing was written
    expect(printedHead(b.out.stdout)).toBe(printedHead(a.out.stdout));
    expect(printedHead(a.out.stdout)).toMatch(/^4:/);
    const c = io();
    expect(await settleCommand(args({ json: true, asOf: "2027-07-02" }), c.io)).toBe(0);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ status: "unchanged", net: "0.00", lines: [], roster: 9, previousRoster: 9 });
  });

  it("shows the history, contracts, balances and CSV", async () => {
    const a = io();
    expect(await ledgerCommand({ ledger }, a.io)).toBe(0);
    expect(a.out.stdout.split("\n")[1]).toMatch(/^1\s+2027-07-02T09:00:00Z\s+2027-07-01\s+Algebra readiness pilot\s+1\.0\s+1\s+30\s+\$5,560\.00\s+\$0\.00\s+\$5,560\.00$/);
    const b = io();
    expect(await ledgerCommand({ ledger, balances: "payer" }, b.io)).toBe(0);
    expect(b.out.stdout).toBe("payer              paid  lines\ndistrict      $3,336.00     15\nphilanthropy  $2,224.00     15\ntotal         $5,560.00     30\n");
    const c = io();
    expect(await ledgerCommand({ ledger, balances: "student", csv: true, contract: "Algebra readiness pilot" }, c.io)).toBe(0);
    expect(c.out.stdout.split("\n").slice(0, 2)).toEqual(["student,amount,lines", "P1,1400.00,6"]);
    const d = io();
    expect(await ledgerCommand({ ledger, csv: true }, d.io)).toBe(0);
    expect(d.out.stdout.trimEnd().split("\n").length).toBe(31);
    const e = io();
    expect(await ledgerCommand({ ledger, contracts: true }, e.io)).toBe(0);
    expect(e.out.stdout.split("\n")[1]).toMatch(/^algebra-readiness-pilot-[0-9a-f]{12}\s+derived\s+Algebra readiness pilot\s+2027-07-02T09:00:00Z$/);
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
    expect(await settleCommand(args({ data: ["students=broken.csv", "checkpoints=checkpoints.csv"] }), c.io)).toBe(3);
    expect(c.out.stderr).toContain("nothing was settled");
    const d = io();
    expect(await settleCommand(args({ data: ["students=nope.csv"] }), d.io)).toBe(4);
    expect(d.out.stderr).toBe("obc settle: cannot read nope.csv: no such file\n");
    const f = io();
    expect(await ledgerCommand({ ledger, balances: "school" }, f.io)).toBe(2);
    const g = io();
    expect(await settleCommand(args({ maxShrink: 150 }), g.io)).toBe(2);
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
    const settleArgs = (data: string, asOf: string, now: string) => ({ contract, data: [`students=${data}`], asOf, now, ledger: "ledger.sqlite", suppliedBy: "DATAS export", attestedBy: "Evaluator of record" });
    const s1 = await run((io) => settleCommand(settleArgs("drop1.csv", "2026-02-01", "2026-02-02T09:00:00Z"), io));
    expect(s1.stdout.split("\n")[0]).toBe("settlement 1 recorded: 1108 lines (1108 payments $113,250.00, 0 adjustments $0.00), net $113,250.00");
    const again = await run((io) => settleCommand(settleArgs("drop1.csv", "2026-02-01", "2026-02-03T09:00:00Z"), io));
    expect(withoutHead(again.stdout)).toBe("nothing new: this contract, these files and as-of 2026-02-01 were settled as settlement 1\n");
    const s2 = await run((io) => settleCommand(settleArgs("drop2.csv", "2026-06-30", "2026-07-01T09:00:00Z"), io));
    expect(withoutHead(s2.stdout)).toBe(
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
