/**
 * Bounded work on any input (issue 10 §5): whatever the text, checking a contract ends with
 * diagnostics, never with a crash, a hang or an internal error. Regression tests for the
 * reproducers F02 (deep nesting), F06 (a megabyte of characters the language does not use),
 * F07 (importing a folder or a named pipe) and F10 (templates that multiply), on the files of
 * each reproducer copied to `test/fixtures/repro/`, and for each bound of `language/limits.ts`.
 *
 * Commands run in a child process with a time limit: a command still running then is killed
 * and the test fails as a hang (the limit is generous; speed is measured by `npm run bench`).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileRules, runContract } from "../engine/index.ts";
import { summarize } from "../engine/summary/index.ts";
import { compileSource } from "../language/driver.ts";
import { renderText } from "../language/diagnostics/render.ts";
import { format } from "../language/format/index.ts";
import { MAX_DEFINITION_DEPTH, MAX_NESTING, MAX_PRODUCT_DEGREE, MAX_SOURCE_LENGTH, MAX_SYNTAX_ERRORS } from "../language/limits.ts";
import { scan } from "../language/syntax/lex.ts";
import { obcLexer, UnterminatedString } from "../language/syntax/tokens.ts";
import { memoryResolver } from "../stdlib/index.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import { runCli } from "./helpers.ts";

const REPRO = "test/fixtures/repro";
/** generous: a command that has not finished by then is taken to hang */
const HANG = 60_000;

const tmp = mkdtempSync(join(tmpdir(), "obc-bounds-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const codes = (text: string) => compileSource(text).diagnostics.map((d) => d.code);

/** A contract around one definition. */
function withMetric(expr: string, kind = "metric"): string {
  return `contract "Bounds" {
  parties { district "D" provider "P" }
  data students keyed by student_id { s: score  n: count  flag: boolean  day: optional date }
  ${kind} m = ${expr}
}
`;
}

describe("F02: nesting is bounded, with its own diagnostic", () => {
  it("obc check on 180 nested brackets says so at the 33rd, exit 1, not an internal error", async () => {
    const r = await runCli(["check", `${REPRO}/F02-deep-nesting-crash/p180.obc`], { timeoutMs: HANG });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[OBC1011]: This is nested more than 32 levels deep");
    expect(r.stdout).toMatch(/p180\.obc:3:\d+/);
    expect(r.stderr).not.toContain("internal error");
  });

  it("reports every kind of nesting past the bound, and takes every kind up to it", () => {
    const deep = (open: string, close: string, inner: string, n: number) => open.repeat(n) + inner + close.repeat(n);
    const kinds: [string, (n: number) => string, string][] = [
      ["brackets", (n) => deep("(", ")", "s", n), "metric"],
      ["not", (n) => deep("not ", "", "flag", n), "condition"],
      ["unary minus", (n) => deep("- ", "", "s", n), "metric"],
      ["% of", (n) => deep("50% of ", "", "s", n), "metric"],
      ["month starts", (n) => deep("month starts from ", " through 2027-06-30", "2026-09-01", n), "metric"],
      ["count of", (n) => deep("count of [", "]", "flag", n) + " >= 0", "condition"],
    ];
    for (const [name, build, kind] of kinds) {
      expect(codes(withMetric(build(MAX_NESTING + 1), kind)), name).toEqual(["OBC1011"]);
      expect(codes(withMetric(build(MAX_NESTING * 100), kind)), name).toEqual(["OBC1011"]);
      expect(codes(withMetric(build(MAX_NESTING), kind)).filter((c) => c === "OBC1011"), name).toEqual([]);
    }
    // unknown statements skip their blocks, nested or not
    expect(codes(`contract "X" {\n  bogus ${"{".repeat(2000)}${"}".repeat(2000)}\n}`)).toEqual(["OBC1011"]);
  });

  it("the deepest contract allowed goes through every stage: check, rules, both engines, format, summary", async () => {
    // constructs that nest, each level adding one, MAX_NESTING levels in all
    let value = "s";
    for (let i = 0; i < MAX_NESTING; i++) value = [`(s + ${value})`, `- ${value}`, `50% of ${value}`, `(${value})`][i % 4]!;
    let cond = "flag";
    for (let i = 0; i < MAX_NESTING; i++) cond = [`(${cond})`, `not ${cond}`, `(n >= 0 and ${cond})`][i % 3]!;
    const text = `contract "Deep" {
  parties { district "D" provider "P" }
  data students keyed by student_id { s: score  n: count  flag: boolean }
  metric v = ${value}
  condition c = ${cond}
  outcome "Deep" pays $1 * (v otherwise 0) per student when c or n > 2
  cap $1,000,000 per student
}
`;
    const compiled = compileSource(text);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(JSON.stringify(compileRules(compiled.ir!, text)).length).toBeGreaterThan(0);
    const files = [{ label: "students.csv", text: "student_id,s,n,flag\nA,10,3,true\nB,-4,0,false\nC,7,5,false\n", dataSet: "students" }];
    const fast = await runContract(compiled.ir!, text, files, { engine: "fast" });
    const reference = await runContract(compiled.ir!, text, files, { engine: "reference" });
    expect(JSON.stringify(fast.result)).toBe(JSON.stringify(reference.result));
    expect(fast.result!.students.length).toBe(3);
    const formatted = format(text).value;
    expect(format(formatted).value).toBe(formatted);
    expect(summarize(compiled.ir!, text).sections.length).toBeGreaterThan(0);
  });
});

describe("long chains cost no recursion depth", () => {
  const N = 2000; // F02's chains broke at about 1,600 terms
  const chain = (parts: string[], op: string) => parts.join(` ${op} `);
  const text = `contract "Chains" {
  parties { district "D" provider "P" }
  data students keyed by student_id { a: score  b: count  c: optional score }
  metric total = ${chain(Array.from({ length: N }, (_, i) => ["a", "b", "1", "- a"][i % 4]!), "+")}
  metric product = ${chain(Array.from({ length: N }, (_, i) => (i % 64 ? "1" : "b / b")), "*")}
  metric first = ${chain(Array.from({ length: N }, () => "c"), "otherwise")} otherwise 0
  condition any_of = ${chain(Array.from({ length: N }, (_, i) => `b = ${i}`), "or")}
  outcome "Chains" pays $1 * (total + first) per student when ${chain(Array.from({ length: N }, (_, i) => `a >= ${i % 50}`), "and")} and any_of
    if missing: not met
}
`;

  it(`checks, compiles, runs on both engines, formats and summarises chains of ${N} terms`, async () => {
    const compiled = compileSource(text);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const rules = compileRules(compiled.ir!, text);
    // the chain is one flat list of conditions, not a list nested N deep
    const clause = rules.rules.find((r) => r.event.params.role === "clause")!;
    const shape = (c: unknown): { leaves: number; depth: number } => {
      const list = (c as { all?: unknown[]; any?: unknown[] }).all ?? (c as { any?: unknown[] }).any;
      if (!list) return { leaves: 1, depth: 0 };
      const inner = list.map(shape);
      return { leaves: inner.reduce((n, x) => n + x.leaves, 0), depth: 1 + Math.max(0, ...inner.map((x) => x.depth)) };
    };
    expect(shape(clause.conditions).leaves).toBeGreaterThan(N);
    expect(shape(clause.conditions).depth).toBeLessThanOrEqual(3);
    const files = [{ label: "students.csv", text: `student_id,a,b,c\nS1,60,3,\nS2,10,0,5\nS3,70,${N - 1},1\n`, dataSet: "students" }];
    const fast = await runContract(compiled.ir!, text, files, { engine: "fast" });
    const reference = await runContract(compiled.ir!, text, files, { engine: "reference" });
    expect(JSON.stringify(fast.result)).toBe(JSON.stringify(reference.result));
    // each group of four terms adds a + b + 1 − a = b + 1, N / 4 times
    // S1: a >= 0…49 all hold and b = 3: total = 500 × 4 = 2,000, first = 0
    // S2: a = 10 fails a >= 11: not met
    // S3: b = N − 1 is the last term of the `or`: total = 500 × N = 1,000,000, first = c = 1
    expect(fast.result!.students.map((s) => [s.id, s.total])).toEqual([["S1", "2000.00"], ["S2", "0.00"], ["S3", "1000001.00"]]);
    const formatted = format(text).value;
    expect(format(formatted).value).toBe(formatted);
    expect(summarize(compiled.ir!, text).sections.length).toBeGreaterThan(0);
  }, 120_000);

  it("a definition built on a long chain of others is refused before any stage recurses through it", () => {
    const metrics = (order: "up" | "down", n: number) =>
      Array.from({ length: n }, (_, k) => {
        const i = order === "up" ? k : n - 1 - k;
        return `  metric m${i} = ${i === 0 ? "s" : `m${i - 1} + 1`}`;
      }).join("\n");
    for (const order of ["up", "down"] as const) {
      const long = `contract "Chain" {\n  data students keyed by student_id { s: score }\n${metrics(order, 5000)}\n  outcome "X" pays $1 per student when m4999 > 0\n}\n`;
      const d = compileSource(long).diagnostics;
      expect(d.map((x) => x.code), order).toEqual(["OBC2025"]);
      expect(d[0]!.message).toBe(`This nests more than ${MAX_DEFINITION_DEPTH} levels deep, counting the metrics, conditions and values it reads through their definitions.`);
      const short = `contract "Chain" {\n  data students keyed by student_id { s: score }\n${metrics(order, 100)}\n  outcome "X" pays $1 per student when m99 > 0\n}\n`;
      expect(codes(short), order).toEqual([]);
    }
  });

  it("a product of more values than exact numbers can hold is refused at once (the fuzz campaign's hang)", async () => {
    const contract = (body: string) => `contract "Product" {\n  data students keyed by student_id { r: decimal }\n${body}\n  outcome "X" pays $1 per student when p > 1\n}\n`;
    // 5,000 factors in one chain, in a metric and in an escalation-like condition
    const long = contract(`  metric p = ${Array.from({ length: 5000 }, () => "r").join(" * ")}`);
    const started = performance.now();
    const d = compileSource(long).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC2028"]);
    expect(d[0]!.message).toBe(`This multiplies more than ${MAX_PRODUCT_DEGREE} values together, counting the metrics it reads through their definitions: its exact value would have too many digits to compute.`);
    expect(performance.now() - started).toBeLessThan(30_000); // a bound on the hang, not a speed test
    // metrics that square the one before: 2^7 = 128 factors, found where the bound is passed
    const squares = Array.from({ length: 8 }, (_, i) => `  metric m${i} = ${i === 0 ? "r" : `m${i - 1} * m${i - 1}`}`).join("\n");
    const sqText = contract(`${squares}\n  metric p = m7`);
    const sq = compileSource(sqText).diagnostics;
    expect(sq.map((x) => [x.code, sqText.slice(x.primary.span.start, x.primary.span.end)])).toEqual([["OBC2028", "m6 * m6"]]);
    // up to the bound is fine, and runs: 64 factors of 2 as 2^64 exactly
    const ok = contract(`  metric p = ${Array.from({ length: MAX_PRODUCT_DEGREE }, () => "r").join(" * ")}`);
    const compiled = compileSource(ok);
    expect(compiled.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    const run = await runContract(compiled.ir!, ok, [{ label: "students.csv", text: "student_id,r\nS1,2\n", dataSet: "students" }], { engine: "fast" });
    expect(run.result!.totals.paid).toBe("1.00");
  });

  it("a ring of thousands of clauses that refer to each other is one diagnostic", () => {
    const n = 3000;
    const clauses = Array.from({ length: n }, (_, i) => `  bonus "C${i}" pays $1 per student when "C${(i + 1) % n}"`).join("\n");
    const d = compileSource(`contract "Ring" {\n  data students keyed by student_id { s: score }\n${clauses}\n}\n`).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC2022"]);
  });
});

describe("F06: the lexer reads each character once, and stops after a hundred problems", () => {
  it("1 MB of a character the language does not use: one diagnostic for the run", async () => {
    const file = join(tmp, "at1m.obc");
    writeFileSync(file, "@".repeat(1_000_000));
    const r = await runCli(["check", file], { timeoutMs: HANG });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[OBC1003]: I don't understand the character '@' here.");
    // the snippet shows a window of the line, not the megabyte
    expect(r.stdout.length).toBeLessThan(1_000);
    expect(r.stdout).toContain(`1 | ${"@".repeat(240)}…`);
  });

  it("a long line is shown as a window around the span, with the carets under it", () => {
    const text = `contract "Bounds" {\n  data students keyed by student_id { a: score  b: score }\n  metric m = ${"a + ".repeat(300)}zz + ${"b + ".repeat(300)}1\n}\n`;
    const d = compileSource(text).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC2001"]);
    const lines = renderText(d, text, "long.obc").split("\n");
    const at = lines.findIndex((l) => l.startsWith("3 |"));
    expect(lines[at]).toBe(`3 | …${"a + ".repeat(15)}zz${" + b".repeat(15)}…`);
    expect(lines[at + 1]).toBe(`  | ${" ".repeat(61)}^^ not declared`);
    // a name of 200,000 characters: the message shows its first 400 characters, and no suggestion is sought
    const huge = `contract "Bounds" {\n  metric m = ${"x".repeat(200_000)} + 1\n}\n`;
    const h = compileSource(huge).diagnostics;
    expect(h.map((x) => x.code)).toEqual(["OBC2001"]);
    expect(h[0]!.message).toBe(`I can't find a field, metric or condition named '${"x".repeat(399)}….`);
    expect(renderText(h, huge, "huge.obc").length).toBeLessThan(2_000);
    // a clause named with 100,000 characters: the location line names it shortened (found by the fuzz campaign)
    const named = `contract "Bounds" {\n  data students keyed by student_id { s: score }\n  outcome "${"G".repeat(100_000)}" pays $100 per student when zz > 1\n}\n`;
    const c = compileSource(named).diagnostics;
    expect(c.map((x) => [x.code, x.clause?.length])).toEqual([["OBC2001", 100_000]]);
    const where = renderText(c, named, "named.obc").split("\n")[1]!;
    expect(where).toBe(` --> named.obc:3:100041 (in clause '${"G".repeat(400)}…')`);
  });

  it("a line of a million tabs renders in one pass; control characters show as signs, never act on the terminal", () => {
    const tabs = "\t".repeat(1_000_000) + "@";
    const out = renderText(compileSource(tabs).diagnostics, tabs, "tabs.obc");
    expect(out).toContain("tabs.obc:1:1000001");
    expect(out.length).toBeLessThan(1_500);
    const esc = `contract "A" {\n  metric m = "\u001b[2J\u202e" @\u0007\n}\n`;
    const shown = renderText(compileSource(esc).diagnostics, esc, "esc.obc");
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(shown).toContain("2 |   metric m = \"␛[2J\ufffd\" @␇");
  });

  it("a megabyte of separate problems: the first hundred, then where reading stopped", () => {
    const d = compileSource("@ ".repeat(500_000)).diagnostics;
    expect(d.filter((x) => x.code === "OBC1003").length).toBe(MAX_SYNTAX_ERRORS);
    const stop = d.find((x) => x.code === "OBC1012")!;
    expect(stop.message).toBe(`I stopped reading here after ${MAX_SYNTAX_ERRORS} problems. Fix those and check the file again.`);
    expect(stop.primary.span.start).toBe(2 * MAX_SYNTAX_ERRORS);
    expect(d.length).toBe(MAX_SYNTAX_ERRORS + 1);
    // unclosed texts count too
    expect(compileSource('"\n'.repeat(300)).diagnostics.length).toBe(MAX_SYNTAX_ERRORS + 1);
  });

  it("10 MB of NUL: refused as too large to be a contract, with its size", async () => {
    const file = join(tmp, "nul10m.obc");
    writeFileSync(file, "\0".repeat(10_000_000));
    const r = await runCli(["check", file], { timeoutMs: HANG });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[OBC1013]: This file is 9.5 MB long; a contract or template may be at most 2 MB, so I did not read it.");
    // just under the bound, the text is read: NUL is described, not printed
    const d = compileSource("\0".repeat(MAX_SOURCE_LENGTH)).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC1003"]);
    expect(d[0]!.message).toBe("I don't understand the character U+0000 (a control character) here.");
  });

  it("the scanner finds exactly the characters Chevrotain's token patterns reject", () => {
    const pieces = [..."aZ_09 \t\n\r{}[](),:<>=!+-*/$%.\"\\@#;é\u00a0\u2028\0", "//", "2026-09-01", "$1,600.50", "1.5%", '\\"', "!=", "\ud83d\ude00"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join("");
        const chevrotain = obcLexer.tokenize(text);
        const mine = scan(text, Number.MAX_SAFE_INTEGER);
        expect(mine.unknown.map((u) => [u.start, u.end])).toEqual(chevrotain.errors.map((e) => [e.offset, e.offset + e.length]));
        expect(mine.unclosed.map((u) => [u.start, u.end])).toEqual(
          chevrotain.tokens.filter((t) => t.tokenType === UnterminatedString).map((t) => [t.startOffset, t.endOffset! + 1]),
        );
      }),
      { numRuns: 3000, seed: 10 },
    );
  });
});

describe("F07: imports read regular files only", () => {
  const dir = join(tmp, "f07");
  cpSync(`${REPRO}/F07-import-dir-fifo/c`, dir, { recursive: true });
  const contract = readFileSync(join(dir, "contract.obc"), "utf8");
  const check = async (path: string) => {
    const file = join(dir, `imports-${path.replace(/\W/g, "_")}.obc`);
    writeFileSync(file, contract.replace('"./dir.obc"', `"${path}"`));
    return runCli(["check", file], { timeoutMs: HANG });
  };

  it("a folder, with or without .obc: OBC2027, exit 1, not an internal error", async () => {
    for (const path of ["./dir.obc", "./dir"]) {
      const r = await check(path);
      expect(r.code, path).toBe(1);
      expect(r.stdout, path).toContain(`error[OBC2027]: The import "${path}" is a folder, not a template file.`);
      expect(r.stderr, path).not.toContain("internal error");
    }
  });

  it.skipIf(process.platform === "win32")("a named pipe: OBC2027 at once, instead of waiting forever for a writer", async () => {
    execFileSync("mkfifo", [join(dir, "fifo.obc")]);
    const r = await check("./fifo.obc");
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error[OBC2027]: The import "./fifo.obc" is a named pipe, not a template file.');
  });
});

describe("F10: template expansion has a budget", () => {
  it("25 templates that each use the next twice (2^24 statements): one diagnostic, exit 1", async () => {
    const r = await runCli(["check", `${REPRO}/F10-template-exponential-expansion/contract.obc`], { timeoutMs: HANG });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[OBC2026]: Expanding the templates used here copies more than 10,000 statements, so I stopped expanding them.");
    // the contract is not checked further: no errors that only follow from the missing statements
    expect(r.stdout).not.toContain("OBC2002");
  });

  it("templates nested more than 16 deep, and arguments that multiply an expression at each level", () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < 20; i++) chain[`t${i}.obc`] = i < 19 ? `template t${i} {\n  import t${i + 1} from "./t${i + 1}.obc"\n  use t${i + 1}()\n}\n` : `template t19 {\n  track "x"\n}\n`;
    const deep = compileSource(`contract "X" {\n  import t0 from "./t0.obc"\n  use t0()\n}\n`, { resolver: memoryResolver({}, chain) }).diagnostics;
    expect(deep.map((d) => [d.code, d.message])).toEqual([["OBC2026", "Expanding the templates used here uses templates inside templates more than 16 deep, so I stopped expanding them."]]);
    // each level passes its condition on four times: 4^12 copies of the innermost one
    const grow: Record<string, string> = {};
    for (let i = 0; i < 12; i++) grow[`g${i}.obc`] = `template g${i} {\n  param c: condition\n  import g${i + 1} from "./g${i + 1}.obc"\n  use g${i + 1}(c: c and c and c and c)\n}\n`;
    grow["g12.obc"] = `template g12 {\n  param c: condition\n  condition big = c\n}\n`;
    const text = `contract "X" {\n  data students keyed by student_id { flag: boolean }\n  import g0 from "./g0.obc"\n  use g0(c: flag)\n}\n`;
    const wide = compileSource(text, { resolver: memoryResolver({}, grow) }).diagnostics;
    expect(wide.map((d) => d.code)).toEqual(["OBC2026"]);
    expect(wide[0]!.message).toContain("copies more than 200,000 parts of expressions");
  });
});

describe("compileSource never throws", () => {
  it("turns an exception from any stage into OBC9002, and the contract is not ok", () => {
    const resolver = { ...nodeResolver(join(tmp, "x.obc")), relative: () => { throw new TypeError("boom"); } };
    const text = `contract "X" {\n  import t from "./t.obc"\n  use t()\n}\n`;
    const result = compileSource(text, { resolver });
    expect(result.ok).toBe(false);
    expect(result.ir).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["OBC9002", "I could not finish checking this contract: an unexpected TypeError. This is a bug in OBC, not a mistake in the contract; please report it."],
    ]);
  });
});
