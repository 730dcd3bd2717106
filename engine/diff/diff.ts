/**
 * Comparison of two versions of a contract, in business terms.
 *
 *   diffContracts(oldIr, oldSource, newIr, newSource) → { equal, changes }
 *
 * Input: two checked contracts and their source texts. Output: the list of changes, each a
 * sentence a lawyer can read ("The 'Algebra ready' payment rises from $900.00 to $950.00 per
 * student."), with the area it concerns, whether something was added, removed, changed or
 * renamed, optional details, and the source ranges on each side. Comments and layout are
 * not changes: two texts that say the same thing are `equal`.
 *
 * Clauses are matched by name; a clause that disappears while another of the same kind and
 * the same body appears under a new name is reported as renamed, and references to it
 * (`not "Growth"`, weights, caps) follow the new name. Changes that only move thresholds
 * are reported as such ("changes from at least 70 to at least 72"). The effect on the
 * per-student maximum and the contingent share closes the list. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ClauseIR, CohortIR, ContractIR, EscalationIR } from "../../language/check/ir.ts";
import { parse } from "../../language/syntax/parse.ts";
import { Rational } from "../rational.ts";
import { analyzeContract } from "../summary/analysis.ts";
import { versionsInForce } from "../summary/versions.ts";
import { amountEffects, capEffects, deadlineEffect, payerEffects, referenceEffects } from "./effects.ts";
import {
  comparison, cond, condText, conditionText, partiesTerm, partyLabel, partyTerm, populationTerm, subjectNoun, valueText, type EnglishContext,
} from "../summary/english.ts";
import {
  capitalize, formatDate, joinList, moneyLit, moneyText, percentText, roundingShort, typeWords, withUnit, frequencyWords,
} from "../summary/format.ts";
import {
  actionText, article, clauseSentence, cohortCtx, committeeSentence, escalationCtx, humanTerm, kindWords, metricDefinition, routineParts, routineSentence,
  studentCtx, tierText, triggerText,
} from "../summary/prose.ts";

export type ChangeArea =
  | "contract" | "parties" | "term" | "currency" | "rounding" | "data" | "groups" | "definitions" | "clauses" | "cohort"
  | "weights" | "caps" | "floor" | "funding" | "settlement" | "escalation" | "routines" | "governance" | "tracked"
  | "templates" | "amendments" | "figures";

export interface Change {
  area: ChangeArea;
  /** `effect`: not a change of its own but a knock-on effect of the change listed before it */
  kind: "added" | "removed" | "changed" | "renamed" | "effect";
  /** the change as one sentence */
  text: string;
  /** more sentences, e.g. the text of an added clause */
  details?: string[];
  oldSpan?: A.Span;
  newSpan?: A.Span;
}

export interface DiffResult {
  equal: boolean;
  changes: Change[];
  old: { title: string; version?: string };
  new: { title: string; version?: string };
}

export interface DiffOptions {
  /** add the effect on the per-student maximum and the contingent share (default true) */
  analysis?: boolean;
}

/** A name in the comparison's quotes: 'Algebra ready'. */
const q = (s: string) => `'${s}'`;

const IGNORED = new Set(["span", "opSpan", "opSpans", "kindSpan", "populationSpan", "whichSpan", "typeSpan", "allocationSpan", "ofSpan", "origin", "printed"]);

/** The meaning of a node: its JSON without source positions, with clause references renamed. */
function canon(node: unknown, renames: Map<string, string> = new Map()): string {
  return JSON.stringify(node, function (key, value: unknown) {
    if (IGNORED.has(key)) return undefined;
    if (value && typeof value === "object" && (value as { $type?: string }).$type === "ClauseRef") {
      const v = value as A.ClauseRef;
      return { $type: "ClauseRef", name: renames.get(v.name) ?? v.name };
    }
    return value;
  });
}

const COMPARISON = new Set(["<", "<=", ">", ">=", "=", "!="]);
const LITERALS = new Set(["NumberLit", "MoneyLit", "PercentLit", "DateLit", "StringLit", "BoolLit"]);

/**
 * Where two expressions differ only in the literals or the comparison operators of some
 * comparisons: the pairs of those comparisons (old, new). Undefined when they differ otherwise.
 */
function thresholdSites(a: A.Expr, b: A.Expr, renames: Map<string, string>): [A.Expr, A.Expr][] | undefined {
  const sites: [A.Expr, A.Expr][] = [];
  let ok = true;
  const site = (x: A.Expr, y: A.Expr, s: [A.Expr, A.Expr] | undefined) => {
    const pair = s ?? [x, y];
    if (!sites.some((p) => p[0] === pair[0])) sites.push(pair);
  };
  const walk = (x: A.Expr, y: A.Expr, s: [A.Expr, A.Expr] | undefined): void => {
    if (!ok) return;
    if (x.$type !== y.$type) {
      // -$5 written two ways, or a literal against a negated literal
      if (s && LITERALS.has(x.$type) !== LITERALS.has(y.$type)) return void (ok = false);
      ok = false;
      return;
    }
    if (LITERALS.has(x.$type)) {
      if (canon(x) !== canon(y)) {
        if (!s) return void (ok = false);
        site(x, y, s);
      }
      return;
    }
    const here: [A.Expr, A.Expr] | undefined = (x.$type === "Binary" && COMPARISON.has(x.op)) || x.$type === "InList" ? [x, y] : s;
    switch (x.$type) {
      case "NameRef": if (x.name !== (y as A.NameRef).name) ok = false; return;
      case "ClauseRef": if ((renames.get(x.name) ?? x.name) !== (y as A.ClauseRef).name) ok = false; return;
      case "Binary": {
        const yb = y as A.Binary;
        if (x.op !== yb.op) {
          if (COMPARISON.has(x.op) && COMPARISON.has(yb.op)) site(x, y, here);
          else return void (ok = false);
        }
        walk(x.left, yb.left, here);
        walk(x.right, yb.right, here);
        return;
      }
      case "Logical": {
        const yl = y as A.Logical;
        if (x.op !== yl.op || x.operands.length !== yl.operands.length) return void (ok = false);
        x.operands.forEach((o, i) => walk(o, yl.operands[i]!, here));
        return;
      }
      case "Arithmetic": {
        const ya = y as A.Arithmetic;
        if (x.ops.length !== ya.ops.length || x.ops.some((op, i) => op !== ya.ops[i])) return void (ok = false);
        x.operands.forEach((o, i) => walk(o, ya.operands[i]!, here));
        return;
      }
      case "Unary": {
        const yu = y as A.Unary;
        if (x.op !== yu.op) return void (ok = false);
        return walk(x.operand, yu.operand, here);
      }
      case "InList": {
        const yi = y as A.InList;
        if (x.negated !== yi.negated || x.items.length !== yi.items.length) {
          if (here) return site(x, y, here);
          return void (ok = false);
        }
        walk(x.value, yi.value, here);
        x.items.forEach((it, i) => walk(it, yi.items[i]!, here));
        return;
      }
      case "IsMissing": {
        const ym = y as A.IsMissing;
        if (x.negated !== ym.negated) return void (ok = false);
        return walk(x.operand, ym.operand, here);
      }
      case "Otherwise": {
        const yo = y as A.Otherwise;
        if (x.values.length !== yo.values.length) return void (ok = false);
        x.values.forEach((v, i) => walk(v, yo.values[i]!, here));
        return;
      }
      case "PercentOf": { const yp = y as A.PercentOf; walk(x.percent, yp.percent, here); walk(x.of, yp.of, here); return; }
      case "MonthStarts": { const ym = y as A.MonthStarts; walk(x.from, ym.from, here); walk(x.through, ym.through, here); return; }
      case "CountMet": {
        const yc = y as A.CountMet;
        if (x.items.length !== yc.items.length) return void (ok = false);
        x.items.forEach((it, i) => walk(it, yc.items[i]!, here));
        return;
      }
      case "Call": {
        const yc = y as A.Call;
        if (x.name !== yc.name || x.args.length !== yc.args.length) return void (ok = false);
        x.args.forEach((a, i) => walk(a, yc.args[i]!, here));
        return;
      }
      case "DateShift": {
        const yd = y as A.DateShift;
        if (x.op !== yd.op || x.unit !== yd.unit) return void (ok = false);
        walk(x.date, yd.date, here);
        walk(x.amount, yd.amount, here);
        return;
      }
      case "Aggregate": {
        const ya = y as A.Aggregate;
        if (x.fn !== ya.fn || x.population !== ya.population || !!x.value !== !!ya.value || !!x.where !== !!ya.where) return void (ok = false);
        if (x.value) walk(x.value, ya.value!, here);
        if (x.where) walk(x.where, ya.where!, here);
        return;
      }
      default: return;
    }
  };
  walk(a, b, undefined);
  return ok && sites.length ? sites : undefined;
}

function comparisonsIn(e: A.Expr): number {
  let n = 0;
  const walk = (x: A.Expr) => {
    if ((x.$type === "Binary" && COMPARISON.has(x.op)) || x.$type === "InList") n++;
    if (x.$type === "Binary") { walk(x.left); walk(x.right); }
    if (x.$type === "Logical" || x.$type === "Arithmetic") x.operands.forEach(walk);
    if (x.$type === "Unary") walk(x.operand);
  };
  walk(e);
  return n;
}

/** "from at least 70 to at least 72" for one changed comparison; with its subject when asked. */
function thresholdPhrase(o: A.Expr, n: A.Expr, octx: EnglishContext, nctx: EnglishContext): { subject: string; from: string; to: string } {
  const render = (e: A.Expr, ctx: EnglishContext) => {
    const c = e.$type === "Binary" ? comparison(e, ctx) : cond(e, ctx);
    return c.kind === "pred" ? { subject: c.subject, predicate: c.predicate.replace(/^is /, "") } : { subject: "", predicate: condText(c) };
  };
  const a = render(o, octx);
  const b = render(n, nctx);
  return { subject: b.subject, from: a.predicate, to: b.predicate };
}

/** Sentences for a changed condition: threshold moves when that is all, else the whole condition. */
function conditionChanges(
  o: A.Expr, n: A.Expr, renames: Map<string, string>, octx: EnglishContext, nctx: EnglishContext,
  thresholdOf: string, conditionOf: string,
): string[] {
  if (canon(o, renames) === canon(n)) return [];
  const sites = thresholdSites(o, n, renames);
  if (sites) {
    const many = comparisonsIn(n) > 1;
    return sites.map(([a, b]) => {
      const t = thresholdPhrase(a, b, octx, nctx);
      return `The threshold ${thresholdOf}${many && t.subject ? ` on ${t.subject}` : ""} changes from ${t.from} to ${t.to}.`;
    });
  }
  return [`The ${conditionOf} changes from “${conditionText(o, octx)}” to “${conditionText(n, nctx)}”.`];
}

function rational(m: A.MoneyLit): Rational {
  const r = Rational.parse(m.value);
  return m.negative ? r.neg() : r;
}

function moneyOf(e: A.Expr): A.MoneyLit | undefined {
  if (e.$type === "MoneyLit") return e;
  if (e.$type === "Unary" && e.op === "-" && e.operand.$type === "MoneyLit") return { ...e.operand, negative: !e.operand.negative };
  return undefined;
}

function risesFalls(a: Rational, b: Rational): string {
  return b.gt(a) ? "rises" : "falls";
}

// ───────────────────────────── the comparison ─────────────────────────────

class Differ {
  readonly changes: Change[] = [];
  readonly renames = new Map<string, string>();
  constructor(
    readonly o: ContractIR,
    readonly oSrc: string,
    readonly n: ContractIR,
    readonly nSrc: string,
  ) {}

  add(area: ChangeArea, kind: Change["kind"], text: string, spans: { old?: A.Span; new?: A.Span } = {}, details?: string[]): void {
    this.changes.push({ area, kind, text, ...(details && details.length ? { details } : {}), ...(spans.old ? { oldSpan: spans.old } : {}), ...(spans.new ? { newSpan: spans.new } : {}) });
  }

  get oNoun(): string { return subjectNoun(this.o); }
  get nNoun(): string { return subjectNoun(this.n); }

  contract(): void {
    const { o, n } = this;
    if (o.title !== n.title) this.add("contract", "changed", `The title changes from ${q(o.title)} to ${q(n.title)}.`, { old: o.ast.title.span, new: n.ast.title.span });
    if (o.version !== n.version) {
      if (o.version && n.version) this.add("contract", "changed", `The version changes from ${q(o.version)} to ${q(n.version)}.`, { old: o.ast.version?.span, new: n.ast.version?.span });
      else if (n.version) this.add("contract", "added", `The version is now stated as ${q(n.version)}.`, { new: n.ast.version?.span });
      else this.add("contract", "removed", `The version (${q(o.version!)}) is no longer stated.`, { old: o.ast.version?.span });
    }
  }

  parties(): void {
    const { o, n } = this;
    for (const np of n.parties) {
      const op = o.parties.find((p) => p.id === np.id) ?? o.parties.find((p) => p.role === np.role && p.name === np.name);
      if (!op) {
        this.add("parties", "added", `A new party is added: ${np.name}, ${article(np.role)}.`, { new: np.decl.span });
        continue;
      }
      if (op.name !== np.name) this.add("parties", "changed", `The ${np.role} changes from ${q(op.name)} to ${q(np.name)}.`, { old: op.decl.span, new: np.decl.span });
      if (op.role !== np.role) this.add("parties", "changed", `${np.name} is now the ${np.role} instead of the ${op.role}.`, { old: op.decl.span, new: np.decl.span });
    }
    for (const op of o.parties) {
      if (!n.parties.some((p) => p.id === op.id) && !n.parties.some((p) => p.role === op.role && p.name === op.name)) {
        this.add("parties", "removed", `The party ${op.name} (${op.role}) is removed.`, { old: op.decl.span });
      }
    }
  }

  item<K extends A.Item["$type"]>(ir: ContractIR, type: K): Extract<A.Item, { $type: K }> | undefined {
    return ir.ast.items.find((i) => i.$type === type) as Extract<A.Item, { $type: K }> | undefined;
  }

  termAndMoney(): void {
    const { o, n } = this;
    const ot = this.item(o, "TermDecl");
    const nt = this.item(n, "TermDecl");
    const spans = { old: ot?.span, new: nt?.span };
    if (o.term && n.term) {
      if (o.term.start !== n.term.start) this.add("term", "changed", `The start of the term moves from ${formatDate(o.term.start)} to ${formatDate(n.term.start)}.`, spans);
      if (o.term.end !== n.term.end) this.add("term", "changed", `The end of the term moves from ${formatDate(o.term.end)} to ${formatDate(n.term.end)}.`, spans);
    } else if (n.term) this.add("term", "added", `The contract now runs from ${formatDate(n.term.start)} to ${formatDate(n.term.end)}.`, spans);
    else if (o.term) this.add("term", "removed", `The contract no longer states a term (it ran from ${formatDate(o.term.start)} to ${formatDate(o.term.end)}).`, spans);
    if (o.currency !== n.currency) this.add("currency", "changed", `The currency changes from ${o.currency} to ${n.currency}.`, { old: this.item(o, "CurrencyDecl")?.span, new: this.item(n, "CurrencyDecl")?.span });
    if (roundingShort(o.rounding) !== roundingShort(n.rounding)) {
      this.add("rounding", "changed", `The rounding rule changes from ${roundingShort(o.rounding)} to ${roundingShort(n.rounding)}.`, { old: this.item(o, "RoundingDecl")?.span, new: this.item(n, "RoundingDecl")?.span });
    }
  }

  data(): void {
    const { o, n } = this;
    for (const nd of n.dataSets) {
      const od = o.dataSets.find((d) => d.name === nd.name);
      if (!od) {
        this.add("data", "added", `A new data set, ${nd.name}, is added.`, { new: nd.decl.span }, [`Its fields: ${joinList(nd.fields.map((f) => `${f.name} (${typeWords(f.type)}${f.optional ? ", may be missing" : ""})`))}.`]);
        continue;
      }
      if (od.key !== nd.key) this.add("data", "changed", `The ${nd.name} data is now identified by ${nd.key ?? "its period"} instead of ${od.key ?? "its period"}.`, { old: od.decl.span, new: nd.decl.span });
      if (od.period !== nd.period) this.add("data", "changed", `The ${nd.name} data now has one row per ${nd.period ?? "student"} instead of per ${od.period ?? "student"}.`, { old: od.decl.span, new: nd.decl.span });
      for (const nf of nd.fields) {
        const of = od.fields.find((f) => f.name === nf.name);
        if (!of) {
          this.add("data", "added", `A new field, ${nf.name} (${typeWords(nf.type)}${nf.optional ? ", may be missing" : ""}), is added to the ${nd.name} data.`, { new: nf.decl.span });
          continue;
        }
        if (of.type !== nf.type) this.add("data", "changed", `The field ${nf.name} changes from ${article(typeWords(of.type))} to ${article(typeWords(nf.type))}.`, { old: of.decl.span, new: nf.decl.span });
        if (of.optional !== nf.optional) this.add("data", "changed", nf.optional ? `The field ${nf.name} may now be missing.` : `The field ${nf.name} is now required.`, { old: of.decl.span, new: nf.decl.span });
      }
      for (const of of od.fields) {
        if (!nd.fields.some((f) => f.name === of.name)) this.add("data", "removed", `The field ${of.name} is removed from the ${od.name} data.`, { old: of.decl.span });
      }
    }
    for (const od of o.dataSets) if (!n.dataSets.some((d) => d.name === od.name)) this.add("data", "removed", `The data set ${od.name} is removed.`, { old: od.decl.span });
  }

  groups(): void {
    const { o, n } = this;
    for (const which of ["eligible", "identified", "served"] as const) {
      const op = o.populations[which];
      const np = n.populations[which];
      const term = populationTerm(which, n);
      if (np && !op) this.add("groups", "added", `A definition of ${term} is added: ${conditionText(np.condition, studentCtx(n))}.`, { new: np.span });
      else if (op && !np) this.add("groups", "removed", `The definition of ${populationTerm(which, o)} is removed.`, { old: op.span });
      else if (op && np) {
        for (const t of conditionChanges(op.condition, np.condition, this.renames, studentCtx(o), studentCtx(n), `in the definition of ${article(term)}`, `definition of ${article(term)}`)) {
          this.add("groups", "changed", t, { old: op.span, new: np.span });
        }
      }
    }
  }

  definitions(): void {
    const { o, n } = this;
    for (const [name, nm] of n.metrics) {
      const om = o.metrics.get(name);
      const term = q(humanTerm(name));
      if (!om) {
        this.add("definitions", "added", `A new definition of ${term} is added.`, { new: nm.span }, [metricDefinition(nm, studentCtx(n))]);
        continue;
      }
      if (canon(om.expr, this.renames) === canon(nm.expr)) continue;
      const sites = thresholdSites(om.expr, nm.expr, this.renames);
      if (sites) {
        for (const [a, b] of sites) {
          const t = thresholdPhrase(a, b, studentCtx(o), studentCtx(n));
          this.add("definitions", "changed", `The threshold in the definition of ${term}${comparisonsIn(nm.expr) > 1 && t.subject ? ` on ${t.subject}` : ""} changes from ${t.from} to ${t.to}.`, { old: om.span, new: nm.span });
        }
      } else {
        this.add("definitions", "changed", `The definition of ${term} changes.`, { old: om.span, new: nm.span }, [
          `Before: ${metricDefinition(om, studentCtx(o))}`,
          `Now: ${metricDefinition(nm, studentCtx(n))}`,
        ]);
      }
    }
    for (const [name, om] of o.metrics) if (!n.metrics.has(name)) this.add("definitions", "removed", `The definition of ${q(humanTerm(name))} is removed.`, { old: om.span });
  }

  /** Matches clauses by name, detecting renames (same kind and body, another name). */
  matchClauses(): { pairs: [ClauseIR, ClauseIR][]; added: ClauseIR[]; removed: ClauseIR[] } {
    const { o, n } = this;
    const body = (c: ClauseIR, renames?: Map<string, string>) => canon({ ...c.decl, name: undefined, kind: c.kind }, renames);
    let removed = o.clauses.filter((c) => !n.clauses.some((x) => x.name === c.name));
    let added = n.clauses.filter((c) => !o.clauses.some((x) => x.name === c.name));
    // a clause an amendment renamed keeps its identity (`key`) whatever else changed
    for (const r of removed) {
      const match = added.find((a) => a.key === r.key);
      if (match) this.renames.set(r.name, match.name);
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const r of removed) {
        if (this.renames.has(r.name)) continue;
        const match = added.find((a) => a.kind === r.kind && ![...this.renames.values()].includes(a.name) && body(r, this.renames) === body(a));
        if (match) this.renames.set(r.name, match.name);
      }
    }
    removed = removed.filter((r) => !this.renames.has(r.name));
    added = added.filter((a) => ![...this.renames.values()].includes(a.name));
    const pairs: [ClauseIR, ClauseIR][] = [];
    for (const nc of n.clauses) {
      const oc = o.clauses.find((x) => (this.renames.get(x.name) ?? x.name) === nc.name);
      if (oc) pairs.push([oc, nc]);
    }
    return { pairs, added, removed };
  }

  clauses(): void {
    const { o, n } = this;
    const { pairs, added, removed } = this.matchClauses();
    const noun = this.nNoun;
    for (const [oc, nc] of pairs) {
      const name = q(nc.name);
      if (oc.name !== nc.name) this.add("clauses", "renamed", `${q(oc.name)} is renamed ${q(nc.name)}.`, { old: oc.decl.name.span, new: nc.decl.name.span });
      const od = oc.decl;
      const nd = nc.decl;
      const spans = { old: od.span, new: nd.span };
      if (oc.kind !== nc.kind) this.add("clauses", "changed", `${name} changes from ${article(kindWords(oc.kind))} to ${article(kindWords(nc.kind))}.`, spans);
      if (od.population !== nd.population) {
        this.add("clauses", "changed", `${name} now pays per ${populationTerm(nd.population, n)} instead of per ${populationTerm(od.population, o)}.`, spans);
      }
      if (od.due?.value !== nd.due?.value) {
        if (od.due && nd.due) {
          this.add("clauses", "changed", `The deadline for ${name} moves from ${formatDate(od.due.value)} to ${formatDate(nd.due.value)}.`, { old: od.due.span, new: nd.due.span });
          const stale = deadlineEffect(oc, nc, o, n);
          if (stale) this.add("clauses", "effect", stale, { old: od.span, new: nd.span });
        }
        else if (nd.due) this.add("clauses", "added", `${name} now has a deadline of ${formatDate(nd.due.value)}.`, { new: nd.due.span });
        else this.add("clauses", "removed", `${name} no longer has a deadline (it was ${formatDate(od.due!.value)}).`, { old: od.due!.span });
      }
      this.amountChanges(oc, nc, noun);
      const octx = studentCtx(o);
      const nctx = studentCtx(n);
      if (od.condition && nd.condition) {
        for (const t of conditionChanges(od.condition, nd.condition, this.renames, octx, nctx, `for ${name}`, `condition for ${name}`)) this.add("clauses", "changed", t, spans);
      } else if (nd.condition) this.add("clauses", "changed", `${name} now requires that ${conditionText(nd.condition, nctx)}.`, spans);
      else if (od.condition) this.add("clauses", "changed", `${name} no longer has a condition (it required that ${conditionText(od.condition, octx)}).`, spans);
      // who qualifies may have changed: the clauses that refer to this one change with it
      const qualifies = (c: ClauseIR, r?: Map<string, string>) => canon([c.decl.population, c.decl.due, c.decl.condition, c.decl.amount.$type === "TieredAmount" ? c.decl.amount.tiers.map((t) => t.condition) : null], r);
      if (qualifies(oc, this.renames) !== qualifies(nc)) for (const t of referenceEffects(nc, n)) this.add("clauses", "effect", t, spans);
      const om = od.missing?.outcome;
      const nm = nd.missing?.outcome;
      if (om !== nm) {
        const says = (x: "not-met" | "excluded") => (x === "not-met" ? "the payment is not made" : `the ${noun} is excluded from the payment`);
        if (om && nm) this.add("clauses", "changed", `For ${name}, when a value needed is missing, ${says(nm)} (before: ${says(om)}).`, { old: od.missing?.span, new: nd.missing?.span });
        else if (nm) this.add("clauses", "added", `${name} now states that if a value needed is missing, ${says(nm)}.`, { new: nd.missing?.span });
        else this.add("clauses", "removed", `${name} no longer states what happens when a value needed is missing.`, { old: od.missing?.span });
      }
    }
    for (const c of added) {
      this.add("clauses", "added", `A new ${kindWords(c.kind)}, ${q(c.name)}, is added.`, { new: c.decl.span }, [
        clauseSentence(c, n),
        ...(c.decl.amount.$type === "TieredAmount" ? c.decl.amount.tiers.map((t, i, all) => capitalize(tierText(t, i, all.length, n))) : []),
      ]);
    }
    for (const c of removed) this.add("clauses", "removed", `The ${kindWords(c.kind)} ${q(c.name)} is removed.`, { old: c.decl.span }, [clauseSentence(c, o)]);
  }

  amountChanges(oc: ClauseIR, nc: ClauseIR, noun: string): void {
    const { o, n } = this;
    const name = q(nc.name);
    const oa = oc.decl.amount;
    const na = nc.decl.amount;
    const spans = { old: oa.span, new: na.span };
    const octx = studentCtx(o);
    const nctx = studentCtx(n);
    const per = `per ${noun}`;
    const word = nc.kind === "penalty" ? "penalty" : "payment";
    const amountSentence = (a: A.Expr, b: A.Expr, subject: string): string | undefined => {
      if (canon(a, this.renames) === canon(b)) return undefined;
      const ma = moneyOf(a);
      const mb = moneyOf(b);
      if (ma && mb) {
        const [x, y] = [rational(ma).abs(), rational(mb).abs()];
        return `${subject} ${risesFalls(x, y)} from ${moneyLit({ ...ma, negative: false }, o.currency)} to ${moneyLit({ ...mb, negative: false }, n.currency)} ${per}.`;
      }
      return `${subject} changes from ${valueText(a, octx)} to ${valueText(b, nctx)} ${per}.`;
    };
    if (oa.$type === "FixedAmount" && na.$type === "FixedAmount") {
      const ma = moneyOf(oa.amount);
      const t = amountSentence(oa.amount, na.amount, ma && moneyOf(na.amount) ? `The ${name} ${word}` : `The amount of ${name}`);
      if (t) {
        this.add("clauses", "changed", t, spans);
        for (const e of amountEffects(oc, nc, o, n)) this.add("clauses", "effect", e, spans);
      }
      return;
    }
    if (oa.$type === "TieredAmount" && na.$type === "TieredAmount" && oa.tiers.length === na.tiers.length
      && oa.tiers.every((t, i) => !!t.condition === !!na.tiers[i]!.condition)) {
      oa.tiers.forEach((ot, i) => {
        const nt = na.tiers[i]!;
        const label = nt.condition ? `tier ${i + 1}` : `the last (otherwise) tier`;
        const t = amountSentence(ot.amount, nt.amount, `In ${name}, ${label}`);
        if (t) this.add("clauses", "changed", t, { old: ot.span, new: nt.span });
        if (ot.condition && nt.condition) {
          for (const s of conditionChanges(ot.condition, nt.condition, this.renames, octx, nctx, `for ${label} of ${name}`, `condition of ${label} of ${name}`)) {
            this.add("clauses", "changed", s, { old: ot.span, new: nt.span });
          }
        }
      });
      return;
    }
    if (canon(oa, this.renames) === canon(na)) return;
    const describe = (c: ClauseIR, ir: ContractIR) => {
      const a = c.decl.amount;
      return a.$type === "FixedAmount" ? [`${valueText(a.amount, studentCtx(ir))} ${per}`] : a.tiers.map((t, i, all) => tierText(t, i, all.length, ir));
    };
    this.add("clauses", "changed", `The amount of ${name} changes.`, spans, [`Before: ${describe(oc, o).join(" ")}`, `Now: ${describe(nc, n).join(" ")}`]);
  }

  cohorts(): void {
    const { o, n } = this;
    for (const nc of n.cohorts) {
      const oc = o.cohorts.find((c) => c.name === nc.name);
      const name = q(nc.name);
      if (!oc) {
        this.add("cohort", "added", `A new cohort payment, ${name}, is added.`, { new: nc.decl.span }, [`The payment is ${valueText(nc.decl.amount, cohortCtx(n, nc))}.`]);
        continue;
      }
      this.cohortChanges(oc, nc);
    }
    for (const oc of o.cohorts) if (!n.cohorts.some((c) => c.name === oc.name)) this.add("cohort", "removed", `The cohort payment ${q(oc.name)} is removed.`, { old: oc.decl.span });
  }

  cohortChanges(oc: CohortIR, nc: CohortIR): void {
    const name = q(nc.name);
    const spans = { old: oc.decl.span, new: nc.decl.span };
    const octx = cohortCtx(this.o, oc);
    const nctx = cohortCtx(this.n, nc);
    if (oc.decl.over?.name !== nc.decl.over?.name) {
      this.add("cohort", "changed", `${name} is now made ${nc.decl.over ? `once for each period of the ${nc.decl.over.name} data` : "once for the whole cohort"} instead of ${oc.decl.over ? `once for each period of the ${oc.decl.over.name} data` : "once for the whole cohort"}.`, spans);
    }
    if (oc.decl.due?.value !== nc.decl.due?.value) {
      const d = (x?: A.DateLit) => (x ? formatDate(x.value) : "none");
      this.add("cohort", "changed", `The deadline for ${name} moves from ${d(oc.decl.due)} to ${d(nc.decl.due)}.`, spans);
    }
    for (const nl of nc.decl.lets) {
      const ol = oc.decl.lets.find((l) => l.name.name === nl.name.name);
      const term = q(humanTerm(nl.name.name));
      if (!ol) this.add("cohort", "added", `In ${name}, a new value ${term} is defined.`, { new: nl.span }, [metricDefinition(nl, nctx)]);
      else for (const t of conditionChangesOrValue(ol.expr, nl.expr, this.renames, octx, nctx, `in the definition of ${term} in ${name}`, `definition of ${term} in ${name}`)) this.add("cohort", "changed", t, { old: ol.span, new: nl.span });
    }
    for (const ol of oc.decl.lets) if (!nc.decl.lets.some((l) => l.name.name === ol.name.name)) this.add("cohort", "removed", `In ${name}, the value ${q(humanTerm(ol.name.name))} is no longer defined.`, { old: ol.span });
    if (canon(oc.decl.amount, this.renames) !== canon(nc.decl.amount)) {
      const ma = moneyOf(oc.decl.amount);
      const mb = moneyOf(nc.decl.amount);
      this.add("cohort", "changed", ma && mb
        ? `The cohort payment ${name} ${risesFalls(rational(ma), rational(mb))} from ${moneyLit(ma, this.o.currency)} to ${moneyLit(mb, this.n.currency)}.`
        : `The amount of the cohort payment ${name} changes from ${valueText(oc.decl.amount, octx)} to ${valueText(nc.decl.amount, nctx)}.`, spans);
    }
    if (oc.decl.condition && nc.decl.condition) {
      for (const t of conditionChanges(oc.decl.condition, nc.decl.condition, this.renames, octx, nctx, `for ${name}`, `condition for ${name}`)) this.add("cohort", "changed", t, spans);
    } else if (nc.decl.condition) this.add("cohort", "changed", `${name} is now made only when ${conditionText(nc.decl.condition, nctx)}.`, spans);
    else if (oc.decl.condition) this.add("cohort", "changed", `${name} no longer has a condition (it required that ${conditionText(oc.decl.condition, octx)}).`, spans);
  }

  weights(): void {
    const { o, n } = this;
    const clausesOf = (w: A.WeightDecl, renames?: Map<string, string>) => w.clauses.map((c) => renames?.get(c.value) ?? c.value);
    const names = (xs: string[]) => joinList(xs.map(q));
    const used = new Set<A.WeightDecl>();
    const take = (pred: (ow: A.WeightDecl) => boolean) => {
      const ow = o.weights.find((x) => !used.has(x) && pred(x));
      if (ow) used.add(ow);
      return ow;
    };
    for (const nw of n.weights) {
      const key = (w: A.WeightDecl, r?: Map<string, string>) => `${[...clausesOf(w, r)].sort().join("|")}`;
      const ow = take((x) => key(x, this.renames) === key(nw) && canon(x.condition) === canon(nw.condition))
        ?? take((x) => key(x, this.renames) === key(nw))
        ?? take((x) => canon(x.condition) === canon(nw.condition) && x.factor.value === nw.factor.value);
      const on = names(clausesOf(nw));
      if (!ow) {
        this.add("weights", "added", `A new weight of ${nw.factor.value} applies to ${on} when ${conditionText(nw.condition, studentCtx(n))}.`, { new: nw.span });
        continue;
      }
      const spans = { old: ow.span, new: nw.span };
      const before = clausesOf(ow, this.renames);
      if (key(ow, this.renames) !== key(nw)) this.add("weights", "changed", `The weight of ${ow.factor.value} now applies to ${on} instead of ${names(before)}.`, spans);
      if (!Rational.parse(ow.factor.value).eq(Rational.parse(nw.factor.value))) {
        this.add("weights", "changed", `The weight on ${on} ${risesFalls(Rational.parse(ow.factor.value), Rational.parse(nw.factor.value))} from ${ow.factor.value} to ${nw.factor.value}.`, spans);
      }
      for (const t of conditionChanges(ow.condition, nw.condition, this.renames, studentCtx(o), studentCtx(n), `for the weight on ${on}`, `condition of the weight on ${on}`)) this.add("weights", "changed", t, spans);
    }
    for (const ow of o.weights) if (!used.has(ow)) this.add("weights", "removed", `The weight of ${ow.factor.value} on ${names(clausesOf(ow, this.renames))} is removed.`, { old: ow.span });
  }

  caps(): void {
    const { o, n } = this;
    const noun = this.nNoun;
    const one = (oc: A.CapDecl | undefined, nc: A.CapDecl | undefined, label: string) => {
      if (!oc && !nc) return;
      if (!oc) return this.add("caps", "added", `A cap ${label} of ${moneyLit(nc!.amount, n.currency)} is added.`, { new: nc!.span });
      if (!nc) return this.add("caps", "removed", `The cap ${label} of ${moneyLit(oc.amount, o.currency)} is removed.`, { old: oc.span });
      const [a, b] = [rational(oc.amount), rational(nc.amount)];
      const spans = { old: oc.span, new: nc.span };
      if (!a.eq(b)) this.add("caps", "changed", `The cap ${label} ${risesFalls(a, b)} from ${moneyLit(oc.amount, o.currency)} to ${moneyLit(nc.amount, n.currency)}.`, spans);
      if (oc.allocation !== nc.allocation) {
        const w = (x: A.CapAllocation) => (x === "in-order" ? "in clause order" : "pro rata");
        this.add("caps", "changed", `A binding cap ${label} is now shared ${w(nc.allocation)} instead of ${w(oc.allocation)}.`, spans);
      }
    };
    one(o.studentCap, n.studentCap, `per ${noun}`);
    one(o.contractCap, n.contractCap, "per contract");
    const clauseCaps = (ir: ContractIR, r?: Map<string, string>) => ir.clauses.flatMap((c) => c.caps.map((cap) => [r?.get(c.name) ?? c.name, cap] as const));
    const oc = clauseCaps(o, this.renames);
    const nc = clauseCaps(n);
    for (const [name, cap] of nc) one(oc.find(([x]) => x === name)?.[1], cap, `on ${q(name)}`);
    for (const [name, cap] of oc) if (!nc.some(([x]) => x === name)) one(cap, undefined, `on ${q(name)}`);
    const of = o.floor;
    const nf = n.floor;
    if (of && nf && !rational(of.amount).eq(rational(nf.amount))) {
      this.add("floor", "changed", `The floor per ${noun} ${risesFalls(rational(of.amount), rational(nf.amount))} from ${moneyLit(of.amount, o.currency)} to ${moneyLit(nf.amount, n.currency)}.`, { old: of.span, new: nf.span });
    } else if (nf && !of) this.add("floor", "added", `A floor of ${moneyLit(nf.amount, n.currency)} per ${noun} is added.`, { new: nf.span });
    else if (of && !nf) this.add("floor", "removed", `The floor of ${moneyLit(of.amount, o.currency)} per ${noun} is removed.`, { old: of.span });
  }

  funding(): void {
    const { o, n } = this;
    const of = o.funding;
    const nf = n.funding;
    const describe = (ir: ContractIR) => ir.funding
      ? joinList(ir.funding.shares.map((s) => `${partyLabel(s.party, ir)} ${s.percent ? percentText(s.percent.value) : "the rest"}`))
      : "";
    if (!of && !nf) return;
    if (!of) return this.add("funding", "added", `A funding split is added: ${describe(n)} of every payment line.`, { new: nf!.decl.span });
    if (!nf) return this.add("funding", "removed", `The funding split (${describe(o)}) is removed.`, { old: of.decl.span });
    const spans = { old: of.decl.span, new: nf.decl.span };
    for (const ns of nf.shares) {
      const os = of.shares.find((s) => s.party === ns.party);
      const who = partyTerm(ns.party, n);
      if (!os) {
        this.add("funding", "added", ns.percent ? `${capitalize(who)} now pays ${percentText(ns.percent.value)} of every payment line.` : `${capitalize(who)} now pays the rest of every payment line.`, spans);
        continue;
      }
      if (os.percent && ns.percent) {
        const [a, b] = [Rational.parse(os.percent.value), Rational.parse(ns.percent.value)];
        if (!a.eq(b)) this.add("funding", "changed", `${capitalize(who)}'s share of every payment line ${risesFalls(a, b)} from ${percentText(os.percent.value)} to ${percentText(ns.percent.value)}.`, spans);
        if (roundingShort(os.rounding) !== roundingShort(ns.rounding)) this.add("funding", "changed", `${capitalize(who)}'s share is now rounded ${roundingShort(ns.rounding)} instead of ${roundingShort(os.rounding)}.`, spans);
      } else if (os.percent && !ns.percent) this.add("funding", "changed", `${capitalize(who)} now pays the rest of every payment line instead of ${percentText(os.percent.value)}.`, spans);
      else if (!os.percent && ns.percent) this.add("funding", "changed", `${capitalize(who)} now pays ${percentText(ns.percent.value)} of every payment line instead of the rest.`, spans);
    }
    for (const os of of.shares) if (!nf.shares.some((s) => s.party === os.party)) this.add("funding", "removed", `${capitalize(partyTerm(os.party, o))} no longer pays a share of the payments.`, spans);
  }

  settlement(): void {
    const { o, n } = this;
    const spans = { old: this.item(o, "SettlementDecl")?.span, new: this.item(n, "SettlementDecl")?.span };
    const gone = o.settlement.filter((d) => !n.settlement.includes(d));
    const come = n.settlement.filter((d) => !o.settlement.includes(d));
    if (gone.length === 1 && come.length === 1) return this.add("settlement", "changed", `The settlement date ${formatDate(gone[0]!)} moves to ${formatDate(come[0]!)}.`, spans);
    if (o.settlement.length === 0 && come.length) return this.add("settlement", "added", `Settlement dates are now stated: ${joinList(come.map(formatDate))}.`, spans);
    if (n.settlement.length === 0 && gone.length) return this.add("settlement", "removed", `Settlement dates are no longer stated (they were ${joinList(gone.map(formatDate))}).`, spans);
    for (const d of come) this.add("settlement", "added", `A settlement date is added: ${formatDate(d)}.`, spans);
    for (const d of gone) this.add("settlement", "removed", `The settlement date ${formatDate(d)} is removed.`, spans);
  }

  escalations(): void {
    const { o, n } = this;
    for (const ne of n.escalations) {
      const oe = o.escalations.find((e) => e.name === ne.name);
      if (!oe) {
        const ctx = escalationCtx(n, ne);
        this.add("escalation", "added", `A new escalation protocol, ${q(ne.name)}, is added.`, { new: ne.decl.span }, ne.decl.levels.map((l) => `Level ${l.level.value}: ${triggerText(l, ctx)}.`));
        continue;
      }
      this.escalationChanges(oe, ne, n.escalations.length > 1);
    }
    for (const oe of o.escalations) if (!n.escalations.some((e) => e.name === oe.name)) this.add("escalation", "removed", `The escalation protocol ${q(oe.name)} is removed.`, { old: oe.decl.span });
  }

  escalationChanges(oe: EscalationIR, ne: EscalationIR, several: boolean): void {
    const octx = escalationCtx(this.o, oe);
    const nctx = escalationCtx(this.n, ne);
    const of = several ? ` of ${q(ne.name)}` : "";
    const to = several ? ` to ${q(ne.name)}` : "";
    if (oe.decl.over.name !== ne.decl.over.name) this.add("escalation", "changed", `${q(ne.name)} is now reviewed over the ${ne.decl.over.name} data instead of the ${oe.decl.over.name} data.`, { old: oe.decl.span, new: ne.decl.span });
    for (const nm of ne.decl.measures) {
      const om = oe.decl.measures.find((x) => x.name.name === nm.name.name);
      const term = q(humanTerm(nm.name.name));
      if (!om) this.add("escalation", "added", `A new measure ${term} is defined${of}.`, { new: nm.span }, [metricDefinition(nm, nctx)]);
      else if (canon(om.expr) !== canon(nm.expr)) this.add("escalation", "changed", `The definition of ${term}${of} changes from ${valueText(om.expr, octx)} to ${valueText(nm.expr, nctx)}.`, { old: om.span, new: nm.span });
    }
    for (const om of oe.decl.measures) if (!ne.decl.measures.some((x) => x.name.name === om.name.name)) this.add("escalation", "removed", `The measure ${q(humanTerm(om.name.name))}${of} is removed.`, { old: om.span });
    for (const nl of ne.decl.levels) {
      const level = nl.level.value;
      const ol = oe.decl.levels.find((l) => l.level.value === level);
      if (!ol) {
        this.add("escalation", "added", `A new escalation level ${level} is added${to}.`, { new: nl.span }, [
          `Trigger: ${triggerText(nl, nctx)}.`,
          ...nl.actions.map((a) => `${capitalize(actionText(a, nctx, this.n))}.`),
        ]);
        continue;
      }
      const spans = { old: ol.span, new: nl.span };
      for (const t of conditionChanges(ol.condition, nl.condition, this.renames, octx, nctx, `for escalation level ${level}${of}`, `trigger of escalation level ${level}${of}`)) this.add("escalation", "changed", t, spans);
      const [a, b] = [Number(ol.consecutive?.value ?? 1), Number(nl.consecutive?.value ?? 1)];
      const cps = (k: number) => (k === 1 ? "a single checkpoint" : `${k} consecutive checkpoints`);
      if (a !== b) this.add("escalation", "changed", `Escalation level ${level}${of} now requires ${cps(b)} instead of ${cps(a)}.`, spans);
      this.actionChanges(ol, nl, octx, nctx, `At escalation level ${level}${of}`);
    }
    for (const ol of oe.decl.levels) if (!ne.decl.levels.some((l) => l.level.value === ol.level.value)) this.add("escalation", "removed", `Escalation level ${ol.level.value}${of} is removed.`, { old: ol.span });
  }

  actionChanges(ol: A.EscalationLevel, nl: A.EscalationLevel, octx: EnglishContext, nctx: EnglishContext, at: string): void {
    const used = new Set<A.EscalationAction>();
    const spans = { old: ol.span, new: nl.span };
    for (const na of nl.actions) {
      const exact = ol.actions.find((x) => !used.has(x) && canon(x) === canon(na));
      if (exact) { used.add(exact); continue; }
      const similar = ol.actions.find((x) => {
        if (used.has(x) || x.$type !== na.$type) return false;
        if (x.$type === "DutyAction" && na.$type === "DutyAction") return x.text.value === na.text.value && canon(x.parties) === canon(na.parties);
        return x.$type !== "DutyAction";
      });
      if (!similar) {
        this.add("escalation", "added", `${at}, a new action is added: ${actionText(na, nctx, this.n)}.`, { new: na.span });
        continue;
      }
      used.add(similar);
      if (similar.$type === "DutyAction" && na.$type === "DutyAction") {
        const w = (d: A.DutyAction) => (d.within ? withUnit(d.within.amount.value, d.within.unit) : "no deadline");
        this.add("escalation", "changed", `${at}, the deadline for ${partiesTerm(na.parties.map((p) => p.name), this.n)} to ${na.text.value.replace(/^(\w+[^s])s\b/, "$1")} changes from ${w(similar)} to ${w(na)}.`, spans);
      } else if (similar.$type === "WithholdAction" && na.$type === "WithholdAction") {
        const [a, b] = [Rational.parse(similar.percent.value), Rational.parse(na.percent.value)];
        if (!a.eq(b)) this.add("escalation", "changed", `${at}, the withholding ${risesFalls(a, b)} from ${percentText(similar.percent.value)} to ${percentText(na.percent.value)} of ${na.of === "all" ? "all" : na.of} payments.`, spans);
        if (similar.of !== na.of) this.add("escalation", "changed", `${at}, the withholding now applies to ${na.of === "all" ? "all" : na.of} payments instead of ${similar.of === "all" ? "all" : similar.of} payments.`, spans);
        if (canon(similar.until) !== canon(na.until)) {
          const u = (x: A.WithholdAction, ctx: EnglishContext) => (x.until ? `until ${conditionText(x.until, ctx)}` : "until the end of the contract");
          this.add("escalation", "changed", `${at}, the withholding now lasts ${u(na, nctx)} instead of ${u(similar, octx)}.`, spans);
        }
      } else if (similar.$type === "TerminateAction" && na.$type === "TerminateAction") {
        if (similar.noticeDays.value !== na.noticeDays.value) this.add("escalation", "changed", `${at}, the notice for termination changes from ${withUnit(similar.noticeDays.value, "days")} to ${withUnit(na.noticeDays.value, "days")}.`, spans);
        if (similar.afterMore?.value !== na.afterMore?.value) this.add("escalation", "changed", `${at}, the right to terminate now arises ${na.afterMore ? `after ${na.afterMore.value} more checkpoints` : "at once"} instead of ${similar.afterMore ? `after ${similar.afterMore.value} more checkpoints` : "at once"}.`, spans);
        if (similar.party.name !== na.party.name) this.add("escalation", "changed", `${at}, the right to terminate now belongs to ${partyTerm(na.party.name, this.n)} instead of ${partyTerm(similar.party.name, this.o)}.`, spans);
      }
    }
    for (const oa of ol.actions) if (!used.has(oa)) this.add("escalation", "removed", `${at}, the action “${actionText(oa, octx, this.o)}” is removed.`, { old: oa.span });
  }

  routines(): void {
    const { o, n } = this;
    const key = (r: A.RoutineDecl) => `${r.parties.map((p) => p.name).join(",")}|${r.verb}|${r.what.value}`;
    const timing = (r: A.RoutineDecl) => {
      const t: string[] = [];
      if (r.frequency) t.push(frequencyWords(r.frequency.name));
      if (r.within) t.push(`within ${withUnit(r.within.amount.value, r.within.unit)}${r.of ? ` of ${r.of.value}` : ""}`);
      return t.join(", ") || "with no stated timing";
    };
    const used = new Set<A.RoutineDecl>();
    for (const nr of n.routines) {
      const or = o.routines.find((r) => !used.has(r) && key(r) === key(nr));
      if (!or) {
        this.add("routines", "added", `A new routine is added: ${routineSentence(nr, n)}`, { new: nr.span });
        continue;
      }
      used.add(or);
      if (canon(or) !== canon(nr)) {
        const p = routineParts(nr, n);
        this.add("routines", "changed", `${p.who} now ${p.verb} ${timing(nr)} instead of ${timing(or)}.`, { old: or.span, new: nr.span });
      }
    }
    for (const or of o.routines) if (!used.has(or)) this.add("routines", "removed", `The routine “${routineSentence(or, o).slice(0, -1)}” is removed.`, { old: or.span });
  }

  governance(): void {
    const { o, n } = this;
    const committees = (ir: ContractIR) => ir.governance.filter((g): g is A.CommitteeDecl => g.$type === "CommitteeDecl");
    for (const nc of committees(n)) {
      const oc = committees(o).find((c) => c.name.value === nc.name.value);
      const name = q(nc.name.value);
      if (!oc) {
        this.add("governance", "added", `A new committee is added: ${committeeSentence(nc, n)}`, { new: nc.span });
        continue;
      }
      const spans = { old: oc.span, new: nc.span };
      if (canon(oc.members) !== canon(nc.members)) this.add("governance", "changed", `The members of the ${name} change from ${partiesTerm(oc.members.map((x) => x.name), o)} to ${partiesTerm(nc.members.map((x) => x.name), n)}.`, spans);
      if (oc.frequency.name !== nc.frequency.name) this.add("governance", "changed", `The ${name} now meets ${frequencyWords(nc.frequency.name)} instead of ${frequencyWords(oc.frequency.name)}.`, spans);
      if (oc.purpose?.value !== nc.purpose?.value) this.add("governance", "changed", `The purpose of the ${name} changes from “${oc.purpose?.value ?? "none stated"}” to “${nc.purpose?.value ?? "none stated"}”.`, spans);
    }
    for (const oc of committees(o)) if (!committees(n).some((c) => c.name.value === oc.name.value)) this.add("governance", "removed", `The committee ${q(oc.name.value)} is removed.`, { old: oc.span });
    const rule = (ir: ContractIR) => ir.governance.find((g): g is A.AmendmentRule => g.$type === "AmendmentRule");
    const or = rule(o);
    const nr = rule(n);
    if (nr && !or) this.add("governance", "added", `The contract now says how it may be amended: only ${nr.form.value}, signed by ${partiesTerm(nr.signers.map((s) => s.name), n)}.`, { new: nr.span });
    else if (or && !nr) this.add("governance", "removed", "The contract no longer says how it may be amended.", { old: or.span });
    else if (or && nr && canon(or) !== canon(nr)) this.add("governance", "changed", `Amendments must now be made ${nr.form.value}, signed by ${partiesTerm(nr.signers.map((s) => s.name), n)} (before: ${or.form.value}, signed by ${partiesTerm(or.signers.map((s) => s.name), o)}).`, { old: or.span, new: nr.span });
  }

  tracked(): void {
    const { o, n } = this;
    for (const nt of n.tracked) {
      const ot = o.tracked.find((t) => t.name.value === nt.name.value);
      if (!ot) this.add("tracked", "added", `A new metric is tracked, not paid: ${q(nt.name.value)}.`, { new: nt.span });
      else if (ot.description?.value !== nt.description?.value) this.add("tracked", "changed", `The description of the tracked metric ${q(nt.name.value)} changes.`, { old: ot.span, new: nt.span }, [`Now: ${nt.description?.value ?? "no description"}.`]);
    }
    for (const ot of o.tracked) if (!n.tracked.some((t) => t.name.value === ot.name.value)) this.add("tracked", "removed", `The tracked metric ${q(ot.name.value)} is removed.`, { old: ot.span });
  }

  templates(): void {
    const imports = (src: string) => (parse(src).value.contract?.items ?? []).filter((i): i is A.ImportDecl => i.$type === "ImportDecl");
    const from = (i: A.ImportDecl) => (i.from === "stdlib" ? `the standard template library${i.version ? `, version ${i.version.value}` : ""}` : `the file “${i.from.value}”`);
    const oi = imports(this.oSrc);
    const ni = imports(this.nSrc);
    for (const x of ni) {
      const y = oi.find((i) => i.name.name === x.name.name);
      if (!y) this.add("templates", "added", `The template ${x.name.name} is now imported from ${from(x)}.`, { new: x.span });
      else if (from(x) !== from(y)) this.add("templates", "changed", `The template ${x.name.name} is now imported from ${from(x)} instead of ${from(y)}.`, { old: y.span, new: x.span });
    }
    for (const y of oi) if (!ni.some((i) => i.name.name === y.name.name)) this.add("templates", "removed", `The template ${y.name.name} is no longer imported.`, { old: y.span });
  }

  amendments(): void {
    const { o, n } = this;
    for (const na of n.amendments) {
      const oa = o.amendments.find((a) => a.version === na.version);
      if (!oa) {
        // what it changes: the version before it in the later contract, against the version it makes
        const at = n.amendments.indexOf(na);
        const before = at > 0 ? n.amendments[at - 1]!.ir : n;
        const what = diffContracts(before, this.nSrc, na.ir, this.nSrc, { analysis: false }).changes
          .filter((c) => c.area !== "contract" && c.area !== "amendments")
          .map((c) => c.text);
        this.add("amendments", "added", `A new amendment, ${q(na.version)}, is added, taking effect on ${formatDate(na.effective)}.`, { new: na.decl.span }, what);
        continue;
      }
      const spans = { old: oa.decl.span, new: na.decl.span };
      if (oa.effective !== na.effective) this.add("amendments", "changed", `Amendment ${q(na.version)} now takes effect on ${formatDate(na.effective)} instead of ${formatDate(oa.effective)}.`, spans);
      if (canon(oa.decl.items, this.renames) !== canon(na.decl.items)) this.add("amendments", "changed", `The terms of amendment ${q(na.version)} change.`, spans);
    }
    for (const oa of o.amendments) if (!n.amendments.some((a) => a.version === oa.version)) this.add("amendments", "removed", `Amendment ${q(oa.version)} is removed.`, { old: oa.decl.span });
  }

  figures(): void {
    // the figures of the terms finally in force: every amendment of each version applied, as the engine does
    const last = (ir: ContractIR) => versionsInForce(ir).at(-1)!.ir;
    const [o, n] = [last(this.o), last(this.n)];
    const a = analyzeContract(o);
    const b = analyzeContract(n);
    const noun = this.nNoun;
    const money = (v: string | null, cur: string) => (v === null ? "no upper bound" : moneyText(v, cur));
    if (o.clauses.length || n.clauses.length) {
      if (a.perStudent.max !== b.perStudent.max) {
        const verb = a.perStudent.max !== null && b.perStudent.max !== null ? risesFalls(Rational.parse(a.perStudent.max), Rational.parse(b.perStudent.max)) : "changes";
        this.add("figures", "changed", `The maximum per ${noun} ${verb} from ${money(a.perStudent.max, o.currency)} to ${money(b.perStudent.max, n.currency)}.`);
      }
      if (a.perStudent.min !== b.perStudent.min) {
        const verb = a.perStudent.min !== null && b.perStudent.min !== null ? risesFalls(Rational.parse(a.perStudent.min), Rational.parse(b.perStudent.min)) : "changes";
        this.add("figures", "changed", `The minimum per ${noun} ${verb} from ${money(a.perStudent.min, o.currency)} to ${money(b.perStudent.min, n.currency)}.`);
      }
      if (a.contingent.share !== b.contingent.share && a.contingent.share && b.contingent.share) {
        const [x, y] = [Rational.parse(a.contingent.share.slice(0, -1)), Rational.parse(b.contingent.share.slice(0, -1))];
        this.add("figures", "changed", `The contingent share ${risesFalls(x, y)} from ${a.contingent.share} to ${b.contingent.share}.`);
      }
      for (const t of payerEffects(o, n, a, b)) this.add("figures", "effect", t);
    }
    for (const t of capEffects(o, n, a, b)) this.add("figures", "effect", t);
  }
}

/** Value changes of a `let`: thresholds when that is all, else the whole definition. */
function conditionChangesOrValue(
  o: A.Expr, n: A.Expr, renames: Map<string, string>, octx: EnglishContext, nctx: EnglishContext, thresholdOf: string, what: string,
): string[] {
  if (canon(o, renames) === canon(n)) return [];
  const sites = thresholdSites(o, n, renames);
  if (sites) {
    return sites.map(([a, b]) => {
      const t = thresholdPhrase(a, b, octx, nctx);
      return `The threshold ${thresholdOf} changes from ${t.from} to ${t.to}.`;
    });
  }
  return [`The ${what} changes from ${valueText(o, octx)} to ${valueText(n, nctx)}.`];
}

/** Compares two versions of a contract (see the file comment). */
export function diffContracts(oldIr: ContractIR, oldSource: string, newIr: ContractIR, newSource: string, opts: DiffOptions = {}): DiffResult {
  const d = new Differ(oldIr, oldSource, newIr, newSource);
  d.contract();
  d.parties();
  d.termAndMoney();
  d.data();
  // renames first, so that every later comparison follows them
  d.matchClauses();
  d.groups();
  d.definitions();
  d.clauses();
  d.cohorts();
  d.weights();
  d.caps();
  d.funding();
  d.settlement();
  d.escalations();
  d.routines();
  d.governance();
  d.tracked();
  d.templates();
  d.amendments();
  if (opts.analysis !== false) d.figures();
  return {
    equal: d.changes.length === 0,
    changes: d.changes,
    old: { title: oldIr.title, ...(oldIr.version !== undefined ? { version: oldIr.version } : {}) },
    new: { title: newIr.title, ...(newIr.version !== undefined ? { version: newIr.version } : {}) },
  };
}
