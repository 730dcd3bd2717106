/**
 * Shared helpers for the diagnostics corpus (`test/diagnostics/{bad,warn,good}/*.obc`), the
 * mutation test and the generated diagnostics reference.
 *
 * - `bad/`: contracts with at least one error (one intended mistake, or a small cluster);
 * - `warn/`: contracts that may run but draw a warning or a note (no errors);
 * - `good/`: valid contracts using unusual-but-valid constructs (no errors).
 *
 * Each `NAME.obc` has a golden `NAME.diag.txt`: the plain-text rendering of its diagnostics
 * with the file named by its path from the repository root. A line `// expect: OBC2001 …`
 * lists the codes the file must produce.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource, type CompileResult } from "../../language/driver.ts";
import { renderText } from "../../language/diagnostics/render.ts";
import type { Diagnostic } from "../../language/diagnostics/types.ts";
import { nodeResolver } from "../../stdlib/node-resolver.ts";

/** The repository root (absolute). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The corpus folder (absolute). */
export const CORPUS_DIR = join(REPO_ROOT, "test", "diagnostics");

export type CorpusKind = "bad" | "warn" | "good";
export const CORPUS_KINDS: readonly CorpusKind[] = ["bad", "warn", "good"];

/** Whether goldens should be rewritten instead of compared. */
export const UPDATE_GOLDEN = process.env["UPDATE_GOLDEN"] === "1";

export interface CorpusFile {
  kind: CorpusKind;
  /** file name, e.g. "021-unknown-field-did-you-mean.obc" */
  name: string;
  /** absolute path */
  path: string;
  /** path from the repository root with "/" separators, as shown in the goldens */
  rel: string;
  /** absolute path of the golden */
  golden: string;
}

/** Path from the repository root with forward slashes. */
export function repoPath(abs: string): string {
  return relative(REPO_ROOT, abs).split(sep).join("/");
}

/** The `.obc` files directly inside one corpus folder (helper templates in subfolders are not corpus files). */
export function corpusFiles(kind: CorpusKind): CorpusFile[] {
  const dir = join(CORPUS_DIR, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".obc"))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      return { kind, name, path, rel: repoPath(path), golden: path.replace(/\.obc$/, ".diag.txt") };
    });
}

/** Compiles a corpus file the way the CLI does: with the template library and imports relative to the file. */
export function compileFile(path: string): { source: string; result: CompileResult } {
  const source = readFileSync(path, "utf8");
  return { source, result: compileSource(source, { resolver: nodeResolver(path) }) };
}

/**
 * The golden text of a file: its diagnostics rendered without colour. Absolute paths of
 * this checkout (which some messages quote) are replaced by `<repo>` so goldens do not
 * depend on where the repository lives.
 */
export function renderGolden(diags: readonly Diagnostic[], source: string, rel: string): string {
  return renderText(diags, source, rel).split(REPO_ROOT).join("<repo>");
}

/** The codes listed on `// expect: OBC2001 OBC3005` lines (several lines add up), without repeats, sorted. */
export function expectedCodes(source: string): string[] {
  const codes = new Set<string>();
  for (const m of source.matchAll(/^[ \t]*\/\/[ \t]*expect:(.*)$/gm)) {
    for (const c of m[1]!.split(/[\s,]+/)) if (c) codes.add(c);
  }
  return [...codes].sort();
}

/**
 * The codes produced, for comparison with `expect` lines: every error and warning code, and
 * an info code only when the expect lines name it (infos are notes, not mistakes).
 */
export function producedCodes(diags: readonly Diagnostic[], expected: readonly string[]): string[] {
  return [...new Set(diags.filter((d) => d.severity !== "info" || expected.includes(d.code)).map((d) => d.code))].sort();
}
