/**
 * The formatter: from source text to the same contract in its one canonical layout.
 *
 * Input: `.obc` text. Output: `{ value, diagnostics }`. A text with syntax errors comes back
 * unchanged, with the errors. Otherwise the AST is printed again: two-space indentation, one
 * statement per line, blocks opened on their statement's line and closed on a line of their
 * own, the clauses laid out as in `examples/`, expressions with single spaces around operators
 * and parentheses only where the grammar needs them, money with thousands separators.
 *
 * Comments are kept, every one of them. A comment on a line of its own is printed on its own
 * line before the next line of output (at the indentation of the block's items when it is the
 * last thing in a block); a comment at the end of a line of code stays at the end of the line
 * that prints that code; a comment somewhere unusual (inside an expression written over several
 * lines) moves to its own line before the line that contains it. The author's blank lines
 * between items are kept, a run of them collapsed to one.
 *
 * Browser-safe: no Node APIs.
 */
import type * as A from "../ast.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { parse } from "../syntax/parse.ts";

export interface FormatOutput {
  value: string;
  diagnostics: Diagnostic[];
}

/** Formats `.obc` text. Never throws; a text with errors comes back unchanged. */
export function format(text: string): FormatOutput {
  const parsed = parse(text);
  if (parsed.diagnostics.some((d) => d.severity === "error")) {
    return { value: text, diagnostics: parsed.diagnostics };
  }
  return { value: printSourceFile(parsed.value, text), diagnostics: parsed.diagnostics };
}

// ───────────────────────────── expressions ─────────────────────────────

/**
 * Binding strength, loosest first: or, and, not, comparison / in / is, + -, * /, otherwise,
 * unary minus, primary.
 */
const PREC = { or: 1, and: 2, not: 3, compare: 4, add: 5, mul: 6, otherwise: 7, unary: 8, primary: 9 } as const;

function binaryPrec(op: A.BinaryOp): number {
  switch (op as string) {
    case "or":
      return PREC.or;
    case "and":
      return PREC.and;
    case "+":
    case "-":
      return PREC.add;
    case "*":
    case "/":
      return PREC.mul;
    default:
      return PREC.compare;
  }
}

function precOf(e: A.Expr): number {
  switch (e.$type) {
    case "Binary":
      return binaryPrec(e.op);
    case "Logical":
      return binaryPrec(e.op);
    case "Arithmetic":
      return binaryPrec(e.ops[0]!);
    case "DateShift":
      return PREC.add;
    case "Unary":
      return e.op === "not" ? PREC.not : PREC.unary;
    case "InList":
    case "IsMissing":
      return PREC.compare;
    case "Otherwise":
      return PREC.otherwise;
    case "MoneyLit":
      return e.negative && !e.param ? PREC.unary : PREC.primary;
    default:
      return PREC.primary;
  }
}

/**
 * True when `e`, printed where at least `min` is needed, ends with an unparenthesized
 * `month starts … through X`: its `through` would take a following `otherwise` as its own.
 */
function endsWithMonthStarts(e: A.Expr, min: number): boolean {
  if (precOf(e) < min) return false; // printed in parentheses
  switch (e.$type) {
    case "MonthStarts":
      return true;
    case "Otherwise":
      return endsWithMonthStarts(e.values[e.values.length - 1]!, PREC.unary);
    case "Unary":
      return e.op === "-" && endsWithMonthStarts(e.operand, PREC.unary);
    case "PercentOf":
      return endsWithMonthStarts(e.of, PREC.unary);
    default:
      return false;
  }
}

/** Text in double quotes, with `"` and `\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `1600.50` → `1,600.50`: separators in the whole part, the decimals as given. */
function groupThousands(value: string): string {
  const [whole = "", frac] = value.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac !== undefined ? `${grouped}.${frac}` : grouped;
}

function printMoney(m: A.MoneyLit): string {
  if (m.param) return m.param;
  return `${m.negative ? "-" : ""}$${groupThousands(m.value)}`;
}

function strOrParam(s: A.StringLit): string {
  return s.param ?? quote(s.value);
}

function dateOrParam(d: A.DateLit): string {
  return d.param ?? d.value;
}

function populationWords(p: A.PopulationName): string {
  return p === "all" ? "students" : `${p} students`;
}

/** Prints an expression where the grammar needs at least binding strength `min` (0: any). */
export function printExpr(e: A.Expr, min = 0): string {
  const s = printBare(e);
  return precOf(e) < min ? `(${s})` : s;
}

function printBare(e: A.Expr): string {
  switch (e.$type) {
    case "NumberLit":
      return e.value;
    case "MoneyLit":
      return printMoney(e);
    case "PercentLit":
      return `${e.value}%`;
    case "DateLit":
      return dateOrParam(e);
    case "StringLit":
      return strOrParam(e);
    case "BoolLit":
      return e.value ? "true" : "false";
    case "NameRef":
      return e.name;
    case "ClauseRef":
      return quote(e.name);
    case "Binary":
      // comparisons do not chain: both sides are sums
      return `${printExpr(e.left, PREC.add)} ${e.op} ${printExpr(e.right, PREC.add)}`;
    case "Logical":
    case "Arithmetic": {
      // a chain reads left to right: an operand of the same precedence after the first needs brackets
      const p = precOf(e);
      const ops = e.$type === "Logical" ? e.operands.map(() => e.op) : e.ops;
      return e.operands.map((o, i) => (i === 0 ? printExpr(o, p) : `${ops[i - 1]} ${printExpr(o, p + 1)}`)).join(" ");
    }
    case "Unary": {
      if (e.op === "not") return `not ${printExpr(e.operand, PREC.not)}`;
      const operand = printExpr(e.operand, PREC.unary);
      return operand.startsWith("-") ? `- ${operand}` : `-${operand}`;
    }
    case "InList":
      return `${printExpr(e.value, PREC.add)}${e.negated ? " not" : ""} in [${e.items.map((i) => printExpr(i, PREC.add)).join(", ")}]`;
    case "IsMissing":
      return `${printExpr(e.operand, PREC.add)} is ${e.negated ? "present" : "missing"}`;
    case "Otherwise":
      return e.values
        .map((v, i) => {
          const min = i === 0 ? PREC.otherwise : PREC.unary;
          // `(month starts from a through b) otherwise c`: without the parentheses `through` takes the `otherwise`
          return i < e.values.length - 1 && endsWithMonthStarts(v, min) ? `(${printExpr(v, min)})` : printExpr(v, min);
        })
        .join(" otherwise ");
    case "PercentOf":
      return `${printExpr(e.percent, PREC.primary)} of ${printExpr(e.of, PREC.unary)}`;
    case "MonthStarts":
      return `month starts from ${printExpr(e.from, PREC.otherwise)} through ${printExpr(e.through, PREC.otherwise)}`;
    case "CountMet":
      return `count of [${e.items.map((i) => printExpr(i)).join(", ")}]`;
    case "Call":
      return `${e.name}(${e.args.map((a) => printExpr(a)).join(", ")})`;
    case "DateShift":
      return `${printExpr(e.date, PREC.add)} ${e.op} ${printExpr(e.amount, PREC.primary)} ${e.amount.$type === "NumberLit" && e.amount.value === "1" ? e.unit.slice(0, -1) : e.unit}`;
    case "Aggregate": {
      let s: string;
      if (e.fn === "sum") {
        s = `sum of (${e.value ? printExpr(e.value) : ""})`;
        if (e.population) s += ` over ${populationWords(e.population)}`;
      } else {
        s = e.fn;
        if (e.population) s += ` of ${populationWords(e.population)}`;
      }
      if (e.where) s += ` where (${printExpr(e.where)})`;
      return s;
    }
    case "EventAggregate": {
      const set = e.events.name;
      const weeks = `weeks with at least ${e.atLeast?.value ?? "1"} ${set}`;
      let s: string;
      switch (e.fn) {
        case "count": s = `count of ${set}`; break;
        case "sum": s = `sum of (${e.value ? printExpr(e.value) : ""}) over ${set}`; break;
        case "weeks": s = `count of ${weeks}`; break;
        case "run": s = `longest run of ${weeks}`; break;
        default: s = `${e.fn} of (${e.value ? printExpr(e.value) : ""}) over ${set}`;
      }
      if (e.where) s += ` where (${printExpr(e.where)})`;
      if (e.excluding) s += ` excluding ${e.excluding.name}`;
      return s;
    }
  }
}

// ───────────────────────────── statements ─────────────────────────────

function roundingWords(r: A.Rounding): string {
  const mode = r.mode === "half-up" ? "half up" : r.mode === "half-even" ? "half even" : r.mode;
  return `${mode} to the ${r.unit}`;
}

function partyList(parties: A.Ident[]): string {
  const names = parties.map((p) => p.name);
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function withinWords(w: A.Within): string {
  return `within ${w.amount.value} ${w.unit}`;
}

function argValue(v: A.Expr | A.PopulationArg): string {
  return v.$type === "PopulationArg" ? v.which : printExpr(v);
}

function perStudent(c: A.PaymentClause): string {
  const to = c.payee ? ` to ${c.payee.name}` : "";
  if (c.populationParam) return `per ${c.populationParam} student${to}`;
  return c.population === "all" ? `per student${to}` : `per ${c.population} student${to}`;
}

function metricLine(m: A.MetricDecl): string {
  return `${m.kind} ${m.name.name} = ${printExpr(m.expr)}`;
}

function actionLine(a: A.EscalationAction): string {
  switch (a.$type) {
    case "DutyAction":
      return `${partyList(a.parties)} ${quote(a.text.value)}${a.within ? ` ${withinWords(a.within)}` : ""}`;
    case "WithholdAction":
      return `withhold ${a.percent.value}% of ${a.of} payments${a.until ? ` until ${printExpr(a.until)}` : ""}`;
    case "TerminateAction":
      return (
        `${a.party.name} may terminate with ${a.noticeDays.value} days notice` +
        (a.afterMore ? ` after ${a.afterMore.value} more checkpoints` : "")
      );
  }
}

/** What a `remove` names, as written after `remove`. */
function removeTarget(r: A.RemoveItem): string {
  const name = quote(r.name?.value ?? "");
  switch (r.what) {
    case "clause": return name;
    case "cap": return r.scope === "clause" ? `cap on ${name}` : `cap per ${r.scope ?? "student"}`;
    case "floor": return "floor";
    case "escalation":
    case "track": return `${r.what} ${name}`;
    case "weight": return `weight on ${(r.clauses ?? []).map((c) => quote(c.value)).join(", ")}`;
  }
}

/** The text of a statement printed on a single line. */
function simpleLine(item: A.Item | A.Party | A.FieldDecl | A.FundingShare | A.RoutineDecl | A.CommitteeDecl | A.AmendmentRule | A.ParamDecl): string {
  switch (item.$type) {
    case "ImportDecl":
      return item.from === "stdlib"
        ? `import ${item.name.name} from stdlib${item.version ? ` version ${quote(item.version.value)}` : ""}`
        : `import ${item.name.name} from ${quote(item.from.value)}`;
    case "UseDecl":
      return `use ${item.name.name}(${item.args.map((a) => `${a.name.name}: ${argValue(a.value)}`).join(", ")})`;
    case "ParamDecl":
      return (
        `param ${item.name.name}: ${item.type}` +
        (item.default ? ` = ${argValue(item.default)}` : "") +
        (item.doc ? ` ${quote(item.doc.value)}` : "")
      );
    case "Party":
      return `${item.role.name} ${strOrParam(item.name)}${item.alias ? ` as ${item.alias.name}` : ""}`;
    case "TermDecl":
      return `term ${item.start.value} to ${item.end.value}`;
    case "CurrencyDecl":
      return `currency ${item.code.name}`;
    case "RoundingDecl":
      return `rounding ${roundingWords(item.rounding)}`;
    case "FieldDecl":
      return `${item.name.name}: ${item.optional ? "optional " : ""}${item.type}${item.description ? ` ${quote(item.description.value)}` : ""}`;
    case "MetricDecl":
      return metricLine(item);
    case "PopulationDecl":
      return `${item.which} students when ${printExpr(item.condition)}`;
    case "WeightDecl":
      return `weight ${item.factor.value} for ${printExpr(item.condition)} on ${item.clauses.map(strOrParam).join(", ")}`;
    case "CapDecl": {
      const scope =
        item.scope === "clause" && item.clause
          ? `on ${strOrParam(item.clause)}`
          : item.scope === "contract"
            ? "per contract"
            : "per student";
      const allocation = item.allocationSpan
        ? `, allocated ${item.allocation === "in-order" ? "in order" : "pro rata"}`
        : "";
      return `cap ${printMoney(item.amount)} ${scope}${allocation}`;
    }
    case "FloorDecl":
      return `floor ${printMoney(item.amount)} per student`;
    case "FundingShare":
      return item.percent
        ? `${item.party.name} pays ${item.percent.value}% of every line${item.rounding ? `, rounded ${roundingWords(item.rounding)}` : ""}`
        : `${item.party.name} pays the rest`;
    case "SettlementDecl":
      return `settlement on ${item.dates.map((d) => d.value).join(", ")}`;
    case "RoutineDecl": {
      let s = `${partyList(item.parties)} ${item.verb} ${quote(item.what.value)}`;
      if (item.frequency) s += ` ${item.frequency.name}`;
      if (item.within) {
        s += ` ${withinWords(item.within)}`;
        if (item.of) s += ` of ${quote(item.of.value)}`;
      }
      return s;
    }
    case "CommitteeDecl":
      return (
        `committee ${quote(item.name.value)} of ${partyList(item.members)} meets ${item.frequency.name}` +
        (item.purpose ? ` to ${quote(item.purpose.value)}` : "")
      );
    case "AmendmentRule":
      return `amendments ${quote(item.form.value)} signed by ${partyList(item.signers)}`;
    case "TrackDecl":
      return `track ${quote(item.name.value)}${item.description ? ` ${quote(item.description.value)}` : ""}`;
    case "RemoveItem":
      return `remove ${removeTarget(item)}`;
    case "RenameItem":
      return `rename ${quote(item.from.value)} to ${quote(item.to.value)}`;
    default:
      throw new Error(`internal error: ${item.$type} is not a one-line statement`);
  }
}

// ───────────────────────────── layout with comments ─────────────────────────────

interface LineOptions {
  /** keep one blank line before this line when the source had one (block items, not sub-lines) */
  blank?: boolean;
  /** this line opens a block: no blank line right after it */
  open?: boolean;
  /** indentation of the comments that come before this line (the closing brace's comments sit inside) */
  commentIndent?: number;
}

class Printer {
  private readonly out: string[] = [];
  private readonly comments: A.Comment[];
  private next = 0;
  /** source offset where the last printed thing (code or comment) ends */
  private lastEnd = 0;
  /** the last printed line opened a block (or nothing is printed yet) */
  private afterOpen = true;

  constructor(private readonly text: string, comments: A.Comment[]) {
    this.comments = [...comments].sort((a, b) => a.span.start - b.span.start);
  }

  /** True when the source between two offsets holds a blank line. */
  private blankBetween(from: number, to: number): boolean {
    if (from >= to) return false;
    return /\n[ \t\r\f\u00a0\ufeff]*\n/.test(this.text.slice(from, to));
  }

  private comment(indent: number, c: A.Comment): void {
    if (!this.afterOpen && this.blankBetween(this.lastEnd, c.span.start)) this.out.push("");
    this.out.push("  ".repeat(indent) + c.text.trimEnd());
    this.lastEnd = Math.max(this.lastEnd, c.span.end);
    this.afterOpen = false;
  }

  /** Prints the comments that start before `offset`, each on its own line. */
  flushBefore(offset: number, indent: number): void {
    while (this.next < this.comments.length && this.comments[this.next]!.span.start < offset) {
      this.comment(indent, this.comments[this.next++]!);
    }
  }

  /**
   * Prints one line of code that stands for the source from `start` to `end`: first every
   * comment not yet printed that starts before `end`, then the line, with a comment that
   * follows `end` on the same source line at its end.
   */
  line(indent: number, content: string, start: number, end: number, opts: LineOptions = {}): void {
    this.flushBefore(end, opts.commentIndent ?? indent);
    if (opts.blank && !this.afterOpen && this.blankBetween(this.lastEnd, start)) this.out.push("");
    let s = "  ".repeat(indent) + content;
    this.lastEnd = Math.max(this.lastEnd, end);
    const c = this.comments[this.next];
    if (c && c.span.start >= end && /^[ \t\f\u00a0\ufeff]*$/.test(this.text.slice(end, c.span.start))) {
      s += "  " + c.text.trimEnd();
      this.lastEnd = c.span.end;
      this.next++;
    }
    this.out.push(s);
    this.afterOpen = !!opts.open;
  }

  finish(): string {
    this.flushBefore(Infinity, 0);
    while (this.out.length > 0 && this.out[this.out.length - 1] === "") this.out.pop();
    return this.out.join("\n") + "\n";
  }

  /** Offset of the first `ch` at or after `from`, skipping comments (only keywords lie in between). */
  find(from: number, ch: string): number {
    const t = this.text;
    let i = from;
    while (i < t.length) {
      if (t[i] === "/" && t[i + 1] === "/") {
        while (i < t.length && t[i] !== "\n" && t[i] !== "\r") i++;
        continue;
      }
      if (t[i] === ch) return i;
      i++;
    }
    return Math.max(from, t.length - 1);
  }

  /** `header {`, the items, `}`. */
  block(indent: number, header: string, start: number, headerEnd: number, end: number, body: (indent: number) => void): void {
    const open = this.find(headerEnd, "{");
    this.line(indent, `${header} {`, start, open + 1, { blank: true, open: true });
    body(indent + 1);
    const close = this.text[end - 1] === "}" ? end - 1 : this.find(open + 1, "}");
    this.line(indent, "}", close, close + 1, { commentIndent: indent + 1 });
  }

  items(indent: number, items: readonly A.Item[]): void {
    for (const item of items) this.item(indent, item);
  }

  item(indent: number, item: A.Item): void {
    const { start, end } = item.span;
    switch (item.$type) {
      case "AmendmentDecl":
        return this.block(indent, `amendment ${quote(item.version.value)} effective ${item.effective.value}`, start, item.effective.span.end, end, (i) =>
          this.items(i, item.items),
        );
      case "PartiesDecl":
        return this.block(indent, "parties", start, start + "parties".length, end, (i) => {
          for (const p of item.parties) this.simple(i, p);
        });
      case "DataDecl": {
        let header = `data ${item.name.name}`;
        if (item.key) header += ` keyed by ${item.key.name}`;
        if (item.period) header += ` each ${item.period.name}`;
        if (item.per) header += ` per ${item.per.name}`;
        if (item.dated) header += ` on ${item.dated.name}`;
        const headerEnd = (item.dated ?? item.per ?? item.period ?? item.key ?? item.name).span.end;
        return this.block(indent, header, start, headerEnd, end, (i) => {
          for (const f of item.fields) this.simple(i, f);
        });
      }
      case "FundingDecl":
        return this.block(indent, "funding", start, start + "funding".length, end, (i) => {
          for (const s of item.shares) this.simple(i, s);
        });
      case "RoutinesDecl":
        return this.block(indent, "routines", start, start + "routines".length, end, (i) => {
          for (const r of item.routines) this.simple(i, r);
        });
      case "GovernanceDecl":
        return this.block(indent, "governance", start, start + "governance".length, end, (i) => {
          for (const g of item.items) this.simple(i, g);
        });
      case "EscalationDecl":
        return this.block(indent, `escalation ${quote(item.name.value)} over ${item.over.name}`, start, item.over.span.end, end, (i) => {
          for (const m of item.measures) this.simple(i, m);
          for (const l of item.levels) this.level(i, l);
        });
      case "ReplaceItem":
        return this.block(indent, `replace ${quote(item.name.value)} with`, start, item.name.span.end, end, (i) => this.items(i, item.items));
      case "CohortClause":
        return this.cohort(indent, item);
      case "PaymentClause":
        return this.payment(indent, item);
      default:
        return this.simple(indent, item);
    }
  }

  private simple(indent: number, node: Parameters<typeof simpleLine>[0]): void {
    this.line(indent, simpleLine(node), node.span.start, node.span.end, { blank: true });
  }

  private level(indent: number, l: A.EscalationLevel): void {
    let header = `level ${l.level.value} when ${printExpr(l.condition)}`;
    if (l.consecutive) header += ` for ${l.consecutive.value} consecutive checkpoints`;
    const headerEnd = (l.consecutive ?? l.condition).span.end;
    this.block(indent, header, l.span.start, headerEnd, l.span.end, (i) => {
      for (const a of l.actions) this.line(i, actionLine(a), a.span.start, a.span.end, { blank: true });
    });
  }

  private cohort(indent: number, c: A.CohortClause): void {
    let header = `cohort ${strOrParam(c.name)}`;
    if (c.due) header += ` due ${dateOrParam(c.due)}`;
    if (c.over) header += ` over ${c.over.name}`;
    const headerEnd = (c.over ?? c.due ?? c.name).span.end;
    this.block(indent, header, c.span.start, headerEnd, c.span.end, (i) => {
      for (const l of c.lets) this.simple(i, l);
      const pays = `pays ${printExpr(c.amount)}${c.payee ? ` to ${c.payee.name}` : ""}${c.condition ? ` when ${printExpr(c.condition)}` : ""}`;
      this.line(i, pays, c.amount.span.start, (c.condition ?? c.amount).span.end, { blank: true });
    });
  }

  private payment(indent: number, c: A.PaymentClause): void {
    let head = `${c.kind} ${strOrParam(c.name)}`;
    if (c.due) head += ` due ${dateOrParam(c.due)}`;
    head += " pays ";
    if (c.amount.$type === "FixedAmount") {
      this.line(indent, `${head}${printExpr(c.amount.amount)} ${perStudent(c)}`, c.span.start, (c.payee ?? { span: c.populationSpan }).span.end, { blank: true });
    } else {
      const open = this.find((c.payee ?? { span: c.populationSpan }).span.end, "{");
      this.line(indent, `${head}${perStudent(c)} in tiers {`, c.span.start, open + 1, { blank: true, open: true });
      for (const t of c.amount.tiers) {
        const s = t.condition ? `when ${printExpr(t.condition)}: ${printExpr(t.amount)}` : `otherwise: ${printExpr(t.amount)}`;
        this.line(indent + 1, s, t.span.start, t.span.end);
      }
      const last = c.amount.tiers[c.amount.tiers.length - 1];
      const close = this.find(last ? last.span.end : open + 1, "}");
      this.line(indent, "}", close, close + 1, { commentIndent: indent + 1 });
    }
    if (c.condition) {
      this.line(indent + 1, `when ${printExpr(c.condition)}`, c.condition.span.start, c.condition.span.end);
    }
    if (c.missing) {
      const words = c.missing.outcome === "excluded" ? "excluded" : "not met";
      this.line(indent + 1, `if missing: ${words}`, c.missing.span.start, c.missing.span.end);
    }
  }

  contract(c: A.Contract): void {
    let header = `contract ${quote(c.title.value)}`;
    if (c.id) header += ` id ${quote(c.id.value)}`;
    if (c.version) header += ` version ${quote(c.version.value)}`;
    const headerEnd = (c.version ?? c.id ?? c.title).span.end;
    this.block(0, header, c.span.start, headerEnd, c.span.end, (i) => this.items(i, c.items));
  }

  template(t: A.TemplateDecl): void {
    let header = `template ${t.name.name}`;
    if (t.version) header += ` version ${quote(t.version.value)}`;
    const headerEnd = (t.version ?? t.name).span.end;
    this.block(0, header, t.span.start, headerEnd, t.span.end, (i) => {
      for (const p of t.params) this.simple(i, p);
      this.items(i, t.items);
    });
  }
}

/**
 * Prints a parsed file in the canonical layout, keeping every comment of `file.comments`.
 * `text` is the source the file was parsed from (read for the places of braces and blank lines).
 */
export function printSourceFile(file: A.SourceFile, text: string): string {
  const p = new Printer(text, file.comments);
  if (file.contract) p.contract(file.contract);
  else if (file.template) p.template(file.template);
  return p.finish();
}
