/** `obc summary` and `obc diff`, run as a user runs them. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync, strFromU8 } from "fflate";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
async function obc(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["bin/obc.mjs", ...args], { maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe("obc summary", () => {
  it("writes Markdown with the key terms, every clause and the escalation table", async () => {
    const r = await obc("summary", "examples/03-algebra-pilot/contract.obc", "--cohort", "300");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| Price per student (maximum) | $1,580.00 |");
    expect(r.stdout).toContain("| Maximum exposure for a cohort of 300 students | $474,000.00 |");
    for (const clause of ["Onboarded", "Dosage", "Algebra ready", "Growth"]) expect(r.stdout).toContain(`“${clause}”`);
    expect(r.stdout).toMatch(/Attendance Rate is below 75% at 2 consecutive checkpoints/);
  });

  it("writes the same .docx bytes twice, with a real table of key terms", async () => {
    const dir = mkdtempSync(join(tmpdir(), "obc-docx-"));
    const a = join(dir, "a.docx");
    const b = join(dir, "b.docx");
    expect((await obc("summary", "examples/01-duval-2022/contract.obc", "-f", "docx", "-o", a)).code).toBe(0);
    expect((await obc("summary", "examples/01-duval-2022/contract.obc", "-f", "docx", "-o", b)).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const xml = strFromU8(unzipSync(new Uint8Array(readFileSync(a)))["word/document.xml"]!);
    expect(xml).toContain("<w:tbl>");
    expect(xml).toContain("Price per student (maximum)");
    expect(xml).toContain("$1,420.00");
  });

  it("lists the checker's warnings as points to check", async () => {
    const r = await obc("summary", "test/diagnostics/warn/06-non-monotone-tiers.obc", "--no-examples");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/## \d+\. Points to check/);
    expect(r.stdout).toContain("Payments fall as outcomes improve: tier 1 is for a better result than tier 2 but pays less.");
  });

  it("refuses a .docx without --out, and prints a source map as JSON", async () => {
    expect((await obc("summary", "examples/01-duval-2022/contract.obc", "-f", "docx")).code).toBe(2);
    const r = await obc("summary", "examples/01-duval-2022/contract.obc", "--source-map");
    const map = JSON.parse(r.stdout) as { sentence: string; start: number; end: number }[];
    const src = readFileSync("examples/01-duval-2022/contract.obc", "utf8");
    const base = map.find((m) => m.sentence.includes("$670.00"))!;
    expect(src.slice(base.start, base.end)).toMatch(/^base "Base" pays \$670/);
  });
});

describe("obc diff", () => {
  it("states each change in business terms and exits 1 when the versions differ", async () => {
    const r = await obc("diff", "test/versions/amount-change/old.obc", "test/versions/amount-change/new.obc", "--json");
    expect(r.code).toBe(1);
    const changes = (JSON.parse(r.stdout) as { changes: { text: string }[] }).changes.map((c) => c.text);
    expect(changes).toContain("The 'Algebra ready' payment rises from $900.00 to $950.00 per student.");
    expect(changes).toContain("The maximum per student rises from $1,580.00 to $1,600.00.");
  });

  it("writes a Word redline with tracked changes, the date they take effect and the document's status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "obc-redline-"));
    const out = join(dir, "redline.docx");
    const r = await obc("diff", "test/versions/amount-change/old.obc", "test/versions/amount-change/new.obc", "-f", "docx", "-o", out,
      "--effective", "2027-01-01", "--author", "Lakeview counsel", "--date", "2027-01-05", "--status", "for-signature", "--exhibit", "Exhibit C");
    expect(r.code).toBe(1);
    const files = unzipSync(new Uint8Array(readFileSync(out)));
    const xml = strFromU8(files["word/document.xml"]!);
    expect(xml).toMatch(/<w:del w:id="\d+" w:author="Lakeview counsel" w:date="2027-01-05T00:00:00Z"><w:r><w:delText xml:space="preserve">\$900\.00<\/w:delText>/);
    expect(xml).toMatch(/<w:ins w:id="\d+" w:author="Lakeview counsel" w:date="2027-01-05T00:00:00Z"><w:r><w:t xml:space="preserve">\$950\.00<\/w:t>/);
    expect(xml).toContain("1 January 2027");
    const header = strFromU8(files["word/header1.xml"]!);
    expect(header).toContain("Exhibit C: redline of “Algebra readiness pilot”, version 1.0 to version 1.1");
    expect(header).not.toContain("DRAFT");
  });

  it("exits 0 for two versions that say the same thing", async () => {
    const r = await obc("diff", "test/versions/identical/old.obc", "test/versions/identical/new.obc");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("The two versions say the same thing");
  });
});

describe("obc run --aggregate", () => {
  it("prints totals for funders without any student row, suppressing small groups", async () => {
    const r = await obc(
      "run", "examples/03-algebra-pilot/contract.obc",
      "-d", "examples/03-algebra-pilot/students.csv", "-d", "examples/03-algebra-pilot/checkpoints.csv",
      "--aggregate",
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("dimension,group,measure,students,amount,suppressed");
    for (const id of ["P1", "P2", "P9"]) expect(r.stdout).not.toContain(id);
    // 9 students is below the default minimum cell of 10: the total is not published
    expect(lines.find((l) => l.startsWith("all,all,paid,"))).toBe("all,all,paid,,,primary");
    const small = await obc(
      "run", "examples/03-algebra-pilot/contract.obc",
      "-d", "examples/03-algebra-pilot/students.csv", "-d", "examples/03-algebra-pilot/checkpoints.csv",
      "--aggregate", "--min-cell", "3",
    );
    expect(small.stdout).toContain("all,all,paid,7,5560.00,");
  });
});

describe("obc run --engine and obc simulate", () => {
  it("gives byte-identical JSON from the fast and the reference engine", async () => {
    const args = ["run", "examples/02-denver-2022/contract-cap-9000.obc", "-d", "examples/02-denver-2022/students.csv", "--json"];
    const fast = await obc(...args, "--engine", "fast");
    const reference = await obc(...args, "--engine", "reference");
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(reference.stdout);
    expect((await obc(...args, "--engine", "quick")).code).toBe(2);
  });

  it("prices a contract by simulation, the same for the same seed", async () => {
    const args = ["simulate", "examples/01-duval-2022/contract.obc", "--runs", "50", "--cohort", "100", "--seed", "3", "--json"];
    const a = await obc(...args);
    const b = await obc(...args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const r = JSON.parse(a.stdout) as { assumptions: { runs: number; cohort: number; seed: number } };
    expect(r.assumptions).toMatchObject({ runs: 50, cohort: 100, seed: 3 });
  });
});

describe("obc run --bulk", () => {
  it("gives the same totals as a full run, whatever the number of workers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "obc-bulk-"));
    // 20,000 synthetic Duval students, some not tested in spring
    const rows = ["student_id,grade,sessions_attended,map_fall_rit,map_spring_rit,projected_growth"];
    for (let i = 0; i < 20_000; i++) {
      const fall = 190 + (i % 31);
      const spring = i % 17 === 0 ? "" : String(fall + ((i * 7) % 19) - 3);
      rows.push(`S${String(i).padStart(6, "0")},${7 + (i % 3 === 0 ? 0 : 1)},${i % 23},${fall},${spring},${5 + (i % 9)}`);
    }
    const csv = join(dir, "students.csv");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(csv, rows.join("\n") + "\n");
    const base = ["run", "examples/01-duval-2022/contract.obc", "-d", csv];
    const one = await obc(...base, "--bulk", "--workers", "1");
    const two = await obc(...base, "--bulk", "--workers", "2");
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const full = JSON.parse((await obc(...base, "--json")).stdout) as { totals: { paid: string }; students: { id: string; total: string }[] };
    // the CSV holds the students only; the totals go to stderr
    expect(one.stderr).toContain(`paid ${full.totals.paid} of`);
    expect(two.stderr).toBe(one.stderr);
    expect(one.stdout.trimEnd().split("\n")).toHaveLength(20_001);
    const bulkTotals = one.stdout.split("\n").slice(1, 20_001).map((l) => l.split(",")[1]);
    expect(bulkTotals).toEqual(full.students.map((s) => s.total));
  });
});
