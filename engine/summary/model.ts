/**
 * The format-neutral document model of plain-language summaries and comparisons.
 *
 * A `SummaryDoc` is a title block, numbered sections (with subsections) of blocks:
 * paragraphs made of sentences, lists, tables and definitions. Every sentence carries the
 * source span of the clause it renders, so the editor can link a sentence to its source and
 * `sourceMap` can list them; table cells may carry one too. The renderers (Markdown, HTML,
 * Word) read only this model. Browser-safe, plain JSON.
 */
import type { Span } from "../../language/ast.ts";

/** A piece of a redlined sentence or cell: kept, inserted or deleted text. */
export interface Run {
  text: string;
  change?: "ins" | "del";
}

export interface Sentence {
  /** the text (in a redline: the text after the change) */
  text: string;
  /** the source range of the clause (or declaration) the sentence renders */
  span: Span;
  /** in a redline: the text as kept, inserted and deleted pieces, in reading order */
  runs?: Run[];
}

export interface Cell {
  text: string;
  span?: Span;
  runs?: Run[];
}

export type Block =
  | { type: "paragraph"; sentences: Sentence[] }
  /** `letters`: (a), (b), …; `numbers`: 1., 2., …; `bullets` */
  | { type: "list"; style: "letters" | "numbers" | "bullets"; items: Sentence[][] }
  | { type: "table"; caption?: string; header: string[]; rows: Cell[][] }
  /** a defined term: the first sentence starts with the quoted term */
  | { type: "definition"; term: string; sentences: Sentence[] };

export interface Section {
  /** "4" or "4.2"; a schedule's letter, "A", and its subsections "A.1" */
  number: string;
  title: string;
  blocks: Block[];
  sections: Section[];
  /** a schedule at the end of the document (the worked examples), not a numbered section */
  schedule?: boolean;
  /** the version of the contract this part is computed under, when the document shows several */
  version?: string;
  /** set apart in a box (the red flags) */
  box?: boolean;
  /** a heading without a number (the preface of a redline) */
  unnumbered?: boolean;
  /** in a redline: the whole section inserted or deleted */
  change?: "ins" | "del";
  /** in a redline: the title's kept, inserted and deleted pieces, when it changed */
  titleRuns?: Run[];
}

export interface TitleRow {
  label: string;
  value: Sentence;
}

/** What the pages of a printed document carry: its status, exhibit label, sources and paper. */
export interface DocMeta {
  /** a draft is marked DRAFT on every page */
  status: "draft" | "for-signature";
  /** "Exhibit A" */
  exhibit: string;
  /** the running header of every page: the exhibit, the contract and the version shown */
  header: string;
  /** the version the body shows, in words ("version 1.0"), for the pages of parts that name none */
  version: string;
  /** the source texts the document renders, with the SHA-256 of each */
  sources: { name: string; sha256: string }[];
  obcVersion?: string;
  /** the date the document was generated, YYYY-MM-DD */
  generated?: string;
  paper: "letter" | "a4";
  /** for a redline: who made the changes and when they take effect (tracked changes carry them) */
  changes?: { author: string; date: string };
}

export interface SummaryDoc {
  schema: "obc.summary/1";
  kind: "summary" | "comparison";
  title: string;
  subtitle: string;
  titleBlock: TitleRow[];
  sections: Section[];
  /** the defined terms, in the order they are defined */
  terms: { term: string; span: Span }[];
  meta?: DocMeta;
}

/** A section's heading as text: "4. Caps", "4.2 …", "Schedule A. Worked examples". */
export function headingText(s: Section): string {
  if (s.unnumbered) return s.title;
  if (s.schedule) return `Schedule ${s.number}. ${s.title}`;
  return `${s.number}${s.number.includes(".") ? "" : "."} ${s.title}`;
}

export interface SourceMapEntry {
  sentence: string;
  start: number;
  end: number;
}

/** Every sentence (and table cell with a source) of a document with its source range, in reading order. */
export function sourceMap(doc: SummaryDoc): SourceMapEntry[] {
  const out: SourceMapEntry[] = [];
  const add = (s: { text: string; span?: Span }) => {
    if (s.span) out.push({ sentence: s.text, start: s.span.start, end: s.span.end });
  };
  for (const r of doc.titleBlock) add(r.value);
  const walk = (sec: Section) => {
    for (const b of sec.blocks) {
      switch (b.type) {
        case "paragraph":
        case "definition":
          b.sentences.forEach(add);
          break;
        case "list":
          b.items.forEach((i) => i.forEach(add));
          break;
        case "table":
          b.rows.forEach((r) => r.forEach(add));
          break;
      }
    }
    sec.sections.forEach(walk);
  };
  doc.sections.forEach(walk);
  return out;
}

/** The plain text of a document, for searching and tests. */
export function plainText(doc: SummaryDoc): string {
  const lines: string[] = [doc.title, doc.subtitle];
  for (const r of doc.titleBlock) lines.push(`${r.label}: ${r.value.text}`);
  const walk = (sec: Section) => {
    lines.push(headingText(sec));
    for (const b of sec.blocks) {
      switch (b.type) {
        case "paragraph":
        case "definition":
          lines.push(b.sentences.map((s) => s.text).join(" "));
          break;
        case "list":
          b.items.forEach((i) => lines.push(i.map((s) => s.text).join(" ")));
          break;
        case "table":
          if (b.caption) lines.push(b.caption);
          lines.push(b.header.join(" | "));
          b.rows.forEach((r) => lines.push(r.map((c) => c.text).join(" | ")));
          break;
      }
    }
    sec.sections.forEach(walk);
  };
  doc.sections.forEach(walk);
  return lines.join("\n");
}
