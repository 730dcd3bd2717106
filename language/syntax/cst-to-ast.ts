/**
 * From CST to AST.
 *
 * Input: the Chevrotain CST of `parser.ts` (never leaves `language/`). Output: the typed
 * AST of `ast.ts`, every node with its span, plus diagnostics for what only shows once
 * the tree is built (impossible dates, malformed amounts, unknown statements, unknown types).
 *
 * The conversion tolerates the partial trees that error recovery produces: a missing child
 * becomes an `Error`-free placeholder only where the parser already reported the problem,
 * and the enclosing item is dropped instead.
 */
import type { CstElement, CstNode, IToken } from "./chevrotain.ts";
import type * as A from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { statementWords } from "./tokens.ts";

type Children = Record<string, CstElement[] | undefined>;

/** Thrown inside conversion when a piece the parser already reported as missing is absent. */
class Incomplete {
  readonly incomplete = true;
}

export const FIELD_TYPES: readonly A.FieldTypeName[] = [
  "integer", "decimal", "score", "count", "percent", "money", "boolean", "date", "text",
];

function isToken(e: CstElement | undefined): e is IToken {
  return !!e && (e as IToken).image !== undefined;
}

function tokenSpan(t: IToken): A.Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

function validToken(t: IToken | undefined): t is IToken {
  return !!t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

/** Returns true when `iso` (YYYY-MM-DD) is a real calendar date. */
export function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1]!;
}

export function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, "$1");
}

export class CstToAst {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly text: string) {}

  // ───────────── helpers ─────────────

  private ch(node: CstNode): Children {
    return node.children as Children;
  }

  private tok(node: CstNode, name: string, i = 0): IToken | undefined {
    const e = this.ch(node)[name]?.[i];
    return isToken(e) && validToken(e) ? e : undefined;
  }

  private need(node: CstNode, name: string, i = 0): IToken {
    const t = this.tok(node, name, i);
    if (!t) throw new Incomplete();
    return t;
  }

  private sub(node: CstNode, name: string, i = 0): CstNode | undefined {
    const e = this.ch(node)[name]?.[i];
    return e && !isToken(e) ? (e as CstNode) : undefined;
  }

  private subs(node: CstNode, name: string): CstNode[] {
    return (this.ch(node)[name] ?? []).filter((e): e is CstNode => !isToken(e));
  }

  private toks(node: CstNode, name: string): IToken[] {
    return (this.ch(node)[name] ?? []).filter((e): e is IToken => isToken(e) && validToken(e));
  }

  private needSub(node: CstNode, name: string, i = 0): CstNode {
    const n = this.sub(node, name, i);
    if (!n) throw new Incomplete();
    return n;
  }

  /** Span of a CST node, from its first to its last real token. */
  private span(node: CstNode): A.Span {
    const loc = node.location;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset)) {
      return { start: loc.startOffset, end: (loc.endOffset as number) + 1 };
    }
    const all: IToken[] = [];
    const walk = (n: CstNode) => {
      for (const list of Object.values(n.children)) {
        for (const e of list ?? []) {
          if (isToken(e)) {
            if (validToken(e)) all.push(e);
          } else walk(e as CstNode);
        }
      }
    };
    walk(node);
    if (all.length === 0) throw new Incomplete();
    const start = Math.min(...all.map((t) => t.startOffset));
    const end = Math.max(...all.map((t) => (t.endOffset ?? t.startOffset) + 1));
    return { start, end };
  }

  private join(a: A.Span, b: A.Span): A.Span {
    return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
  }

  private ident(t: IToken): A.Ident {
    return { $type: "Ident", name: t.image, span: tokenSpan(t) };
  }

  private str(t: IToken): A.StringLit {
    return { $type: "StringLit", value: unquote(t.image), span: tokenSpan(t) };
  }

  /** A quoted name, or inside a template the parameter written in its place. */
  private strOrParam(t: IToken): A.StringLit {
    if (t.tokenType.name === "Identifier") return { $type: "StringLit", value: "", param: t.image, span: tokenSpan(t) };
    return this.str(t);
  }

  private dateOrParam(t: IToken): A.DateLit {
    if (t.tokenType.name === "Identifier") return { $type: "DateLit", value: "", param: t.image, span: tokenSpan(t) };
    return this.date(t);
  }

  private moneyOrParam(node: CstNode): A.MoneyLit {
    const p = this.tok(node, "amountParam");
    if (p) return { $type: "MoneyLit", value: "0", negative: false, param: p.image, span: tokenSpan(p) };
    return this.money(this.need(node, "MoneyLit"));
  }

  private date(t: IToken): A.DateLit {
    if (!isCalendarDate(t.image)) {
      this.diagnostics.push(diag("OBC1006", { text: t.image }, { span: tokenSpan(t), label: "not a calendar date" }));
    }
    return { $type: "DateLit", value: t.image, span: tokenSpan(t) };
  }

  private num(t: IToken): A.NumberLit {
    return { $type: "NumberLit", value: t.image, span: tokenSpan(t) };
  }

  private percent(t: IToken): A.PercentLit {
    return { $type: "PercentLit", value: t.image.slice(0, -1), span: tokenSpan(t) };
  }

  private money(t: IToken): A.MoneyLit {
    const body = t.image.slice(1);
    const [whole = "", frac] = body.split(".");
    const groupsOk = !whole.includes(",") || /^\d{1,3}(,\d{3})+$/.test(whole);
    if (!groupsOk || (frac !== undefined && frac.length > 2)) {
      this.diagnostics.push(
        diag("OBC1010", { text: t.image }, { span: tokenSpan(t), label: "not a valid amount" }),
      );
    }
    const value = whole.replace(/,/g, "") + (frac !== undefined ? "." + frac : "");
    return { $type: "MoneyLit", value, negative: false, span: tokenSpan(t) };
  }

  // ───────────── file and contract ─────────────

  sourceFile(node: CstNode, comments: A.Comment[]): A.SourceFile {
    const c = this.sub(node, "contract");
    let contract: A.Contract | undefined;
    if (c) {
      try {
        contract = this.contract(c);
      } catch (e) {
        if (!(e instanceof Incomplete)) throw e;
      }
    }
    const t = this.sub(node, "template");
    let template: A.TemplateDecl | undefined;
    if (t) {
      try {
        template = this.template(t);
      } catch (e) {
        if (!(e instanceof Incomplete)) throw e;
      }
    }
    return { $type: "SourceFile", span: { start: 0, end: this.text.length }, contract, template, comments };
  }

  private template(node: CstNode): A.TemplateDecl {
    const version = this.tok(node, "version");
    return {
      $type: "TemplateDecl",
      name: this.ident(this.need(node, "name")),
      version: version ? this.str(version) : undefined,
      params: this.subs(node, "paramDecl").flatMap((p) => this.tryOr(() => this.paramDecl(p))),
      items: this.items(node),
      span: this.span(node),
    };
  }

  private paramDecl(node: CstNode): A.ParamDecl {
    const typeTok = this.need(node, "type");
    const types: readonly string[] = [...FIELD_TYPES, "number", "field", "condition", "population"];
    if (!types.includes(typeTok.image)) {
      const s = didYouMean(typeTok.image, [...types]);
      this.diagnostics.push(
        diag("OBC3006", { type: `'${typeTok.image}'`, types: types.join(", ") }, { span: tokenSpan(typeTok), label: "unknown type" },
          s ? { suggestions: [{ message: `Replace with '${s}'`, span: tokenSpan(typeTok), replacement: s }] } : {}),
      );
    }
    const def = this.sub(node, "default");
    const doc = this.tok(node, "doc");
    return {
      $type: "ParamDecl",
      name: this.ident(this.need(node, "name")),
      type: (types.includes(typeTok.image) ? typeTok.image : "text") as A.ParamType,
      typeSpan: tokenSpan(typeTok),
      default: def ? this.argValue(def) : undefined,
      doc: doc ? this.str(doc) : undefined,
      span: this.span(node),
    };
  }

  private argValue(node: CstNode): A.Expr | A.PopulationArg {
    const which = this.tok(node, "which");
    if (which) return { $type: "PopulationArg", which: which.image as A.PopulationArg["which"], span: tokenSpan(which) };
    return this.expression(this.needSub(node, "expression"));
  }

  private items(node: CstNode): A.Item[] {
    const items: A.Item[] = [];
    for (const itemNode of this.subs(node, "item")) {
      const inner = Object.values(itemNode.children)[0]?.[0];
      if (!inner || isToken(inner)) continue;
      try {
        const item = this.item(inner as CstNode);
        if (item) items.push(item);
      } catch (e) {
        if (!(e instanceof Incomplete)) throw e;
      }
    }
    return items;
  }

  private amendmentChange(node: CstNode): A.AmendmentChange {
    const remove = this.sub(node, "removeChange");
    if (remove) {
      const whatTok = this.tok(remove, "what");
      const what: A.RemoveWhat = whatTok ? (whatTok.image as A.RemoveWhat) : "clause";
      const name = this.tok(remove, "name");
      const scopeTok = this.tok(remove, "scope");
      const scopes: Record<string, A.CapDecl["scope"]> = { student: "student", contract: "contract", on: "clause" };
      const scope = scopeTok ? scopes[scopeTok.image] : undefined;
      if ((what === "escalation" || what === "track" || (what === "cap" && scope === "clause")) && !name) throw new Incomplete();
      return {
        $type: "RemoveItem",
        what,
        ...(name ? { name: this.str(name) } : {}),
        ...(scope ? { scope } : {}),
        ...(what === "weight" ? { clauses: this.toks(remove, "clauses").map((t) => this.str(t)) } : {}),
        span: this.span(remove),
      };
    }
    const replace = this.sub(node, "replaceChange");
    if (replace) return { $type: "ReplaceItem", name: this.str(this.need(replace, "name")), items: this.items(replace), span: this.span(replace) };
    const rename = this.needSub(node, "renameChange");
    return { $type: "RenameItem", from: this.str(this.need(rename, "from")), to: this.str(this.need(rename, "to")), span: this.span(rename) };
  }

  private contract(node: CstNode): A.Contract {
    const titleTok = this.tok(node, "title");
    const idTok = this.tok(node, "id");
    const versionTok = this.tok(node, "version");
    const items = this.items(node);
    const span = this.span(node);
    return {
      $type: "Contract",
      title: titleTok ? this.str(titleTok) : { $type: "StringLit", value: "", span: { start: span.start, end: span.start } },
      ...(idTok ? { id: this.str(idTok) } : {}),
      version: versionTok ? this.str(versionTok) : undefined,
      items,
      span,
    };
  }

  private item(node: CstNode): A.Item | undefined {
    switch (node.name) {
      case "importDecl": {
        const path = this.tok(node, "path");
        const version = this.tok(node, "version");
        return {
          $type: "ImportDecl",
          name: this.ident(this.need(node, "name")),
          from: path ? this.str(path) : "stdlib",
          version: version ? this.str(version) : undefined,
          span: this.span(node),
        };
      }
      case "useDecl":
        return {
          $type: "UseDecl",
          name: this.ident(this.need(node, "name")),
          args: this.subs(node, "templateArg").flatMap((a) =>
            this.tryOr(() => ({
              $type: "TemplateArg" as const,
              name: this.ident(this.need(a, "name")),
              value: this.argValue(this.needSub(a, "argValue")),
              span: this.span(a),
            })),
          ),
          span: this.span(node),
        };
      case "amendmentDecl":
        return {
          $type: "AmendmentDecl",
          version: this.str(this.need(node, "version")),
          effective: this.date(this.need(node, "effective")),
          // items and changes apply in the order they are written
          items: [...this.items(node), ...this.subs(node, "amendmentChange").flatMap((c) => this.tryOr(() => this.amendmentChange(c)))].sort((a, b) => a.span.start - b.span.start),
          span: this.span(node),
        };
      case "partiesDecl":
        return {
          $type: "PartiesDecl",
          parties: this.subs(node, "party").flatMap((p) => this.tryOr(() => this.party(p))),
          span: this.span(node),
        };
      case "termDecl":
        return {
          $type: "TermDecl",
          start: this.date(this.need(node, "start")),
          end: this.date(this.need(node, "end")),
          span: this.span(node),
        };
      case "currencyDecl":
        return { $type: "CurrencyDecl", code: this.ident(this.need(node, "Identifier")), span: this.span(node) };
      case "roundingDecl":
        return { $type: "RoundingDecl", rounding: this.rounding(this.needSub(node, "roundingRule")), span: this.span(node) };
      case "dataDecl":
        return this.dataDecl(node);
      case "metricDecl":
        return this.metricDecl(node);
      case "populationDecl": {
        const which = this.need(node, "which");
        return {
          $type: "PopulationDecl",
          which: which.image as A.PopulationDecl["which"],
          whichSpan: tokenSpan(which),
          condition: this.condition(this.needSub(node, "expression")),
          span: this.span(node),
        };
      }
      case "paymentClause":
        return this.paymentClause(node);
      case "cohortClause":
        return this.cohortClause(node);
      case "weightDecl":
        return {
          $type: "WeightDecl",
          factor: this.num(this.need(node, "NumberLit")),
          condition: this.condition(this.needSub(node, "expression")),
          clauses: this.toks(node, "clauses").map((t) => this.strOrParam(t)),
          span: this.span(node),
        };
      case "capDecl":
        return this.capDecl(node);
      case "floorDecl":
        return { $type: "FloorDecl", amount: this.moneyOrParam(node), span: this.span(node) };
      case "fundingDecl":
        return {
          $type: "FundingDecl",
          shares: this.subs(node, "fundingShare").flatMap((s) => this.tryOr(() => this.fundingShare(s))),
          span: this.span(node),
        };
      case "settlementDecl":
        return { $type: "SettlementDecl", dates: this.toks(node, "DateLit").map((t) => this.date(t)), span: this.span(node) };
      case "escalationDecl":
        return this.escalationDecl(node);
      case "routinesDecl":
        return {
          $type: "RoutinesDecl",
          routines: this.subs(node, "routine").flatMap((r) => this.tryOr(() => this.routine(r))),
          span: this.span(node),
        };
      case "governanceDecl":
        return {
          $type: "GovernanceDecl",
          items: [
            ...this.subs(node, "committee").flatMap((c) => this.tryOr(() => this.committee(c))),
            ...this.subs(node, "amendmentRule").flatMap((a) => this.tryOr(() => this.amendmentRule(a))),
          ].sort((a, b) => a.span.start - b.span.start),
          span: this.span(node),
        };
      case "trackDecl": {
        const d = this.tok(node, "description");
        return {
          $type: "TrackDecl",
          name: this.str(this.need(node, "name")),
          description: d ? this.str(d) : undefined,
          span: this.span(node),
        };
      }
      case "unknownStatement":
        this.unknownStatement(node);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Runs `f`, returning [] when the piece is incomplete (already reported by the parser). */
  private tryOr<T>(f: () => T): T[] {
    try {
      return [f()];
    } catch (e) {
      if (e instanceof Incomplete) return [];
      throw e;
    }
  }

  private unknownStatement(node: CstNode): void {
    const first = Object.values(node.children)
      .flat()
      .filter((e): e is IToken => isToken(e) && validToken(e))
      .sort((a, b) => a.startOffset - b.startOffset)[0];
    if (!first) return;
    if (first.tokenType.name === "UnterminatedString") return; // reported by the lexer stage
    const suggestion = first.tokenType.name === "Identifier" ? didYouMean(first.image, [...statementWords]) : undefined;
    this.diagnostics.push(
      diag(
        "OBC1005",
        { found: `'${first.image}'`, keywords: statementWords.join(", ") },
        { span: tokenSpan(first), label: suggestion ? `did you mean '${suggestion}'?` : "unknown statement" },
        suggestion
          ? { suggestions: [{ message: `Replace with '${suggestion}'`, span: tokenSpan(first), replacement: suggestion }] }
          : {},
      ),
    );
  }

  private party(node: CstNode): A.Party {
    const alias = this.tok(node, "alias");
    return {
      $type: "Party",
      role: this.ident(this.need(node, "role")),
      name: this.strOrParam(this.need(node, "name")),
      alias: alias ? this.ident(alias) : undefined,
      span: this.span(node),
    };
  }

  private rounding(node: CstNode): A.Rounding {
    const half = this.tok(node, "Half");
    let mode: A.RoundingMode;
    if (half) mode = this.tok(node, "Even") ? "half-even" : "half-up";
    else if (this.tok(node, "Down")) mode = "down";
    else if (this.tok(node, "upOnly")) mode = "up";
    else throw new Incomplete();
    const unit: A.RoundingUnit = this.tok(node, "Dollar") ? "dollar" : "cent";
    if (!this.tok(node, "Dollar") && !this.tok(node, "Cent")) throw new Incomplete();
    return { $type: "Rounding", mode, unit, span: this.span(node) };
  }

  private dataDecl(node: CstNode): A.DataDecl {
    const key = this.tok(node, "key");
    const period = this.tok(node, "period");
    const per = this.tok(node, "per");
    const dated = this.tok(node, "dated");
    return {
      $type: "DataDecl",
      name: this.ident(this.need(node, "name")),
      key: key ? this.ident(key) : undefined,
      period: period ? this.ident(period) : undefined,
      ...(per ? { per: this.ident(per) } : {}),
      ...(dated ? { dated: this.ident(dated) } : {}),
      fields: this.subs(node, "fieldDecl").flatMap((f) => this.tryOr(() => this.fieldDecl(f))),
      span: this.span(node),
    };
  }

  private fieldDecl(node: CstNode): A.FieldDecl {
    const typeTok = this.need(node, "type");
    const typeName = typeTok.image;
    if (!(FIELD_TYPES as readonly string[]).includes(typeName)) {
      const s = didYouMean(typeName, [...FIELD_TYPES]);
      this.diagnostics.push(
        diag(
          "OBC3006",
          { type: `'${typeName}'`, types: FIELD_TYPES.join(", "), suggestion: s ? `'${s}'` : "" },
          { span: tokenSpan(typeTok), label: "unknown type" },
          s ? { suggestions: [{ message: `Replace with '${s}'`, span: tokenSpan(typeTok), replacement: s }] } : {},
        ),
      );
    }
    return {
      $type: "FieldDecl",
      name: this.ident(this.need(node, "name")),
      type: (FIELD_TYPES as readonly string[]).includes(typeName) ? (typeName as A.FieldTypeName) : "text",
      typeSpan: tokenSpan(typeTok),
      optional: !!this.tok(node, "Optional"),
      ...(this.tok(node, "description") ? { description: this.str(this.tok(node, "description")!) } : {}),
      span: this.span(node),
    };
  }

  private metricDecl(node: CstNode): A.MetricDecl {
    const kind = this.need(node, "kind").image as A.MetricDecl["kind"];
    const exprNode = this.needSub(node, "expression");
    return {
      $type: "MetricDecl",
      kind,
      name: this.ident(this.need(node, "name")),
      expr: kind === "condition" ? this.condition(exprNode) : this.expression(exprNode),
      span: this.span(node),
    };
  }

  private population(node: CstNode | undefined): { population: A.PopulationName; span: A.Span; param?: string } {
    if (!node) throw new Incomplete();
    const which = this.tok(node, "which");
    const param = this.tok(node, "param");
    return { population: which ? (which.image as A.PopulationName) : "all", span: this.span(node), param: param?.image };
  }

  private paymentClause(node: CstNode): A.PaymentClause {
    const kindTok = this.need(node, "kind");
    const due = this.tok(node, "due");
    const tiers = this.subs(node, "tier");
    let amount: A.Amount;
    let per: CstNode | undefined;
    if (this.tok(node, "Tiers") || tiers.length > 0) {
      per = this.sub(node, "perStudent");
      amount = {
        $type: "TieredAmount",
        tiers: tiers.flatMap((t) => this.tryOr(() => this.tier(t))),
        span: this.join(this.span(tiers[0] ?? node), this.span(tiers[tiers.length - 1] ?? node)),
      };
    } else {
      const a = this.needSub(node, "amount");
      amount = { $type: "FixedAmount", amount: this.expression(a), span: this.span(a) };
      per = this.sub(node, "perStudent");
    }
    const pop = this.population(per);
    const cond = this.sub(node, "condition");
    const missing = this.sub(node, "missingRule");
    const payee = this.tok(node, "payee");
    return {
      $type: "PaymentClause",
      kind: kindTok.image as A.ClauseKind,
      kindSpan: tokenSpan(kindTok),
      name: this.strOrParam(this.need(node, "name")),
      due: due ? this.dateOrParam(due) : undefined,
      amount,
      population: pop.population,
      populationSpan: pop.span,
      populationParam: pop.param,
      condition: cond ? this.condition(cond) : undefined,
      missing: missing
        ? { $type: "MissingRule", outcome: this.tok(missing, "Excluded") ? "excluded" : "not-met", span: this.span(missing) }
        : undefined,
      ...(payee ? { payee: this.ident(payee) } : {}),
      span: this.span(node),
    };
  }

  private tier(node: CstNode): A.Tier {
    const cond = this.sub(node, "condition");
    return {
      $type: "Tier",
      condition: cond ? this.condition(cond) : undefined,
      amount: this.expression(this.needSub(node, "amount")),
      span: this.span(node),
    };
  }

  private letDecl(node: CstNode): A.MetricDecl {
    return {
      $type: "MetricDecl",
      kind: this.need(node, "kind").image as "let" | "measure",
      name: this.ident(this.need(node, "name")),
      expr: this.expression(this.needSub(node, "expression")),
      span: this.span(node),
    };
  }

  private cohortClause(node: CstNode): A.CohortClause {
    const due = this.tok(node, "due");
    const over = this.tok(node, "over");
    const cond = this.sub(node, "condition");
    return {
      $type: "CohortClause",
      name: this.strOrParam(this.need(node, "name")),
      due: due ? this.dateOrParam(due) : undefined,
      over: over ? this.ident(over) : undefined,
      lets: this.subs(node, "letDecl").flatMap((l) => this.tryOr(() => this.letDecl(l))),
      amount: this.expression(this.needSub(node, "amount")),
      ...(this.tok(node, "payee") ? { payee: this.ident(this.tok(node, "payee")!) } : {}),
      condition: cond ? this.condition(cond) : undefined,
      span: this.span(node),
    };
  }

  private capDecl(node: CstNode): A.CapDecl {
    const scopeTok = this.tok(node, "scope");
    const clause = this.tok(node, "clause");
    const allocated = this.tok(node, "Allocated");
    let allocationSpan: A.Span | undefined;
    if (allocated) {
      const last = this.tok(node, "Rata") ?? this.tok(node, "Order") ?? allocated;
      allocationSpan = this.join(tokenSpan(allocated), tokenSpan(last));
    }
    return {
      $type: "CapDecl",
      amount: this.moneyOrParam(node),
      scope: clause ? "clause" : scopeTok?.image === "contract" ? "contract" : "student",
      clause: clause ? this.strOrParam(clause) : undefined,
      allocation: this.tok(node, "Order") ? "in-order" : "pro-rata",
      allocationSpan,
      span: this.span(node),
    };
  }

  private fundingShare(node: CstNode): A.FundingShare {
    const pct = this.tok(node, "PercentLit");
    const r = this.sub(node, "roundingRule");
    if (!pct && !this.tok(node, "Rest")) throw new Incomplete();
    return {
      $type: "FundingShare",
      party: this.ident(this.need(node, "party")),
      percent: pct ? this.percent(pct) : undefined,
      rounding: r ? this.rounding(r) : undefined,
      span: this.span(node),
    };
  }

  private escalationDecl(node: CstNode): A.EscalationDecl {
    return {
      $type: "EscalationDecl",
      name: this.str(this.need(node, "name")),
      over: this.ident(this.need(node, "over")),
      measures: this.subs(node, "letDecl").flatMap((l) => this.tryOr(() => this.letDecl(l))),
      levels: this.subs(node, "escalationLevel").flatMap((l) => this.tryOr(() => this.level(l))),
      span: this.span(node),
    };
  }

  private level(node: CstNode): A.EscalationLevel {
    const consecutive = this.tok(node, "consecutive");
    return {
      $type: "EscalationLevel",
      level: this.num(this.need(node, "level")),
      condition: this.condition(this.needSub(node, "expression")),
      consecutive: consecutive ? this.num(consecutive) : undefined,
      actions: this.subs(node, "escalationAction").flatMap((a) => this.tryOr(() => this.action(a))),
      span: this.span(node),
    };
  }

  private action(node: CstNode): A.EscalationAction {
    const w = this.sub(node, "withholdAction");
    if (w) {
      const ofTok = this.need(w, "of");
      const until = this.sub(w, "expression");
      return {
        $type: "WithholdAction",
        percent: this.percent(this.need(w, "PercentLit")),
        of: ofTok.image === "all" ? "all" : (ofTok.image as A.ClauseKind),
        ofSpan: tokenSpan(ofTok),
        until: until ? this.condition(until) : undefined,
        span: this.span(w),
      };
    }
    const t = this.sub(node, "terminateAction");
    if (t) {
      const more = this.tok(t, "more");
      return {
        $type: "TerminateAction",
        party: this.ident(this.need(t, "party")),
        noticeDays: this.num(this.need(t, "notice")),
        afterMore: more ? this.num(more) : undefined,
        span: this.span(t),
      };
    }
    const d = this.needSub(node, "dutyAction");
    const within = this.sub(d, "within");
    return {
      $type: "DutyAction",
      parties: this.partyList(this.needSub(d, "partyList")),
      text: this.str(this.need(d, "StringLit")),
      within: within ? this.within(within) : undefined,
      span: this.span(d),
    };
  }

  private partyList(node: CstNode): A.Ident[] {
    return this.toks(node, "Identifier").map((t) => this.ident(t));
  }

  private within(node: CstNode): A.Within {
    const unitTok = this.need(node, "unit");
    const unit: A.Within["unit"] = this.tok(node, "Business") ? "business days" : (unitTok.image as A.Within["unit"]);
    return { $type: "Within", amount: this.num(this.need(node, "NumberLit")), unit, span: this.span(node) };
  }

  private routine(node: CstNode): A.RoutineDecl {
    const freq = this.tok(node, "frequency");
    const within = this.sub(node, "within");
    const of = this.tok(node, "of");
    return {
      $type: "RoutineDecl",
      parties: this.partyList(this.needSub(node, "partyList")),
      verb: this.need(node, "verb").image as A.RoutineDecl["verb"],
      what: this.str(this.need(node, "what")),
      frequency: freq ? this.ident(freq) : undefined,
      within: within ? this.within(within) : undefined,
      of: of ? this.str(of) : undefined,
      span: this.span(node),
    };
  }

  private committee(node: CstNode): A.CommitteeDecl {
    const purpose = this.tok(node, "purpose");
    return {
      $type: "CommitteeDecl",
      name: this.str(this.need(node, "name")),
      members: this.partyList(this.needSub(node, "partyList")),
      frequency: this.ident(this.need(node, "frequency")),
      purpose: purpose ? this.str(purpose) : undefined,
      span: this.span(node),
    };
  }

  private amendmentRule(node: CstNode): A.AmendmentRule {
    return {
      $type: "AmendmentRule",
      form: this.str(this.need(node, "StringLit")),
      signers: this.partyList(this.needSub(node, "partyList")),
      span: this.span(node),
    };
  }

  // ───────────── expressions ─────────────

  /** An expression in a position that needs a condition: a bare quoted name is a clause reference. */
  private condition(node: CstNode): A.Expr {
    return this.asCondition(this.expression(node));
  }

  private asCondition(e: A.Expr): A.Expr {
    if (e.$type === "StringLit") return { $type: "ClauseRef", name: e.value, span: e.span };
    return e;
  }

  expression(node: CstNode): A.Expr {
    switch (node.name) {
      case "expression":
      case "andExpr": {
        const operandNodes = this.subs(node, "operands");
        const ops = this.toks(node, "ops");
        if (operandNodes.length === 0) throw new Incomplete();
        const first = this.expression(operandNodes[0]!);
        if (operandNodes.length === 1) return first;
        const op: A.LogicalOp = node.name === "expression" ? "or" : "and";
        // `(a and b) and c` is the chain `a and b and c`, as it would be written without brackets
        const operands: A.Expr[] = first.$type === "Logical" && first.op === op ? [...first.operands] : [this.asCondition(first)];
        const opSpans: A.Span[] = first.$type === "Logical" && first.op === op ? [...first.opSpans] : [];
        for (let i = 1; i < operandNodes.length; i++) {
          const right = this.asCondition(this.expression(operandNodes[i]!));
          const opTok = ops[i - 1];
          opSpans.push(opTok ? tokenSpan(opTok) : { start: operands[operands.length - 1]!.span.end, end: right.span.start });
          operands.push(right);
        }
        return { $type: "Logical", op, operands, opSpans, span: this.join(first.span, operands[operands.length - 1]!.span) };
      }
      case "notExpr": {
        const inner = this.sub(node, "notExpr");
        if (inner) {
          const notTok = this.need(node, "Not");
          const operand = this.asCondition(this.expression(inner));
          return { $type: "Unary", op: "not", operand, span: this.join(tokenSpan(notTok), operand.span) };
        }
        return this.expression(this.needSub(node, "comparison"));
      }
      case "comparison": {
        const left = this.expression(this.needSub(node, "left"));
        const opTok = this.tok(node, "op");
        if (opTok) {
          const right = this.expression(this.needSub(node, "right"));
          return {
            $type: "Binary",
            op: opTok.image as A.CompareOp,
            left,
            right,
            opSpan: tokenSpan(opTok),
            span: this.join(left.span, right.span),
          };
        }
        if (this.tok(node, "In")) {
          const close = this.tok(node, "RBracket");
          return {
            $type: "InList",
            value: left,
            items: this.subs(node, "items").map((n) => this.expression(n)),
            negated: !!this.tok(node, "inNot"),
            span: close ? this.join(left.span, tokenSpan(close)) : this.span(node),
          };
        }
        const isWhat = this.tok(node, "isWhat");
        if (isWhat) {
          return {
            $type: "IsMissing",
            operand: left,
            negated: isWhat.image === "present",
            span: this.join(left.span, tokenSpan(isWhat)),
          };
        }
        return left;
      }
      case "additive":
      case "multiplicative": {
        const operandNodes = this.subs(node, "operands");
        const ops = this.toks(node, "ops");
        if (operandNodes.length === 0) throw new Incomplete();
        const first = this.expression(operandNodes[0]!);
        if (operandNodes.length === 1) return first;
        const additive = node.name === "additive";
        // `(a + b) - c` is the chain `a + b - c`
        const sameLevel = first.$type === "Arithmetic" && (first.ops[0] === "+" || first.ops[0] === "-") === additive;
        let operands: A.Expr[] = sameLevel ? [...first.operands] : [first];
        let arithOps: A.ArithOp[] = sameLevel ? [...first.ops] : [];
        let opSpans: A.Span[] = sameLevel ? [...first.opSpans] : [];
        const chain = (): A.Expr =>
          operands.length === 1 ? operands[0]! : { $type: "Arithmetic", operands, ops: arithOps, opSpans, span: this.join(operands[0]!.span, operands[operands.length - 1]!.span) };
        for (let i = 1; i < operandNodes.length; i++) {
          const op = ops[i - 1];
          if (!op) throw new Incomplete();
          // `d + 90 days`: the date so far moved by a duration, and the chain goes on from it
          const shift = additive ? this.duration(operandNodes[i]!) : undefined;
          if (shift) {
            const date = chain();
            operands = [{ $type: "DateShift", date, op: op.image as "+" | "-", opSpan: tokenSpan(op), amount: shift.amount, unit: shift.unit, span: this.join(date.span, shift.span) }];
            arithOps = [];
            opSpans = [];
            continue;
          }
          const right = this.expression(operandNodes[i]!);
          arithOps.push(op.image as A.ArithOp);
          opSpans.push(tokenSpan(op));
          operands.push(right);
        }
        return chain();
      }
      case "coalesce": {
        const operandNodes = this.subs(node, "operands");
        if (operandNodes.length === 0) throw new Incomplete();
        const first = this.expression(operandNodes[0]!);
        if (operandNodes.length === 1) return first;
        // `(a otherwise b) otherwise c` is the chain `a otherwise b otherwise c`
        const values: A.Expr[] = first.$type === "Otherwise" ? [...first.values] : [first];
        for (let i = 1; i < operandNodes.length; i++) values.push(this.expression(operandNodes[i]!));
        return { $type: "Otherwise", values, span: this.join(first.span, values[values.length - 1]!.span) };
      }
      case "unary": {
        const inner = this.sub(node, "unary");
        if (inner) {
          const minus = this.need(node, "Minus");
          const operand = this.expression(inner);
          if (operand.$type === "MoneyLit" && !operand.negative) {
            return { ...operand, negative: true, span: this.join(tokenSpan(minus), operand.span) };
          }
          return { $type: "Unary", op: "-", operand, span: this.join(tokenSpan(minus), operand.span) };
        }
        return this.expression(this.needSub(node, "primary"));
      }
      case "primary":
        return this.primary(node);
      case "monthStarts": {
        const from = this.expression(this.needSub(node, "from"));
        const through = this.expression(this.needSub(node, "through"));
        return { $type: "MonthStarts", from, through, span: this.span(node) };
      }
      case "countOf":
        return {
          $type: "CountMet",
          items: this.subs(node, "expression").map((n) => this.condition(n)),
          span: this.span(node),
        };
      case "aggregate": {
        const events = this.tok(node, "events");
        const weeks = this.sub(node, "weeksWith");
        if (events || weeks) {
          const fn = this.need(node, "fn").image as "count" | "sum";
          const value = this.sub(node, "value");
          const where = this.sub(node, "where");
          return {
            $type: "EventAggregate",
            fn: weeks ? "weeks" : fn,
            events: this.ident(weeks ? this.need(weeks, "events") : events!),
            ...(value ? { value: this.expression(value) } : {}),
            ...(where ? { where: this.condition(where) } : {}),
            ...(weeks ? { atLeast: this.num(this.need(weeks, "atLeast")) } : {}),
            span: this.span(node),
          };
        }
        const fn = this.need(node, "fn").image as A.Aggregate["fn"];
        const popNode = this.sub(node, "populationRef");
        const value = this.sub(node, "value");
        const where = this.sub(node, "where");
        return {
          $type: "Aggregate",
          fn,
          population: popNode ? this.population(popNode).population : undefined,
          value: value ? this.expression(value) : undefined,
          where: where ? this.condition(where) : undefined,
          span: this.span(node),
        };
      }
      default:
        throw new Incomplete();
    }
  }

  /**
   * `90 days` as the right operand of `+` or `-` (the operand is nothing but the duration):
   * its amount and unit. A duration anywhere else is reported where it is converted.
   */
  private duration(node: CstNode): { amount: A.Expr; unit: A.DurationUnit; span: A.Span } | undefined {
    let n: CstNode | undefined = node;
    for (const [name, child] of [["multiplicative", "operands"], ["coalesce", "operands"], ["unary", "primary"]] as const) {
      if (!n || n.name !== name) return undefined;
      const kids = this.subs(n, child);
      if (kids.length !== 1 || this.sub(n, "unary")) return undefined;
      n = kids[0];
    }
    if (!n || n.name !== "primary") return undefined;
    const unitNode = this.sub(n, "durationUnit");
    if (!unitNode) return undefined;
    const unit = this.need(unitNode, "unit");
    const amountTok = this.tok(n, "NumberLit") ?? this.need(n, "Identifier");
    const amount: A.Expr = amountTok.tokenType.name === "NumberLit" ? this.num(amountTok) : { $type: "NameRef", name: amountTok.image, span: tokenSpan(amountTok) };
    const plural = (unit.image.endsWith("s") ? unit.image : `${unit.image}s`) as A.DurationUnit;
    return { amount, unit: plural, span: this.join(amount.span, tokenSpan(unit)) };
  }

  /** `latest of (score) over attempts where (…)`, `longest run of weeks with at least 1 sessions …`. */
  private eventTail(word: IToken, tail: CstNode, node: CstNode): A.EventAggregate {
    const weeks = this.sub(tail, "weeksWith");
    const value = this.sub(tail, "value");
    const where = this.sub(tail, "where");
    const excluding = this.tok(tail, "excluding");
    return {
      $type: "EventAggregate",
      fn: weeks ? "run" : (word.image as A.EventAggregate["fn"]),
      events: this.ident(weeks ? this.need(weeks, "events") : this.need(tail, "events")),
      ...(value ? { value: this.expression(value) } : {}),
      ...(where ? { where: this.condition(where) } : {}),
      ...(weeks ? { atLeast: this.num(this.need(weeks, "atLeast")) } : {}),
      ...(excluding ? { excluding: this.ident(excluding) } : {}),
      span: this.span(node),
    };
  }

  /** A duration (`90 days`) that is not added to or taken from a date: reported, read as its number. */
  private strayDuration(node: CstNode, amount: A.Expr): A.Expr {
    const unit = this.need(this.needSub(node, "durationUnit"), "unit");
    this.diagnostics.push(diag("OBC3801", { duration: `${this.text.slice(amount.span.start, amount.span.end)} ${unit.image}` }, { span: this.join(amount.span, tokenSpan(unit)), label: "a duration on its own" }));
    return amount;
  }

  private primary(node: CstNode): A.Expr {
    const c = this.ch(node);
    const t = (name: string) => this.tok(node, name);
    let x: IToken | undefined;
    if ((x = t("NumberLit"))) return this.sub(node, "durationUnit") ? this.strayDuration(node, this.num(x)) : this.num(x);
    if ((x = t("MoneyLit"))) return this.money(x);
    if ((x = t("PercentLit"))) {
      const p = this.percent(x);
      const of = this.sub(node, "of");
      if (of) {
        const target = this.expression(of);
        return { $type: "PercentOf", percent: p, of: target, span: this.join(p.span, target.span) };
      }
      return p;
    }
    if ((x = t("DateLit"))) return this.date(x);
    if ((x = t("StringLit"))) return this.str(x);
    if ((x = t("True"))) return { $type: "BoolLit", value: true, span: tokenSpan(x) };
    if ((x = t("False"))) return { $type: "BoolLit", value: false, span: tokenSpan(x) };
    if ((x = t("Identifier"))) {
      const name: A.NameRef = { $type: "NameRef", name: x.image, span: tokenSpan(x) };
      const tail = this.sub(node, "eventTail");
      if (tail) return this.eventTail(x, tail, node);
      const call = this.sub(node, "callArgs");
      if (call) {
        const close = this.tok(call, "RParen");
        return {
          $type: "Call",
          name: x.image,
          nameSpan: tokenSpan(x),
          args: this.subs(call, "args").map((a) => this.expression(a)),
          span: close ? this.join(tokenSpan(x), tokenSpan(close)) : this.span(node),
        };
      }
      return this.sub(node, "durationUnit") ? this.strayDuration(node, name) : name;
    }
    if (c.expression) {
      const inner = this.expression(this.needSub(node, "expression"));
      return { ...inner, span: this.span(node) };
    }
    for (const name of ["monthStarts", "countOf", "aggregate"]) {
      const n = this.sub(node, name);
      if (n) return this.expression(n);
    }
    throw new Incomplete();
  }
}
