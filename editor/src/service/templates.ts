/**
 * The template library as the editor shows it: each template's name, version, parameters
 * (type, default, doc) and header comment, read with the language's parser. Runs in the
 * language worker (the parser stays out of the main bundle); the main thread receives the
 * result once, as plain data, for completion, hovers and "Start from a template".
 *
 * A template's header comment reads: a first paragraph saying what it is for ("Benchmark
 * attainment: a fixed payment for …"), its grounding in real contracts ("Real contracts: …"),
 * and `// Example: use …` (see stdlib/docs.ts, which documents the library the same way).
 */
import type * as A from "../../../language/ast.ts";
import { printExpr } from "../../../language/format/index.ts";
import { parse } from "../../../language/syntax/parse.ts";
import type { TemplateInfo } from "./protocol.ts";

/** The header comment: its purpose paragraph and its `Example:` line. */
function header(text: string): { purpose: string; example?: string } {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*\/\/ ?(.*)$/.exec(line);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  const exampleAt = lines.findIndex((l) => l.startsWith("Example:"));
  const example = exampleAt >= 0 ? lines[exampleAt]!.slice("Example:".length).trim() : undefined;
  const prose = (exampleAt >= 0 ? [...lines.slice(0, exampleAt), ...lines.slice(exampleAt + 1)] : lines).join(" ").replace(/\s+/g, " ").trim();
  const split = prose.search(/\bReal contracts\b/);
  return { purpose: (split >= 0 ? prose.slice(0, split) : prose).trim(), ...(example ? { example } : {}) };
}

function argText(v: A.Expr | A.PopulationArg): string {
  return v.$type === "PopulationArg" ? v.which : printExpr(v);
}

/** The arguments of an example `use name(…)` line, as written, by parameter name. */
function exampleArgs(example: string | undefined): Record<string, string> {
  if (!example) return {};
  const wrapper = `contract "example" {\n${example}\n}`;
  const use = parse(wrapper).value.contract?.items.find((i): i is A.UseDecl => i.$type === "UseDecl");
  if (!use) return {};
  return Object.fromEntries(use.args.map((a) => [a.name.name, wrapper.slice(a.value.span.start, a.value.span.end)]));
}

/** One template file as TemplateInfo; undefined when the text holds no template. */
export function templateInfo(name: string, text: string): TemplateInfo | undefined {
  const t = parse(text).value.template;
  if (!t) return undefined;
  const h = header(text);
  const title = /^([^:]{1,60}):/.exec(h.purpose)?.[1] ?? name.replace(/_/g, " ");
  return {
    name,
    ...(t.version ? { version: t.version.value } : {}),
    title,
    purpose: h.purpose,
    ...(h.example ? { example: h.example } : {}),
    exampleArgs: exampleArgs(h.example),
    params: t.params.map((p) => ({
      name: p.name.name,
      type: p.type,
      ...(p.default ? { default: argText(p.default) } : {}),
      doc: p.doc?.value ?? "",
    })),
    wholeContract: t.items.some((i) => i.$type === "PartiesDecl"),
  };
}

/** Every template of a library (name → text), sorted by name. */
export function libraryInfo(library: Record<string, string>): TemplateInfo[] {
  return Object.keys(library)
    .sort()
    .flatMap((name) => {
      const info = templateInfo(name, library[name]!);
      return info ? [info] : [];
    });
}
