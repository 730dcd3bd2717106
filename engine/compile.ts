/**
 * Compilation: from ContractIR to json-rules-engine rules.
 *
 * Input: a checked contract (no errors) and its source text. Output: a `RuleSet`, plain
 * JSON: one json-rules-engine rule per condition of the contract (each group of students,
 * each payment clause, each tier, each weight, each escalation level, each cohort clause
 * condition), every rule and every leaf condition traced to its source range, and the
 * facts the rules read.
 *
 * Conditions are put in negation normal form: `not` is pushed down to the leaves, whose
 * operators are OBC's own (`obcGte`, `obcIsMissing`, …). A leaf that reads a missing value
 * is false whichever way it is negated, so a rule succeeds exactly when its condition is
 * definitely true under three-valued logic; "unknown" is told apart from "false" by the
 * reference evaluator when the reason for a line is written.
 */
import type * as A from "../language/ast.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { LineIndex } from "../language/diagnostics/source.ts";

export interface SourceRef {
  start: number;
  end: number;
  line: number;
  column: number;
}

/** A leaf condition: `{ fact, operator, value }` with a name that keys its trace entry. */
export interface LeafCondition {
  name: string;
  fact: string;
  operator: ObcOperator;
  value: string | boolean | string[] | { fact: string };
}
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] };
export type TopCondition = { all: Condition[] } | { any: Condition[] };

export type RuleRole = "population" | "clause" | "tier" | "weight" | "level" | "cohort";
export type RuleScope = "student" | { period: string };

export interface ObcRule {
  name: string;
  priority: number;
  conditions: TopCondition;
  event: {
    type: "obc.rule";
    params: {
      rule: string;
      role: RuleRole;
      /** "student": run once per student; otherwise once per row of the named per-period data set */
      scope: string;
      clause?: string;
      tier?: number;
      population?: string;
      level?: number;
      text: string;
      source: SourceRef;
    };
  };
}

export interface FactDef {
  id: string;
  kind: "field" | "metric" | "condition" | "expression" | "population" | "clause" | "measure" | "let";
  text: string;
  source?: SourceRef;
}

export interface RuleSet {
  schema: "obc.rules/1";
  contract: { title: string; version?: string };
  operators: Record<ObcOperator, string>;
  facts: FactDef[];
  leaves: Record<string, { text: string; source: SourceRef }>;
  rules: ObcRule[];
}

export const OPERATORS = {
  obcLt: "less than (false when either side is missing)",
  obcLte: "at most",
  obcGt: "more than",
  obcGte: "at least",
  obcEq: "equal to",
  obcNe: "not equal to",
  obcIn: "one of the listed values",
  obcNotIn: "none of the listed values",
  obcIsMissing: "the value is missing",
  obcIsPresent: "the value is present",
  obcIs: "the yes/no value is the given one (false when missing)",
} as const;
export type ObcOperator = keyof typeof OPERATORS;

const OP: Record<string, ObcOperator> = { "<": "obcLt", "<=": "obcLte", ">": "obcGt", ">=": "obcGte", "=": "obcEq", "!=": "obcNe" };
const COMPLEMENT: Record<string, string> = { "<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "=" };
const FLIP: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!=" };

/** Encodes a literal as the text the rule's `value` carries ("70", "75%", "$900", "2026-10-15", "\"A\"", "true"). */
export function literalText(e: A.Expr): string | undefined {
  switch (e.$type) {
    case "NumberLit": return e.value;
    case "MoneyLit": return `${e.negative ? "-" : ""}$${e.value}`;
    case "PercentLit": return `${e.value}%`;
    case "DateLit": return e.value;
    case "BoolLit": return String(e.value);
    case "StringLit": return JSON.stringify(e.value);
    case "Unary":
      if (e.op === "-" && e.operand.$type === "NumberLit") return `-${e.operand.value}`;
      return undefined;
    default: return undefined;
  }
}

/** The fact id of an expression appearing in a rule. */
export function exprFactId(e: A.Expr): string {
  if (e.$type === "NameRef") return e.name;
  // expressions brought in by one template `use` share its span: their text tells them apart
  return e.printed !== undefined ? `expr:${e.span.start}-${e.span.end}:${e.printed}` : `expr:${e.span.start}-${e.span.end}`;
}

export class RuleCompiler {
  private readonly lines: LineIndex;
  readonly facts = new Map<string, FactDef>();
  readonly leaves: RuleSet["leaves"] = {};
  /** synthesized expression facts, by id, for the runner */
  readonly exprs = new Map<string, A.Expr>();
  private leafCount = 0;

  constructor(private readonly ir: ContractIR, private readonly source: string) {
    this.lines = new LineIndex(source);
  }

  ref(span: A.Span): SourceRef {
    const p = this.lines.position(span.start);
    return { start: span.start, end: span.end, line: p.line, column: p.column };
  }

  text(span: A.Span): string {
    return this.source.slice(span.start, span.end).replace(/\s+/g, " ");
  }

  private fact(e: A.Expr, kindHint?: FactDef["kind"]): string {
    const id = exprFactId(e);
    if (!this.facts.has(id)) {
      let kind: FactDef["kind"] = kindHint ?? "expression";
      if (e.$type === "NameRef" && !kindHint) {
        const m = this.ir.metrics.get(e.name);
        kind = this.ir.fields.has(e.name) ? "field" : m ? (m.kind === "condition" ? "condition" : "metric") : "measure";
      }
      this.facts.set(id, { id, kind, text: this.exprText(e), source: this.ref(e.span) });
      if (e.$type !== "NameRef") this.exprs.set(id, e);
    }
    return id;
  }

  /** The text of an expression: as written, or with the arguments written in when it came from a template. */
  exprText(e: { span: A.Span; printed?: string }): string {
    return e.printed ?? this.text(e.span);
  }

  private leaf(e: { span: A.Span; printed?: string }, fact: string, operator: ObcOperator, value: LeafCondition["value"]): LeafCondition {
    const name = `c${++this.leafCount}`;
    this.leaves[name] = { text: this.exprText(e), source: this.ref(e.span) };
    return { name, fact, operator, value };
  }

  /** Compiles a condition in negation normal form; `neg` is true under an odd number of `not`s. */
  condition(e: A.Expr, neg = false): Condition {
    switch (e.$type) {
      case "Logical": {
        const key = (e.op === "and") !== neg ? "all" : "any";
        const parts = e.operands.map((o) => this.condition(o, neg)).flatMap((c) =>
          key in c ? (c as Record<string, Condition[]>)[key]! : [c],
        );
        return key === "all" ? { all: parts } : { any: parts };
      }
      case "Binary": {
        let op = neg ? COMPLEMENT[e.op]! : e.op;
        let left = e.left;
        let right = e.right;
        if (literalText(left) !== undefined && literalText(right) === undefined) {
          [left, right] = [right, left];
          op = FLIP[op]!;
        }
        const lit = literalText(right);
        return this.leaf(e, this.fact(left), OP[op]!, lit !== undefined ? lit : { fact: this.fact(right) });
      }
      case "Unary":
        if (e.op === "not") {
          const inner = this.condition(e.operand, !neg);
          // a negated leaf is traced as written: `not "Algebra ready"`
          if ("name" in inner) this.leaves[inner.name] = { text: this.exprText(e), source: this.ref(e.span) };
          return inner;
        }
        return this.leaf(e, this.fact(e), "obcIs", !neg);
      case "InList": {
        const lits = e.items.map(literalText);
        if (lits.every((l) => l !== undefined)) {
          return this.leaf(e, this.fact(e.value), neg !== e.negated ? "obcNotIn" : "obcIn", lits as string[]);
        }
        return this.leaf(e, this.fact(e), "obcIs", !neg);
      }
      case "IsMissing":
        return this.leaf(e, this.fact(e.operand), neg !== e.negated ? "obcIsPresent" : "obcIsMissing", true);
      case "ClauseRef": {
        const c = this.ir.clauses.find((x) => x.name === e.name);
        const id = `clause:${c?.id ?? e.name}`;
        if (!this.facts.has(id)) this.facts.set(id, { id, kind: "clause", text: `"${e.name}" is met` });
        return this.leaf(e, id, "obcIs", !neg);
      }
      case "BoolLit":
        if (!this.facts.has("$true")) this.facts.set("$true", { id: "$true", kind: "expression", text: "always" });
        return this.leaf(e, "$true", "obcIs", e.value !== neg);
      default:
        return this.leaf(e, this.fact(e), "obcIs", !neg);
    }
  }

  populationGate(p: A.PopulationName, span: A.Span): Condition[] {
    if (p === "all") return [];
    const id = `population:${p}`;
    if (!this.facts.has(id)) this.facts.set(id, { id, kind: "population", text: `the student is ${p}` });
    const gate = this.leaf({ span }, id, "obcIs", true);
    this.leaves[gate.name]!.text = `the student is ${p}`;
    return [gate];
  }
}

/** The order in which clauses must be decided: a clause referred to by another comes first. */
export function clauseOrder(ir: ContractIR): ContractIR["clauses"] {
  const refs = new Map<string, Set<string>>();
  const collect = (e: A.Expr | undefined, out: Set<string>): void => {
    if (!e) return;
    if (e.$type === "ClauseRef") out.add(e.name);
    for (const v of Object.values(e)) {
      if (v && typeof v === "object" && "$type" in v) collect(v as A.Expr, out);
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && "$type" in x && collect(x as A.Expr, out));
    }
  };
  for (const c of ir.clauses) {
    const s = new Set<string>();
    collect(c.decl.condition, s);
    if (c.decl.amount.$type === "FixedAmount") collect(c.decl.amount.amount, s);
    else for (const t of c.decl.amount.tiers) { collect(t.condition, s); collect(t.amount, s); }
    refs.set(c.name, s);
  }
  const byName = new Map<string, ContractIR["clauses"][number]>();
  for (const c of ir.clauses) if (!byName.has(c.name)) byName.set(c.name, c);
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: ContractIR["clauses"] = [];
  // depth first, each clause after the clauses it refers to, with an explicit stack
  for (const root of ir.clauses) {
    if (done.has(root.name) || visiting.has(root.name)) continue;
    const stack: { c: ContractIR["clauses"][number]; refs: string[]; next: number }[] = [];
    const enter = (c: ContractIR["clauses"][number]) => {
      visiting.add(c.name);
      stack.push({ c, refs: [...(refs.get(c.name) ?? [])], next: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.refs.length) {
        const d = byName.get(top.refs[top.next++]!);
        if (d && !done.has(d.name) && !visiting.has(d.name)) enter(d);
        continue;
      }
      stack.pop();
      visiting.delete(top.c.name);
      done.add(top.c.name);
      out.push(top.c);
    }
  }
  return out;
}

export interface CompiledContract {
  ruleSet: RuleSet;
  /** synthesized expression facts, by fact id */
  exprs: Map<string, A.Expr>;
}

/** Compiles a checked contract to json-rules-engine rules. */
export function compileContract(ir: ContractIR, source: string): CompiledContract {
  const rc = new RuleCompiler(ir, source);
  const rules: ObcRule[] = [];
  const rule = (
    name: string,
    priority: number,
    conds: Condition[],
    params: Omit<ObcRule["event"]["params"], "rule" | "source" | "text">,
    span: A.Span,
  ) => {
    rules.push({
      name,
      priority,
      conditions: { all: conds },
      event: { type: "obc.rule", params: { rule: name, ...params, text: rc.text(span), source: rc.ref(span) } },
    });
  };
  // priorities: groups of students first, then clauses in dependency order, then weights
  const ordered = clauseOrder(ir);
  const top = 10 + (ordered.length + 1) * 2;
  const eligibility = ir.populations.eligible ?? ir.populations.identified;
  if (eligibility) {
    rule(`population:${eligibility.which}`, top + 20, [rc.condition(eligibility.condition)], { role: "population", scope: "student", population: eligibility.which }, eligibility.span);
  }
  const served = ir.populations.served;
  if (served) {
    const gate = eligibility ? rc.populationGate(eligibility.which, eligibility.whichSpan) : [];
    rule("population:served", top + 10, [...gate, rc.condition(served.condition)], { role: "population", scope: "student", population: "served" }, served.span);
  }
  ordered.forEach((c, i) => {
    const d = c.decl;
    // json-rules-engine runs higher priorities first and needs them above 0
    const priority = 10 + (ordered.length - i) * 2;
    const gate = rc.populationGate(d.population, d.populationSpan);
    const cond = d.condition ? [rc.condition(d.condition)] : [];
    if (d.amount.$type === "FixedAmount") {
      rule(`clause:${c.id}`, priority, [...gate, ...cond], { role: "clause", scope: "student", clause: c.id }, d.span);
    } else {
      const tierConds = d.amount.tiers.filter((t) => t.condition).map((t) => rc.condition(t.condition!));
      rule(`clause:${c.id}`, priority, [...gate, ...cond, { any: tierConds }], { role: "clause", scope: "student", clause: c.id }, d.span);
      d.amount.tiers.forEach((t, n) => {
        rule(`clause:${c.id}:tier:${n + 1}`, priority - 1, [...gate, ...cond, ...(t.condition ? [rc.condition(t.condition)] : [])], { role: "tier", scope: "student", clause: c.id, tier: n + 1 }, t.span);
      });
    }
  });
  ir.weights.forEach((w, i) => {
    rule(`weight:${i + 1}`, 1, [rc.condition(w.condition)], { role: "weight", scope: "student" }, w.span);
  });
  for (const esc of ir.escalations) {
    if (!esc.over) continue;
    for (const l of esc.decl.levels) {
      rule(`escalation:${esc.name}:level:${l.level.value}`, 10, [rc.condition(l.condition)], { role: "level", scope: esc.over.name, level: Number(l.level.value) }, l.span);
    }
  }
  for (const co of ir.cohorts) {
    if (!co.decl.condition) continue;
    rule(`cohort:${co.id}`, 10, [rc.condition(co.decl.condition)], { role: "cohort", scope: `cohort:${co.id}`, clause: co.id }, co.decl.span);
  }
  const facts = [...rc.facts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    ruleSet: {
      schema: "obc.rules/1",
      contract: { title: ir.title, version: ir.version },
      operators: { ...OPERATORS },
      facts,
      leaves: rc.leaves,
      rules,
    },
    exprs: rc.exprs,
  };
}
