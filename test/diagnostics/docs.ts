/**
 * Generates `docs/diagnostics.md`, the reference of every diagnostic code, from the registry
 * in `language/diagnostics/codes.ts`: for each code its name, severity, title, message and
 * help templates, and its example snippet with the output the checker really produces.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CODES, type CodeInfo } from "../../language/diagnostics/codes.ts";
import { compileSource, type CompileResult } from "../../language/driver.ts";
import { renderText } from "../../language/diagnostics/render.ts";
import type { Resolver } from "../../language/templates/expand.ts";
import { memoryResolver } from "../../stdlib/index.ts";
import { STDLIB_DIR } from "../../stdlib/node-resolver.ts";
import { CORPUS_DIR } from "./corpus.ts";

/** Where the doc lives, from the repository root. */
export const DOC_PATH = "docs/diagnostics.md";

/** Project templates the examples may import as `"templates/NAME"` (shared with the corpus). */
export const EXAMPLE_TEMPLATES_DIR = join(CORPUS_DIR, "bad", "templates");

/** Codes found in data files or while running a contract, never in `.obc` text. */
export function isRunTimeCode(code: string): boolean {
  return /^OBC[5-9]\d{3}$/.test(code);
}

/** All codes, in code order. */
export function allCodes(): CodeInfo[] {
  return Object.values(CODES).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

let resolver: Resolver | undefined;

/** The resolver examples are compiled with: the template library, and the corpus' project templates. */
export function exampleResolver(): Resolver {
  if (!resolver) {
    const read = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".obc")).sort();
    const library = Object.fromEntries(read(STDLIB_DIR).map((f) => [f.slice(0, -4), readFileSync(join(STDLIB_DIR, f), "utf8")]));
    const project = Object.fromEntries(read(EXAMPLE_TEMPLATES_DIR).map((f) => [`templates/${f}`, readFileSync(join(EXAMPLE_TEMPLATES_DIR, f), "utf8")]));
    resolver = memoryResolver(library, project);
  }
  return resolver;
}

/** Compiles a code's example snippet. */
export function compileExample(example: string): CompileResult {
  return compileSource(example, { resolver: exampleResolver() });
}

const RANGES: [RegExp, string, string][] = [
  [/^OBC1/, "Syntax (OBC1xxx)", "Found while reading the text: characters, words and the shape of statements."],
  [/^OBC2/, "Names and templates (OBC2xxx)", "Names that are not declared, declared twice, or used where they cannot be; template imports and arguments."],
  [/^OBC3/, "Types and units (OBC3xxx)", "Values that do not fit together: money, percentages, scores, counts, dates and text."],
  [/^OBC4/, "Clause logic (OBC4xxx)", "Contracts that read correctly but cannot mean what they say: deadlines, percentages, tiers, caps, funding, escalation."],
  [/^OBC5/, "Data quality (OBC5xxx)", "Found in the data files when a contract is run, not in the contract's text."],
  [/^OBC9/, "Internal checks (OBC9xxx)", "Found while running a contract; they point at a bug in OBC itself."],
];

const fence = (lang: string, text: string) => "```" + lang + "\n" + text.replace(/\n+$/, "") + "\n```";
const anchor = (c: CodeInfo) => `${c.code.toLowerCase()}-${c.name}`;

function section(c: CodeInfo): string {
  const out: string[] = [`### ${c.code} ${c.name}`, ""];
  out.push(`**${c.title}.** Severity: ${c.severity}.`, "");
  out.push("Message:", "", fence("text", c.message), "");
  if (c.help !== undefined) out.push("Help:", "", fence("text", c.help), "");
  if (c.example !== undefined) {
    const result = compileExample(c.example);
    out.push("Example:", "", fence("obc", c.example), "");
    out.push("`obc check example.obc` reports:", "", fence("text", renderText(result.diagnostics, c.example, "example.obc")), "");
  } else if (c.noExample !== undefined) {
    out.push(`No small example: ${c.noExample}`, "");
  } else if (isRunTimeCode(c.code)) {
    out.push(c.code.startsWith("OBC5") ? "Found in data at run time: there is no `.obc` example." : "Found at run time: there is no `.obc` example.", "");
  } else {
    out.push("No example yet.", "");
  }
  return out.join("\n");
}

/** The whole reference, as Markdown. */
export function generateDiagnosticsDoc(): string {
  const codes = allCodes();
  const out: string[] = [
    "# Diagnostics reference",
    "",
    "<!-- Generated from language/diagnostics/codes.ts by test/diagnostics/docs.ts. Do not edit by hand:",
    "     regenerate with `UPDATE_GOLDEN=1 npx vitest run test/diagnostics-docs.test.ts`. -->",
    "",
    "Every problem OBC reports has a stable code (`OBC2001`) and name (`unknown-name`). Codes are never",
    "reused. Errors stop a contract from being run; warnings and notes (info) do not.",
    "",
    "Each code's example is a small contract that triggers it; the output under it is what the checker",
    "prints for that example, and CI checks that every example still produces its own code. Examples",
    "that import project templates (`\"templates/…\"`) use the files in `test/diagnostics/bad/templates/`.",
    "More examples, one mistake per file, are in `test/diagnostics/bad/` with their output next to them.",
    "",
    "| Code | Name | Severity | What it means |",
    "| --- | --- | --- | --- |",
    ...codes.map((c) => `| [${c.code}](#${anchor(c)}) | \`${c.name}\` | ${c.severity} | ${c.title} |`),
    "",
  ];
  for (const [re, heading, blurb] of RANGES) {
    const inRange = codes.filter((c) => re.test(c.code));
    if (inRange.length === 0) continue;
    out.push(`## ${heading}`, "", blurb, "");
    for (const c of inRange) out.push(section(c));
  }
  const other = codes.filter((c) => !RANGES.some(([re]) => re.test(c.code)));
  if (other.length > 0) {
    out.push("## Other codes", "");
    for (const c of other) out.push(section(c));
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").replace(/\n*$/, "\n");
}
