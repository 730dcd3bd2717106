/**
 * docs/protecting-the-money.md shows real commands: every ```console block is run here, in
 * order, in one folder holding the algebra pilot's files and the broken copies the page
 * describes. Each `$ obc …` line is run with the CLI; the lines shown after it must appear in
 * its output (stdout and stderr), in order, each whole, except that `…` stands for any text;
 * `[exit N]` is its exit code. Lines of the output the page leaves out are allowed.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers.ts";

const PAGE = "docs/protecting-the-money.md";
const EXAMPLE = "examples/03-algebra-pilot";

interface Step {
  command: string;
  expected: string[];
  exit: number;
}

/** The page's console blocks, as commands with their expected lines and exit code. */
function steps(markdown: string): Step[] {
  const out: Step[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    let step: Step | undefined;
    for (const line of block[1]!.split("\n")) {
      if (line.startsWith("$ ")) {
        step = { command: line.slice(2), expected: [], exit: -1 };
        out.push(step);
      } else if (/^\[exit \d+\]$/.test(line)) {
        step!.exit = Number(line.slice(6, -1));
      } else if (line.trim() !== "") {
        step!.expected.push(line.trimEnd());
      }
    }
  }
  return out;
}

/** Splits a command line written as in a shell: words, and "double-quoted" words. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Whether an output line is the expected line, `…` standing for any text. */
function matches(expected: string, actual: string): boolean {
  const parts = expected.split("…");
  if (parts.length === 1) return actual === expected;
  if (!actual.startsWith(parts[0]!) || !actual.endsWith(parts.at(-1)!)) return false;
  let at = parts[0]!.length;
  for (const p of parts.slice(1, -1)) {
    const i = actual.indexOf(p, at);
    if (i < 0) return false;
    at = i + p.length;
  }
  return at <= actual.length - parts.at(-1)!.length;
}

const dir = mkdtempSync(join(tmpdir(), "obc-money-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of ledger.sqlite whose first settlement was raised by $1,000, the append-only triggers removed and put back. */
function editedLedger(): void {
  copyFileSync(join(dir, "ledger.sqlite"), join(dir, "edited.sqlite"));
  const db = new Database(join(dir, "edited.sqlite"));
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  expect(triggers.length).toBeGreaterThan(0);
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  expect(db.prepare("UPDATE lines SET amount_cents = amount_cents + 100000 WHERE id = 3").run().changes).toBe(1);
  for (const t of triggers) db.exec(t.sql);
  db.close();
}

beforeAll(() => {
  const students = readFileSync(join(EXAMPLE, "students.csv"), "utf8");
  for (const f of ["contract.obc", "students.csv", "checkpoints.csv"]) copyFileSync(join(EXAMPLE, f), join(dir, f));
  const contract = readFileSync(join(EXAMPLE, "contract.obc"), "utf8");
  const noFunding = contract.replace(/\n {2}funding \{[\s\S]*?\n {2}\}\n/, "\n");
  expect(noFunding).not.toBe(contract);
  writeFileSync(join(dir, "contract-no-funding.obc"), noFunding);
  // the roster with a notes column, a spreadsheet formula on its third row (the reproducer F03)
  copyFileSync("test/fixtures/repro/F03-quote-swallows-rows/students.csv", join(dir, "students-formula.csv"));
  const lines = students.trimEnd().split("\n");
  writeFileSync(join(dir, "students-no-header.csv"), lines.slice(1).join("\n") + "\n");
  writeFileSync(join(dir, "students-short.csv"), lines.slice(0, 5).join("\n") + "\n");
  writeFileSync(join(dir, "students.pdf"), "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  const other = new Database(join(dir, "attendance.sqlite"));
  other.exec("CREATE TABLE visits (day TEXT, student TEXT)");
  other.close();
});

describe(PAGE, () => {
  const all = steps(readFileSync(PAGE, "utf8"));

  it("shows commands, each with its exit code", () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const s of all) {
      expect(s.command, s.command).toMatch(/^obc /);
      expect(s.exit, s.command).toBeGreaterThanOrEqual(0);
    }
  });

  it("every command does what the page says", async () => {
    for (const s of all) {
      if (s.command.includes("edited.sqlite") && !existsSync(join(dir, "edited.sqlite"))) editedLedger();
      const r = await runCli(words(s.command).slice(1), { cwd: dir, timeoutMs: 60_000 });
      const output = (r.stdout + r.stderr).split("\n").map((l) => l.trimEnd());
      expect(r.code, `${s.command}\n${r.stdout}${r.stderr}`).toBe(s.exit);
      let at = 0;
      for (const line of s.expected) {
        const i = output.findIndex((o, k) => k >= at && matches(line, o));
        expect(i, `${s.command}\nexpected the line\n  ${line}\nin\n${output.join("\n")}`).toBeGreaterThanOrEqual(0);
        at = i + 1;
      }
    }
  }, 300_000);
});
