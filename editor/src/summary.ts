/**
 * A plain-language summary of a contract, one sentence per clause, built from the AST.
 *
 * This is a simple, honest stand-in for the project's summary module: every sentence names
 * the clause's kind and name, and quotes the amount, group of students and condition exactly
 * as the contract writes them (sliced from the source), so nothing is paraphrased wrongly.
 * It runs in the language worker; the editor only shows the sentences.
 */
import type * as A from "../../language/ast.ts";
import { clauseId } from "../../language/ast.ts";

export interface SummarySentence {
  /** a stable key: the clause id, or "cap:student", "funding", … */
  id: string;
  /** what the sentence is about: a clause kind, "cohort", "cap", "floor", "funding" */
  kind: string;
  /** the clause name, for clause sentences */
  clause?: string;
  text: string;
  /** the statement the sentence describes (0-based offsets) */
  span: { start: number; end: number };
}

const KIND_WORD: Record<A.ClauseKind, string> = {
  base: "Base payment",
  milestone: "Milestone",
  outcome: "Outcome payment",
  partial: "Partial payment",
  bonus: "Bonus",
  penalty: "Penalty",
  payment: "Payment",
};

const GROUP: Record<A.PopulationName, string> = {
  all: "each student",
  eligible: "each eligible student",
  identified: "each identified student",
  served: "each served student",
};

/** The source text of a node on one line (template expressions carry their printed text). */
function textOf(node: { span: A.Span; printed?: string }, source: string): string {
  if (node.printed !== undefined) return node.printed;
  return source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
}

function quote(name: string): string {
  return `“${name}”`;
}

function tiersPhrase(amount: A.TieredAmount, source: string): string {
  return amount.tiers
    .map((t) => (t.condition ? `${textOf(t.amount, source)} when ${textOf(t.condition, source)}` : `otherwise ${textOf(t.amount, source)}`))
    .join("; ");
}

function paymentSentence(c: A.PaymentClause, weights: A.WeightDecl[], caps: A.CapDecl[], source: string): string {
  const due = c.due ? ` (due ${c.due.value})` : "";
  let s = `${KIND_WORD[c.kind]} ${quote(c.name.value)}${due}`;
  if (c.amount.$type === "FixedAmount") {
    s += ` pays ${textOf(c.amount.amount, source)} for ${GROUP[c.population]}`;
    s += c.condition ? ` when ${textOf(c.condition, source)}` : ", with no further condition";
  } else {
    s += ` pays ${GROUP[c.population]} the first of these amounts whose condition holds: ${tiersPhrase(c.amount, source)}`;
    if (c.condition) s += `; only when ${textOf(c.condition, source)}`;
  }
  if (c.missing) {
    s += c.missing.outcome === "not-met"
      ? "; when a value it needs is missing, the clause is not met"
      : "; a student whose values are missing is left out of this clause";
  }
  s += ".";
  for (const w of weights) s += ` The amount is multiplied by ${w.factor.value} for students with ${textOf(w.condition, source)}.`;
  for (const cap of caps) s += ` All its payments together are capped at ${textOf(cap.amount, source)}.`;
  return s;
}

function cohortSentence(c: A.CohortClause, data: A.DataDecl[], source: string): string {
  const due = c.due ? ` (due ${c.due.value})` : "";
  const period = data.find((d) => d.name.name === c.over?.name)?.period?.name ?? "period";
  const when = c.over ? ` once for each ${period} of the ${c.over.name} data` : " once for the whole cohort";
  let s = `Cohort payment ${quote(c.name.value)}${due} pays ${textOf(c.amount, source)}${when}`;
  if (c.condition) s += ` when ${textOf(c.condition, source)}`;
  s += ".";
  if (c.lets.length > 0) s += ` It uses ${c.lets.map((l) => `${l.name.name} = ${textOf(l.expr, source)}`).join("; ")}.`;
  return s;
}

function capSentence(c: A.CapDecl, source: string): string | undefined {
  const amount = textOf(c.amount, source);
  const shared = c.allocation === "in-order" ? ", taken in the order the clauses are written" : ", shared pro rata";
  if (c.scope === "student") return `No student's payments add up to more than ${amount}${c.allocationSpan ? shared : ""}.`;
  if (c.scope === "contract") return `The whole contract pays at most ${amount}${shared}.`;
  return undefined; // clause caps are told with their clause
}

function fundingSentence(f: A.FundingDecl): string {
  const parts = f.shares.map((s) => (s.percent ? `${s.party.name} pays ${s.percent.value}%` : `${s.party.name} pays the rest`));
  return `Each payment line is split: ${parts.join(", ")}.`;
}

/**
 * One sentence per payment clause, cohort clause, cap, floor and funding section, in the
 * order they are written.
 * @param contract the contract's AST
 * @param source the text the AST was parsed from
 */
export function summarize(contract: A.Contract, source: string): SummarySentence[] {
  const items = contract.items;
  const weights = items.filter((i): i is A.WeightDecl => i.$type === "WeightDecl");
  const clauseCaps = items.filter((i): i is A.CapDecl => i.$type === "CapDecl" && i.scope === "clause");
  const data = items.filter((i): i is A.DataDecl => i.$type === "DataDecl");
  const out: SummarySentence[] = [];
  for (const item of items) {
    switch (item.$type) {
      case "PaymentClause": {
        const name = item.name.value;
        const text = paymentSentence(
          item,
          weights.filter((w) => w.clauses.some((c) => c.value === name)),
          clauseCaps.filter((c) => c.clause?.value === name),
          source,
        );
        out.push({ id: clauseId(name), kind: item.kind, clause: name, text, span: item.span });
        break;
      }
      case "CohortClause":
        out.push({ id: clauseId(item.name.value), kind: "cohort", clause: item.name.value, text: cohortSentence(item, data, source), span: item.span });
        break;
      case "CapDecl": {
        const text = capSentence(item, source);
        if (text) out.push({ id: `cap:${item.scope}`, kind: "cap", text, span: item.span });
        break;
      }
      case "FloorDecl":
        out.push({ id: "floor", kind: "floor", text: `No student's total falls below ${textOf(item.amount, source)}.`, span: item.span });
        break;
      case "FundingDecl":
        out.push({ id: "funding", kind: "funding", text: fundingSentence(item), span: item.span });
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * The sentence about the statement at an offset, if any.
 * @param sentences the summary
 * @param offset a 0-based offset into the same text
 */
export function sentenceAt(sentences: readonly SummarySentence[], offset: number): SummarySentence | undefined {
  return sentences.find((s) => s.span.start <= offset && offset <= s.span.end);
}
