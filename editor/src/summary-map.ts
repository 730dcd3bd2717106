/**
 * The links between the summary's sentences and the contract's text, on the main thread.
 *
 * The summary itself (engine/summary, a `SummaryDoc`) is written by the language worker;
 * here its sentences (and table cells that carry a source range) are listed in reading
 * order, the same order as `sourceMap(doc)`, each with its index, which the summary panel
 * uses as the sentence's id, and the depth of its section, so that the sentences about the
 * text under the cursor can be found: all of them (highlighted in the panel) or the most
 * specific ones (shown in the hover).
 */
import type { Section, SummaryDoc } from "../../engine/summary/model.ts";
import type { Span } from "./service/protocol.ts";

export interface SummaryEntry {
  /** the position in reading order (= the index in `sourceMap(doc)`) */
  index: number;
  text: string;
  span: Span;
  /** 0 for the title block, 1 for a section, 2 for a subsection, … */
  depth: number;
  /** a table cell rather than a sentence */
  cell: boolean;
}

/** Every linked sentence and cell of a summary, in reading order. */
export function summaryEntries(doc: SummaryDoc | undefined): SummaryEntry[] {
  if (!doc) return [];
  const out: SummaryEntry[] = [];
  const add = (s: { text: string; span?: Span }, depth: number, cell: boolean) => {
    if (s.span) out.push({ index: out.length, text: s.text, span: { start: s.span.start, end: s.span.end }, depth, cell });
  };
  for (const r of doc.titleBlock) add(r.value, 0, true);
  const walk = (sec: Section, depth: number) => {
    for (const b of sec.blocks) {
      switch (b.type) {
        case "paragraph":
        case "definition":
          b.sentences.forEach((s) => add(s, depth, false));
          break;
        case "list":
          b.items.forEach((i) => i.forEach((s) => add(s, depth, false)));
          break;
        case "table":
          b.rows.forEach((r) => r.forEach((c) => add(c, depth, true)));
          break;
      }
    }
    sec.sections.forEach((s) => walk(s, depth + 1));
  };
  doc.sections.forEach((s) => walk(s, 1));
  return out;
}

const contains = (e: SummaryEntry, offset: number) => e.span.end > e.span.start && e.span.start <= offset && offset <= e.span.end;

/** The entries whose source range contains an offset (0-based), in reading order. */
export function entriesAt(entries: readonly SummaryEntry[], offset: number): SummaryEntry[] {
  return entries.filter((e) => contains(e, offset));
}

/**
 * The most specific sentences about the text at an offset: those with the shortest source
 * range containing it, from the deepest section (a clause's own subsection rather than the
 * introduction of its section); table cells only when no sentence matches.
 */
export function innermostAt(entries: readonly SummaryEntry[], offset: number): SummaryEntry[] {
  const all = entriesAt(entries, offset);
  const sentences = all.filter((e) => !e.cell);
  const pool = sentences.length > 0 ? sentences : all;
  if (pool.length === 0) return [];
  const len = (e: SummaryEntry) => e.span.end - e.span.start;
  const shortest = Math.min(...pool.map(len));
  const narrow = pool.filter((e) => len(e) === shortest);
  const deepest = Math.max(...narrow.map((e) => e.depth));
  return narrow.filter((e) => e.depth === deepest);
}
