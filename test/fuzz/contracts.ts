/**
 * The contract side of the fuzz campaigns: the valid contracts mutants start from, and a seeded,
 * grammar-aware mutator. Mutations work on the lexer's tokens (delete, repeat, swap, insert a
 * keyword or literal, replace a literal by an edge value of its kind, rename a name), on whole
 * lines (repeat a statement, drop it, move it, splice in a line of another contract) and on
 * the text (insert characters the language does not use, truncate), and they build the shapes
 * that exhausted earlier versions: deep nesting, long `and` / `+` / `otherwise` chains, huge
 * names and texts, runs of invalid characters.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { obcLexer } from "../../language/syntax/tokens.ts";
import type { Resolver } from "../../language/templates/expand.ts";
import { nodeResolver } from "../../stdlib/node-resolver.ts";
import { REPO_ROOT, corpusFiles, repoPath } from "../diagnostics/corpus.ts";
import type { Rng } from "./rng.ts";

export interface Seed {
  name: string;
  text: string;
  /** finds templates: the library, and project templates next to the contract */
  resolver: Resolver;
}

/** Reads the library and local templates once: a campaign compiles the same few files many times. */
function cachedResolver(path: string): Resolver {
  const inner = nodeResolver(path);
  const memo = new Map<string, unknown>();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const key = `${String(prop)}\u0000${JSON.stringify(args)}`;
        if (key.length > 1_000) return (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!memo.has(key)) memo.set(key, (value as (...a: unknown[]) => unknown).apply(target, args));
        return memo.get(key);
      };
    },
  });
}

function seedOf(path: string): Seed {
  return { name: repoPath(path), text: readFileSync(path, "utf8"), resolver: cachedResolver(path) };
}

/** The valid contracts: every example, and the corpus' `good/` and `warn/` files. */
export function contractSeeds(): Seed[] {
  const examplesDir = join(REPO_ROOT, "examples");
  return [
    ...readdirSync(examplesDir)
      .sort()
      .flatMap((d) =>
        readdirSync(join(examplesDir, d))
          .filter((f) => f.endsWith(".obc"))
          .sort()
          .map((f) => seedOf(join(examplesDir, d, f))),
      ),
    ...corpusFiles("good").map((f) => seedOf(f.path)),
    ...corpusFiles("warn").map((f) => seedOf(f.path)),
  ];
}

/** Tokens to insert: keywords, punctuation and literals, valid and not. */
export const POOL = [
  "contract", "parties", "term", "data", "metric", "condition", "identified", "served", "eligible", "students",
  "student", "base", "milestone", "outcome", "partial", "bonus", "penalty", "cohort", "weight", "cap", "floor",
  "funding", "settlement", "escalation", "level", "routines", "governance", "track", "import", "use", "param",
  "amendment", "effective", "template", "stdlib", "pays", "per", "when", "if", "missing", "not", "met", "excluded",
  "in", "tiers", "otherwise", "of", "over", "where", "count", "share", "sum", "is", "present", "and", "or", "to",
  "due", "let", "measure", "each", "keyed", "by", "optional", "withhold", "until", "true", "false", "month",
  "starts", "from", "through", "the", "rest", "every", "line", "allocated", "pro", "rata", "order", "id",
  "{", "}", "(", ")", "[", "]", ",", ":", "=", "<", ">", "<=", ">=", "!=", "+", "-", "*", "/",
  "$0", "$1,600", "$1,60", "$12.505", "-$50", "80%", "150%", "0", "1.2", "70", "2026-09-01", "2027-02-30",
  "2026-13-01", "\"Dosage\"", "\"Algebra ready\"", "\"unclosed", "\"\"", "eoy_score", "sessions", "growth",
  "district", "provider", "weekly", "fortnightly", "score", "money", "percent", "date", "text", "USD", "usd",
  "district pays 40% of every line", "philanthropy pays the rest", "cap $100 per student", "weight 2 for iep",
];
/** Characters to insert, including ones the language does not use. */
export const CHARS = ["{", "}", "\"", "$", "%", "&", "#", "@", "≥", "\n", "\r", "\t", "\\", "'", ";", "|", "\u00a0", "😀", "\ud800", "\u0000", "\u202e", "0", "a", " "];

/** Edge values by literal kind, to replace a literal of the same kind. */
const EDGE: Record<string, string[]> = {
  number: ["0", "-1", "1", "0.0000001", "99999999999999999999999", "1e308", "3.14159265358979323846264338327950288", "007"],
  money: ["$0", "$0.01", "$0.001", "$999,999,999,999,999.99", "-$1", "$1,000,000,000", "$12.345"],
  percent: ["0%", "100%", "100.000001%", "33.333333333%", "1000%", "-5%", "0.5%"],
  date: ["2027-02-29", "2028-02-29", "0001-01-01", "9999-12-31", "2026-00-10", "2026-09-31", "1970-01-01"],
  text: ["\"\"", "\" \"", "\"x\"", `"${"long text ".repeat(40)}"`, "\"\\\"\""],
};

function literalKind(image: string): string | undefined {
  if (/^-?\$/.test(image)) return "money";
  if (/%$/.test(image)) return "percent";
  if (/^\d{4}-\d{2}-\d{2}$/.test(image)) return "date";
  if (/^\d/.test(image)) return "number";
  if (image.startsWith("\"")) return "text";
  return undefined;
}

interface Tok {
  start: number;
  end: number;
  image: string;
  name: string;
}

function tokensOf(text: string): Tok[] {
  return obcLexer.tokenize(text).tokens.map((t) => ({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, image: t.image, name: t.tokenType.name }));
}

function lineBounds(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === "\n") {
      out.push({ start, end: Math.min(i + 1, text.length) });
      start = i + 1;
    }
  }
  return out;
}

/** The mutations, by name: each takes the text and returns the mutated text. */
const MUTATIONS: Record<string, (text: string, rng: Rng, other: Seed) => string> = {
  deleteToken(text, rng) {
    const t = tokensOf(text);
    if (t.length === 0) return text;
    const x = rng.pick(t);
    return text.slice(0, x.start) + text.slice(x.end);
  },
  repeatToken(text, rng) {
    const t = tokensOf(text);
    if (t.length === 0) return text;
    const x = rng.pick(t);
    return text.slice(0, x.end) + " " + x.image + text.slice(x.end);
  },
  swapTokens(text, rng) {
    const t = tokensOf(text);
    if (t.length < 2) return text;
    const i = rng.int(t.length - 1);
    const a = t[i]!;
    const b = t[i + 1]!;
    return text.slice(0, a.start) + b.image + text.slice(a.end, b.start) + a.image + text.slice(b.end);
  },
  insertToken(text, rng) {
    const t = tokensOf(text);
    const at = t.length === 0 ? 0 : rng.pick(t).start;
    return text.slice(0, at) + rng.pick(POOL) + " " + text.slice(at);
  },
  edgeLiteral(text, rng) {
    const lits = tokensOf(text).filter((x) => literalKind(x.image) !== undefined);
    if (lits.length === 0) return text;
    const x = rng.pick(lits);
    return text.slice(0, x.start) + rng.pick(EDGE[literalKind(x.image)!]!) + text.slice(x.end);
  },
  renameName(text, rng) {
    const ids = tokensOf(text).filter((x) => x.name === "Identifier");
    if (ids.length < 2) return text;
    const x = rng.pick(ids);
    return text.slice(0, x.start) + rng.pick(ids).image + text.slice(x.end);
  },
  repeatLine(text, rng) {
    const lines = lineBounds(text);
    const l = rng.pick(lines);
    return text.slice(0, l.end) + text.slice(l.start, l.end) + text.slice(l.end);
  },
  dropLine(text, rng) {
    const l = rng.pick(lineBounds(text));
    return text.slice(0, l.start) + text.slice(l.end);
  },
  moveLine(text, rng) {
    const lines = lineBounds(text);
    const l = rng.pick(lines);
    const rest = text.slice(0, l.start) + text.slice(l.end);
    const to = rng.pick(lineBounds(rest)).start;
    return rest.slice(0, to) + text.slice(l.start, l.end) + rest.slice(to);
  },
  spliceLine(text, rng, other) {
    const src = rng.pick(lineBounds(other.text));
    const to = rng.pick(lineBounds(text)).start;
    return text.slice(0, to) + other.text.slice(src.start, src.end) + (other.text[src.end - 1] === "\n" ? "" : "\n") + text.slice(to);
  },
  nest(text, rng) {
    const t = tokensOf(text).filter((x) => x.name === "Identifier" || literalKind(x.image) !== undefined);
    if (t.length === 0) return text;
    const x = rng.pick(t);
    const depth = rng.pick([1, 2, 31, 32, 33, 200, 2_000]);
    const [open, close] = rng.pick([["(", ")"], ["not ", ""], ["-", ""], ["- (", ")"], ["[", "]"]] as const);
    return text.slice(0, x.start) + open.repeat(depth) + x.image + close.repeat(depth) + text.slice(x.end);
  },
  chain(text, rng) {
    const t = tokensOf(text).filter((x) => x.name === "Identifier" || literalKind(x.image) !== undefined);
    if (t.length === 0) return text;
    const x = rng.pick(t);
    const n = rng.pick([2, 10, 500, 5_000]);
    const op = rng.pick([" and ", " or ", " + ", " - ", " * ", " otherwise ", ", "]);
    return text.slice(0, x.end) + (op + x.image).repeat(n) + text.slice(x.end);
  },
  huge(text, rng) {
    const at = rng.int(text.length + 1);
    const n = rng.pick([1_000, 20_000, 200_000]);
    const what = rng.pick([
      () => "x".repeat(n),
      () => `"${"y".repeat(n)}"`,
      () => `"${"y".repeat(n)}`,
      () => "@".repeat(n),
      () => "\u0000".repeat(n),
      () => "\t".repeat(n) + "@",
      () => "9".repeat(n),
      () => "{".repeat(n),
      () => "// ".concat("z".repeat(n)),
    ]);
    return text.slice(0, at) + what() + text.slice(at);
  },
  char(text, rng) {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + rng.pick(CHARS) + text.slice(at);
  },
  truncate(text, rng) {
    return text.slice(0, rng.int(text.length + 1));
  },
};

/** How often each mutation is chosen (the expensive shapes are rarer). */
const WEIGHTED: string[] = Object.entries({
  deleteToken: 6, repeatToken: 5, swapTokens: 4, insertToken: 6, edgeLiteral: 6, renameName: 4,
  repeatLine: 5, dropLine: 4, moveLine: 3, spliceLine: 3, nest: 2, chain: 2, huge: 1, char: 4, truncate: 1,
}).flatMap(([k, w]) => Array<string>(w).fill(k));

/** One mutant: 1 to 4 mutations of a seed; `applied` names them, for the failure report. */
export function mutant(seeds: readonly Seed[], rng: Rng): { seed: Seed; text: string; applied: string[] } {
  const seed = rng.pick(seeds);
  let text = seed.text;
  const applied: string[] = [];
  const n = rng.pick([1, 1, 1, 2, 2, 3, 4]);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(WEIGHTED);
    text = MUTATIONS[name]!(text, rng, rng.pick(seeds));
    applied.push(name);
  }
  return { seed, text, applied };
}
