/**
 * The language front end, as a specification: what `compileSource` reports, where, and
 * what the syntax tree looks like.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Span } from "../language/ast.ts";
import { compileSource } from "../language/driver.ts";
import { LineIndex } from "../language/diagnostics/source.ts";
import { renderText } from "../language/diagnostics/render.ts";
import type { Diagnostic } from "../language/diagnostics/types.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import { CORPUS_KINDS, REPO_ROOT, corpusFiles, repoPath } from "./diagnostics/corpus.ts";

/** "line:column" (1-based) of the start of a diagnostic. */
function at(text: string, d: Diagnostic): string {
  const p = new LineIndex(text).position(d.primary.span.start);
  return `${p.line}:${p.column}`;
}

const slice = (text: string, s: Span) => text.slice(s.start, s.end);

/** Every `.obc` file under a folder, recursively. */
function obcFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return obcFiles(p);
      return f.endsWith(".obc") ? [p] : [];
    });
}

const exampleFiles = obcFiles(join(REPO_ROOT, "examples"));
/** Example contracts (not the project templates some examples keep in subfolders). */
const exampleContracts = exampleFiles.filter((p) => /^\s*(\/\/.*\n\s*)*contract\b/.test(readFileSync(p, "utf8")));

/** A small valid contract used by several cases below. */
const PILOT = `contract "Algebra readiness pilot" {
  parties {
    district "Lakeview Unified"
    provider "Bright Path Tutoring"
  }
  term 2026-09-01 to 2027-06-30

  data students keyed by student_id {
    sessions: count "sessions attended up to 26 February 2027"
    attendance_rate: percent "attendance from September to 31 March 2027"
    eoy_score: optional score "the end-of-year score, tested by 15 June 2027"
  }

  milestone "Dosage" due 2027-02-26 pays $300 per student
    when sessions >= 30

  milestone "Attendance" due 2027-03-31 pays $200 per student
    when attendance_rate >= 85%

  outcome "Algebra ready" due 2027-06-15 pays $900 per student
    when eoy_score >= 70
    if missing: not met

  routines {
    provider shares "session attendance" weekly
  }
}
`;

describe("a valid contract", () => {
  it("compiles with no diagnostics, ok, and a checked contract", () => {
    const r = compileSource(PILOT);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.ir?.title).toBe("Algebra readiness pilot");
    expect(r.ir?.clauses.map((c) => [c.id, c.kind])).toEqual([
      ["dosage", "milestone"],
      ["attendance", "milestone"],
      ["algebra_ready", "outcome"],
    ]);
  });

  it("every example contract compiles without errors", () => {
    expect(exampleContracts.length).toBeGreaterThanOrEqual(5);
    for (const p of exampleContracts) {
      const r = compileSource(readFileSync(p, "utf8"), { resolver: nodeResolver(p) });
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), repoPath(p)).toEqual([]);
      expect(r.ok, repoPath(p)).toBe(true);
    }
  });
});

describe("three independent mistakes in one contract", () => {
  const text = PILOT.replace("when sessions >= 30", "when sesions >= 30")
    .replace("attendance_rate >= 85%", "attendance_rate >= 85")
    .replace("due 2027-06-15", "due 2027-08-15");
  const r = compileSource(text);

  it("are all reported, in source order, with their 1-based line:column", () => {
    expect(r.diagnostics.map((d) => [d.code, d.severity, at(text, d)])).toEqual([
      ["OBC2001", "error", "15:10"],
      ["OBC3005", "error", "18:29"],
      ["OBC4001", "error", "20:31"],
    ]);
    expect(r.ok).toBe(false);
  });

  it("point at exactly the offending text", () => {
    expect(r.diagnostics.map((d) => slice(text, d.primary.span))).toEqual(["sesions", "85", "2027-08-15"]);
  });

  it("say which clause each mistake is in", () => {
    expect(r.diagnostics.map((d) => d.clause)).toEqual(["Dosage", "Attendance", "Algebra ready"]);
  });

  it("still produce a checked contract for the editor", () => {
    expect(r.ir?.clauses.map((c) => c.name)).toEqual(["Dosage", "Attendance", "Algebra ready"]);
  });

  it("render as three frames and a summary line", () => {
    const out = renderText(r.diagnostics, text, "pilot.obc");
    expect(out).toContain("error[OBC2001]: I can't find a field, metric or condition named 'sesions'.\n  --> pilot.obc:15:10 (in clause 'Dosage')");
    expect(out).toContain("error[OBC3005]: attendance_rate is a percentage, so compare it with a percentage such as 85%.");
    expect(out).toContain("error[OBC4001]: The deadline 2027-08-15 is outside the contract term (2026-09-01 to 2027-06-30).");
    expect(out.endsWith("\n3 errors\n")).toBe(true);
  });
});

describe("syntax trees", () => {
  const trees = [...exampleContracts, ...CORPUS_KINDS.flatMap((k) => corpusFiles(k).map((f) => f.path))];

  it("give every node a $type and a span inside the text and inside its parent", () => {
    for (const p of trees) {
      const text = readFileSync(p, "utf8");
      const { ast } = compileSource(text, { resolver: nodeResolver(p) });
      expect(ast.$type).toBe("SourceFile");
      expect(ast.span).toEqual({ start: 0, end: text.length });
      let nodes = 0;
      const walk = (n: unknown, parent: { $type: string; span: Span } | undefined, path: string): void => {
        if (Array.isArray(n)) return n.forEach((x, i) => walk(x, parent, `${path}[${i}]`));
        if (!n || typeof n !== "object") return;
        const o = n as Record<string, unknown>;
        let here = parent;
        if ("$type" in o || "span" in o) {
          const where = `${repoPath(p)} ${path}`;
          const span = o["span"] as Span | undefined;
          expect(span, `${where} has no span`).toBeDefined();
          expect(span!.start >= 0 && span!.start <= span!.end && span!.end <= text.length, `${where} span ${JSON.stringify(span)}`).toBe(true);
          if ("$type" in o) {
            expect(typeof o["$type"], `${where} $type`).toBe("string");
            if (parent) {
              expect(span!.start >= parent.span.start && span!.end <= parent.span.end, `${where} (${String(o["$type"])}) lies outside its ${parent.$type}`).toBe(true);
            }
            here = { $type: o["$type"] as string, span: span! };
            nodes++;
          }
        }
        for (const [k, v] of Object.entries(o)) {
          if (k === "span") continue;
          // other spans on a node (opSpan, kindSpan, typeSpan, …) are inside the text too
          if (k.endsWith("Span") && v && typeof v === "object") {
            const s = v as Span;
            expect(s.start >= 0 && s.start <= s.end && s.end <= text.length, `${repoPath(p)} ${path}.${k}`).toBe(true);
            continue;
          }
          walk(v, here, `${path}.${k}`);
        }
      };
      walk(ast, undefined, "");
      if (ast.contract) expect(nodes, repoPath(p)).toBeGreaterThan(3);
    }
  });

  it("give clause, party and track names spans that slice to the quoted text", () => {
    let checked = 0;
    for (const p of exampleContracts) {
      const text = readFileSync(p, "utf8");
      const items = compileSource(text).ast.contract!.items;
      for (const item of items) {
        const names =
          item.$type === "PaymentClause" || item.$type === "CohortClause" || item.$type === "TrackDecl" || item.$type === "EscalationDecl"
            ? [item.name]
            : item.$type === "PartiesDecl"
              ? item.parties.map((x) => x.name)
              : [];
        for (const n of names) {
          expect(slice(text, n.span), repoPath(p)).toBe(`"${n.value}"`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("keep the source text of numbers, money, percentages and dates exactly", () => {
    const ast = compileSource(PILOT).ast.contract!;
    const dosage = ast.items.find((i) => i.$type === "PaymentClause" && i.name.value === "Dosage");
    expect(dosage?.$type).toBe("PaymentClause");
    if (dosage?.$type !== "PaymentClause") return;
    expect(dosage.due?.value).toBe("2027-02-26");
    expect(dosage.amount.$type === "FixedAmount" && dosage.amount.amount).toMatchObject({ $type: "MoneyLit", value: "300", negative: false });
    expect(slice(PILOT, dosage.kindSpan)).toBe("milestone");
    expect(slice(PILOT, dosage.populationSpan)).toBe("per student");
    const cond = dosage.condition!;
    expect(cond).toMatchObject({ $type: "Binary", op: ">=", left: { $type: "NameRef", name: "sessions" }, right: { $type: "NumberLit", value: "30" } });
    if (cond.$type === "Binary") expect(slice(PILOT, cond.opSpan)).toBe(">=");
  });

  it("keep comments with their spans for the formatter", () => {
    const text = `// header\ncontract "C" { // after the brace\n}\n`;
    const { ast } = compileSource(text);
    expect(ast.comments.map((c) => [c.text, slice(text, c.span)])).toEqual([
      ["// header", "// header"],
      ["// after the brace", "// after the brace"],
    ]);
  });
});

describe("did-you-mean suggestions", () => {
  /** Applies the first suggestion of the first diagnostic with `code`. */
  function fix(text: string, code: string): { d: Diagnostic; fixed: string } {
    const d = compileSource(text).diagnostics.find((x) => x.code === code);
    expect(d, `no ${code}`).toBeDefined();
    expect(d!.suggestions.length, `${code} has no suggestion`).toBeGreaterThan(0);
    const s = d!.suggestions[0]!;
    return { d: d!, fixed: text.slice(0, s.span.start) + s.replacement + text.slice(s.span.end) };
  }

  const cases: [string, string, string, string][] = [
    // code, from, to, expected replacement
    ["OBC2001", "when sessions >= 30", "when sesions >= 30", "sessions"],
    ["OBC2001", "when eoy_score >= 70", "when EOY_Score >= 70", "eoy_score"],
    ["OBC1005", "  outcome \"Algebra ready\"", "  outcom \"Algebra ready\"", "outcome"],
    ["OBC2003", "provider shares", "provder shares", "provider"],
    ["OBC2008", "attendance\" weekly", "attendance\" weekley", "weekly"],
    ["OBC3006", "sessions: count", "sessions: cuont", "count"],
    ["OBC3005", "attendance_rate >= 85%", "attendance_rate >= 85", "85%"],
  ];
  for (const [code, from, to, replacement] of cases) {
    it(`${code}: '${to.trim()}' suggests ${JSON.stringify(replacement)}, and applying it fixes the contract`, () => {
      const broken = PILOT.replace(from, to);
      expect(broken).not.toBe(PILOT);
      const { d, fixed } = fix(broken, code);
      expect(d.suggestions[0]!.replacement).toBe(replacement);
      expect(d.suggestions[0]!.message).toContain(replacement);
      expect(compileSource(fixed).diagnostics).toEqual([]);
    });
  }

  it("OBC2002: a clause name suggestion keeps its quotes", () => {
    const broken = PILOT.replace(
      "  routines {",
      `  bonus "Strong finish" pays $100 per student\n    when not "Algebra Ready" and sessions >= 40\n\n  routines {`,
    );
    const { d, fixed } = fix(broken, "OBC2002");
    expect(d.suggestions[0]!.replacement).toBe('"Algebra ready"');
    expect(d.help).toBe('Did you mean "Algebra ready"?');
    expect(compileSource(fixed).diagnostics).toEqual([]);
  });

  it("no suggestion is offered when no name is close", () => {
    const d = compileSource(PILOT.replace("when sessions >= 30", "when lexile_gain >= 30")).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC2001"]);
    expect(d[0]!.suggestions).toEqual([]);
    expect(d[0]!.help).toBeUndefined();
  });
});

describe("error recovery", () => {
  it("reports two syntax errors far apart in one file", () => {
    const text = PILOT.replace("term 2026-09-01 to 2027-06-30", "term 2026-09-01 2027-06-30").replace(
      "provider shares \"session attendance\" weekly",
      "provider shares weekly",
    );
    const r = compileSource(text);
    const syntax = r.diagnostics.filter((d) => d.code.startsWith("OBC1"));
    expect(syntax.map((d) => [d.code, at(text, d), slice(text, d.primary.span)])).toEqual([
      ["OBC1001", "6:19", "2027-06-30"],
      ["OBC1001", "25:21", "weekly"],
    ]);
    expect(r.ok).toBe(false);
  });

  it("keeps checking the rest of the contract after a syntax error", () => {
    const text = PILOT.replace("when sessions >= 30", "when sessions >= 30 30").replace("attendance_rate >= 85%", "attendance_rate >= 85");
    const r = compileSource(text);
    expect(r.diagnostics.map((d) => [d.code, at(text, d)])).toEqual([
      ["OBC1005", "15:25"],
      ["OBC3005", "18:29"],
    ]);
    expect(r.ir?.clauses.map((c) => c.name)).toEqual(["Dosage", "Attendance", "Algebra ready"]);
  });

  it("skips an unknown statement up to the next statement and reports it once", () => {
    const text = PILOT.replace("  routines {", '  deliverable "Quarterly report" due 2026-12-15\n\n  routines {');
    const r = compileSource(text);
    expect(r.diagnostics.map((d) => [d.code, slice(text, d.primary.span)])).toEqual([["OBC1005", "deliverable"]]);
    expect(r.ir?.routines).toHaveLength(1);
  });

  it("reports a file that ends early at its last token", () => {
    const text = PILOT.slice(0, PILOT.indexOf("  routines {")).trimEnd();
    const r = compileSource(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["OBC1009"]);
    expect(r.diagnostics[0]!.primary.span.end).toBe(text.length);
  });

  it("never throws, even on empty or strange input", () => {
    for (const text of ["", " ", "\n\n", "}", "{", "contract", 'contract "', "contract \"X\" {", "\u0000", "😀", "contract \"X\" { } }"]) {
      const r = compileSource(text);
      expect(r.ok, JSON.stringify(text)).toBe(false);
      expect(r.diagnostics.length, JSON.stringify(text)).toBeGreaterThan(0);
    }
  });
});

describe("diagnostics as data", () => {
  it("come sorted by position, then code", () => {
    for (const f of corpusFiles("bad")) {
      const text = readFileSync(f.path, "utf8");
      const starts = compileSource(text, { resolver: nodeResolver(f.path) }).diagnostics.map((d) => d.primary.span.start);
      expect(starts, f.rel).toEqual([...starts].sort((a, b) => a - b));
    }
  });

  it("ok is false exactly when there is an error; warnings and notes do not block", () => {
    const warned = PILOT.replace("when sessions >= 30", "when false");
    const r = compileSource(warned);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["OBC4007", "warning"]]);
    expect(r.ok).toBe(true);
  });
});
