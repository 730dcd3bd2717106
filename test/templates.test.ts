/**
 * The template mechanism end to end, with real files in a temporary folder and the Node
 * resolver: imports that leave the contract's folder (OBC2012), import cycles (OBC2015),
 * wrong, missing and extra arguments (OBC2019, OBC2018, OBC2017) placed in the caller, a
 * library pinned to another version (OBC2014), and a misspelt template name (OBC2011 with a
 * "did you mean").
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource, type CompileResult } from "../language/driver.ts";
import { LineIndex } from "../language/diagnostics/source.ts";
import type { Diagnostic } from "../language/diagnostics/types.ts";
import { runContract } from "../engine/index.ts";
import { STDLIB_VERSION } from "../stdlib/index.ts";
import { libraryNames, nodeResolver } from "../stdlib/node-resolver.ts";
import { templatesCommand } from "../cli/templates.ts";

let root: string;
let outside: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "obc-templates-"));
  outside = join(root, "outside.obc");
  writeFileSync(outside, `template outside version "1.0" {\n  base "Outside" pays $1 per student\n}\n`);
  mkdirSync(join(root, "project", "clauses", "deeper"), { recursive: true });
  // a valid local template, and one that imports another relative to its own folder
  file("project/clauses/onboarding.obc", `// This district's onboarding milestone.
template onboarding version "1.0" {
  param deadline: date "the last day for the first session"
  param amount: money = $200 "the payment"
  param cut: score = 10 "unused here"
  milestone "Onboarded" due deadline pays amount per student
    when first_session_date <= deadline
    if missing: not met
}
`);
  file("project/clauses/bundle.obc", `template bundle version "1.0" {
  import inner from "./deeper/inner.obc"
  use inner()
}
`);
  file("project/clauses/deeper/inner.obc", `template inner version "1.0" {
  payment "Inner" pays $5 per student
}
`);
  // two templates that import each other
  file("project/clauses/ping.obc", `template ping version "1.0" {
  import pong from "./pong.obc"
  use pong()
}
`);
  file("project/clauses/pong.obc", `template pong version "1.0" {
  import ping from "./ping.obc"
  use ping()
}
`);
  // a template that reaches out of the contract's folder by a relative path
  file("project/clauses/sneaky.obc", `template sneaky version "1.0" {
  import outside from "../../outside.obc"
  use outside()
}
`);
  // a link inside the folder that leads outside it
  symlinkSync(outside, join(root, "project", "clauses", "link.obc"));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function file(rel: string, text: string): string {
  const path = join(root, rel);
  writeFileSync(path, text);
  return path;
}

/** A contract in the project folder: parties, term and a students data set around `body`. */
function contract(body: string): string {
  return `contract "Templates" {
  parties {
    district "Lakeview Unified School District"
    provider "Bright Path Tutoring"
  }
  term 2026-09-01 to 2027-06-30

  data students keyed by student_id {
    grade: integer
    first_session_date: optional date
    eoy_score: optional score
  }

  identified students when grade in [8, 9]

${body}
}
`;
}

function compile(body: string): { text: string; result: CompileResult } {
  const text = contract(body);
  const path = file("project/contract.obc", text);
  return { text, result: compileSource(text, { resolver: nodeResolver(path) }) };
}

/** The diagnostic with this code, and its 1-based "line:column". */
function find(text: string, result: CompileResult, code: string): { d: Diagnostic; at: string } {
  const d = result.diagnostics.find((x) => x.code === code);
  expect(d, result.diagnostics.map((x) => `${x.code} ${x.message}`).join("\n") || "no diagnostics").toBeDefined();
  const p = new LineIndex(text).position(d!.primary.span.start);
  return { d: d!, at: `${p.line}:${p.column}` };
}

/** 1-based "line:column" of the first occurrence of `needle`. */
function at(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  expect(offset).toBeGreaterThanOrEqual(0);
  const p = new LineIndex(text).position(offset);
  return `${p.line}:${p.column}`;
}

describe("local templates", () => {
  it("a template imported by a relative path is expanded and runs", async () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onboarding.obc"
  use onboarding(deadline: 2026-10-15, amount: $250)`);
    expect(result.diagnostics).toEqual([]);
    const out = await runContract(result.ir!, text, [{ label: "students.csv", text: "student_id,grade,first_session_date,eoy_score\nA,8,2026-10-01,\nB,9,2026-10-20,\n" }]);
    expect(out.result!.students.map((s) => `${s.id}:${s.total}`)).toEqual(["A:250.00", "B:0.00"]);
  });

  it("a template imports another relative to its own folder", () => {
    const { result } = compile(`  import bundle from "./clauses/bundle.obc"
  use bundle()`);
    expect(result.diagnostics).toEqual([]);
    expect(result.ir!.clauses.map((c) => c.name)).toEqual(["Inner"]);
  });
});

describe("imports that leave the contract's folder: OBC2012", () => {
  it("a path with .. that leads outside", () => {
    const { text, result } = compile(`  import outside from "../outside.obc"
  use outside()`);
    const { d, at: where } = find(text, result, "OBC2012");
    expect(d.message).toBe(`The import "../outside.obc" points outside the contract's folder. Templates can only come from the library or from the contract's own folder and its subfolders.`);
    expect(where).toBe(at(text, `"../outside.obc"`));
    expect(result.ok).toBe(false);
  });

  it("an absolute path", () => {
    const { text, result } = compile(`  import outside from "${outside}"
  use outside()`);
    const { d, at: where } = find(text, result, "OBC2012");
    expect(d.message).toContain(`The import "${outside}" points outside the contract's folder.`);
    expect(where).toBe(at(text, `"${outside}"`));
  });

  it("a template that leads outside is reported at the use that brought it in", () => {
    const { text, result } = compile(`  import sneaky from "./clauses/sneaky.obc"
  use sneaky()`);
    const { d, at: where } = find(text, result, "OBC2012");
    expect(d.message).toContain(`"../../outside.obc"`);
    expect(where).toBe(at(text, "use sneaky()"));
  });

  it("a symbolic link inside the folder that leads outside", () => {
    const { text, result } = compile(`  import link from "./clauses/link.obc"
  use link()`);
    const { at: where } = find(text, result, "OBC2012");
    expect(where).toBe(at(text, `"./clauses/link.obc"`));
  });
});

describe("import cycles: OBC2015", () => {
  it("two local templates that import each other are both named, at the caller's use", () => {
    const { text, result } = compile(`  import ping from "./clauses/ping.obc"
  use ping()`);
    const { d, at: where } = find(text, result, "OBC2015");
    expect(d.message).toMatch(/^These imports go round in a circle: .*clauses\/ping\.obc → .*clauses\/pong\.obc → .*clauses\/ping\.obc\.$/);
    expect(where).toBe(at(text, "use ping()"));
    expect(result.ok).toBe(false);
  });
});

describe("arguments, reported in the caller", () => {
  it("an argument of the wrong kind: OBC2019 at the argument", () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onboarding.obc"
  use onboarding(deadline: "2026-10-15", amount: $250)`);
    const { d, at: where } = find(text, result, "OBC2019");
    expect(d.message).toBe("The argument 'deadline' must be a date such as 2026-10-15.");
    expect(where).toBe(at(text, `"2026-10-15"`));
  });

  it("a library template given a number for a field: OBC2019", () => {
    const { text, result } = compile(`  import benchmark_attainment from stdlib version "1"
  use benchmark_attainment(name: "Ready", score: 70, cut: 70, amount: $900)`);
    const { d, at: where } = find(text, result, "OBC2019");
    expect(d.message).toBe("The argument 'score' must be the name of a data field.");
    expect(where).toBe(at(text, "70, cut"));
  });

  it("a missing argument: OBC2018 at the use", () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onboarding.obc"
  use onboarding(amount: $250)`);
    const { d, at: where } = find(text, result, "OBC2018");
    expect(d.message).toBe("The template onboarding needs a value for 'deadline' (date).");
    expect(where).toBe(at(text, "use onboarding"));
  });

  it("an extra argument: OBC2017 at its name, with a suggestion when it is close to a parameter", () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onboarding.obc"
  use onboarding(deadline: 2026-10-15, ammount: $250, colour: "blue")`);
    const extra = result.diagnostics.filter((d) => d.code === "OBC2017");
    expect(extra.map((d) => d.message)).toEqual([
      "The template onboarding has no parameter named 'ammount'.",
      "The template onboarding has no parameter named 'colour'.",
    ]);
    const li = new LineIndex(text);
    const pos = (d: Diagnostic) => { const p = li.position(d.primary.span.start); return `${p.line}:${p.column}`; };
    expect(extra.map(pos)).toEqual([at(text, "ammount"), at(text, "colour")]);
    expect(extra[0]!.help).toBe("Did you mean 'amount'?");
    expect(extra[0]!.suggestions.map((s) => s.replacement)).toEqual(["amount"]);
    expect(extra[1]!.suggestions).toEqual([]);
  });

  it("a problem inside the expanded items is reported at the use that brought them in", () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onboarding.obc"
  use onboarding(deadline: 2027-08-01)`);
    const { d, at: where } = find(text, result, "OBC4001");
    expect(d.message).toBe("The deadline 2027-08-01 is outside the contract term (2026-09-01 to 2027-06-30).");
    expect(where).toBe(at(text, "use onboarding"));
  });
});

describe("the library's version: OBC2014", () => {
  it(`accepts "1" and "${STDLIB_VERSION}" for library ${STDLIB_VERSION}`, () => {
    for (const v of ["1", STDLIB_VERSION]) {
      const { result } = compile(`  import benchmark_attainment from stdlib version "${v}"
  use benchmark_attainment(name: "Ready", score: eoy_score, cut: 70, amount: $900)`);
      expect(result.diagnostics).toEqual([]);
    }
  });

  it("refuses a pinned version that does not match, at the version", () => {
    const { text, result } = compile(`  import benchmark_attainment from stdlib version "2"
  use benchmark_attainment(name: "Ready", score: eoy_score, cut: 70, amount: $900)`);
    const { d, at: where } = find(text, result, "OBC2014");
    expect(d.message).toBe(`The contract asks for version 2 of the template library, but this is version ${STDLIB_VERSION}.`);
    expect(where).toBe(at(text, `"2"`));
    expect(result.ok).toBe(false);
  });

  it('does not take "1.0" as a prefix of "10"', () => {
    const { result } = compile(`  import benchmark_attainment from stdlib version "10"
  use benchmark_attainment(name: "Ready", score: eoy_score, cut: 70, amount: $900)`);
    expect(result.diagnostics.map((d) => d.code)).toContain("OBC2014");
  });
});

describe("a misspelt template name", () => {
  it("in a library import: OBC2011 with a did-you-mean and a fix", () => {
    const { text, result } = compile(`  import benchmark_atainment from stdlib version "1"
  use benchmark_atainment(name: "Ready", score: eoy_score, cut: 70, amount: $900)`);
    const { d, at: where } = find(text, result, "OBC2011");
    expect(d.message).toBe("I can't find a template named 'benchmark_atainment'.");
    expect(d.help).toBe("Did you mean 'benchmark_attainment'? `obc templates` lists the library.");
    expect(d.suggestions.map((s) => s.replacement)).toEqual(["benchmark_attainment"]);
    expect(where).toBe(at(text, "benchmark_atainment from"));
  });

  it("in a use: OBC2016 with a did-you-mean among the imports", () => {
    const { text, result } = compile(`  import benchmark_attainment from stdlib version "1"
  use benchmark_atainment(name: "Ready", score: eoy_score, cut: 70, amount: $900)`);
    const { d, at: where } = find(text, result, "OBC2016");
    expect(d.suggestions.map((s) => s.replacement)).toEqual(["benchmark_attainment"]);
    expect(where).toBe(at(text, "benchmark_atainment("));
  });

  it("a relative file that does not exist: OBC2011 at the path", () => {
    const { text, result } = compile(`  import onboarding from "./clauses/onbording.obc"
  use onboarding(deadline: 2026-10-15)`);
    const { d, at: where } = find(text, result, "OBC2011");
    expect(d.message).toBe(`I can't find a template named "./clauses/onbording.obc".`);
    expect(where).toBe(at(text, `"./clauses/onbording.obc"`));
  });
});

describe("obc templates [NAME]", () => {
  async function cli(name: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await templatesCommand(name, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  }

  it("lists the library: name, version and purpose of every template", async () => {
    const r = await cli(undefined);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`The OBC template library, version ${STDLIB_VERSION}: ${libraryNames().length} templates.`);
    for (const n of libraryNames()) expect(r.stdout).toMatch(new RegExp(`^  ${n} +\\d+\\.\\d+  [A-Z].+$`, "m"));
    expect(r.stdout).toMatch(/^ {2}benchmark_attainment +1\.1 {2}A fixed payment for each student whose score reaches a cut score\.$/m);
  });

  it("prints one template's documentation, as in docs/stdlib.md", async () => {
    const r = await cli("tiered_growth");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("## tiered_growth\n")).toBe(true);
    expect(r.stdout).toContain("| `partial_fraction` | number | `0.5` |");
    expect(readFileSync("docs/stdlib.md", "utf8")).toContain(r.stdout);
  });

  it("suggests the closest name for an unknown one, and exits 2", async () => {
    const r = await cli("tiered_grwth");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("obc templates: there is no template named 'tiered_grwth' in the library. Did you mean 'tiered_growth'?\nRun 'obc templates' to list the library.\n");
    const far = await cli("zzz");
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain("Did you mean");
  });
});
