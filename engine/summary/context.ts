/**
 * What every part of a summary is written with: the contract (the version the body shows and
 * the contract as written), its analysis, the section numbers decided before the text, and the
 * defined terms collected on the way; with the small helpers that build sentences and sections.
 * Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR } from "../../language/check/ir.ts";
import type { ContractAnalysis } from "./analysis.ts";
import type { WorkedExamples } from "./examples.ts";
import { moneyText } from "./format.ts";
import type { Block, Section, Sentence } from "./model.ts";
import type { VersionInForce } from "./versions.ts";

export interface Ctx {
  /** the terms the body shows: the version in force on the summary's date, each clause as the engine computes it */
  ir: ContractIR;
  /** the contract as written, with its amendments */
  original: ContractIR;
  versions: VersionInForce[];
  body: VersionInForce;
  source: string;
  analysis: ContractAnalysis;
  titleSpan: A.Span;
  noun: string;
  nouns: string;
  /** section numbers by key, decided before the text is written */
  num: Map<string, string>;
  terms: { term: string; span: A.Span }[];
  /** the worked examples of the version the body shows, when there are any */
  examples?: WorkedExamples;
  /** the checker's warnings on the contract, listed under "Points to check" */
  warnings: number;
}

export const S = (text: string, span: A.Span): Sentence => ({ text, span });
export const para = (...sentences: Sentence[]): Block => ({ type: "paragraph", sentences });

export type SubSection = Omit<Section, "number" | "version"> & { version?: string | undefined };

/** A numbered section (its number decided in advance by key) with numbered subsections. */
export function section(c: Ctx, key: string, title: string, blocks: Block[], sections: SubSection[] = []): Section {
  const n = c.num.get(key)!;
  return {
    number: n,
    title,
    blocks,
    sections: sections.map(({ version, ...s }, i) => ({ ...s, number: `${n}.${i + 1}`, ...(version !== undefined ? { version } : {}) })),
  };
}

/** " (section 6)" for a section the summary has, " (Schedule A)" for a schedule, else nothing. */
export function ref(c: Ctx, key: string): string {
  const n = c.num.get(key);
  if (!n) return "";
  return /^[A-Z]$/.test(n) ? ` (Schedule ${n})` : ` (section ${n})`;
}

export function itemOf<K extends A.Item["$type"]>(ir: ContractIR, type: K): Extract<A.Item, { $type: K }> | undefined {
  return ir.ast.items.find((i) => i.$type === type) as Extract<A.Item, { $type: K }> | undefined;
}

export function define(c: Ctx, term: string, span: A.Span): void {
  if (!c.terms.some((t) => t.term === term)) c.terms.push({ term, span });
}

/** An amount of the analysis in words: "$1,580.00", or "no upper bound". */
export function m(c: Ctx, value: string | null): string {
  return value === null ? "no upper bound" : moneyText(value, c.ir.currency);
}
