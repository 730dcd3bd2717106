/**
 * Robustness of the front end under systematic edits: every single-token deletion of one
 * example, every prefix of another, and random token soup; `compileSource` never throws, every
 * diagnostic is well formed (registered code, span inside the text, a message), and rendering
 * never throws. Random mutants of every valid contract are the fuzz campaign's
 * (test/fuzz-contracts.test.ts, `npm run fuzz`).
 *
 * The seed is fixed so a failure is reproducible; fast-check prints the shrunk mutation
 * list and the assertion message quotes the mutated text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { CODES } from "../language/diagnostics/codes.ts";
import { renderText, toJson } from "../language/diagnostics/render.ts";
import type { Diagnostic } from "../language/diagnostics/types.ts";
import { obcLexer } from "../language/syntax/tokens.ts";
import type { Resolver } from "../language/templates/expand.ts";
import { CHARS, POOL, contractSeeds } from "./fuzz/contracts.ts";

/** fixed for reproducibility; set MUTATION_SEED to explore other mutants locally */
const SEED = Number(process.env["MUTATION_SEED"] ?? 20_260_901);
const SOUP_RUNS = 1_000;

// ───────────── the valid contracts ─────────────

/** The valid contracts of the fuzz campaign, with each token's offsets [start, end). */
const seeds = contractSeeds().map((s) => ({
  ...s,
  tokens: obcLexer.tokenize(s.text).tokens.map((t) => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 })),
}));

function checkDiagnostic(d: Diagnostic, length: number): void {
  expect(CODES[d.code], `unregistered code ${d.code}`).toBeDefined();
  expect(["error", "warning", "info"]).toContain(d.severity);
  expect(d.message.trim().length, `${d.code} has an empty message`).toBeGreaterThan(0);
  const spans = [d.primary.span, ...d.related.map((r) => r.span), ...d.suggestions.map((s) => s.span)];
  for (const s of spans) {
    expect(Number.isInteger(s.start) && Number.isInteger(s.end), `${d.code}: span ${JSON.stringify(s)} is not whole offsets`).toBe(true);
    expect(s.start >= 0 && s.start <= s.end && s.end <= length, `${d.code}: span ${JSON.stringify(s)} outside 0..${length}`).toBe(true);
  }
}

/** Compiles the text and checks every property; rethrows with the text so a failure can be replayed. */
/** @returns whether the text drew at least one error */
function checkText(text: string, label: string, resolver: Resolver): boolean {
  try {
    const result = compileSource(text, { resolver });
    expect(typeof result.ok).toBe("boolean");
    expect(result.ok).toBe(!result.diagnostics.some((d) => d.severity === "error"));
    for (const d of result.diagnostics) checkDiagnostic(d, text.length);
    const rendered = renderText(result.diagnostics, text, "mutant.obc");
    if (result.diagnostics.length > 0) expect(rendered.length).toBeGreaterThan(0);
    toJson(result.diagnostics, text, "mutant.obc");
    return !result.ok;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    err.message = `${err.message}\n--- mutant of ${label} (${JSON.stringify(text.length)} chars) ---\n${JSON.stringify(text)}`;
    throw err;
  }
}

describe("mutation robustness", () => {
  it("starts from valid contracts", () => {
    expect(seeds.length).toBeGreaterThanOrEqual(15);
    for (const s of seeds) {
      expect(s.tokens.length, s.name).toBeGreaterThan(10);
      const r = compileSource(s.text, { resolver: s.resolver });
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), s.name).toEqual([]);
    }
  });

  it(`never throws on token soup (${SOUP_RUNS} random token sequences, seed ${SEED})`, () => {
    const soup = fc.array(fc.constantFrom(...POOL, ...CHARS, "\n"), { maxLength: 60 });
    fc.assert(
      fc.property(fc.boolean(), soup, (wrapped, parts) => {
        const body = parts.join(" ");
        const text = wrapped ? `contract "Soup" {\n${body}\n}` : body;
        checkText(text, "token soup", seeds[0]!.resolver);
      }),
      { numRuns: SOUP_RUNS, seed: SEED },
    );
  }, 60_000);

  it("survives every single-token deletion of one example", () => {
    const seed = seeds.find((s) => s.name.includes("03-algebra-pilot"))!;
    for (let i = 0; i < seed.tokens.length; i++) {
      const t = seed.tokens[i]!;
      checkText(seed.text.slice(0, t.start) + seed.text.slice(t.end), `${seed.name} without token ${i}`, seed.resolver);
    }
  });

  it("survives every prefix of one example cut at a token boundary", () => {
    const seed = seeds.find((s) => s.name.includes("01-duval"))!;
    for (const t of seed.tokens) checkText(seed.text.slice(0, t.end), `${seed.name} cut at ${t.end}`, seed.resolver);
  });
});
