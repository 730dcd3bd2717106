/**
 * The template library's documentation, generated from the templates themselves.
 *
 * Input: the files of `stdlib/templates/` (each template's header comment, parameters and
 * `// Example:` line) and the example contracts of `test/stdlib/<name>.good.obc`, which use
 * each template's example in a tiny complete contract and are compiled and run on data by
 * `test/stdlib.test.ts`. Output: `docs/stdlib.md` (`generateStdlibDocs()`), and one
 * template's section for `obc templates NAME` (`templateMarkdown()`).
 *
 * A template's header comment is read as: a first paragraph saying what it is for (up to
 * "Real contracts"), then its grounding in real contracts, then `// Example: use …`.
 *
 * Node only (reads files). `test/stdlib.test.ts` fails when `docs/stdlib.md` is out of date;
 * `UPDATE_GOLDEN=1 npx vitest run test/stdlib.test.ts` rewrites it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as A from "../language/ast.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { compileSource } from "../language/driver.ts";
import { printExpr, printSourceFile } from "../language/format/index.ts";
import { parse } from "../language/syntax/parse.ts";
import {
  conditionText, partiesTerm, populationDefinition, populationTerm, populationTermPlural, termWords, valueText,
  type EnglishContext,
} from "../engine/summary/english.ts";
import { formatDate, joinList, moneyLit, quote } from "../engine/summary/format.ts";
import { STDLIB_VERSION } from "./index.ts";
import { libraryNames, nodeResolver, STDLIB_DIR } from "./node-resolver.ts";

/** The folder of the example contracts (one `<name>.good.obc` per template). */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "stdlib");

export interface ParamDoc {
  name: string;
  type: A.ParamType;
  /** the default as written, e.g. `identified`, `$0`, `100%`; undefined when the argument is required */
  default?: string;
  doc: string;
}

export interface TemplateDoc {
  name: string;
  version: string;
  /** what the template is for: the first paragraph of the header comment */
  purpose: string;
  /** the rest of the header comment: how real contracts write it */
  grounding: string;
  params: ParamDoc[];
  /** the `use …` line of the header's `// Example:` */
  example: string;
  /** the example in a tiny complete contract (`test/stdlib/<name>.good.obc`), when present */
  contract?: string;
  /** the items the example adds to that contract, printed as OBC */
  expansion?: string;
  /** the items the example adds, in plain words, one sentence each */
  plain: string[];
}

// ───────────────────────────── reading a template ─────────────────────────────

/** Splits a template file's header comment into purpose, grounding and example. */
function header(text: string): { purpose: string; grounding: string; example: string } {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*\/\/ ?(.*)$/.exec(line);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  const exampleAt = lines.findIndex((l) => l.startsWith("Example:"));
  const example = exampleAt >= 0 ? lines[exampleAt]!.slice("Example:".length).trim() : "";
  const prose = (exampleAt >= 0 ? [...lines.slice(0, exampleAt), ...lines.slice(exampleAt + 1)] : lines).join(" ").replace(/\s+/g, " ").trim();
  const split = prose.search(/\bReal contracts\b/);
  const purpose = (split >= 0 ? prose.slice(0, split) : prose).trim();
  const grounding = split >= 0 ? prose.slice(split).trim() : "";
  return { purpose, grounding, example };
}

/** The purpose without its "Title: " lead, as one sentence: "A fixed payment for …". */
export function oneLine(purpose: string): string {
  const m = /^[^:]{1,60}: (.*)$/.exec(purpose);
  const text = m ? m[1]! : purpose;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function argText(v: A.Expr | A.PopulationArg): string {
  return v.$type === "PopulationArg" ? v.which : printExpr(v);
}

export interface DocOptions {
  /** the library's folder (stdlib/templates) */
  templatesDir?: string;
  /** the folder of the example contracts (test/stdlib) */
  examplesDir?: string;
  /** false: read only the template, not its example contract (faster; for listings) */
  examples?: boolean;
}

/** Reads one library template and, when its example contract exists, expands and describes the example. */
export function templateDoc(name: string, opts: DocOptions = {}): TemplateDoc {
  const templatesDir = opts.templatesDir ?? STDLIB_DIR;
  const examplesDir = opts.examplesDir ?? EXAMPLES_DIR;
  const text = readFileSync(join(templatesDir, `${name}.obc`), "utf8");
  const t = parse(text).value.template;
  if (!t) throw new Error(`stdlib/templates/${name}.obc holds no template`);
  const h = header(text);
  const doc: TemplateDoc = {
    name,
    version: t.version?.value ?? "",
    purpose: h.purpose,
    grounding: h.grounding,
    params: t.params.map((p) => ({
      name: p.name.name,
      type: p.type,
      default: p.default ? argText(p.default) : undefined,
      doc: p.doc?.value ?? "",
    })),
    example: h.example,
    plain: [],
  };
  const file = join(examplesDir, `${name}.good.obc`);
  if (opts.examples !== false && existsSync(file)) {
    const contract = readFileSync(file, "utf8");
    const compiled = compileSource(contract, { resolver: nodeResolver(file, templatesDir) });
    doc.contract = contract.trimEnd();
    if (compiled.ok && compiled.ir) {
      const items = compiled.ir.ast.items.filter((i) => i.origin === name).map((i) => simplify(i));
      doc.expansion = printItems(compiled.ir.ast, items);
      doc.plain = items.flatMap((i) => describe(i, { ir: compiled.ir! }));
    }
  }
  return doc;
}

/** Every template of the library, by name. */
export function libraryDocs(opts: DocOptions = {}): TemplateDoc[] {
  return libraryNames(opts.templatesDir ?? STDLIB_DIR).map((n) => templateDoc(n, opts));
}

// ───────────────────────────── the expansion ─────────────────────────────

/**
 * `c and true` → `c`, and `where (true)` → no `where`: the default of a template's
 * `only_if` or `among` condition says nothing, so the docs leave it out.
 */
function simplify<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => simplify(n)) as T;
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = simplify(v);
  const isTrue = (x: unknown) => !!x && typeof x === "object" && (x as A.Expr).$type === "BoolLit" && (x as A.BoolLit).value;
  if (out["$type"] === "Logical" && out["op"] === "and") {
    const operands = (out["operands"] as unknown[]).filter((o) => !isTrue(o));
    if (operands.length === 0) return (out["operands"] as T[])[0]!;
    if (operands.length === 1) return operands[0] as T;
    if (operands.length < (out["operands"] as unknown[]).length) {
      const spans = out["opSpans"] as A.Span[];
      return { ...out, operands, opSpans: spans.slice(0, operands.length - 1) } as T;
    }
  }
  if ((out["$type"] === "Aggregate" && isTrue(out["where"])) || (out["$type"] === "PaymentClause" && isTrue(out["condition"]))) {
    const key = out["$type"] === "Aggregate" ? "where" : "condition";
    out[key] = undefined;
  }
  return out as T;
}

/** The items printed by the formatter, without the `contract { … }` around them. */
function printItems(contract: A.Contract, items: A.Item[]): string {
  const file: A.SourceFile = { $type: "SourceFile", span: { start: 0, end: 0 }, contract: { ...contract, items }, comments: [] };
  const lines = printSourceFile(file, "").trimEnd().split("\n");
  return lines.slice(1, -1).map((l) => l.replace(/^ {2}/, "")).join("\n");
}

// ───────────────────────────── plain words ─────────────────────────────

const KIND_WORDS: Record<A.ClauseKind, string> = {
  base: "a base payment",
  milestone: "a milestone payment",
  outcome: "an outcome payment",
  partial: "a partial payment",
  bonus: "a bonus",
  penalty: "a penalty",
  payment: "a payment",
};

function money(e: A.Expr, ctx: EnglishContext): string {
  return e.$type === "MoneyLit" ? moneyLit(e, ctx.ir.currency) : valueText(e, ctx);
}

function missingWords(m: A.MissingRule | undefined): string {
  if (!m) return "";
  return m.outcome === "excluded"
    ? " A student whose value is missing is excluded from it."
    : " A student whose value is missing is not paid.";
}

function partyName(id: string, ir: ContractIR): string {
  const p = ir.parties.find((x) => x.id === id);
  return p ? `${p.name} (${partiesTerm([id], ir)})` : partiesTerm([id], ir);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function withinWords(w: A.Within | undefined): string {
  return w ? ` within ${w.amount.value} ${w.unit}` : "";
}

/** One or more sentences for an item the example adds. */
function describe(item: A.Item, ctx: EnglishContext): string[] {
  const ir = ctx.ir;
  switch (item.$type) {
    case "PartiesDecl":
      return [`The parties are ${joinList(item.parties.map((p) => partyName(p.alias?.name ?? p.role.name, ir)))}.`];
    case "CurrencyDecl":
      return [`Amounts are in ${item.code.name}.`];
    case "RoundingDecl":
      return [`Every computed amount is rounded ${item.rounding.mode.replace("-", " ")} to the ${item.rounding.unit}.`];
    case "DataDecl": {
      const rows = item.period
        ? item.key ? `one row per student (${item.key.name}) and ${item.period.name}` : `one row per ${item.period.name}`
        : `one row per student (${item.key?.name ?? "student_id"})`;
      const fields = item.fields.map((f) => `${f.name.name} (${f.optional ? "optional " : ""}${f.type})`);
      return [`The data set ${item.name.name} has ${rows}, with ${joinList(fields)}.`];
    }
    case "MetricDecl":
      return [`${termWords(item.name.name)} means ${item.kind === "condition" ? `that ${conditionText(item.expr, ctx)}` : valueText(item.expr, ctx)}.`];
    case "PopulationDecl":
      return [`${capitalize(populationTerm(item.which, ir))} means ${populationDefinition(item, ctx, `a ${populationTerm("all", ir)}`)}.`];
    case "PaymentClause": {
      const due = item.due ? `, due ${formatDate(item.due.value)}` : "";
      const who = `each ${populationTerm(item.population, ir)}`;
      const when = item.condition ? ` when ${conditionText(item.condition, ctx)}` : "";
      let pays: string;
      if (item.amount.$type === "FixedAmount") pays = `pays ${money(item.amount.amount, ctx)} for ${who}${when}.`;
      else {
        const tiers = item.amount.tiers.map((t) => (t.condition ? `${money(t.amount, ctx)} if ${conditionText(t.condition, ctx)}` : `otherwise ${money(t.amount, ctx)}`));
        pays = `pays ${who}${when} the first of: ${tiers.join("; ")}.`;
      }
      if (item.kind === "penalty" && item.amount.$type === "FixedAmount") {
        const amount = money(item.amount.amount, ctx).replace(/^-/, "");
        pays = `takes ${amount} off the total of ${who}${when}.`;
      }
      return [`${quote(item.name.value)} (${KIND_WORDS[item.kind]}${due}) ${pays}${missingWords(item.missing)}`];
    }
    case "CohortClause": {
      const lctx: EnglishContext = { ...ctx, locals: new Map(item.lets.map((l) => [l.name.name, l])) };
      const lets = item.lets.map((l) => `${termWords(l.name.name)} is ${valueText(l.expr, lctx)}`);
      const due = item.due ? `, due ${formatDate(item.due.value)}` : "";
      const when = item.condition ? ` when ${conditionText(item.condition, lctx)}` : "";
      return [`${quote(item.name.value)} (a cohort payment${due}): ${lets.join("; ")}. It pays ${money(item.amount, lctx)} once${when}.`];
    }
    case "WeightDecl":
      return [`The amounts of ${joinList(item.clauses.map((c) => quote(c.value)))} are multiplied by ${item.factor.value} when ${conditionText(item.condition, ctx)}.`];
    case "CapDecl": {
      const amount = moneyLit(item.amount, ir.currency);
      if (item.scope === "student") {
        const how = item.allocation === "in-order" ? "the later clauses are cut first" : "every payment is cut in the same proportion";
        return [`No student earns more than ${amount} in all; when the cap binds, ${how}.`];
      }
      if (item.scope === "contract") return [`The contract pays no more than ${amount} in all, shared pro rata when the cap binds.`];
      return [`${quote(item.clause?.value ?? "")} pays no more than ${amount} for all students together.`];
    }
    case "FloorDecl":
      return [`No student's total falls below ${moneyLit(item.amount, ir.currency)}.`];
    case "EscalationDecl": {
      const lctx: EnglishContext = { ...ctx, locals: new Map(item.measures.map((m) => [m.name.name, m])) };
      const rowFields = ir.dataSets.find((d) => d.name === item.over.name)?.fields;
      if (rowFields) lctx.rowFields = new Map(rowFields.map((f) => [f.name, f]));
      const measures = item.measures.map((m) => `${termWords(m.name.name)} is ${valueText(m.expr, lctx)}`);
      const out = [`The escalation ${quote(item.name.value)} reviews each period of the ${item.over.name} data, where ${joinList(measures)}.`];
      for (const l of item.levels) {
        const trigger = conditionText(l.condition, lctx) + (l.consecutive ? ` at ${l.consecutive.value} consecutive checkpoints` : "");
        const actions = l.actions.map((a) => {
          switch (a.$type) {
            case "DutyAction": return `${partiesTerm(a.parties.map((p) => p.name), ir)} ${a.text.value}${withinWords(a.within)}`;
            case "WithholdAction": return `${a.percent.value}% of ${a.of === "all" ? "all" : a.of} payments are withheld${a.until ? ` until ${conditionText(a.until, lctx)}` : ""}`;
            case "TerminateAction": return `${partiesTerm([a.party.name], ir)} may terminate with ${a.noticeDays.value} days' notice${a.afterMore ? ` after ${a.afterMore.value} more checkpoints` : ""}`;
          }
        });
        out.push(`Level ${l.level.value} applies when ${trigger}: ${joinList(actions)}.`);
      }
      return out;
    }
    case "RoutinesDecl":
      return item.routines.map((r) => {
        const who = partiesTerm(r.parties.map((p) => p.name), ir);
        const plural = r.parties.length > 1;
        const verb = { shares: plural ? "share" : "shares", meet: plural ? "meet for" : "meets for", reports: plural ? "report" : "reports", reviews: plural ? "review" : "reviews" }[r.verb];
        const when = r.frequency ? ` ${r.frequency.name}` : "";
        const within = r.within ? `${withinWords(r.within)}${r.of ? ` of ${r.of.value}` : ""}` : "";
        return `${capitalize(who)} ${verb} ${r.what.value}${when}${within}.`;
      });
    case "GovernanceDecl":
      return item.items.map((g) =>
        g.$type === "CommitteeDecl"
          ? `A committee, ${quote(g.name.value)}, of ${partiesTerm(g.members.map((m) => m.name), ir)} meets ${g.frequency.name}${g.purpose ? ` to ${g.purpose.value}` : ""}.`
          : `The contract is amended ${g.form.value}, signed by ${partiesTerm(g.signers.map((s) => s.name), ir)}.`,
      );
    case "TrackDecl":
      return [`The parties track ${quote(item.name.value)}${item.description ? `: ${item.description.value}` : ""}.`];
    case "SettlementDecl":
      return [`Payments are settled on ${joinList(item.dates.map((d) => formatDate(d.value)))}.`];
    case "TermDecl":
      return [`The contract runs from ${formatDate(item.start.value)} to ${formatDate(item.end.value)}.`];
    default:
      return [];
  }
}

// ───────────────────────────── Markdown ─────────────────────────────

function cell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** One template's section: `## name`, its purpose, parameters, example and expansion. */
export function templateMarkdown(d: TemplateDoc): string {
  const out: string[] = [];
  out.push(`## ${d.name}`, "");
  out.push(`Version ${d.version}. \`import ${d.name} from stdlib version "${STDLIB_VERSION.split(".")[0]}"\``, "");
  out.push(d.purpose, "");
  if (d.grounding) out.push(d.grounding, "");
  out.push("### Parameters", "");
  if (d.params.length === 0) out.push("None: use it as `use " + d.name + "()`.", "");
  else {
    out.push("| name | type | default | description |", "|---|---|---|---|");
    for (const p of d.params) out.push(`| \`${p.name}\` | ${p.type} | ${p.default !== undefined ? `\`${cell(p.default)}\`` : "required"} | ${cell(p.doc)} |`);
    out.push("");
  }
  out.push("### Example", "", "```obc", d.example, "```", "");
  if (d.contract) {
    out.push(`In a complete contract (\`test/stdlib/${d.name}.good.obc\`, checked and run on data by \`test/stdlib.test.ts\`):`, "", "```obc", d.contract, "```", "");
  }
  if (d.expansion) out.push("It adds these items to the contract:", "", "```obc", d.expansion, "```", "");
  if (d.plain.length > 0) {
    out.push("In plain words:", "");
    for (const s of d.plain) out.push(`- ${s}`);
    out.push("");
  }
  return out.join("\n");
}

/** The whole of `docs/stdlib.md`. */
export function generateStdlibDocs(opts: DocOptions = {}): string {
  const docs = libraryDocs(opts);
  const out: string[] = [];
  out.push(
    "# The template library",
    "",
    "<!-- Generated by stdlib/docs.ts from stdlib/templates/*.obc and test/stdlib/*.good.obc. Do not edit:",
    "     UPDATE_GOLDEN=1 npx vitest run test/stdlib.test.ts rewrites it. -->",
    "",
    `Version ${STDLIB_VERSION} of the library that ships with OBC: ${docs.length} templates of clauses and whole contracts, each`,
    "grounded in how real outcomes-based tutoring contracts are written. A contract imports a template by",
    "name, pinned to the library's major version, and uses it with named arguments:",
    "",
    "```obc",
    'import benchmark_attainment from stdlib version "1"',
    'use benchmark_attainment(name: "Algebra ready", score: eoy_score, cut: 70, amount: $900)',
    "```",
    "",
    "Arguments are values (text, money, numbers, percentages, dates, `true`/`false`), names of the",
    "contract's data fields or metrics (`field` parameters), conditions, or a group of students",
    "(`eligible`, `identified`, `served`). Parameters with a default may be left out. Templates that read",
    "data take `field` parameters, so the contract declares its own data; the whole-contract templates",
    "declare theirs. See [Templates](language.md#templates-import-and-use) in the language reference, and",
    "`obc templates [NAME]` on the command line.",
    "",
    "Every example below is a file of `test/stdlib/` that the tests compile and run on data, asserting",
    "its payments. Two acceptance contracts are also written with templates, and pay exactly what their",
    "hand-written versions pay: `examples/07-algebra-pilot-templates` (with a local template in",
    "`clauses/`) and `examples/08-duval-templates`.",
    "",
    "## Contents",
    "",
    "| template | version | what it is for |",
    "|---|---|---|",
  );
  for (const d of docs) out.push(`| [${d.name}](#${d.name}) | ${d.version} | ${cell(oneLine(d.purpose))} |`);
  out.push("");
  for (const d of docs) out.push(templateMarkdown(d));
  return out.join("\n").replace(/\n+$/, "\n");
}
