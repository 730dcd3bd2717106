/**
 * `docs/diagnostics.md` is generated from the code registry and the checker's real output.
 * This test fails when the doc is out of date (rewrite it with `UPDATE_GOLDEN=1`), and runs
 * the example of every code to check that it still produces that code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../language/diagnostics/codes.ts";
import { UPDATE_GOLDEN, REPO_ROOT } from "./diagnostics/corpus.ts";
import { DOC_PATH, allCodes, compileExample, generateDiagnosticsDoc, isRunTimeCode } from "./diagnostics/docs.ts";

describe("docs/diagnostics.md", () => {
  it("is up to date with the code registry and the checker", () => {
    const doc = generateDiagnosticsDoc();
    const path = join(REPO_ROOT, DOC_PATH);
    if (UPDATE_GOLDEN) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, doc);
      return;
    }
    expect(existsSync(path), `${DOC_PATH} is missing; run UPDATE_GOLDEN=1 npx vitest run test/diagnostics-docs.test.ts`).toBe(true);
    expect(readFileSync(path, "utf8"), `${DOC_PATH} is out of date; run UPDATE_GOLDEN=1 npx vitest run test/diagnostics-docs.test.ts`).toBe(doc);
  });

  it("documents every registered code", () => {
    const doc = generateDiagnosticsDoc();
    for (const code of Object.keys(CODES)) expect(doc, code).toContain(`### ${code} ${CODES[code]!.name}`);
  });
});

describe("code examples", () => {
  it("every code a contract can produce (OBC1xxx–OBC4xxx) has an example, or says why none can be small; run-time codes have none", () => {
    const missing = allCodes().filter((c) => !isRunTimeCode(c.code) && c.example === undefined && c.noExample === undefined).map((c) => c.code);
    expect(missing, "codes without an example in codes.ts").toEqual([]);
    const runTime = allCodes().filter((c) => isRunTimeCode(c.code) && c.example !== undefined).map((c) => c.code);
    expect(runTime, "run-time codes cannot have a .obc example").toEqual([]);
  });

  for (const info of allCodes().filter((c) => c.example !== undefined)) {
    it(`${info.code} ${info.name}: the example produces ${info.code}`, () => {
      const result = compileExample(info.example!);
      const found = result.diagnostics.filter((d) => d.code === info.code);
      expect(found.length, `example of ${info.code} produced ${result.diagnostics.map((d) => d.code).join(", ") || "nothing"}`).toBeGreaterThan(0);
      expect(found.some((d) => d.severity === info.severity), `${info.code} is reported with another severity`).toBe(true);
      // a small example shows its own code and nothing unrelated
      expect([...new Set(result.diagnostics.map((d) => d.code))], `example of ${info.code} also produces other codes`).toEqual([info.code]);
    });
  }
});
