/**
 * Readings a lawyer may take otherwise: warnings where a contract's text leaves open what the
 * engine will decide, each with the way to say it in the contract.
 *
 * Input: the ContractIR (names resolved). Output: warnings, pushed onto the given list:
 * - `OBC4601` a deadline (`due`) whose condition does not measure by any date: `due` only
 *   makes the payment payable from that date, it does not look at when the condition was met;
 * - `OBC4602` a withholding with no `until`: the money is never released, and the text does
 *   not say whether it is then paid or kept;
 * - `OBC4603` a clause that compares an optional date as "on or after" without saying what a
 *   blank means: a blank exit date (a student who never left) then counts as not met;
 * - `OBC4604` a defined term (metric, condition, measure, cohort value) and a clause with the
 *   same name: the summary would give two different things one name;
 * - `OBC4605` a payment with no payee: no `to <party>`, and not exactly one provider.
 *
 * Also the language's rules for who is paid (`payeeOf`), the dates written into names
 * (`nameParts`) and where a condition says by when it is measured (`datesMeasuredBy`), which
 * the engine's documents share. Browser-safe.
 */
import type * as A from "../ast.ts";
import { clauseId } from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import type { ContractIR } from "./ir.ts";

// ───────────────────────────── who is paid ─────────────────────────────

/**
 * The party a clause pays: the one its `to` names, else the contract's one provider.
 * Undefined when the clause names none and the contract has no provider or several.
 */
export function payeeOf(decl: { payee?: A.Ident }, ir: Pick<ContractIR, "parties">): string | undefined {
  if (decl.payee) {
    const p = ir.parties.find((x) => x.id === decl.payee!.name) ?? ir.parties.find((x) => x.role === decl.payee!.name);
    return p?.id ?? decl.payee.name;
  }
  return defaultPayee(ir);
}

/** The payee of a clause that names none: the contract's provider, when it has exactly one. */
export function defaultPayee(ir: Pick<ContractIR, "parties">): string | undefined {
  const providers = ir.parties.filter((p) => p.role === "provider");
  return providers.length === 1 ? providers[0]!.id : undefined;
}

// ───────────────────────────── dates written into names ─────────────────────────────

/** A date written into a name: `feb28` (month and day) or `2026_01_31` (year, month and day). */
export interface NameDate {
  year?: number;
  month: number;
  day: number;
}

const MONTH_ABBR: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

/** A name cut at `_` into its words and the dates written into it, in order. */
export function nameParts(name: string): (string | NameDate)[] {
  const raw = name.split(/_+/).filter((p) => p.length > 0);
  const parts: (string | NameDate)[] = [];
  for (let i = 0; i < raw.length; i++) {
    const [y, mo, d] = [raw[i]!, raw[i + 1], raw[i + 2]];
    if (/^\d{4}$/.test(y) && mo && d && /^\d{2}$/.test(mo) && /^\d{2}$/.test(d) && Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= 31) {
      parts.push({ year: Number(y), month: Number(mo), day: Number(d) });
      i += 2;
      continue;
    }
    const m = /^([a-z]+)(\d{1,2})$/.exec(raw[i]!.toLowerCase());
    if (m && MONTH_ABBR[m[1]!] && Number(m[2]) >= 1 && Number(m[2]) <= 31) parts.push({ month: MONTH_ABBR[m[1]!]!, day: Number(m[2]) });
    else parts.push(raw[i]!);
  }
  return parts;
}

/** The dates written into a name: "sessions_by_feb28" → 28 February (no year). */
export function datesInName(name: string): NameDate[] {
  return nameParts(name).filter((p): p is NameDate => typeof p !== "string");
}

// ───────────────────────────── the checks ─────────────────────────────

function children(e: A.Expr): A.Expr[] {
  switch (e.$type) {
    case "Binary": return [e.left, e.right];
    case "Logical": return e.operands;
    case "Arithmetic": return e.operands;
    case "Unary": return [e.operand];
    case "InList": return [e.value, ...e.items];
    case "IsMissing": return [e.operand];
    case "Otherwise": return e.values;
    case "PercentOf": return [e.percent, e.of];
    case "MonthStarts": return [e.from, e.through];
    case "CountMet": return e.items;
    case "Aggregate": return [...(e.value ? [e.value] : []), ...(e.where ? [e.where] : [])];
    case "Call": return e.args;
    case "DateShift": return [e.date, e.amount];
    case "EventAggregate": return [];
    default: return [];
  }
}

function walk(e: A.Expr, visit: (x: A.Expr) => void): void {
  visit(e);
  for (const c of children(e)) walk(c, visit);
}

export function checkReadings(ir: ContractIR, out: Diagnostic[]): void {
  // a clause with an error is read again once it is fixed: no warning about it now
  const errors = out.filter((d) => d.severity === "error").map((d) => d.primary.span);
  const within = (span: A.Span) => errors.some((e) => e.start >= span.start && e.end <= span.end);
  // …and so is a clause that reads a metric with an error
  const broken = (c: A.PaymentClause) => within(c.span) || conditionsOf(c).flatMap((e) => namesRead(e, ir)).some((n) => !!ir.metrics.get(n) && within(ir.metrics.get(n)!.span));
  for (const c of ir.clauses) {
    if (broken(c.decl)) continue;
    checkDue(c.decl, ir, out);
    checkBlankDates(c.decl, ir, out);
  }
  checkWithholding(ir, out);
  checkSameNames(ir, out);
  checkPayees(ir, out);
}

const MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTH_WORD = MONTH_NAMES.join("|");
/** "2027-02-28", "28 February [2027]", "February 28[, 2027]" */
const DATE_IN_TEXT = new RegExp(`\\b(\\d{4})-(\\d{2})-(\\d{2})\\b|\\b(\\d{1,2}) (${MONTH_WORD})(?: (\\d{4}))?\\b|\\b(${MONTH_WORD}) (\\d{1,2})(?:,? (\\d{4}))?\\b`, "gi");

/** The dates a text gives: "sessions attended from 1 September 2025 to 30 June 2026" → two dates. */
export function datesInText(text: string): NameDate[] {
  const out: NameDate[] = [];
  for (const m of text.matchAll(DATE_IN_TEXT)) {
    const month = (w: string) => MONTH_NAMES.indexOf(w.toLowerCase()) + 1;
    if (m[1]) out.push({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
    else if (m[4]) out.push({ ...(m[6] ? { year: Number(m[6]) } : {}), month: month(m[5]!), day: Number(m[4]) });
    else out.push({ ...(m[9] ? { year: Number(m[9]) } : {}), month: month(m[7]!), day: Number(m[8]) });
  }
  return out;
}

/** Whether a date written into a name or a text is the ISO date `iso` (the same day and month, and year if it gives one). */
export function sameDate(d: NameDate, iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return !!m && Number(m[2]) === d.month && Number(m[3]) === d.day && (d.year === undefined || d.year === Number(m[1]));
}

const COMPARISON = new Set(["<", "<=", ">", ">=", "=", "!="]);

/**
 * One place where a condition says by when it is measured:
 * - `written`: a comparison with a date or between dates, or a period of months, written in
 *   the condition (`first_session_date <= 2026-10-15`): `expr` is that comparison, `dates` the
 *   dates written in it;
 * - `name`: a value whose name carries the date (`sessions_by_feb28`), or says it is measured
 *   by the deadline (`sessions_by_deadline`, `dates` empty);
 * - `description`: a field whose description gives dates ("sessions attended up to 28 February 2027").
 */
export type MeasuredBy =
  | { kind: "written"; expr: A.Expr; dates: string[] }
  | { kind: "name"; name: string; dates: NameDate[]; deadline: boolean }
  | { kind: "description"; name: string; description: string; dates: NameDate[] };

/** Whether a place where a condition is measured is the date `iso` (a name that says "deadline" is the deadline, whatever it is). */
export function measuredOn(m: MeasuredBy, iso: string): boolean {
  switch (m.kind) {
    case "written": return m.dates.includes(iso);
    case "name": return m.deadline || m.dates.some((d) => sameDate(d, iso));
    case "description": return m.dates.some((d) => sameDate(d, iso));
  }
}

/**
 * Where a condition says by when it is measured (see {@link MeasuredBy}), through the metrics it
 * reads and the clauses it refers to, in reading order. Empty when it does not say: a deadline
 * (`due`) then only makes the payment payable from that date. The one rule that the checker's
 * warning (`OBC4601`), the summary and the comparison of two versions follow.
 */
export function datesMeasuredBy(e: A.Expr, ir: ContractIR, seen = new Set<string>()): MeasuredBy[] {
  const out: MeasuredBy[] = [];
  const isDate = (x: A.Expr) => x.$type === "DateLit" || (x.$type === "NameRef" && ir.fields.get(x.name)?.type === "date");
  const visit = (x: A.Expr): void => {
    if ((x.$type === "Binary" && COMPARISON.has(x.op) && (isDate(x.left) || isDate(x.right))) || x.$type === "MonthStarts") {
      const dates = (x.$type === "Binary" ? [x.left, x.right] : [x.from, x.through]).flatMap((y) => (y.$type === "DateLit" ? [y.value] : []));
      out.push({ kind: "written", expr: x, dates });
    } else if (x.$type === "DateLit") {
      out.push({ kind: "written", expr: x, dates: [x.value] });
    }
    if (x.$type === "NameRef" && !seen.has(x.name)) {
      seen.add(x.name);
      const dates = datesInName(x.name);
      const deadline = /(^|_)(deadline|due)(_|$)/.test(x.name);
      if (dates.length || deadline) out.push({ kind: "name", name: x.name, dates, deadline });
      const description = ir.fields.get(x.name)?.decl.description?.value;
      const described = description ? datesInText(description) : [];
      if (description && described.length) out.push({ kind: "description", name: x.name, description, dates: described });
      const m = ir.metrics.get(x.name);
      if (m) out.push(...datesMeasuredBy(m.expr, ir, seen));
    }
    if (x.$type === "ClauseRef" && !seen.has(`"${x.name}`)) {
      seen.add(`"${x.name}`);
      const other = ir.clauses.find((c) => c.name === x.name)?.decl;
      if (other) for (const y of conditionsOf(other)) out.push(...datesMeasuredBy(y, ir, seen));
    }
    // a comparison is one place; the names in it may carry dates of their own
    for (const c of children(x)) if (c.$type !== "DateLit") visit(c);
  };
  visit(e);
  return out;
}

/** The conditions of a clause: its `when`, and each tier's. */
export function conditionsOf(c: A.PaymentClause): A.Expr[] {
  const out: A.Expr[] = [];
  if (c.condition) out.push(c.condition);
  if (c.amount.$type === "TieredAmount") for (const t of c.amount.tiers) if (t.condition) out.push(t.condition);
  return out;
}

/** The names an expression reads, through metrics and conditions. */
function namesRead(e: A.Expr, ir: ContractIR): string[] {
  // a worklist, not recursion: a chain of definitions too deep to allow is still read here, to find its error
  const out: string[] = [];
  const seen = new Set<string>();
  const todo = [e];
  for (let x = todo.pop(); x; x = todo.pop()) {
    walk(x, (y) => {
      if (y.$type !== "NameRef" || seen.has(y.name)) return;
      seen.add(y.name);
      out.push(y.name);
      const m = ir.metrics.get(y.name);
      if (m) todo.push(m.expr);
    });
  }
  return out;
}

function checkDue(c: A.PaymentClause, ir: ContractIR, out: Diagnostic[]): void {
  if (!c.due) return;
  // a deadline outside the term is already an error of its own
  if (ir.term && (c.due.value < ir.term.start || c.due.value > ir.term.end)) return;
  const conditions = conditionsOf(c);
  const names = conditions.flatMap((e) => namesRead(e, ir));
  // nothing measured (a constant condition), or a name already reported as unknown
  if (!names.some((n) => ir.fields.has(n)) || names.some((n) => !ir.fields.has(n) && !ir.metrics.has(n))) return;
  if (conditions.some((e) => datesMeasuredBy(e, ir).length > 0)) return;
  out.push(diag("OBC4601", { clause: c.name.value, date: c.due.value }, { span: c.due.span, label: "payable from this date, whenever the condition was met" }, { clause: c.name.value }));
}

const LATER = new Set([">", ">="]);
const EARLIER = new Set(["<", "<="]);

/**
 * Optional date fields compared as "on or after" (or "after") where a blank is not guarded:
 * the blank leaves the comparison unknown, and the clause's `if missing` rule then refuses it.
 */
function unguardedLaterDates(e: A.Expr, ir: ContractIR, guarded: Set<string>, seen: Set<string>, found: Map<string, A.Span>): void {
  const optionalDate = (x: A.Expr) => x.$type === "NameRef" && !guarded.has(x.name) && ir.fields.get(x.name)?.type === "date" && ir.fields.get(x.name)!.optional ? x.name : undefined;
  if (e.$type === "Logical") {
    // `x is missing or …x…` and `x is present and …x…` say what a blank means for what follows
    let g = guarded;
    for (const x of e.operands) {
      unguardedLaterDates(x, ir, g, seen, found);
      if (x.$type === "IsMissing" && x.operand.$type === "NameRef" && x.negated === (e.op === "and")) g = new Set([...g, x.operand.name]);
    }
    return;
  }
  if (e.$type === "Binary" && (LATER.has(e.op) || EARLIER.has(e.op))) {
    const left = optionalDate(e.left);
    const right = optionalDate(e.right);
    if (left && LATER.has(e.op) && !found.has(left)) found.set(left, e.span);
    if (right && EARLIER.has(e.op) && !found.has(right)) found.set(right, e.span);
  }
  if (e.$type === "Otherwise") return unguardedLaterDates(e.values[0]!, ir, guarded, seen, found);
  if (e.$type === "IsMissing") return;
  if (e.$type === "NameRef" && !seen.has(e.name)) {
    const m = ir.metrics.get(e.name);
    if (m) unguardedLaterDates(m.expr, ir, guarded, new Set([...seen, e.name]), found);
    return;
  }
  for (const c of children(e)) unguardedLaterDates(c, ir, guarded, seen, found);
}

function checkBlankDates(c: A.PaymentClause, ir: ContractIR, out: Diagnostic[]): void {
  if (!c.missing) return;
  const found = new Map<string, A.Span>();
  for (const e of conditionsOf(c)) unguardedLaterDates(e, ir, new Set(), new Set(), found);
  for (const [field, span] of found) {
    const outcome = c.missing.outcome === "excluded" ? "excluded from it" : "not paid";
    out.push(diag("OBC4603", { clause: c.name.value, field, outcome }, { span, label: `a blank ${field} counts as not met here` }, { clause: c.name.value }));
  }
}

function checkWithholding(ir: ContractIR, out: Diagnostic[]): void {
  for (const e of ir.escalations) {
    for (const l of e.decl.levels) {
      for (const a of l.actions) {
        if (a.$type !== "WithholdAction" || a.until) continue;
        out.push(diag("OBC4602", { level: l.level.value, escalation: e.name }, { span: a.span, label: "never released" }, { clause: e.name }));
      }
    }
  }
}

function checkSameNames(ir: ContractIR, out: Diagnostic[]): void {
  const clauses = [...ir.clauses.map((c) => c.decl), ...ir.cohorts.map((c) => c.decl)];
  const terms: A.MetricDecl[] = [
    ...ir.metrics.values(),
    ...ir.cohorts.flatMap((c) => c.decl.lets),
    ...ir.escalations.flatMap((e) => e.decl.measures),
  ];
  for (const c of clauses) {
    const same = terms.find((t) => clauseId(t.name.name) === clauseId(c.name.value));
    if (!same) continue;
    out.push(diag(
      "OBC4604",
      { clause: c.name.value, name: same.name.name },
      { span: c.name.span, label: `also the name of the ${same.kind} '${same.name.name}'` },
      { clause: c.name.value, related: [{ span: same.name.span, label: `the ${same.kind} '${same.name.name}'` }] },
    ));
  }
}

function checkPayees(ir: ContractIR, out: Diagnostic[]): void {
  // a contract without parties is a fragment (a price list, an example): nobody to name yet
  if (!ir.parties.length || defaultPayee(ir)) return;
  const providers = ir.parties.filter((p) => p.role === "provider").length;
  const why = providers === 0 ? "the contract names no provider" : `the contract names ${providers} providers`;
  for (const c of ir.clauses) {
    if (c.decl.payee) continue;
    out.push(diag("OBC4605", { clause: c.name, why, where: "after `per … student`" }, { span: c.decl.name.span, label: "paid to whom?" }, { clause: c.name }));
  }
  for (const c of ir.cohorts) {
    if (c.decl.payee) continue;
    out.push(diag("OBC4605", { clause: c.name, why, where: "after the amount" }, { span: c.decl.name.span, label: "paid to whom?" }, { clause: c.name }));
  }
}
