/**
 * The diagnostics corpus: every `.obc` file in `test/diagnostics/{bad,warn,good}/` is
 * compiled and its rendered diagnostics compared with the golden `.diag.txt` next to it.
 *
 * Regenerate the goldens with `UPDATE_GOLDEN=1 npx vitest run test/diagnostics-corpus.test.ts`
 * and read the diff: a golden is the exact text a contract author sees.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../language/diagnostics/codes.ts";
import {
  CORPUS_DIR,
  CORPUS_KINDS,
  UPDATE_GOLDEN,
  compileFile,
  corpusFiles,
  expectedCodes,
  producedCodes,
  renderGolden,
  type CorpusFile,
} from "./diagnostics/corpus.ts";

/**
 * Codes in OBC1xxx–OBC4xxx that no `.obc` text can produce, with the reason. Every other
 * code of those ranges must be produced by at least one corpus file.
 */
const NOT_PRODUCIBLE: Record<string, string> = {
  OBC1012: "needs more than a hundred problems in one file: test/bounded-work.test.ts",
  OBC1013: "needs a file over 2 MB: test/bounded-work.test.ts",
  OBC2025: "needs a chain of hundreds of definitions: test/bounded-work.test.ts",
  OBC2026: "needs a chain of template files that use each other: test/bounded-work.test.ts",
};

function check(file: CorpusFile): void {
  const { source, result } = compileFile(file.path);
  const rendered = renderGolden(result.diagnostics, source, file.rel);
  if (UPDATE_GOLDEN) writeFileSync(file.golden, rendered);
  else {
    expect(existsSync(file.golden), `${file.rel}: no golden; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(rendered, `${file.rel}: diagnostics differ from the golden`).toBe(readFileSync(file.golden, "utf8"));
  }

  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (file.kind === "bad") {
    expect(errors.length, `${file.rel} should have at least one error`).toBeGreaterThan(0);
    expect(result.ok).toBe(false);
  } else {
    expect(errors.map((d) => d.code), `${file.rel} should have no errors`).toEqual([]);
    expect(result.ok).toBe(true);
  }
  if (file.kind === "warn") expect(result.diagnostics.length, `${file.rel} should have a warning or a note`).toBeGreaterThan(0);

  const expected = expectedCodes(source);
  if (file.kind !== "good") expect(expected.length, `${file.rel} needs a '// expect: OBC…' line`).toBeGreaterThan(0);
  for (const code of expected) expect(CODES[code], `${file.rel} expects ${code}, which is not a registered code`).toBeDefined();
  if (expected.length > 0 || file.kind === "good") {
    expect(producedCodes(result.diagnostics, expected), `${file.rel}: codes differ from its expect lines`).toEqual(expected);
  }
}

for (const kind of CORPUS_KINDS) {
  describe(`diagnostics corpus: ${kind}/`, () => {
    for (const file of corpusFiles(kind)) it(file.name, () => check(file));
  });
}

describe("diagnostics corpus as a whole", () => {
  it("has at least 45 invalid contracts and 8 valid ones", () => {
    expect(corpusFiles("bad").length).toBeGreaterThanOrEqual(45);
    expect(corpusFiles("good").length).toBeGreaterThanOrEqual(8);
  });

  it("covers every code in OBC1xxx–OBC4xxx that a contract can produce", () => {
    const seen = new Set<string>();
    for (const kind of CORPUS_KINDS) {
      for (const f of corpusFiles(kind)) for (const d of compileFile(f.path).result.diagnostics) seen.add(d.code);
    }
    const wanted = Object.keys(CODES).filter((c) => /^OBC[1-4]\d{3}$/.test(c) && !(c in NOT_PRODUCIBLE));
    expect(wanted.filter((c) => !seen.has(c)), "codes no corpus file produces").toEqual([]);
    expect([...seen].filter((c) => !CODES[c]), "codes produced but not registered").toEqual([]);
  });

  it("has no golden without its contract", () => {
    for (const kind of CORPUS_KINDS) {
      const dir = join(CORPUS_DIR, kind);
      const orphans = readdirSync(dir)
        .filter((f) => f.endsWith(".diag.txt"))
        .filter((f) => !existsSync(join(dir, f.replace(/\.diag\.txt$/, ".obc"))));
      expect(orphans, `${kind}/ goldens without a .obc file`).toEqual([]);
    }
  });
});
