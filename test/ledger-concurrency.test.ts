/**
 * Several `obc` processes settling into one ledger at once, on SQLite and on PostgreSQL (issue
 * 15 §7): different contracts are all recorded, each once, with every line; the same contract
 * settled by several processes at once is recorded exactly once. The processes start together
 * on a ledger that does not exist yet, so creating it is raced too.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { fromCents, openLedger } from "../node/ledger/index.ts";
import { dropTestSchemas, ledgerBackends } from "./ledger-backends.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const PILOT = join(ROOT, "examples/03-algebra-pilot");
const OBC = join(ROOT, "bin/obc.mjs");
const source = readFileSync(join(PILOT, "contract.obc"), "utf8");

const backends = await ledgerBackends();
afterAll(dropTestSchemas);

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `obc …` in `cwd`. */
function obc(cwd: string, args: string[]): Promise<Done> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [OBC, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => void (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    p.on("error", fail);
    p.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** processes that race (each starts a whole obc: about a second of CPU) */
const N = 3;

describe.each(backends)("concurrent settles ($name)", (b) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-concurrent-"));
    await writeFile(join(dir, "students.csv"), readFileSync(join(PILOT, "students.csv")));
    await writeFile(join(dir, "checkpoints.csv"), readFileSync(join(PILOT, "checkpoints.csv")));
    await writeFile(join(dir, "contract.obc"), source);
    // N contracts of their own: the pilot under other ids and titles
    for (let i = 1; i <= N; i++) {
      await writeFile(join(dir, `c${i}.obc`), source.replace('contract "Algebra readiness pilot"', `contract "Algebra readiness pilot, cohort ${i}" id "cohort-${i}"`));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const data = ["--data", "students=students.csv", "--data", "checkpoints=checkpoints.csv"];
  const oneStep = ["--supplied-by", "Lakeview USD", "--attested-by", "J. Rivera", "--as-of", "2027-07-01", "--now", "2027-07-02T09:00:00Z"];

  it(`${N} processes settling ${N} contracts at once: every settlement recorded once, no line lost`, async () => {
    const ledger = b.fresh(dir, "different.sqlite");
    const runs = await Promise.all(Array.from({ length: N }, (_, i) => obc(dir, ["settle", `c${i + 1}.obc`, ...data, ...oneStep, "--ledger", ledger, "--json"])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const outcomes = runs.map((r) => JSON.parse(r.stdout) as { status: string; settlement: number; contract: string; net: string; lines: unknown[] });
    expect(outcomes.map((o) => o.status)).toEqual(Array(N).fill("recorded"));
    expect(outcomes.map((o) => o.contract).sort()).toEqual(Array.from({ length: N }, (_, i) => `cohort-${i + 1}`));
    expect(outcomes.map((o) => o.settlement).sort()).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(outcomes.every((o) => o.net === "5560.00" && o.lines.length === 30)).toBe(true);

    const db = await openLedger(ledger);
    try {
      const history = await db.history();
      expect(history.map((h) => [h.lineCount, fromCents(h.net)])).toEqual(Array(N).fill([30, "5560.00"]));
      expect(await db.count("lines")).toBe(30 * N);
      expect(await db.count("journal")).toBe(4 * N); // contract, drop, attestation, settlement each
      for (let i = 1; i <= N; i++) expect(Object.fromEntries((await db.balances("payer", { contract: `cohort-${i}` })).map((x) => [x.key, fromCents(x.cents)]))).toEqual({ district: "3336.00", philanthropy: "2224.00" });
      const v = await db.verify();
      expect(v.problems).toEqual([]);
      expect(v.records).toBe(4 * N);
    } finally {
      await db.close();
    }
  });

  it(`${N} processes settling the same contract at once: exactly one settlement recorded`, async () => {
    const ledger = b.fresh(dir, "same.sqlite");
    // an attested drop (recorded here), settled by N processes at once
    const before = await openLedger(ledger, { create: true });
    const text = (f: string) => readFileSync(join(dir, f));
    const file = (label: string, dataSet: string) => ({ label, dataSet, sha256: createHash("sha256").update(text(label)).digest("hex"), bytes: text(label).length });
    await before.addDrop({ contract: compileSource(source).ir!, files: [file("students.csv", "students"), file("checkpoints.csv", "checkpoints")], suppliedBy: "Lakeview USD", suppliedAt: "2027-07-01", recordedAt: "2027-07-02T08:00:00Z" });
    await before.attestDrop({ drop: 1, by: "J. Rivera", role: "district", at: "2027-07-02T08:30:00Z" });
    await before.close();
    const runs = await Promise.all(Array.from({ length: N }, () => obc(dir, ["settle", "contract.obc", "--drop", "1", "--as-of", "2027-07-01", "--now", "2027-07-02T09:00:00Z", "--ledger", ledger, "--json"])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const statuses = runs.map((r) => (JSON.parse(r.stdout) as { status: string; settlement: number }));
    expect(statuses.filter((s) => s.status === "recorded").length).toBe(1);
    expect(statuses.filter((s) => s.status === "duplicate").length).toBe(N - 1);
    expect(new Set(statuses.map((s) => s.settlement))).toEqual(new Set([1]));
    // and in one step (each process records its own drop of the same files): still one settlement
    const oneStepRuns = await Promise.all(Array.from({ length: 2 }, () => obc(dir, ["settle", "contract.obc", ...data, ...oneStep, "--ledger", ledger, "--json"])));
    for (const r of oneStepRuns) expect(r.code, r.stderr).toBe(0);
    expect(oneStepRuns.map((r) => (JSON.parse(r.stdout) as { status: string }).status)).toEqual(["duplicate", "duplicate"]);

    const db = await openLedger(ledger);
    try {
      expect(await db.count("settlements")).toBe(1);
      expect(await db.count("lines")).toBe(30);
      expect(fromCents((await db.history())[0]!.net)).toBe("5560.00");
      expect((await db.verify()).problems).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
