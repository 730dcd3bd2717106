/**
 * What the editor needs to know about the names in a contract: the outline of its clauses
 * and the declared fields, metrics, clauses, parties, groups and data sets, with spans.
 */
import type * as A from "../../../language/ast.ts";
import { clauseId } from "../../../language/ast.ts";
import type { ContractIR } from "../../../language/check/ir.ts";
import type { OutlineItem, Symbols } from "./protocol.ts";

const POPULATION_WORD: Record<A.PopulationName, string> = {
  all: "student",
  eligible: "eligible student",
  identified: "identified student",
  served: "served student",
};

function oneLine(source: string, span: A.Span): string {
  return source.slice(span.start, span.end).replace(/\s+/g, " ").trim();
}

function exprText(e: A.Expr, source: string): string {
  return e.printed ?? oneLine(source, e.span);
}

function clauseDetail(c: A.PaymentClause, source: string): string {
  const amount = c.amount.$type === "FixedAmount" ? exprText(c.amount.amount, source) : `${c.amount.tiers.length} tiers`;
  return `${amount} per ${POPULATION_WORD[c.population]}`;
}

function outlineOf(items: readonly A.Item[], source: string, amendment?: string): OutlineItem[] {
  const out: OutlineItem[] = [];
  const extra = amendment !== undefined ? { amendment } : {};
  for (const item of items) {
    if (item.$type === "PaymentClause") {
      out.push({ id: clauseId(item.name.value), name: item.name.value, kind: item.kind, detail: clauseDetail(item, source), span: item.span, nameSpan: item.name.span, ...extra });
    } else if (item.$type === "CohortClause") {
      const detail = `${exprText(item.amount, source)}${item.over ? ` each period of ${item.over.name}` : " per cohort"}`;
      out.push({ id: clauseId(item.name.value), name: item.name.value, kind: "cohort", detail, span: item.span, nameSpan: item.name.span, ...extra });
    } else if (item.$type === "EscalationDecl") {
      out.push({ id: clauseId(item.name.value), name: item.name.value, kind: "escalation", detail: `${item.levels.length} levels over ${item.over.name}`, span: item.span, nameSpan: item.name.span, ...extra });
    } else if (item.$type === "AmendmentDecl") {
      out.push(...outlineOf(item.items, source, item.version.value));
    }
  }
  return out;
}

/** The contract's clauses, cohort clauses and escalations (amendments' clauses included), in source order. */
export function outline(contract: A.Contract, source: string): OutlineItem[] {
  return outlineOf(contract.items, source);
}

/** Every declared name the editor completes, explains or jumps to. */
export function symbols(ir: ContractIR, source: string): Symbols {
  const fields = ir.dataSets.flatMap((ds) =>
    ds.fields.map((f) => ({ name: f.name, type: f.type, optional: f.optional, dataSet: ds.name, nameSpan: f.decl.name.span })),
  );
  const metrics: Symbols["metrics"] = [...ir.metrics.values()].map((m) => ({
    name: m.name.name, kind: m.kind, definition: exprText(m.expr, source), nameSpan: m.name.span, scope: "students",
  }));
  for (const c of ir.cohorts) {
    for (const l of c.decl.lets) metrics.push({ name: l.name.name, kind: "let", definition: exprText(l.expr, source), nameSpan: l.name.span, scope: c.name });
  }
  for (const e of ir.escalations) {
    for (const m of e.decl.measures) metrics.push({ name: m.name.name, kind: "measure", definition: exprText(m.expr, source), nameSpan: m.name.span, scope: e.name });
  }
  const clauses: Symbols["clauses"] = [
    ...ir.clauses.map((c) => ({ id: c.id, name: c.name, kind: c.kind, nameSpan: c.decl.name.span, span: c.decl.span })),
    ...ir.cohorts.map((c) => ({ id: c.id, name: c.name, kind: "cohort" as const, nameSpan: c.decl.name.span, span: c.decl.span })),
  ];
  const parties = ir.parties.map((p) => ({ id: p.id, role: p.role, name: p.name, span: p.decl.span }));
  const populations = Object.values(ir.populations).map((p) => ({ which: p.which, condition: exprText(p.condition, source), span: p.span }));
  const dataSets = ir.dataSets.map((ds) => ({
    name: ds.name, kind: ds.kind, nameSpan: ds.decl.name.span,
    ...(ds.key !== undefined ? { key: ds.key } : {}),
    ...(ds.period !== undefined ? { period: ds.period } : {}),
  }));
  return { fields, metrics, clauses, parties, populations, dataSets };
}

export const EMPTY_SYMBOLS: Symbols = { fields: [], metrics: [], clauses: [], parties: [], populations: [], dataSets: [] };
