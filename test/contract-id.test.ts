/**
 * `id "…"` in the contract header: the stable identity the settlement ledger keys a contract by.
 * Parsed, checked (OBC2024), formatted in its place, and said in the summary; `id` stays an
 * ordinary name everywhere else.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { format } from "../language/format/index.ts";
import { summarize, toMarkdown } from "../engine/summary/index.ts";

const withId = `contract "Algebra pilot"   id "lakeview-bp-2026"  version "1.0" {
  parties { district "D" provider "P" }
  data students keyed by student_id { id: integer }
  outcome "O" pays $1 per student when id >= 1
}
`;

describe("contract id", () => {
  it("is parsed into the IR, and `id` may still name a field", () => {
    const c = compileSource(withId);
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(c.ir?.id).toBe("lakeview-bp-2026");
    expect(c.ir?.version).toBe("1.0");
    expect(c.ir?.fields.has("id")).toBe(true);
    expect(compileSource(withId.replace(' id "lakeview-bp-2026"', "")).ir?.id).toBeUndefined();
  });

  it("is formatted between the title and the version, idempotently", () => {
    const once = format(withId);
    expect(once.value.split("\n")[0]).toBe('contract "Algebra pilot" id "lakeview-bp-2026" version "1.0" {');
    expect(format(once.value).value).toBe(once.value);
    expect(format(withId.replace(' version "1.0"', "")).value.split("\n")[0]).toBe('contract "Algebra pilot" id "lakeview-bp-2026" {');
  });

  it("must be a usable identifier (OBC2024), at its exact range", () => {
    for (const bad of ["", "has space", "-leading", "a#b", "x".repeat(65)]) {
      const text = withId.replace("lakeview-bp-2026", bad);
      const d = compileSource(text).diagnostics.filter((x) => x.code === "OBC2024");
      expect(d.length, bad).toBe(1);
      expect(text.slice(d[0].primary.span.start, d[0].primary.span.end)).toBe(JSON.stringify(bad));
    }
    for (const good of ["a", "A.b_c-9", "2026-pilot", "x".repeat(64)]) {
      expect(compileSource(withId.replace("lakeview-bp-2026", good)).diagnostics.some((x) => x.code === "OBC2024"), good).toBe(false);
    }
  });

  it("appears in the summary's title block and first section", () => {
    const c = compileSource(withId);
    const md = toMarkdown(summarize(c.ir!, withId));
    expect(md).toContain("lakeview-bp-2026");
    expect(md).toContain('The contract is identified as “lakeview-bp-2026” in the settlement ledger.');
  });
});
