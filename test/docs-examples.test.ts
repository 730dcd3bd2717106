/**
 * Every OBC example in the docs is checked.
 *
 * Extracts each ```obc block of `docs/language.md` and `language/README.md`:
 * - a block whose first statement is `contract` is a whole contract and must compile with no
 *   errors and no warnings;
 * - a block whose first statement is `template` is a template file: it must parse without
 *   errors, and it is available to the other examples as `templates/<name>.obc`;
 * - any other block is a fragment: it is placed inside the skeleton below (minus the parts it
 *   declares itself) and must then compile with no errors and no warnings;
 * - a block fenced as ```obc expect=OBC4006 shows a mistake: it must produce that code.
 * Contracts are compiled with the template library (`stdlib/templates/`) as their resolver. A
 * contract that compiles is also compiled to json-rules-engine rules, which must not throw.
 *
 * The skeleton is shown verbatim in docs/language.md ("How fragments are checked"), so readers
 * know which fields and groups a fragment may use; a test below keeps the two the same.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { renderText } from "../language/diagnostics/render.ts";
import { parse } from "../language/syntax/parse.ts";
import { compileRules } from "../engine/index.ts";
import { memoryResolver } from "../stdlib/index.ts";
import { libraryNames, STDLIB_DIR } from "../stdlib/node-resolver.ts";

// ───────────── the skeleton ─────────────

/** One part of the skeleton, left out when the fragment declares the same thing itself. */
interface SkeletonPart {
  text: string;
  /** true when the fragment declares this part itself */
  declaredBy: (fragment: string) => boolean;
}

const statement = (re: string) => (fragment: string) => new RegExp(`^\\s*${re}`, "m").test(fragment);

const SKELETON_PARTS: SkeletonPart[] = [
  {
    text: `  parties {
    district "Lakeview Unified School District"
    provider "Bright Path Tutoring"
    intermediary "OBC Intermediary"
    funder "Lakeview Education Foundation" as philanthropy
  }
`,
    declaredBy: statement("parties\\b"),
  },
  {
    text: `  funding {
    philanthropy pays 40% of every line
    district pays the rest
  }
`,
    declaredBy: statement("funding\\b"),
  },
  { text: "  term 2026-09-01 to 2027-06-30\n", declaredBy: statement("term\\b") },
  { text: "  currency USD\n", declaredBy: statement("currency\\b") },
  {
    text: `
  data students keyed by student_id {
    grade: integer
    school: text
    english_learner: boolean
    iep: boolean
    sessions: count
    sessions_by_feb28: count
    tutoring_hours: decimal
    boy_score: score
    boy_score_retest: optional score
    eoy_score: optional score
    projected_growth: score
    fall_to_spring_cgp: optional score
    unproductive_time_pct: percent
    eoy_fluency: optional score
    eoy_vocabulary: optional score
    eoy_phonemic: optional score
    diagnostic_date: optional date
    first_session_date: optional date
    exit_date: optional date
    course_price: money
    credits_earned: count
  }
`,
    // fragments never replace the student data: an example that declares it is a whole contract
    declaredBy: () => false,
  },
  {
    text: `
  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }
`,
    declaredBy: statement("data\\s+checkpoints\\b"),
  },
  {
    text: `
  identified students when grade in [8, 9] and boy_score < 60
  served students when sessions >= 30
`,
    declaredBy: statement("(eligible|identified|served)\\s+students\\s+when\\b"),
  },
];

const SKELETON_OPEN = 'contract "Docs skeleton" {\n';
const SKELETON_CLOSE = "}\n";

/** The skeleton with nothing in it, as shown in docs/language.md. */
const SKELETON = SKELETON_OPEN + SKELETON_PARTS.map((p) => p.text).join("") + SKELETON_CLOSE;

/**
 * A fragment inside the skeleton. The fragment comes first, right after the opening line, so
 * that line N of the fragment is line N + 1 of the result (OBC statements may come in any order).
 */
function wrapFragment(fragment: string): string {
  const parts = SKELETON_PARTS.filter((p) => !p.declaredBy(fragment)).map((p) => p.text);
  return SKELETON_OPEN + fragment.replace(/\s*$/, "\n") + "\n" + parts.join("") + SKELETON_CLOSE;
}

// ───────────── extracting the blocks ─────────────

interface Block {
  file: string;
  /** 1-based line of the block's first line of code in its file */
  line: number;
  code: string;
  /** the codes the block must produce, from ```obc expect=OBC4006,OBC4015 */
  expect: string[];
}

function obcBlocks(file: string): Block[] {
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  const blocks: Block[] = [];
  let open: { info: string; line: number; code: string[] } | undefined;
  lines.forEach((text, i) => {
    if (!open) {
      const m = /^```obc(?:\s+(.*))?$/.exec(text.trimEnd());
      if (m) open = { info: m[1] ?? "", line: i + 2, code: [] };
      return;
    }
    if (text.startsWith("```")) {
      const expectMatch = /(?:^|\s)expect=([A-Z0-9,]+)/.exec(open.info);
      blocks.push({ file, line: open.line, code: open.code.join("\n") + "\n", expect: expectMatch ? expectMatch[1]!.split(",") : [] });
      open = undefined;
      return;
    }
    open.code.push(text);
  });
  if (open) throw new Error(`${file}: the obc block at line ${open.line - 1} is never closed`);
  return blocks;
}

/** The first word of the first line that is not blank or a comment: `contract`, `template`, or else. */
function firstWord(code: string): string {
  const first = code.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("//"));
  return /^\s*([A-Za-z_]+)/.exec(first ?? "")?.[1] ?? "";
}

const FILES = ["docs/language.md", "language/README.md"];
const blocks = FILES.flatMap(obcBlocks);

/** The template library, and every template file shown in the docs as `templates/<name>.obc`. */
const library = Object.fromEntries(libraryNames().map((n) => [n, readFileSync(join(STDLIB_DIR, `${n}.obc`), "utf8")]));
const docTemplates = Object.fromEntries(
  blocks
    .filter((b) => firstWord(b.code) === "template")
    .map((b) => [`templates/${/template\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(b.code)?.[1]}.obc`, b.code]),
);
const resolver = memoryResolver(library, docTemplates);

function title(b: Block): string {
  const first = b.code.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("//")) ?? "";
  return `${b.file}:${b.line} ${first.trim().slice(0, 60)}`;
}

// ───────────── the checks ─────────────

describe("docs examples", () => {
  it("finds the examples", () => {
    expect(blocks.filter((b) => b.file === "docs/language.md").length).toBeGreaterThan(40);
    expect(blocks.filter((b) => b.file === "language/README.md").length).toBeGreaterThan(0);
  });

  it("shows the skeleton that fragments are checked in", () => {
    expect(blocks.map((b) => b.code)).toContain(SKELETON);
  });

  it.each(blocks.map((b) => [title(b), b] as const))("%s", (_name, b) => {
    if (firstWord(b.code) === "template") {
      const parsed = parse(b.code);
      expect(parsed.value.template, `${b.file}:${b.line} holds no template`).toBeDefined();
      const shown = renderText(parsed.diagnostics, b.code, "template.obc");
      expect(parsed.diagnostics.filter((d) => d.severity !== "info").map((d) => d.code), `the template at ${b.file}:${b.line}\n${shown}`).toEqual(b.expect);
      return;
    }
    const whole = firstWord(b.code) === "contract";
    if (!whole && /^\s*data\s+students\b/m.test(b.code)) {
      throw new Error(`${b.file}:${b.line}: an example that declares \`data students\` must be a whole contract`);
    }
    const source = whole ? b.code : wrapFragment(b.code);
    const result = compileSource(source, { resolver });
    const shown = () =>
      `the example at ${b.file}:${b.line} ` +
      (whole ? "(line 1 of example.obc is that line)\n" : "(line 2 of example.obc is its first line, inside the skeleton)\n") +
      renderText(result.diagnostics, source, "example.obc") +
      (whole ? "" : "\n" + source);

    if (b.expect.length > 0) {
      const codes = result.diagnostics.map((d) => d.code);
      for (const code of b.expect) expect(codes, shown()).toContain(code);
      return;
    }
    // an example teaches by example: no errors, and no warnings either
    const problems = result.diagnostics.filter((d) => d.severity !== "info");
    expect(problems.map((d) => `${d.code}: ${d.message}`), shown()).toEqual([]);
    expect(result.ok).toBe(true);
    expect(() => compileRules(result.ir!, source)).not.toThrow();
  });
});
