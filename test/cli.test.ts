/**
 * The `obc` command line, run as users run it: `node bin/obc.mjs …` in a child process, from
 * the repository root. Independent invocations run in parallel inside a test.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney } from "../cli/report.ts";
import { renderTable, SEPARATOR } from "../cli/table.ts";
import { RunResultSchema } from "../engine/output.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const BIN = join(ROOT, "bin", "obc.mjs");
const PILOT = "examples/03-algebra-pilot";
const PILOT_RUN = ["run", `${PILOT}/contract.obc`, "--data", `${PILOT}/students.csv`, "--data", `${PILOT}/checkpoints.csv`];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function obc(args: string[], cwd = ROOT): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** No user-facing output may contain a stack trace. */
function expectNoStack(r: Result): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(ROOT, "examples", d.name))
      .filter((f) => f.endsWith(".obc"))
      .map((f) => `examples/${d.name}/${f}`),
  )
  .sort();

// Three independent mistakes: a deadline outside the term, an unknown name, and a percentage
// compared with a plain number.
const BAD = `contract "Three mistakes" {
  parties {
    district "District"
    provider "Provider"
  }
  term 2026-09-01 to 2027-06-30
  currency USD

  data students keyed by student_id {
    eoy_score: score
    attendance: percent
  }

  milestone "Late" due 2027-08-15 pays $100 per student
    when attendance >= 90%

  outcome "Ready" pays $500 per student
    when eoy_scor >= 70

  outcome "Present" pays $50 per student
    when attendance >= 90
}
`;

/** 1-based line:column of the first occurrence of `needle` in `text`, plus `skip` characters. */
function at(text: string, needle: string, skip = 0): string {
  const offset = text.indexOf(needle) + skip;
  expect(offset).toBeGreaterThanOrEqual(skip);
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const EXPECTED_AT: Record<string, string> = {
  OBC4001: at(BAD, "2027-08-15"),
  OBC2001: at(BAD, "eoy_scor >="),
  OBC3005: at(BAD, "attendance >= 90\n", "attendance >= ".length),
};

let tmp: string;
let badFile: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "obc-cli-"));
  badFile = join(tmp, "three-mistakes.obc");
  await writeFile(badFile, BAD);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("obc check", () => {
  it("passes every example contract", async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
    const results = await Promise.all([...EXAMPLES.map((f) => obc(["check", f])), obc(["check", ...EXAMPLES])]);
    EXAMPLES.forEach((f, i) => {
      expect(results[i].code, `${f}\n${results[i].stdout}${results[i].stderr}`).toBe(0);
      expect(results[i].stdout).toContain(`✓ ${f}: no`);
    });
    const all = results[EXAMPLES.length];
    expect(all.code).toBe(0);
    expect(all.stdout.match(/✓/g)).toHaveLength(EXAMPLES.length);
  });

  it("reports three independent mistakes with line:column, as text and as JSON", async () => {
    const [text, json] = await Promise.all([obc(["check", badFile]), obc(["check", "--json", badFile])]);
    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    for (const [code, where] of Object.entries(EXPECTED_AT)) {
      expect(text.stdout).toContain(`error[${code}]`);
      expect(text.stdout).toContain(`--> ${badFile}:${where}`);
    }
    expect(text.stdout).toContain("I can't find a field, metric or condition named 'eoy_scor'");
    expect(text.stdout).toContain("Did you mean 'eoy_score'?");
    expect(text.stdout).toMatch(/^3 errors$/m);
    expect(text.stdout).not.toContain("\x1b["); // not a terminal: no colour
    expectNoStack(text);

    const parsed = JSON.parse(json.stdout) as {
      files: { file: string; ok: boolean; diagnostics: { code: string; severity: string; start: { line: number; column: number } }[] }[];
    };
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0].file).toBe(badFile);
    expect(parsed.files[0].ok).toBe(false);
    const found = Object.fromEntries(parsed.files[0].diagnostics.map((d) => [d.code, `${d.start.line}:${d.start.column}`]));
    expect(found).toEqual(EXPECTED_AT);
    expect(parsed.files[0].diagnostics.every((d) => d.severity === "error")).toBe(true);
  });

  it("exits 4 on a missing file, with one line and the path as given", async () => {
    const [text, json] = await Promise.all([
      obc(["check", "examples/no-such.obc"]),
      obc(["check", "--json", `${PILOT}/contract.obc`, "examples/no-such.obc"]),
    ]);
    expect(text.code).toBe(4);
    expect(text.stderr).toBe("obc: cannot read examples/no-such.obc: no such file\n");
    expect(text.stdout).toBe("");
    expect(json.code).toBe(4);
    const parsed = JSON.parse(json.stdout) as { files: { file: string; ok: boolean; error?: string }[] };
    expect(parsed.files.map((f) => [f.file, f.ok, f.error])).toEqual([
      [`${PILOT}/contract.obc`, true, undefined],
      ["examples/no-such.obc", false, "no such file"],
    ]);
  });

  it("works from another working directory", async () => {
    const r = await obc(["check", "contract.obc"], join(ROOT, PILOT));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("✓ contract.obc: no problems found\n");
  });
});

describe("usage", () => {
  it("exits 2 on bad usage", async () => {
    const results = await Promise.all([
      obc(["frobnicate"]),
      obc(["check", "--bogus", `${PILOT}/contract.obc`]),
      obc(["check"]),
      obc(["run", `${PILOT}/contract.obc`]),
      obc(["run", ...PILOT_RUN.slice(1), "--as-of", "2027-02-30"]),
      obc([]),
    ]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(2);
      expectNoStack(r);
    }
    expect(results[0].stderr).toContain("obc: unknown command 'frobnicate'");
    expect(results[1].stderr).toContain("unknown option '--bogus'");
    expect(results[2].stderr).toContain("missing required argument 'file'");
    expect(results[3].stderr).toContain("--data");
    expect(results[4].stderr).toContain("YYYY-MM-DD");
  });

  it("prints help mentioning every command and the exit codes, and the version", async () => {
    const [help, runHelp, version] = await Promise.all([obc(["--help"]), obc(["run", "--help"]), obc(["--version"])]);
    expect(help.code).toBe(0);
    for (const command of ["check", "compile", "run", "fmt", "schema"]) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    expect(help.stdout).toContain("Exit codes:");
    for (const code of ["0", "1", "2", "3", "4", "70"]) expect(help.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain("--as-of <date>");
    expect(runHelp.stdout).toContain("Example:");
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});

describe("obc schema and obc compile", () => {
  it("prints the run output's JSON Schema", async () => {
    const r = await obc(["schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { type: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["students", "totals", "dataQuality"]));
    expect(r.stdout).toBe(JSON.stringify(schema, null, 2) + "\n");
  });

  it("prints the same rules JSON on every run, or writes it with --out", async () => {
    const out = join(tmp, "rules.json");
    const [a, b, written, invalid] = await Promise.all([
      obc(["compile", `${PILOT}/contract.obc`]),
      obc(["compile", `${PILOT}/contract.obc`]),
      obc(["compile", `${PILOT}/contract.obc`, "--out", out]),
      obc(["compile", badFile]),
    ]);
    expect(a.code).toBe(0);
    const rules = JSON.parse(a.stdout) as { rules: { name: string }[] };
    expect(Array.isArray(rules.rules)).toBe(true);
    expect(rules.rules.length).toBeGreaterThan(0);
    expect(a.stdout).toBe(JSON.stringify(rules, null, 2) + "\n");
    expect(b.stdout).toBe(a.stdout);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    expect(await readFile(out, "utf8")).toBe(a.stdout);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toContain("error[OBC2001]");
  });
});

describe("obc run", () => {
  it("runs the algebra pilot: JSON totals and the human-readable tables", async () => {
    const [json, table] = await Promise.all([obc([...PILOT_RUN, "--json"]), obc(PILOT_RUN)]);
    expect(json.code, json.stderr).toBe(0);
    const result = RunResultSchema.parse(JSON.parse(json.stdout));
    expect(json.stdout).toBe(JSON.stringify(result, null, 2) + "\n");
    expect(result.totals.paid).toBe("5560.00");
    expect(result.totals.byPayer).toEqual({ philanthropy: "2224.00", district: "3336.00" });
    expect(result.students.find((s) => s.id === "P2")?.total).toBe("1580.00");

    expect(table.code, table.stderr).toBe(0);
    const t = table.stdout;
    expect(t).toContain("Algebra readiness pilot");
    // the contract has a cap per contract: each student's amount before it stands beside the total
    expect(t).toMatch(/^ {2}Student +Onboarded +Dosage +Algebra ready +Growth +Before contract cap +Total +philanthropy +district$/m);
    expect(t).toMatch(/^ {2}P2 +\$200\.00 +\$300\.00 +\$1,080\.00 +- +\$1,580\.00 +\$1,580\.00 +\$632\.00 +\$948\.00$/m);
    expect(t).toMatch(/^ {2}Before the contract cap: \$5,560\.00 +Contract cap: \$500,000\.00 \(does not bind\)$/m);
    expect(t).toMatch(/^ {2}Total paid +\$5,560\.00$/m);
    expect(t).toMatch(/^ {2}2026-12 +attendance_rate = 71\.1% +2 +provider: submits an improvement plan/m);
    expect(t).toMatch(/^ {2}examples\/03-algebra-pilot\/students\.csv +students +9 +9 +0$/m);
    expect(t).toContain("No data problems.");
  });

  it("exits 1 on an invalid contract, 3 when data stops the run, 4 on a missing data file", async () => {
    const broken = join(tmp, "students-broken.csv");
    const students = await readFile(join(ROOT, PILOT, "students.csv"), "utf8");
    await writeFile(broken, students.replace(/^P3,9,false,/m, "P3,9,sometimes,"));
    const [invalid, strict, lenient, unknownSet, missing] = await Promise.all([
      obc(["run", badFile, "--data", `${PILOT}/students.csv`]),
      obc(["run", `${PILOT}/contract.obc`, "--data", broken, "--data", `${PILOT}/checkpoints.csv`, "--strict"]),
      obc(["run", `${PILOT}/contract.obc`, "--data", broken, "--data", `${PILOT}/checkpoints.csv`, "--json"]),
      obc(["run", `${PILOT}/contract.obc`, "--data", `${PILOT}/students.csv`, "--data", `nonsense=${PILOT}/checkpoints.csv`]),
      obc(["run", `${PILOT}/contract.obc`, "--data", `${PILOT}/students.csv`, "--data", "no-such.csv"]),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("error[OBC3005]");
    expect(invalid.stdout).toBe("");

    expect(strict.code).toBe(3);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toMatch(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4 +english_learner +not-a-boolean`));
    expect(strict.stderr).toContain("the run stopped because of 1 data error");
    expect(strict.stderr).not.toContain("sometimes"); // never print a cell value
    expectNoStack(strict);

    expect(lenient.code).toBe(0);
    const result = RunResultSchema.parse(JSON.parse(lenient.stdout));
    expect(result.dataQuality.files[0].problems.map((p) => [p.row, p.column, p.rule])).toEqual([[4, "english_learner", "not-a-boolean"]]);
    expect(lenient.stderr).not.toContain("sometimes");

    expect(unknownSet.code).toBe(3);
    expect(unknownSet.stderr).toContain("nonsense");

    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe("obc: cannot read no-such.csv: no such file\n");
  });
});

describe("obc run --version", () => {
  const amended = `contract "Amended" version "1.0" {
  parties { district "D" provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { sessions: count "sessions attended by 28 February"  eoy: score }
  milestone "Midyear" due 2027-02-28 pays $300 per student when sessions >= 20
  outcome "Ready" pays $900 per student when eoy >= 70
  amendment "1.1" effective 2027-01-15 {
    replace "Midyear" with {
      milestone "Midyear attendance" due 2027-02-28 pays $200 per student when sessions >= 20
      milestone "Midyear dosage" due 2027-02-28 pays $150 per student when sessions >= 30
    }
  }
  amendment "1.2" effective 2027-03-01 {
    outcome "Ready" pays $950 per student when eoy >= 70
  }
}
`;

  it("runs the contract as signed and as each amendment left it; an unknown version is refused with the list", async () => {
    const file = join(tmp, "amended.obc");
    const data = join(tmp, "amended.csv");
    await writeFile(file, amended);
    await writeFile(data, "student_id,sessions,eoy\nA,32,75\nB,22,60\n");
    const run = (...extra: string[]) => obc(["run", file, "--data", `students=${data}`, "--json", "--as-of", "2027-06-30", ...extra]);
    const [latest, signed, first, unknown] = await Promise.all([run(), run("--version", "1.0"), run("--version", "1.1"), run("--version", "2.0")]);
    const lines = (r: Result) => RunResultSchema.parse(JSON.parse(r.stdout)).students.map((s) => s.lines.map((l) => `${l.clause}@${l.version}=${l.paid}`).join(" "));
    expect(latest.code, latest.stderr).toBe(0);
    expect(lines(latest)).toEqual([
      // "Midyear" fell due before amendment 1.2: its replacements follow 1.1
      "midyear_attendance@1.1=200.00 midyear_dosage@1.1=150.00 ready@1.2=950.00",
      "midyear_attendance@1.1=200.00 midyear_dosage@1.1=0.00 ready@1.2=0.00",
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(lines(signed)).toEqual(["midyear@1.0=300.00 ready@1.0=900.00", "midyear@1.0=300.00 ready@1.0=0.00"]);
    expect(JSON.parse(signed.stdout).contract.version).toBe("1.0");
    expect(lines(first)).toEqual([
      "midyear_attendance@1.1=200.00 midyear_dosage@1.1=150.00 ready@1.1=900.00",
      "midyear_attendance@1.1=200.00 midyear_dosage@1.1=0.00 ready@1.1=0.00",
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe(`obc: run: ${file} has no version "2.0"; its versions are "1.0", "1.1", "1.2"\n`);
  }, 120_000);
});

describe("the launcher", () => {
  it("turns an unexpected error into one line and exit 70, without a stack", async () => {
    // a copy of the launcher next to a CLI that fails
    const fake = join(tmp, "fake");
    await mkdir(join(fake, "bin"), { recursive: true });
    await mkdir(join(fake, "dist", "cli"), { recursive: true });
    await copyFile(BIN, join(fake, "bin", "obc.mjs"));
    await writeFile(join(fake, "package.json"), '{ "type": "module" }\n');
    await writeFile(join(fake, "dist", "cli", "main.js"), 'export async function main() { throw new TypeError("boom"); }\n');
    const r = await new Promise<Result>((done) =>
      execFile(process.execPath, [join(fake, "bin", "obc.mjs"), "check", "x.obc"], { cwd: tmp }, (error, stdout, stderr) =>
        done({ code: typeof error?.code === "number" ? error.code : 0, stdout: String(stdout), stderr: String(stderr) }),
      ),
    );
    expect(r.code).toBe(70);
    expect(r.stderr).toBe("obc: internal error: boom\nobc: please report this, with the command you ran.\n");
    expect(r.stdout).toBe("");
  });
});

describe("obc fmt", () => {
  it("prints, checks and rewrites a badly laid-out contract", async () => {
    const source = await readFile(join(ROOT, PILOT, "contract.obc"), "utf8");
    const messy = join(tmp, "messy.obc");
    await writeFile(messy, source.replace(/^[ \t]+/gm, ""));
    const [printed, check] = await Promise.all([obc(["fmt", messy]), obc(["fmt", "--check", messy])]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toBe(source.replace(/^[ \t]+/gm, ""));
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(messy);
    const write = await obc(["fmt", "--write", messy]);
    expect(write.code).toBe(0);
    expect(await readFile(messy, "utf8")).toBe(printed.stdout);
    const [again, valid] = await Promise.all([obc(["fmt", "--check", messy]), obc(["check", messy])]);
    expect(again.code).toBe(0);
    expect(valid.code).toBe(0);
  });

  it("leaves the examples as they are, and refuses a file with syntax errors", async () => {
    const broken = join(tmp, "broken.obc");
    await writeFile(broken, 'contract "Broken" {\n  parties { district "D"\n');
    const [examples, syntax, both] = await Promise.all([
      obc(["fmt", "--check", ...EXAMPLES]),
      obc(["fmt", broken]),
      obc(["fmt", "--check", "--write", broken]),
    ]);
    expect(examples.code, examples.stdout).toBe(0);
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toBe("");
    expect(syntax.stderr).toContain(`obc: cannot format ${broken} until its syntax errors are fixed`);
    expect(both.code).toBe(2);
  });
});

describe("table and money formatting", () => {
  it("formats money with separators and the currency", () => {
    expect(formatMoney("1080.00")).toBe("$1,080.00");
    expect(formatMoney("0.00")).toBe("$0.00");
    expect(formatMoney("-12.50")).toBe("-$12.50");
    expect(formatMoney("1234567.89", "GBP")).toBe("£1,234,567.89");
    expect(formatMoney("7.00", "CAD")).toBe("CAD 7.00");
  });

  it("aligns columns, draws separators and spreads multi-line cells", () => {
    const text = renderTable(["Name", "Paid"], [["a", "$1.00"], ["bbb", "$10.00\n$2.00"], SEPARATOR, ["Total", "$13.00"]], {
      align: ["left", "right"],
    });
    expect(text).toBe(
      ["Name     Paid", "-----  ------", "a       $1.00", "bbb    $10.00", "        $2.00", "-----  ------", "Total  $13.00", ""].join("\n"),
    );
  });
});
