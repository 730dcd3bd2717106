/**
 * The Word renderer of a `SummaryDoc`: an exhibit a district's counsel can attach and sign.
 *
 * Output: the bytes of a .docx file (WordprocessingML written here, zipped with fflate), the
 * same bytes for the same document. What the pages carry:
 * - US Letter (A4 when the document says so), margins of one inch;
 * - a header with the exhibit label, the contract and the version the pages show (each
 *   schedule names its own version), and DRAFT on every page of a draft; a footer with the
 *   SHA-256 of each source, the date and OBC version, and "Page X of Y" (Word fields);
 * - Word's own numbering of headings (a multilevel list linked to the heading styles; the
 *   schedules lettered "Schedule A", "A.1"), and each "section 6" or "Schedule A" in the text a
 *   cross-reference field to that heading;
 * - tables with columns sized to their content so that no word is broken inside a cell (a
 *   smaller type when the page is too narrow), the header row repeated on each page, rows
 *   never split across pages; the red flags in a box;
 * - in a redline, Word tracked changes (insertions and deletions with their author and date),
 *   down to whole paragraphs and table rows, which Word and LibreOffice show and can accept
 *   or reject.
 * Browser-safe.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import type { Block, Cell, DocMeta, Run, Section, Sentence, SummaryDoc } from "./model.ts";
import { longestWord, textWidth } from "./textwidth.ts";

const FONT = "Times New Roman";
/** twips (1/20 pt) */
const INCH = 1440;
const PAPER = { letter: { w: 12240, h: 15840 }, a4: { w: 11906, h: 16838 } } as const;
/** the size of the page header's text, half-points */
const HEADER_SIZE = 17;
/** the cell margin on each side, twips */
const CELL_PAD = 80;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

interface Change {
  author: string;
  date: string;
}

/** Numbered lists each restart at 1: one `w:num` per list, over the three list styles. */
const LIST_ABSTRACT = { bullets: 2, letters: 3, numbers: 4 } as const;
const NUM_HEADINGS = 1;
const NUM_SCHEDULES = 2;

/** What the parts of one document share: its lists, the ids of its changes and bookmarks. */
interface State {
  /** w:num ids of the lists, with the abstract numbering each uses */
  lists: { id: number; abstract: number }[];
  nextId: number;
  /** heading number → bookmark, for cross-references */
  bookmarks: Map<string, string>;
}

class Body {
  readonly xml: string[] = [];

  constructor(
    readonly width: number,
    readonly change: Change | undefined,
    readonly state: State = { lists: [], nextId: 1, bookmarks: new Map() },
  ) {}

  get lists(): State["lists"] {
    return this.state.lists;
  }

  get bookmarks(): Map<string, string> {
    return this.state.bookmarks;
  }

  /** The attributes of a tracked change: its id, author and date. */
  private mark(): string {
    const c = this.change ?? { author: "OBC", date: "2000-01-01T00:00:00Z" };
    return `w:id="${this.state.nextId++}" w:author="${esc(c.author)}" w:date="${c.date}"`;
  }

  /** A run of text; `rPr` without the enclosing tag. */
  run(text: string, rPr = ""): string {
    const props = rPr ? `<w:rPr>${rPr}</w:rPr>` : "";
    return `<w:r>${props}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
  }

  /** Runs of a redline: kept, inserted and deleted pieces as Word tracked changes. */
  changed(runs: Run[], rPr = ""): string {
    const props = rPr ? `<w:rPr>${rPr}</w:rPr>` : "";
    return runs
      .map((r) => {
        if (r.change === "ins") return `<w:ins ${this.mark()}>${this.run(r.text, rPr)}</w:ins>`;
        if (r.change === "del") return `<w:del ${this.mark()}><w:r>${props}<w:delText xml:space="preserve">${esc(r.text)}</w:delText></w:r></w:del>`;
        return this.run(r.text, rPr);
      })
      .join("");
  }

  /** The whole of a paragraph inserted or deleted: its mark is tracked too, so accepting leaves no empty line. */
  wholeChange(runs: Run[] | undefined): "ins" | "del" | undefined {
    if (!runs || runs.length === 0) return undefined;
    const kinds = new Set(runs.filter((r) => r.text.trim() !== "").map((r) => r.change));
    if (kinds.size === 1 && (kinds.has("ins") || kinds.has("del"))) return [...kinds][0] as "ins" | "del";
    return undefined;
  }

  paragraphMark(whole: "ins" | "del" | undefined): string {
    return whole ? `<w:rPr><w:${whole} ${this.mark()}/></w:rPr>` : "";
  }

  /** The text of sentences, with "section 6" and "Schedule A" as cross-references to the headings. */
  inline(sentences: Sentence[], rPr = ""): string {
    if (sentences.some((s) => s.runs)) {
      const runs: Run[] = [];
      sentences.forEach((s, i) => {
        if (i > 0) runs.push({ text: " " });
        runs.push(...(s.runs ?? [{ text: s.text }]));
      });
      return this.changed(runs, rPr);
    }
    return this.withRefs(sentences.map((s) => s.text).join(" "), rPr);
  }

  withRefs(text: string, rPr = ""): string {
    const out: string[] = [];
    let at = 0;
    // a section's number is the field ("section 6"); a schedule's is its whole label ("Schedule A"), as its numbering writes it
    for (const m of text.matchAll(/\bsection (\d+(?:\.\d+)*)\b|\bSchedule ([A-Z])\b/g)) {
      const bookmark = this.bookmarks.get(m[1] ?? m[2]!);
      if (!bookmark) continue;
      const start = m[1] ? m.index! + "section ".length : m.index!;
      const shown = m[1] ?? m[0];
      out.push(this.run(text.slice(at, start), rPr));
      out.push(field(`REF ${bookmark} \\w \\h`, shown, rPr));
      at = start + shown.length;
    }
    out.push(this.run(text.slice(at), rPr));
    return out.filter((x) => !x.includes('xml:space="preserve"></w:t>')).join("");
  }

  paragraph(content: string, pPr = "", whole?: "ins" | "del"): void {
    this.xml.push(`<w:p><w:pPr>${pPr}${this.paragraphMark(whole)}</w:pPr>${content}</w:p>`);
  }

  heading(s: Section, depth: number): void {
    const style = s.schedule ? "ScheduleHeading" : depth === 1 ? "Heading1" : depth === 2 ? "Heading2" : "Heading3";
    // a schedule's subsections are numbered in the schedule's own list (A.1, A.2); a preface is not numbered
    const num = s.unnumbered
      ? `<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>`
      : !s.schedule && /^[A-Z]\./.test(s.number) ? `<w:numPr><w:ilvl w:val="1"/><w:numId w:val="${NUM_SCHEDULES}"/></w:numPr>` : "";
    const id = this.state.nextId++;
    const name = this.bookmarks.get(s.number) ?? `_Ref_obc_${id}`;
    const title = s.change ? this.changed([{ text: s.title, change: s.change }]) : s.titleRuns ? this.changed(s.titleRuns) : this.run(s.title);
    this.paragraph(`<w:bookmarkStart w:id="${id}" w:name="${name}"/>${title}<w:bookmarkEnd w:id="${id}"/>`, `<w:pStyle w:val="${style}"/>${num}`, s.change);
  }

  list(b: Extract<Block, { type: "list" }>): void {
    const abstract = LIST_ABSTRACT[b.style];
    const id = 10 + this.lists.length;
    this.lists.push({ id, abstract });
    for (const item of b.items) {
      const whole = item.every((s) => this.wholeChange(s.runs) === this.wholeChange(item[0]!.runs)) ? this.wholeChange(item[0]!.runs) : undefined;
      this.paragraph(this.inline(item), `<w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="${id}"/></w:numPr>`, whole);
    }
  }

  block(b: Block): void {
    switch (b.type) {
      case "paragraph": {
        const whole = b.sentences.every((s) => this.wholeChange(s.runs) === this.wholeChange(b.sentences[0]!.runs)) ? this.wholeChange(b.sentences[0]!.runs) : undefined;
        this.paragraph(this.inline(b.sentences), "", whole);
        return;
      }
      case "definition": {
        const text = b.sentences.map((s) => s.text).join(" ");
        const quoted = `\u201c${b.term}\u201d`;
        if (!b.sentences.some((s) => s.runs) && text.startsWith(quoted)) {
          this.paragraph(this.run(quoted, "<w:b/>") + this.withRefs(text.slice(quoted.length)));
        } else this.paragraph(this.inline(b.sentences));
        return;
      }
      case "list":
        this.list(b);
        return;
      case "table":
        if (b.caption) this.paragraph(this.run(b.caption), `<w:pStyle w:val="Caption"/>`);
        this.table(b.header, b.rows);
        return;
    }
  }

  /**
   * A table sized to its content: each column at least as wide as its longest word, the rest
   * of the page shared in proportion to what each column would need on one line. When even
   * the longest words do not fit, the table is set in a smaller type.
   */
  table(header: string[], rows: Cell[][], opts: { labels?: boolean } = {}): void {
    const columns = Math.max(header.length, ...rows.map((r) => r.length));
    const texts = (col: number) => [
      ...(header[col] !== undefined ? [{ text: header[col]!, bold: true }] : []),
      ...rows.map((r) => ({ text: cellText(r[col]), bold: !!opts.labels && col === 0 })),
    ];
    let size = 9.5;
    let min: number[] = [];
    let max: number[] = [];
    const pad = 2 * CELL_PAD + 40;
    for (;;) {
      min = Array.from({ length: columns }, (_, c) => Math.ceil(Math.max(...texts(c).map((t) => longestWord(t.text, size, t.bold))) * 20 * 1.06) + pad);
      max = Array.from({ length: columns }, (_, c) => Math.ceil(Math.max(...texts(c).map((t) => textWidth(t.text, size, t.bold))) * 20 * 1.06) + pad);
      // a column of labels ("Figures as of") keeps each label on one line
      if (opts.labels) min[0] = max[0]!;
      if (min.reduce((a, b) => a + b, 0) <= this.width || size <= 7) break;
      size -= 0.5;
    }
    const widths = share(min, max, this.width);
    const sz = Math.round(size * 2);
    const rPr = `<w:sz w:val="${sz}"/><w:szCs w:val="${sz}"/>`;
    const grid = widths.map((w) => `<w:gridCol w:w="${w}"/>`).join("");
    const border = (n: string) => `<w:${n} w:val="single" w:sz="4" w:space="0" w:color="808080"/>`;
    const out: string[] = [
      `<w:tbl><w:tblPr><w:tblW w:w="${widths.reduce((a, b) => a + b, 0)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>`,
      `<w:tblBorders>${["top", "left", "bottom", "right", "insideH", "insideV"].map(border).join("")}</w:tblBorders>`,
      `<w:tblCellMar><w:top w:w="30" w:type="dxa"/><w:left w:w="${CELL_PAD}" w:type="dxa"/><w:bottom w:w="30" w:type="dxa"/><w:right w:w="${CELL_PAD}" w:type="dxa"/></w:tblCellMar>`,
      `<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>${grid}</w:tblGrid>`,
    ];
    const cell = (content: string, w: number, shade?: string, whole?: "ins" | "del") =>
      `<w:tc><w:tcPr><w:tcW w:w="${w}" w:type="dxa"/>${shade ? `<w:shd w:val="clear" w:color="auto" w:fill="${shade}"/>` : ""}</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>${this.paragraphMark(whole)}</w:pPr>${content}</w:p></w:tc>`;
    if (header.length) {
      out.push(`<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>${header.map((h, i) => cell(this.run(h, `<w:b/>${rPr}`), widths[i]!, "E7E6E6")).join("")}</w:tr>`);
    }
    for (const r of rows) {
      const whole = r.length && r.every((c) => !c.text.trim() || this.wholeChange(c.runs)) ? this.wholeChange(r.find((c) => c.runs)?.runs) : undefined;
      const trChange = whole ? `<w:${whole} ${this.mark()}/>` : "";
      const cells = Array.from({ length: columns }, (_, i) => {
        const c = r[i];
        const bold = opts.labels && i === 0 ? "<w:b/>" : "";
        const content = c?.runs ? this.changed(c.runs, bold + rPr) : this.withRefs(c?.text ?? "", bold + rPr);
        return cell(content, widths[i]!, opts.labels && i === 0 ? "F2F2F2" : undefined, whole);
      });
      out.push(`<w:tr><w:trPr><w:cantSplit/>${trChange}</w:trPr>${cells.join("")}</w:tr>`);
    }
    out.push("</w:tbl>");
    this.xml.push(out.join(""));
    // a table must be followed by a paragraph; a small one keeps tables apart
    this.paragraph("", `<w:spacing w:before="0" w:after="60"/>`);
  }

  /** A boxed part (the red flags): its blocks inside a one-cell table with a heavy border. */
  box(blocks: Block[]): void {
    const inner = new Body(this.width - 320, this.change, this.state);
    for (const b of blocks) inner.block(b);
    const xml = inner.xml.join("");
    const b = (n: string) => `<w:${n} w:val="single" w:sz="18" w:space="0" w:color="A50021"/>`;
    this.xml.push(
      `<w:tbl><w:tblPr><w:tblW w:w="${this.width}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>${["top", "left", "bottom", "right"].map(b).join("")}</w:tblBorders>` +
        `<w:tblCellMar><w:top w:w="100" w:type="dxa"/><w:left w:w="160" w:type="dxa"/><w:bottom w:w="60" w:type="dxa"/><w:right w:w="160" w:type="dxa"/></w:tblCellMar></w:tblPr>` +
        `<w:tblGrid><w:gridCol w:w="${this.width}"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="${this.width}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="FBEFEF"/></w:tcPr>${xml}</w:tc></w:tr></w:tbl>`,
    );
    this.paragraph("", `<w:spacing w:before="0" w:after="60"/>`);
  }

  section(s: Section, depth: number): void {
    this.heading(s, depth);
    if (s.box) this.box(s.blocks);
    else for (const b of s.blocks) this.block(b);
    for (const sub of s.sections) this.section(sub, depth + 1);
  }
}

function cellText(c: Cell | undefined): string {
  if (!c) return "";
  return c.runs ? c.runs.map((r) => r.text).join("") : c.text;
}

/** Column widths: the minimum of each, and what is left shared by how much more each would use. */
function share(min: number[], max: number[], width: number): number[] {
  const sumMin = min.reduce((a, b) => a + b, 0);
  const sumMax = max.reduce((a, b) => a + b, 0);
  let widths: number[];
  if (sumMin >= width) widths = min.map((m) => Math.floor((m * width) / sumMin));
  else if (sumMax <= width) widths = max.map((m) => Math.floor((m * width) / sumMax));
  else {
    const room = width - sumMin;
    const extra = max.map((m, i) => m - min[i]!);
    const sumExtra = extra.reduce((a, b) => a + b, 0) || 1;
    widths = min.map((m, i) => m + Math.floor((extra[i]! * room) / sumExtra));
  }
  // the rounding leftovers go to the last column
  widths[widths.length - 1]! += width - widths.reduce((a, b) => a + b, 0);
  return widths;
}

/** A Word field (PAGE, NUMPAGES, REF) with its current result shown until Word updates it. */
function field(instruction: string, result: string, rPr = ""): string {
  const props = rPr ? `<w:rPr>${rPr}</w:rPr>` : "";
  return `<w:r>${props}<w:fldChar w:fldCharType="begin"/></w:r><w:r>${props}<w:instrText xml:space="preserve"> ${esc(instruction)} </w:instrText></w:r>` +
    `<w:r>${props}<w:fldChar w:fldCharType="separate"/></w:r><w:r>${props}<w:t xml:space="preserve">${esc(result)}</w:t></w:r><w:r>${props}<w:fldChar w:fldCharType="end"/></w:r>`;
}

/** Every heading number of the document, given its bookmark before the text is written (a reference may come before its heading). */
function bookmarkAll(sections: Section[], into: Map<string, string>): void {
  for (const s of sections) {
    // a deleted section of a redline keeps its old number, which a later section may have now
    if (s.number && !s.unnumbered && s.change !== "del") into.set(s.number, `_Ref_obc_${s.number.replace(/\./g, "_")}`);
    bookmarkAll(s.sections, into);
  }
}

/**
 * A page header: the text, and DRAFT at the right margin. A text too long for one line beside
 * DRAFT is set smaller (down to 7 pt), so that the header stays on one line where it can.
 */
function headerXml(text: string, meta: DocMeta, width: number): string {
  const draft = meta.status === "draft"
    ? `<w:r><w:tab/></w:r><w:r><w:rPr><w:b/><w:color w:val="C00000"/><w:sz w:val="18"/></w:rPr><w:t>DRAFT</w:t></w:r>`
    : "";
  // room for the text in points: the line, less DRAFT and a gap
  const room = width / 20 - (draft ? textWidth("DRAFT", 9, true) + 12 : 0);
  let half = HEADER_SIZE;
  while (half > 14 && textWidth(text, half / 2) > room) half--;
  const size = half === HEADER_SIZE ? "" : `<w:rPr><w:sz w:val="${half}"/><w:szCs w:val="${half}"/></w:rPr>`;
  return part("hdr", `<w:p><w:pPr><w:pStyle w:val="Header"/><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="808080"/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="${width}"/></w:tabs></w:pPr><w:r>${size}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>${draft}</w:p>`);
}

function footerXml(meta: DocMeta, width: number): string {
  const sources = meta.sources.map((s) => `<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">${esc(`${s.name}: SHA-256 `)}</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/></w:rPr><w:t>${esc(s.sha256)}</w:t></w:r></w:p>`);
  const made = [meta.generated ? `Generated ${meta.generated}` : "", meta.obcVersion ? `by OBC ${meta.obcVersion}` : "by OBC"].filter(Boolean).join(" ");
  const page = `<w:r><w:t xml:space="preserve">Page </w:t></w:r>${field("PAGE", "1")}<w:r><w:t xml:space="preserve"> of </w:t></w:r>${field("NUMPAGES", "1")}`;
  return part("ftr", `${sources.join("")}<w:p><w:pPr><w:pStyle w:val="Footer"/><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="808080"/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="${width}"/></w:tabs></w:pPr><w:r><w:t xml:space="preserve">${esc(`${meta.exhibit} · ${made}`)}</w:t></w:r><w:r><w:tab/></w:r>${page}</w:p>`);
}

const NS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`;
const XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`;

function part(tag: "hdr" | "ftr", body: string): string {
  return `${XML}<w:${tag} ${NS}>${body}</w:${tag}>`;
}

function sectPr(meta: DocMeta, header: string): string {
  const p = PAPER[meta.paper];
  return `<w:sectPr><w:headerReference w:type="default" r:id="${header}"/><w:footerReference w:type="default" r:id="rFooter"/>` +
    `<w:pgSz w:w="${p.w}" w:h="${p.h}"/><w:pgMar w:top="${INCH}" w:right="${INCH}" w:bottom="${INCH}" w:left="${INCH}" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`;
}

function stylesXml(): string {
  const heading = (id: string, name: string, size: number, level: number, extra = "") =>
    `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
    `<w:pPr><w:keepNext/><w:keepLines/>${extra}<w:spacing w:before="${level === 0 ? 320 : 220}" w:after="100"/><w:outlineLvl w:val="${level}"/></w:pPr>` +
    `<w:rPr><w:b/><w:sz w:val="${size}"/><w:szCs w:val="${size}"/></w:rPr></w:style>`;
  const numbered = (level: number) => `<w:numPr><w:ilvl w:val="${level}"/><w:numId w:val="${NUM_HEADINGS}"/></w:numPr>`;
  return `${XML}<w:styles ${NS}>` +
    `<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="${FONT}" w:hAnsi="${FONT}" w:eastAsia="${FONT}" w:cs="${FONT}"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault>` +
    `<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="252" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
    `<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="80"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="200"/></w:pPr><w:rPr><w:i/><w:color w:val="404040"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>` +
    heading("Heading1", "heading 1", 26, 0, numbered(0)) +
    heading("Heading2", "heading 2", 23, 1, numbered(1)) +
    heading("Heading3", "heading 3", 22, 2, numbered(2)) +
    heading("ScheduleHeading", "Schedule Heading", 26, 0, `<w:pageBreakBefore/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="${NUM_SCHEDULES}"/></w:numPr>`) +
    `<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:i/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="${HEADER_SIZE}"/><w:szCs w:val="${HEADER_SIZE}"/></w:rPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="15"/><w:szCs w:val="15"/></w:rPr></w:style>` +
    `</w:styles>`;
}

function numberingXml(lists: { id: number; abstract: number }[]): string {
  const lvl = (i: number, fmt: string, text: string, left: number, hanging: number, style?: string) =>
    `<w:lvl w:ilvl="${i}"><w:start w:val="1"/><w:numFmt w:val="${fmt}"/>${style ? `<w:pStyle w:val="${style}"/>` : ""}<w:lvlText w:val="${esc(text)}"/><w:lvlJc w:val="left"/>` +
    `<w:pPr><w:tabs><w:tab w:val="num" w:pos="${left}"/></w:tabs><w:ind w:left="${left}" w:hanging="${hanging}"/></w:pPr></w:lvl>`;
  const abstract = [
    `<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>${lvl(0, "decimal", "%1.", 567, 567, "Heading1")}${lvl(1, "decimal", "%1.%2", 709, 709, "Heading2")}${lvl(2, "decimal", "%1.%2.%3", 851, 851, "Heading3")}</w:abstractNum>`,
    `<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="multilevel"/>${lvl(0, "upperLetter", "Schedule %1.", 1418, 1418, "ScheduleHeading")}${lvl(1, "decimal", "%1.%2", 709, 709)}</w:abstractNum>`,
    `<w:abstractNum w:abstractNumId="2"><w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>`,
    `<w:abstractNum w:abstractNumId="3"><w:multiLevelType w:val="singleLevel"/>${lvl(0, "lowerLetter", "(%1)", 720, 432)}</w:abstractNum>`,
    `<w:abstractNum w:abstractNumId="4"><w:multiLevelType w:val="singleLevel"/>${lvl(0, "decimal", "%1.", 720, 360)}</w:abstractNum>`,
  ];
  const nums = [
    `<w:num w:numId="${NUM_HEADINGS}"><w:abstractNumId w:val="0"/></w:num>`,
    `<w:num w:numId="${NUM_SCHEDULES}"><w:abstractNumId w:val="1"/></w:num>`,
    ...lists.map((l) => `<w:num w:numId="${l.id}"><w:abstractNumId w:val="${l.abstract}"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>`),
  ];
  return `${XML}<w:numbering ${NS}>${abstract.join("")}${nums.join("")}</w:numbering>`;
}

function settingsXml(): string {
  return `${XML}<w:settings ${NS}><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`;
}

/**
 * Makes an Office Open XML package (.docx, .xlsx) written by another library byte-identical
 * for the same content: its created/modified stamps set to `date` (the clock is an input) and
 * every zip entry given one fixed time.
 */
export function deterministic(bytes: Uint8Array, date: string): Uint8Array {
  const files = unzipSync(bytes);
  const core = files["docProps/core.xml"];
  if (core) {
    files["docProps/core.xml"] = strToU8(strFromU8(core).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${date}T00:00:00Z$3`));
  }
  return zipFixed(Object.fromEntries(Object.entries(files)));
}

/** Zips the entries in their order, each with one fixed time: the same entries give the same bytes. */
function zipFixed(files: Record<string, Uint8Array>): Uint8Array {
  const fixed = new Date(1980, 0, 1);
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { mtime: fixed }]])), { level: 6 });
}

/** The default page header: the exhibit, the contract, the version shown. */
function defaultMeta(doc: SummaryDoc): DocMeta {
  return doc.meta ?? { status: "draft", exhibit: "Exhibit A", header: doc.title, version: "", sources: [], paper: "letter" };
}

/** The document as the bytes of a Word (.docx) file (see the file comment). */
export async function toDocx(doc: SummaryDoc, opts: { date?: string } = {}): Promise<Uint8Array> {
  const meta = defaultMeta(doc);
  const paper = PAPER[meta.paper];
  const width = paper.w - 2 * INCH;
  const body = new Body(width, meta.changes);
  bookmarkAll(doc.sections, body.bookmarks);
  body.paragraph(body.run(doc.title), `<w:pStyle w:val="Title"/>`);
  body.paragraph(body.run(doc.subtitle), `<w:pStyle w:val="Subtitle"/>`);
  if (doc.titleBlock.length) body.table([], doc.titleBlock.map((r) => [{ text: r.label }, { ...r.value }]), { labels: true });
  // Word sections: the body, then each schedule with its own header naming its version
  const headers: string[] = [meta.header];
  doc.sections.forEach((s) => {
    if (s.schedule) {
      // close the part before it: its section break carries the previous header
      const previous = `rHeader${headers.length}`;
      body.xml.push(`<w:p><w:pPr>${sectPr(meta, previous)}</w:pPr></w:p>`);
      const version = s.version !== undefined ? `version ${s.version}` : meta.version;
      headers.push(`${meta.exhibit}, Schedule ${s.number}: ${s.title}${s.version !== undefined && s.title.includes(s.version) ? "" : version ? `, ${version}` : ""}, for \u201c${doc.title}\u201d`);
    }
    body.section(s, 1);
  });
  const date = opts.date ?? meta.generated ?? "2000-01-01";
  const documentXml = `${XML}<w:document ${NS}><w:body>${body.xml.join("")}${sectPr(meta, `rHeader${headers.length}`)}</w:body></w:document>`;
  const files: Record<string, string> = {
    "[Content_Types].xml": `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
      `<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
      `<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>` +
      `<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
      headers.map((_, i) => `<Override PartName="/word/header${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>`).join("") +
      `<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
      `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
      `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
    "_rels/.rels": `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
      `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    "docProps/core.xml": `${XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<dc:title>${esc(doc.title)}</dc:title><dc:subject>${esc(meta.header)}</dc:subject><dc:creator>OBC</dc:creator><dc:description>${esc(doc.subtitle)}</dc:description>` +
      `<dcterms:created xsi:type="dcterms:W3CDTF">${date}T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${date}T00:00:00Z</dcterms:modified></cp:coreProperties>`,
    "docProps/app.xml": `${XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>OBC${meta.obcVersion ? ` ${esc(meta.obcVersion)}` : ""}</Application></Properties>`,
    "word/_rels/document.xml.rels": `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      `<Relationship Id="rStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
      `<Relationship Id="rNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>` +
      `<Relationship Id="rSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
      headers.map((_, i) => `<Relationship Id="rHeader${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header${i + 1}.xml"/>`).join("") +
      `<Relationship Id="rFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>`,
    "word/document.xml": documentXml,
    "word/styles.xml": stylesXml(),
    "word/numbering.xml": numberingXml(body.lists),
    "word/settings.xml": settingsXml(),
    "word/footer1.xml": footerXml(meta, width),
  };
  headers.forEach((h, i) => (files[`word/header${i + 1}.xml`] = headerXml(h, meta, width)));
  // every entry with one fixed time, in a fixed order: the same document gives the same bytes
  return zipFixed(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}
