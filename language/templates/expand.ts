/**
 * Template expansion: from a contract with `import`/`use` to a contract without them.
 *
 * Input: the contract AST and a `Resolver` that finds template files (in the library, or
 * by a path relative to the contract, never outside the contract's folder tree). Output:
 * the contract with every `use` replaced by the template's items, parameters substituted
 * by the arguments, and diagnostics placed in the caller: unknown or unimported templates,
 * path escapes, version mismatches, import cycles, and wrong, missing or extra arguments.
 *
 * Items that come from a template carry the span of the `use` statement, so a later
 * diagnostic about them points at the line that brought them in, and `origin` names the
 * template they came from.
 */
import type * as A from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { MAX_DEFINITION_DEPTH, MAX_EXPANDED_ITEMS, MAX_EXPANDED_NODES, MAX_TEMPLATE_DEPTH } from "../limits.ts";
import { parse } from "../syntax/parse.ts";

export interface TemplateSource {
  /** a stable identity for cycle detection: "stdlib:benchmark_attainment" or a normalised path */
  key: string;
  /** how messages name it: "stdlib/benchmark_attainment.obc" */
  label: string;
  text: string;
}

/**
 * Why an import that names something that exists is refused: `"escape"` when it leaves the
 * contract's folder, or `refused` with what it is instead of a template file a contract may
 * import ("a folder", "a named pipe", "larger than 2 MB").
 */
export type ImportRefusal = "escape" | { refused: string };

export interface Resolver {
  /** the version of the template library */
  stdlibVersion: string;
  stdlibNames(): string[];
  stdlib(name: string): TemplateSource | undefined;
  /** a path relative to the file `fromKey` (undefined for the contract itself) */
  relative(path: string, fromKey: string | undefined): TemplateSource | ImportRefusal | undefined;
}

export interface LoadedTemplate {
  decl: A.TemplateDecl;
  source: TemplateSource;
}

interface Ctx {
  resolver: Resolver | undefined;
  /** source texts by file key ("" for the contract being compiled) */
  texts: Map<string, string>;
  /** how messages name each file key */
  labels: Map<string, string>;
  diagnostics: Diagnostic[];
  /** keys of the files being expanded, outermost first */
  stack: string[];
  cache: Map<string, A.TemplateDecl | undefined>;
  /** what each relative import resolved to, by importing file and path */
  found: Map<string, TemplateSource | ImportRefusal | undefined>;
  /** how many templates are being instantiated inside one another */
  depth: number;
  /** the work done so far: statements and argument nodes copied (see `limits.ts`) */
  items: number;
  nodes: number;
  /** set once the work budget is spent: expansion stops */
  exhausted: boolean;
  /** the bounds already reported, by `use` in the contract */
  reported: Set<string>;
}

/**
 * Reports, once per `use` in the contract, that expanding it passed a bound, and drops what
 * it would have added. Passing the work budget (`global`) stops all further expansion.
 */
function overBudget(ctx: Ctx, site: A.Span, why: string, global: boolean): A.Item[] {
  const key = `${site.start}:${why}`;
  if (!ctx.reported.has(key) && !ctx.exhausted) {
    ctx.reported.add(key);
    ctx.diagnostics.push(diag("OBC2026", { why }, { span: site, label: "too much to expand" }));
  }
  if (global) ctx.exhausted = true;
  return [];
}

/** The number of nodes of a subtree and the depth of its deepest expression, without recursion. */
function measureTree(root: unknown): { nodes: number; depth: number } {
  let nodes = 0;
  let depth = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (Array.isArray(x)) {
      for (const y of x) stack.push([y, d]);
      continue;
    }
    if (!x || typeof x !== "object") continue;
    const isExpr = EXPR_TYPES.has((x as { $type?: string }).$type ?? "");
    const here = isExpr ? d + 1 : 0;
    if (isExpr) nodes++;
    if (here > depth) depth = here;
    for (const [k, v] of Object.entries(x)) if (!k.endsWith("pan") && !k.endsWith("pans")) stack.push([v, here]);
  }
  return { nodes, depth };
}

/** Sets every span in a (cloned) subtree to `span`, keeping the argument subtrees untouched. */
function respan<T>(node: T, span: A.Span, origin: string, keep: Set<object>): T {
  if (Array.isArray(node)) return node.map((n) => respan(n, span, origin, keep)) as T;
  if (!node || typeof node !== "object") return node;
  if (keep.has(node as object)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k.endsWith("pan") && v && typeof v === "object" && "start" in (v as object)) out[k] = { ...span };
    else if (k.endsWith("pans") && Array.isArray(v)) out[k] = v.map(() => ({ ...span }));
    else out[k] = respan(v, span, origin, keep);
  }
  if ("$type" in out) out["origin"] = origin;
  return out as T;
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

type ArgValue = A.Expr | A.PopulationArg;

function argKind(v: ArgValue): string {
  switch (v.$type) {
    case "StringLit": return "text";
    case "MoneyLit": return "money";
    case "NumberLit": return "number";
    case "PercentLit": return "percent";
    case "DateLit": return "date";
    case "BoolLit": return "boolean";
    case "NameRef": return "name";
    case "PopulationArg": return "population";
    case "Unary":
      if (v.op === "-" && v.operand.$type === "NumberLit") return "number";
      return "expression";
    default: return "expression";
  }
}

/** Whether an argument fits a parameter type; returns the words for the expected kind when not. */
function fits(type: A.ParamType, v: ArgValue): string | undefined {
  const k = argKind(v);
  switch (type) {
    case "text": return k === "text" ? undefined : "text in quotes";
    case "money": return k === "money" ? undefined : "an amount such as $500";
    case "percent": return k === "percent" ? undefined : "a percentage such as 80%";
    case "date": return k === "date" ? undefined : "a date such as 2026-10-15";
    case "boolean": return k === "boolean" ? undefined : "true or false";
    case "score": case "count": case "integer": case "decimal": case "number":
      return k === "number" ? undefined : "a number";
    case "field": return k === "name" ? undefined : "the name of a data field";
    case "condition": return k === "population" ? "a condition or a clause name in quotes" : undefined;
    case "population": return k === "population" ? undefined : "a group of students: eligible, identified or served";
  }
}

/** Parses a template file once. */
function loadTemplate(src: TemplateSource, ctx: Ctx, useSite: A.Span): A.TemplateDecl | undefined {
  if (ctx.cache.has(src.key)) return ctx.cache.get(src.key);
  const parsed = parse(src.text);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  let decl = parsed.value.template;
  if (errors.length > 0 || !decl) {
    ctx.diagnostics.push(
      diag("OBC2013", { template: src.label, count: String(errors.length || 1), first: errors[0]?.message ?? "the file holds no template" }, { span: useSite, label: "this template has errors" }),
    );
    decl = undefined;
  }
  ctx.cache.set(src.key, decl);
  return decl;
}

/** Expands imports and uses in `items` (of the contract, or of a template being instantiated). */
function expandItems(items: A.Item[], fromKey: string | undefined, ctx: Ctx, reportSpan?: A.Span): A.Item[] {
  const callerText = ctx.texts.get(fromKey ?? "") ?? "";
  const imports = new Map<string, { decl: A.TemplateDecl; source: TemplateSource } | null>();
  const out: A.Item[] = [];
  const at = (s: A.Span) => reportSpan ?? s;
  for (const item of items) {
    if (item.$type !== "ImportDecl") continue;
    const name = item.name.name;
    if (imports.has(name)) {
      ctx.diagnostics.push(diag("OBC2004", { name: `'${name}'` }, { span: at(item.name.span), label: "imported again here" }));
      continue;
    }
    if (!ctx.resolver) {
      ctx.diagnostics.push(diag("OBC2011", { name: `'${name}'` }, { span: at(item.span), label: "no template library here" }));
      imports.set(name, null);
      continue;
    }
    let src: TemplateSource | undefined;
    if (item.from === "stdlib") {
      src = ctx.resolver.stdlib(name);
      if (!src) {
        const s = didYouMean(name, ctx.resolver.stdlibNames());
        ctx.diagnostics.push(
          diag("OBC2011", s ? { name: `'${name}'`, suggestion: `'${s}'` } : { name: `'${name}'` }, { span: at(item.name.span), label: "not in the template library" },
            s ? { suggestions: [{ message: `Replace with '${s}'`, span: item.name.span, replacement: s }] } : {}),
        );
        imports.set(name, null);
        continue;
      }
      if (item.version && item.version.value !== ctx.resolver.stdlibVersion && !ctx.resolver.stdlibVersion.startsWith(item.version.value + ".")) {
        ctx.diagnostics.push(diag("OBC2014", { wanted: item.version.value, have: ctx.resolver.stdlibVersion }, { span: at(item.version.span), label: "another version" }));
      }
    } else {
      const path = item.from.value;
      let found: TemplateSource | ImportRefusal | undefined;
      if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) found = "escape";
      else {
        // a template used many times imports the same files each time: find each once
        const key = `${fromKey ?? ""}\n${path}`;
        if (!ctx.found.has(key)) ctx.found.set(key, ctx.resolver.relative(path, fromKey));
        found = ctx.found.get(key);
      }
      if (found === "escape") {
        ctx.diagnostics.push(diag("OBC2012", { path: `"${path}"` }, { span: at(item.from.span), label: "outside the contract's folder" }));
        imports.set(name, null);
        continue;
      }
      if (found && "refused" in found) {
        ctx.diagnostics.push(diag("OBC2027", { path: `"${path}"`, what: found.refused }, { span: at(item.from.span), label: `${found.refused}, not a template file` }));
        imports.set(name, null);
        continue;
      }
      src = found;
      if (!src) {
        ctx.diagnostics.push(diag("OBC2011", { name: `"${path}"` }, { span: at(item.from.span), label: "no such file" }));
        imports.set(name, null);
        continue;
      }
    }
    if (ctx.stack.includes(src.key)) {
      const label = (k: string) => ctx.labels.get(k) ?? k.replace(/^stdlib:/, "");
      const cycle = [...ctx.stack.slice(ctx.stack.indexOf(src.key)), src.key].map(label).join(" → ");
      ctx.diagnostics.push(diag("OBC2015", { cycle }, { span: at(item.span), label: "imports itself" }));
      imports.set(name, null);
      continue;
    }
    const decl = loadTemplate(src, ctx, at(item.span));
    if (decl && decl.name.name !== name && item.from !== "stdlib") {
      // a file imported by path is known by the name the import gives it
    }
    imports.set(name, decl ? { decl, source: src } : null);
  }
  for (const item of items) {
    if (item.$type === "ImportDecl") continue;
    if (item.$type === "AmendmentDecl") {
      out.push({ ...item, items: expandItems(item.items, fromKey, ctx, reportSpan) });
      continue;
    }
    if (item.$type !== "UseDecl") {
      out.push(item);
      continue;
    }
    const name = item.name.name;
    const imp = imports.get(name);
    if (imp === null) continue; // already reported
    if (!imp) {
      const s = didYouMean(name, [...imports.keys()]);
      ctx.diagnostics.push(
        diag("OBC2016", { name: `'${name}'` }, { span: at(item.name.span), label: "not imported" }, {
          helpParams: { name },
          suggestions: s ? [{ message: `Replace with '${s}'`, span: item.name.span, replacement: s }] : [],
        }),
      );
      continue;
    }
    out.push(...instantiate(item, imp.decl, imp.source, ctx, at(item.span), callerText));
  }
  return out;
}

function instantiate(use: A.UseDecl, t: A.TemplateDecl, src: TemplateSource, ctx: Ctx, site: A.Span, callerText: string): A.Item[] {
  if (ctx.exhausted) return [];
  // each use is work, even one that adds nothing: templates that fan out stop at the budget
  if (++ctx.items > MAX_EXPANDED_ITEMS) return overBudget(ctx, site, `copies more than ${MAX_EXPANDED_ITEMS.toLocaleString("en-US")} statements`, true);
  if (ctx.depth >= MAX_TEMPLATE_DEPTH) return overBudget(ctx, site, `uses templates inside templates more than ${MAX_TEMPLATE_DEPTH} deep`, false);
  const params = new Map(t.params.map((p) => [p.name.name, p]));
  const args = new Map<string, ArgValue>();
  let ok = true;
  for (const a of use.args) {
    const p = params.get(a.name.name);
    if (!p) {
      const s = didYouMean(a.name.name, [...params.keys()]);
      ctx.diagnostics.push(
        diag("OBC2017", s ? { name: `'${a.name.name}'`, template: t.name.name, suggestion: `'${s}'` } : { name: `'${a.name.name}'`, template: t.name.name }, { span: a.name.span, label: "no such parameter" },
          s ? { suggestions: [{ message: `Replace with '${s}'`, span: a.name.span, replacement: s }] } : {}),
      );
      ok = false;
      continue;
    }
    if (args.has(a.name.name)) {
      ctx.diagnostics.push(diag("OBC2004", { name: `'${a.name.name}'` }, { span: a.name.span, label: "given twice" }));
      ok = false;
      continue;
    }
    const wrong = fits(p.type, a.value);
    if (wrong) {
      ctx.diagnostics.push(diag("OBC2019", { name: `'${a.name.name}'`, expected: wrong }, { span: a.value.span, label: `needs ${wrong}` }));
      ok = false;
      continue;
    }
    // a clause name given for a condition is a reference to that clause
    const value: ArgValue = p.type === "condition" && a.value.$type === "StringLit" ? { $type: "ClauseRef", name: a.value.value, span: a.value.span } : a.value;
    args.set(a.name.name, value);
  }
  for (const p of t.params) {
    if (args.has(p.name.name)) continue;
    if (p.default) {
      args.set(p.name.name, p.default);
      continue;
    }
    if (use.args.some((a) => a.name.name === p.name.name)) continue; // given, but wrong: reported
    // a misspelt argument that was meant for this parameter is reported once, as unknown
    if (use.args.some((a) => !params.has(a.name.name) && didYouMean(a.name.name, [...params.keys()]) === p.name.name)) continue;
    ctx.diagnostics.push(
      diag("OBC2018", { name: `'${p.name.name}'`, template: t.name.name, type: p.type }, { span: use.span, label: `needs ${p.name.name}` }, {
        suggestions: [],
      }),
    );
    ok = false;
  }
  if (!ok) return [];
  // the template's own imports and uses, relative to the template's file
  ctx.stack.push(src.key);
  ctx.texts.set(src.key, src.text);
  ctx.labels.set(src.key, src.label);
  // the text of each argument: from the caller, or for a default from the template itself
  const argTexts = new Map<string, string>();
  for (const [name, a] of args) {
    const given = use.args.some((x) => x.name.name === name);
    argTexts.set(name, a.printed ?? (given ? callerText : src.text).slice(a.span.start, a.span.end));
  }
  ctx.depth++;
  const expandedItems = expandItems(t.items, src.key, ctx, site);
  ctx.depth--;
  ctx.stack.pop();
  if (ctx.exhausted) return [];
  // every argument is copied where its parameter is used: count the copies before making them
  let copies = 0;
  const argNodes = new Map([...args].map(([name, a]) => [name, measureTree(a).nodes]));
  const uses = measureUses(expandedItems, args);
  for (const [name, n] of uses) copies += n * (argNodes.get(name) ?? 0);
  ctx.items += expandedItems.length;
  ctx.nodes += copies;
  if (ctx.items > MAX_EXPANDED_ITEMS) return overBudget(ctx, site, `copies more than ${MAX_EXPANDED_ITEMS.toLocaleString("en-US")} statements`, true);
  if (ctx.nodes > MAX_EXPANDED_NODES) return overBudget(ctx, site, `copies more than ${MAX_EXPANDED_NODES.toLocaleString("en-US")} parts of expressions`, true);
  const inner = annotateText(clone(expandedItems), src.text, args, argTexts);
  const keep = new Set<object>();
  const substituted = substitute(clone(inner), args, keep, ctx, site, t.name.name);
  if (measureTree(substituted).depth > MAX_DEFINITION_DEPTH) {
    return overBudget(ctx, site, `builds an expression nested more than ${MAX_DEFINITION_DEPTH} levels deep`, false);
  }
  return respan(substituted, site, t.name.name, keep);
}

/** How many times each parameter is read in the items (where its argument will be copied). */
function measureUses(items: A.Item[], args: Map<string, ArgValue>): Map<string, number> {
  const uses = new Map<string, number>();
  const stack: unknown[] = [items];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      stack.push(...x);
      continue;
    }
    if (!x || typeof x !== "object") continue;
    const n = x as Record<string, unknown>;
    if (n["$type"] === "NameRef" && args.has(n["name"] as string)) uses.set(n["name"] as string, (uses.get(n["name"] as string) ?? 0) + 1);
    for (const [k, v] of Object.entries(n)) if (k !== "span") stack.push(v);
  }
  return uses;
}

const EXPR_TYPES = new Set([
  "NumberLit", "MoneyLit", "PercentLit", "DateLit", "StringLit", "BoolLit", "NameRef", "ClauseRef", "Binary", "Logical", "Arithmetic", "Unary",
  "InList", "IsMissing", "Otherwise", "PercentOf", "MonthStarts", "CountMet", "Aggregate", "Call", "DateShift", "EventAggregate",
]);

/**
 * Gives every expression of a template its text with the arguments written in, so that
 * reasons and summaries quote `eoy_score >= 70` rather than the template's `score >= cut`.
 */
function annotateText(items: A.Item[], templateText: string, args: Map<string, ArgValue>, argTexts: Map<string, string>): A.Item[] {
  const textOf = (node: Record<string, unknown>): string => {
    if (typeof node["printed"] === "string") return node["printed"] as string;
    const span = node["span"] as A.Span;
    // parameter references inside this node, in source order
    const refs: { span: A.Span; text: string }[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== "object") return;
      const r = n as Record<string, unknown>;
      if (r["$type"] === "NameRef" && args.has(r["name"] as string)) {
        const a = args.get(r["name"] as string)!;
        if (a.$type !== "PopulationArg") refs.push({ span: r["span"] as A.Span, text: argTexts.get(r["name"] as string)! });
        return;
      }
      for (const [k, v] of Object.entries(r)) if (k !== "span") walk(v);
    };
    walk(node);
    refs.sort((a, b) => a.span.start - b.span.start);
    let out = "";
    let at = span.start;
    for (const r of refs) {
      out += templateText.slice(at, r.span.start) + r.text;
      at = r.span.end;
    }
    return (out + templateText.slice(at, span.end)).replace(/\s+/g, " ");
  };
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== "object") return;
    const r = n as Record<string, unknown>;
    if (EXPR_TYPES.has(r["$type"] as string) && r["span"]) r["printed"] = textOf(r);
    for (const v of Object.values(r)) visit(v);
  };
  visit(items);
  return items;
}

/** Replaces parameter references by arguments; argument subtrees are recorded in `keep` so they keep the caller's spans. */
function substitute(items: A.Item[], args: Map<string, ArgValue>, keep: Set<object>, ctx: Ctx, site: A.Span, template: string): A.Item[] {
  const unknown = (name: string) => {
    ctx.diagnostics.push(diag("OBC2020", { template, name: `'${name}'` }, { span: site, label: "the template is broken" }));
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== "object") return node;
    const n = node as Record<string, unknown> & { $type?: string };
    if (n.$type === "NameRef" && args.has(n["name"] as string)) {
      const a = args.get(n["name"] as string)!;
      if (a.$type === "PopulationArg") return node;
      const c = clone(a);
      keep.add(c);
      return c;
    }
    if ((n.$type === "StringLit" || n.$type === "DateLit" || n.$type === "MoneyLit") && typeof n["param"] === "string") {
      const a = args.get(n["param"] as string);
      if (!a) {
        unknown(n["param"] as string);
        return node;
      }
      if (n.$type === "StringLit" && a.$type === "StringLit") return { ...n, value: a.value, param: undefined };
      if (n.$type === "DateLit" && a.$type === "DateLit") return { ...n, value: a.value, param: undefined };
      if (n.$type === "MoneyLit" && a.$type === "MoneyLit") return { ...n, value: a.value, negative: a.negative, param: undefined };
      ctx.diagnostics.push(diag("OBC2019", { name: `'${n["param"]}'`, expected: n.$type === "StringLit" ? "text in quotes" : n.$type === "DateLit" ? "a date" : "an amount" }, { span: site, label: "wrong kind of argument" }));
      return node;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) out[k] = visit(v);
    if (n.$type === "PaymentClause" && typeof n["populationParam"] === "string") {
      const a = args.get(n["populationParam"] as string);
      if (a?.$type === "PopulationArg") {
        out["population"] = a.which;
        out["populationParam"] = undefined;
      } else unknown(n["populationParam"] as string);
    }
    return out;
  };
  return visit(items) as A.Item[];
}

export interface ExpandOutput {
  value: A.Contract;
  diagnostics: Diagnostic[];
  /** set when expansion stopped at its work budget: the contract is incomplete and is not checked further */
  stopped?: boolean;
}

/** Expands the imports and uses of a contract. `fileKey` identifies the contract's own file for relative imports. */
export function expandContract(contract: A.Contract, resolver: Resolver | undefined, fileKey?: string, text = ""): ExpandOutput {
  const hasTemplates = contract.items.some((i) => i.$type === "ImportDecl" || i.$type === "UseDecl" || (i.$type === "AmendmentDecl" && i.items.some((x) => x.$type === "UseDecl")));
  if (!hasTemplates) return { value: contract, diagnostics: [] };
  const ctx: Ctx = {
    resolver, texts: new Map([[fileKey ?? "", text]]), labels: new Map(), diagnostics: [], stack: fileKey ? [fileKey] : [], cache: new Map(), found: new Map(),
    depth: 0, items: 0, nodes: 0, exhausted: false, reported: new Set(),
  };
  const items = expandItems(contract.items, fileKey, ctx);
  return { value: { ...contract, items }, diagnostics: ctx.diagnostics, stopped: ctx.exhausted };
}

/** Loads a template by name from the library, for docs and listings. */
export function loadLibraryTemplate(resolver: Resolver, name: string): { decl?: A.TemplateDecl; diagnostics: Diagnostic[]; source?: TemplateSource } {
  const source = resolver.stdlib(name);
  if (!source) return { diagnostics: [] };
  const parsed = parse(source.text);
  return { decl: parsed.value.template, diagnostics: parsed.diagnostics, source };
}
