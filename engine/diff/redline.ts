/**
 * A redline: the plain-language summary of the later version, with every difference from the
 * earlier version's summary marked as an insertion or a deletion, clause text in context.
 *
 *   redlineDocument(older, newer, diff, opts) → SummaryDoc with `runs` (render with `toDocx`)
 *
 * Input: both checked versions with their sources, the comparison in business terms
 * (`diffContracts`), and the document options. Output: a document that opens with the versions
 * compared, both sources' SHA-256, the date the changes take effect and the changes in brief,
 * then every section of the summary (numbered as in the later version's summary), aligned
 * section by section and block by block with the earlier one: sections, paragraphs, list items
 * and table rows that appear or disappear are inserted or deleted whole; those that changed
 * are compared word by word. The Word renderer turns the marks into tracked changes.
 * Browser-safe.
 */
import type { ContractIR } from "../../language/check/ir.ts";
import { formatDate, joinList } from "../summary/format.ts";
import type { Block, Cell, Run, Section, Sentence, SummaryDoc } from "../summary/model.ts";
import { sha256Hex } from "../summary/sha256.ts";
import { summarize } from "../summary/summary.ts";
import type { DiffResult } from "./diff.ts";
import { diffDocument } from "./render.ts";

export interface RedlineOptions {
  oldName?: string;
  newName?: string;
  /** the date the later version takes effect (default: its newest amendment that the earlier one lacks) */
  effective?: string;
  /** who the tracked changes are attributed to (default "OBC") */
  author?: string;
  /** the date of the tracked changes and of the document (YYYY-MM-DD) */
  generated?: string;
  status?: "draft" | "for-signature";
  exhibit?: string;
  paper?: "letter" | "a4";
  obcVersion?: string;
  cohortSize?: number;
}

// ───────────────────────────── comparing sequences ─────────────────────────────

/** The longest common subsequence of two sequences under `same`: pairs of indexes. */
function lcs<T>(a: T[], b: T[], same: (x: T, y: T) => boolean): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i]![j] = same(a[i]!, b[j]!) ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (same(a[i]!, b[j]!)) {
      out.push([i, j]);
      i++;
      j++;
    } else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

type Aligned<T> = { old?: T; new?: T };

/**
 * Two sequences aligned: items equal under `same` are matched; between them, items left on
 * both sides are paired in order when `pairable` (a changed item), else one is deleted and
 * the other inserted. The order is the later sequence's, deletions placed where they stood.
 */
function align<T>(a: T[], b: T[], same: (x: T, y: T) => boolean, pairable: (x: T, y: T) => boolean): Aligned<T>[] {
  const out: Aligned<T>[] = [];
  const anchors = [...lcs(a, b, same), [a.length, b.length] as [number, number]];
  let i = 0;
  let j = 0;
  for (const [ai, bj] of anchors) {
    const olds = a.slice(i, ai);
    const news = b.slice(j, bj);
    while (olds.length && news.length && pairable(olds[0]!, news[0]!)) out.push({ old: olds.shift()!, new: news.shift()! });
    for (const o of olds) out.push({ old: o });
    for (const x of news) out.push({ new: x });
    if (ai < a.length && bj < b.length) out.push({ old: a[ai]!, new: b[bj]! });
    i = ai + 1;
    j = bj + 1;
  }
  return out;
}

const MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December";
/**
 * Dates, words, amounts, single punctuation marks and the spaces between them: "rises from
 * $900.00," → 7 tokens; a date ("28 February 2027") is one token, so a moved date is struck and
 * inserted whole.
 */
const TOKEN = new RegExp(`\\d{1,2} (?:${MONTHS}) \\d{4}|\\s+|[$£€]?\\d[\\d,]*(?:\\.\\d+)?%?|[\\p{L}\\p{N}_][\\p{L}\\p{N}_'’-]*|.`, "gu");
function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Kept, deleted and inserted pieces turning `before` into `after`, word by word. */
export function diffWords(before: string, after: string): Run[] {
  if (before === after) return [{ text: after }];
  const a = tokens(before);
  const b = tokens(after);
  const runs: Run[] = [];
  const push = (text: string, change?: "ins" | "del") => {
    const last = runs[runs.length - 1];
    if (last && last.change === change) last.text += text;
    else runs.push(change ? { text, change } : { text });
  };
  const common = lcs(a, b, (x, y) => x === y);
  // text mostly rewritten reads better struck through whole, then inserted whole
  const kept = common.filter(([ai]) => a[ai]!.trim()).length;
  const words = Math.max(a.filter((t) => t.trim()).length, b.filter((t) => t.trim()).length);
  if (kept < words / 2) return [...(before ? [{ text: before, change: "del" as const }] : []), ...(after ? [{ text: after, change: "ins" as const }] : [])];
  // the edit, token by token: kept, deleted or inserted
  const ops: { text: string; change?: "ins" | "del" }[] = [];
  let i = 0;
  let j = 0;
  for (const [ai, bj] of [...common, [a.length, b.length] as [number, number]]) {
    for (; i < ai; i++) ops.push({ text: a[i]!, change: "del" });
    for (; j < bj; j++) ops.push({ text: b[j]!, change: "ins" });
    if (bj < b.length) ops.push({ text: b[bj]! });
    i = ai + 1;
    j = bj + 1;
  }
  // a phrase changed word by word reads as one change: a space kept between two changes joins
  // them, and each change shows all its deleted words, then all its inserted ones
  for (let k = 0; k < ops.length; ) {
    if (!ops[k]!.change) {
      push(ops[k]!.text);
      k++;
      continue;
    }
    let del = "";
    let ins = "";
    for (; k < ops.length; k++) {
      const op = ops[k]!;
      const joins = !op.change && !op.text.trim() && ops[k - 1]?.change && ops[k + 1]?.change;
      if (!op.change && !joins) break;
      if (op.change !== "ins") del += op.text;
      if (op.change !== "del") ins += op.text;
    }
    if (del) push(del, "del");
    if (ins) push(ins, "ins");
  }
  return runs;
}

/** How much two texts share, from 0 to 1: whether a changed paragraph is the same one changed. */
function likeness(x: string, y: string): number {
  const a = tokens(x).filter((t) => t.trim());
  const b = tokens(y).filter((t) => t.trim());
  if (!a.length || !b.length) return 0;
  return (2 * lcs(a, b, (p, q) => p === q).length) / (a.length + b.length);
}

// ───────────────────────────── comparing documents ─────────────────────────────

const text = (ss: Sentence[]) => ss.map((s) => s.text).join(" ");
const whole = (ss: Sentence[], change: "ins" | "del"): Sentence[] => ss.map((s) => ({ ...s, runs: [{ text: s.text, change }] }));
const compared = (a: Sentence[], b: Sentence[]): Sentence[] => [{ text: text(b), span: b[0]?.span ?? a[0]!.span, runs: diffWords(text(a), text(b)) }];
const cellsOf = (r: Cell[], change: "ins" | "del"): Cell[] => r.map((c) => ({ ...c, runs: [{ text: c.text, change }] }));

function blockKey(b: Block): string {
  switch (b.type) {
    case "paragraph": return `p:${text(b.sentences)}`;
    case "definition": return `d:${text(b.sentences)}`;
    case "list": return `l:${b.style}:${b.items.map(text).join("|")}`;
    case "table": return `t:${b.caption ?? ""}:${b.header.join("|")}:${b.rows.map((r) => r.map((c) => c.text).join("|")).join("/")}`;
  }
}

function pairableBlocks(x: Block, y: Block): boolean {
  if (x.type !== y.type) return false;
  switch (x.type) {
    case "paragraph": return likeness(text(x.sentences), text((y as typeof x).sentences)) >= 0.3;
    case "definition": return x.term === (y as typeof x).term;
    case "list": return x.style === (y as typeof x).style;
    case "table": return (x.caption ?? "") === ((y as typeof x).caption ?? "") || x.header.join("|") === (y as typeof x).header.join("|");
  }
}

function markBlock(b: Block, change: "ins" | "del"): Block {
  switch (b.type) {
    case "paragraph": return { ...b, sentences: whole(b.sentences, change) };
    case "definition": return { ...b, sentences: whole(b.sentences, change) };
    case "list": return { ...b, items: b.items.map((i) => whole(i, change)) };
    case "table": return { ...b, rows: b.rows.map((r) => cellsOf(r, change)) };
  }
}

function compareBlocks(a: Block, b: Block): Block {
  if (blockKey(a) === blockKey(b)) return b;
  switch (b.type) {
    case "paragraph": return { ...b, sentences: compared((a as typeof b).sentences, b.sentences) };
    case "definition": return { ...b, sentences: compared((a as typeof b).sentences, b.sentences) };
    case "list": {
      const items = align((a as typeof b).items, b.items, (x, y) => text(x) === text(y), (x, y) => likeness(text(x), text(y)) >= 0.3);
      return { ...b, items: items.map((p) => (p.old && p.new ? (text(p.old) === text(p.new) ? p.new : compared(p.old, p.new)) : p.new ? whole(p.new, "ins") : whole(p.old!, "del"))) };
    }
    case "table": {
      const key = (r: Cell[]) => r.map((c) => c.text).join("|");
      const rows = align((a as typeof b).rows, b.rows, (x, y) => key(x) === key(y), (x, y) => (x[0]?.text ?? "") === (y[0]?.text ?? "") || likeness(key(x), key(y)) >= 0.5);
      return {
        ...b,
        rows: rows.map((p) => {
          if (p.old && p.new) return key(p.old) === key(p.new) ? p.new : p.new.map((c, i) => (c.text === (p.old![i]?.text ?? "") ? c : { ...c, runs: diffWords(p.old![i]?.text ?? "", c.text) }));
          return p.new ? cellsOf(p.new, "ins") : cellsOf(p.old!, "del");
        }),
      };
    }
  }
}

function markSection(s: Section, change: "ins" | "del"): Section {
  return { ...s, change, blocks: s.blocks.map((b) => markBlock(b, change)), sections: s.sections.map((x) => markSection(x, change)) };
}

function compareSections(a: Section[], b: Section[]): Section[] {
  const pairs = align(a, b, (x, y) => x.title === y.title, (x, y) => likeness(x.title, y.title) >= 0.5);
  return pairs.map((p) => {
    if (!p.old) return markSection(p.new!, "ins");
    if (!p.new) return markSection(p.old, "del");
    const blocks = align(p.old.blocks, p.new.blocks, (x, y) => blockKey(x) === blockKey(y), pairableBlocks)
      .map((x) => (x.old && x.new ? compareBlocks(x.old, x.new) : x.new ? markBlock(x.new, "ins") : markBlock(x.old!, "del")));
    return {
      ...p.new,
      ...(p.old.title !== p.new.title ? { titleRuns: diffWords(p.old.title, p.new.title) } : {}),
      blocks,
      sections: compareSections(p.old.sections, p.new.sections),
    };
  });
}

/** Whether a section (or anything in it) carries a change. */
function changed(s: Section): boolean {
  const runs = (ss: Sentence[] | Cell[]) => ss.some((x) => x.runs?.some((r) => r.change));
  return !!s.change || !!s.titleRuns || s.sections.some(changed) || s.blocks.some((b) => {
    switch (b.type) {
      case "paragraph":
      case "definition": return runs(b.sentences);
      case "list": return b.items.some(runs);
      case "table": return b.rows.some(runs);
    }
  });
}

/** The newest amendment of the later version that the earlier one does not have: when the later version takes effect. */
function effectiveDate(o: ContractIR, n: ContractIR): string | undefined {
  const fresh = n.amendments.filter((a) => !o.amendments.some((x) => x.version === a.version));
  return fresh.length ? fresh[fresh.length - 1]!.effective : undefined;
}

/** The redline of two versions (see the file comment). */
export function redlineDocument(
  older: { ir: ContractIR; source: string },
  newer: { ir: ContractIR; source: string },
  diff: DiffResult,
  opts: RedlineOptions = {},
): SummaryDoc {
  const summary = (v: { ir: ContractIR; source: string }) => summarize(v.ir, v.source, { ...(opts.cohortSize ? { cohortSize: opts.cohortSize } : {}) });
  const before = summary(older);
  const after = summary(newer);
  const brief = diffDocument(diff, { ...(opts.oldName ? { oldName: opts.oldName } : {}), ...(opts.newName ? { newName: opts.newName } : {}) });
  const effective = opts.effective ?? effectiveDate(older.ir, newer.ir);
  const author = opts.author ?? "OBC";
  const generated = opts.generated ?? "2000-01-01";
  const sha = { old: sha256Hex(older.source), new: sha256Hex(newer.source) };
  const nowhere = { start: 0, end: 0 };
  const S = (t: string): Sentence => ({ text: t, span: nowhere });
  const version = (ir: ContractIR, name?: string) => `${ir.title}${ir.version ? `, version ${ir.version}` : ""}${name ? ` (${name})` : ""}`;
  const sections = compareSections(before.sections, after.sections);
  const n = diff.changes.filter((c) => c.kind !== "effect").length;
  const effects = diff.changes.length - n;
  const titleBlock = [
    { label: "Status", value: S(opts.status === "for-signature" ? "For signature" : "Draft: not for signature") },
    { label: "Earlier version", value: S(version(older.ir, opts.oldName)) },
    { label: "Earlier source", value: S(`SHA-256 ${sha.old}`) },
    { label: "Later version", value: S(version(newer.ir, opts.newName)) },
    { label: "Later source", value: S(`SHA-256 ${sha.new}`) },
    { label: "Takes effect", value: S(effective ? formatDate(effective) : "Not stated: on the date the later version is signed") },
    { label: "Changes", value: S(diff.equal ? "None: the two versions say the same thing." : `${n} ${n === 1 ? "change" : "changes"}${effects ? `, with ${effects} knock-on ${effects === 1 ? "effect" : "effects"}` : ""}, tracked below as insertions and deletions by ${author}`) },
  ];
  const briefSection: Section = {
    number: "",
    title: "The changes in brief",
    unnumbered: true,
    blocks: brief.sections.flatMap((s) => [{ type: "paragraph", sentences: [S(`${s.title}:`)] } as Block, ...s.blocks]),
    sections: [],
  };
  const changedSections = sections.filter(changed).map((s) => s.number).filter((x) => x);
  const exhibit = opts.exhibit ?? "Exhibit A";
  return {
    schema: "obc.summary/1",
    kind: "comparison",
    title: diff.old.title === diff.new.title ? `Redline of \u201c${diff.new.title}\u201d` : `Redline from \u201c${diff.old.title}\u201d to \u201c${diff.new.title}\u201d`,
    subtitle: `The plain-language summary of the later version, with each difference from the earlier version's summary tracked as an insertion or a deletion${changedSections.length ? ` (in ${changedSections.length === 1 ? "section" : "sections"} ${joinList(changedSections)})` : ""}. Accept or reject them in Word.`,
    titleBlock,
    sections: [briefSection, ...sections],
    terms: [],
    meta: {
      status: opts.status ?? "draft",
      exhibit,
      header: `${exhibit}: redline of \u201c${diff.new.title}\u201d, ${diff.old.version ? `version ${diff.old.version}` : "earlier version"} to ${diff.new.version ? `version ${diff.new.version}` : "later version"}${effective ? `, in force from ${formatDate(effective)}` : ""}`,
      version: diff.new.version ? `version ${diff.new.version}` : "",
      sources: [
        { name: `Earlier: ${opts.oldName ?? "earlier version"}`, sha256: sha.old },
        { name: `Later: ${opts.newName ?? "later version"}`, sha256: sha.new },
      ],
      ...(opts.obcVersion ? { obcVersion: opts.obcVersion } : {}),
      generated,
      paper: opts.paper ?? (["GBP", "EUR"].includes(newer.ir.currency) ? "a4" : "letter"),
      changes: { author, date: `${generated}T00:00:00Z` },
    },
  };
}
