/**
 * Reproducers F03, F04, F05 and F12 (bulk CSV output) of ../shared/repro/, copied into
 * test/fixtures/repro/, run through the `obc` command line as users run it, with the other
 * data-intake refusals end to end: exit codes, one-line messages, and never a student's id or
 * value in any output.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const BIN = join(ROOT, "bin", "obc.mjs");
const FIX = join(ROOT, "test", "fixtures", "repro");
const PILOT = join(ROOT, "examples", "03-algebra-pilot");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function obc(args: string[], cwd: string): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Every student id and cell value of a roster (the text of its data rows), to check that no output holds one. */
async function valuesOf(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  const cells = text.split(/\r\n|\r|\n/).slice(1).flatMap((l) => l.split(","));
  return [...new Set(cells.map((c) => c.trim()).filter((c) => c.length >= 2 && !["true", "false"].includes(c)))];
}

function expectNoValues(r: Result, values: string[]): void {
  for (const v of values) {
    expect(r.stderr, `stderr holds ${v}`).not.toContain(v);
    expect(r.stdout, `stdout holds ${v}`).not.toContain(v);
  }
}

const run = (dir: string, extra: string[] = [], students = "students.csv") => ["run", "contract.obc", "--data", students, "--data", "checkpoints.csv", "--as-of", "2027-07-01", ...extra];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "obc-repro-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("F03: a stray quote swallows every later row", () => {
  it("refuses the file with exit 3, naming the row where the quote opened and the lines it swallowed (run, bulk run, settle)", async () => {
    const dir = join(FIX, "F03-quote-swallows-rows");
    const [plain, bulk, settle] = await Promise.all([
      obc(run(dir), dir),
      obc(run(dir, ["--bulk"]), dir),
      obc(["settle", "contract.obc", "--data", "students.csv", "--data", "checkpoints.csv", "--as-of", "2027-07-01", "--ledger", join(tmp, "f03.sqlite"), "--now", "2027-07-02T00:00:00Z", "--supplied-by", "Lakeview Unified", "--attested-by", "Data office"], dir),
    ]);
    const message = "Row 3 of students.csv (line 3) opens a quoted cell that is not closed properly: it would swallow the next 7 lines.";
    for (const r of [plain, bulk, settle]) {
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/students\.csv:3\s+unclosed-quote/);
      expectNoValues(r, [...(await valuesOf(join(dir, "students.csv"))), "HYPERLINK"]);
    }
    expect(plain.stderr).toContain("obc: the run stopped because of 1 data error\n");
    expect(settle.stderr).toContain("nothing was settled");
  });
});

describe("F04: a blank first line and CR line endings", () => {
  it("reads the 9 students and pays 5,560.00, with no warning (run and bulk run)", async () => {
    const dir = join(FIX, "F04-cr-line-endings");
    const [json, bulk] = await Promise.all([obc(run(dir, ["--json"]), dir), obc(run(dir, ["--bulk"]), dir)]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { totals: { paid: string }; students: unknown[]; dataQuality: { files: { rowsRead: number; rowsAccepted: number; problems: unknown[] }[] } };
    expect(result.totals.paid).toBe("5560.00");
    expect(result.students).toHaveLength(9);
    expect(result.dataQuality.files[0]).toMatchObject({ rowsRead: 9, rowsAccepted: 9, problems: [] });
    // the contract's own naming warning (OBC4604) is noted; nothing about the data
    expect(json.stderr).toBe("obc: note: contract.obc has 1 warning; see obc check contract.obc\n");
    expect(bulk.code).toBe(0);
    expect(bulk.stdout.trim().split("\n")).toHaveLength(10);
    expect(bulk.stderr).toContain("obc: 9 students; paid 5560.00 of 5560.00 before caps");
  });
});

describe("F05: a roster without its header row", () => {
  it("refuses the file with exit 3, naming column positions, never the first student's id or values", async () => {
    const dir = join(FIX, "F05-headerless-pii");
    const [plain, json] = await Promise.all([obc(run(dir, [], "students=students.csv"), dir), obc(run(dir, ["--json"], "students=students.csv"), dir)]);
    for (const r of [plain, json]) {
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("The first row of students.csv looks like data, not column names: columns 2–9 of it hold numbers, dates or true/false values.");
      expectNoValues(r, [...(await valuesOf(join(dir, "students.csv"))), "P1"]);
    }
  });

  it("refuses a first row that names none of the data set's columns, without quoting it", async () => {
    await writeFile(join(tmp, "wrong.csv"), "Zoe Adams,Lakeview Middle\nLiam Baker,Hillcrest\n");
    const r = await obc(["run", join(PILOT, "contract.obc"), "--data", `students=${join(tmp, "wrong.csv")}`, "--data", join(PILOT, "checkpoints.csv")], tmp);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("names none of the columns of the data set students");
    expectNoValues(r, ["Zoe", "Adams", "Lakeview", "Liam", "Hillcrest"]);
  });
});

describe("F12: obc run --bulk writes a CSV of students only", () => {
  it("prints student_id,total rows and nothing else; the totals go to stderr; JSON keeps everything", async () => {
    const out = join(tmp, "payments.csv");
    const args = ["run", "contract.obc", "--data", "students.csv", "--data", "checkpoints.csv", "--as-of", "2027-07-01", "--bulk"];
    const [stdout, toFile, json] = await Promise.all([obc(args, PILOT), obc([...args, "--out", out], PILOT), obc([...args, "--json"], PILOT)]);
    expect(stdout.code).toBe(0);
    const lines = stdout.stdout.split("\n");
    expect(lines[0]).toBe("student_id,total");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(1, -1)).toHaveLength(9);
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^P\d+,\d+\.\d\d$/);
    expect(stdout.stderr).toBe(
      "obc: 9 students; paid 5560.00 of 5560.00 before caps\n" +
        "obc: by clause: onboarded 1200.00, dosage 1500.00, algebra_ready 1980.00, growth 880.00\n" +
        "obc: by payer: philanthropy 2224.00, district 3336.00\n",
    );
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe("");
    expect(await readFile(out, "utf8")).toBe(stdout.stdout);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ schema: "obc.bulk/1", totals: { paid: "5560.00" } });
    expect(json.stderr).toBe("");
  });
});

describe("data files that are not CSV text, or not UTF-8", () => {
  it("refuses a PDF or a binary file with exit 3 and says what it is and what to do; reads Windows-1252 and UTF-16 and says so", async () => {
    const students = await readFile(join(PILOT, "students.csv"), "utf8");
    await writeFile(join(tmp, "report.pdf"), Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "latin1"));
    // one Windows-1252 character in an ignored column makes the file non-UTF-8
    await writeFile(join(tmp, "cp1252.csv"), Buffer.concat([Buffer.from(students.trimEnd().replace(/\n/g, "\r\n"), "latin1"), Buffer.from(",\x93\r\n", "latin1")]));
    await writeFile(join(tmp, "utf16.csv"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(students, "utf16le")]));
    await writeFile(join(tmp, "header-only.csv"), students.split("\n")[0] + "\n");
    const cp = join(PILOT, "checkpoints.csv");
    const [pdf, cp1252, u16, empty] = await Promise.all([
      obc(["run", join(PILOT, "contract.obc"), "--data", `students=${join(tmp, "report.pdf")}`, "--data", cp], tmp),
      obc(["run", join(PILOT, "contract.obc"), "--data", `students=${join(tmp, "cp1252.csv")}`, "--data", cp, "--json"], tmp),
      obc(["run", join(PILOT, "contract.obc"), "--data", `students=${join(tmp, "utf16.csv")}`, "--data", cp, "--json"], tmp),
      obc(["run", join(PILOT, "contract.obc"), "--data", `students=${join(tmp, "header-only.csv")}`, "--data", cp], tmp),
    ]);
    expect(pdf.code).toBe(3);
    expect(pdf.stderr).toContain("report.pdf is a PDF document, not a CSV file. To use it, export the data from its source system as CSV and give that file.");
    expect(pdf.stderr).toContain("obc: the run stopped because of 1 data error");

    expect(cp1252.code).toBe(0);
    const a = JSON.parse(cp1252.stdout) as { dataQuality: { files: { encoding?: string; problems: { code: string; message: string }[] }[] } };
    expect(a.dataQuality.files[0]!.encoding).toBe("windows-1252");
    expect(a.dataQuality.files[0]!.problems.map((p) => p.code)).toContain("OBC5018");

    expect(u16.code).toBe(0);
    const b = JSON.parse(u16.stdout) as { totals: { paid: string }; dataQuality: { files: { encoding?: string }[] } };
    expect(b.dataQuality.files[0]!.encoding).toBe("utf-16le");
    expect(b.totals.paid).toBe(JSON.parse((await obc(["run", "contract.obc", "--data", "students.csv", "--data", "checkpoints.csv", "--json"], PILOT)).stdout).totals.paid);

    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain("has no rows of data. It holds the roster, so no student could be paid");
  });
});

describe("obc adapt on a file the reader refuses", () => {
  it("exits 3 with one line saying why, and writes nothing; a Windows-1252 export is read", async () => {
    const g = join(ROOT, "test", "fixtures", "adapters", "generic");
    const exportCsv = await readFile(join(g, "district-export.csv"), "utf8");
    const lines = exportCsv.split("\n");
    lines[2] = lines[2]!.replace(/,([^,]*)$/, ',"$1');
    await writeFile(join(tmp, "broken-export.csv"), lines.join("\n"));
    await writeFile(join(tmp, "export.pdf"), "%PDF-1.4\n");
    await writeFile(join(tmp, "cp1252-export.csv"), Buffer.from(exportCsv.replace("Ostrogoth", "Ostrogoth\xe9"), "latin1"));
    const adapt = (file: string, out: string) => obc(["adapt", "csv", file, "--contract", join(g, "contract.obc"), "--data-set", "students", "--mapping", join(g, "mapping.json"), "--out", join(tmp, out)], tmp);
    const [broken, pdf, cp1252] = await Promise.all([adapt(join(tmp, "broken-export.csv"), "a.csv"), adapt(join(tmp, "export.pdf"), "b.csv"), adapt(join(tmp, "cp1252-export.csv"), "c.csv")]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/^obc adapt: Row 3 of .*broken-export\.csv \(line 3\) opens a quoted cell that is not closed properly: it would swallow the next \d+ lines?\./m);
    expect(pdf.code).toBe(3);
    expect(pdf.stderr).toContain("export.pdf is a PDF document, not a CSV file.");
    for (const r of [broken, pdf]) expectNoValues(r, ["Ostrogoth", "Wilhelmina", "000417", "000418"]);
    expect(cp1252.code).toBe(0);
    expect((await readFile(join(tmp, "c.csv"), "utf8")).startsWith("student_id,grade,eoy_score,exit_date\n000417,8,72,\n")).toBe(true);
  });
});
