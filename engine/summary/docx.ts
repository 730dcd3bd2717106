/**
 * The Word renderer of a `SummaryDoc`, with the `docx` library: real headings (Title,
 * Heading 1 for sections, Heading 2 and 3 for subsections), numbered and lettered lists
 * (each list numbered from the start), bulleted lists and tables with a header row.
 *
 * Output: the bytes of a .docx file. Uses `Packer.toArrayBuffer`, which works in the browser
 * and in Node. The package stamps the file with its creation time, so two renderings are not
 * byte-identical; their document.xml is.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import {
  AlignmentType, BorderStyle, Document, HeadingLevel, LevelFormat, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType,
  type ILevelsOptions,
} from "docx";
import type { Block, Cell, Section, Sentence, SummaryDoc } from "./model.ts";

const FONT = "Georgia";

function runs(text: string, bold = false): TextRun[] {
  return [new TextRun({ text, bold, font: FONT })];
}

function sentencesText(ss: Sentence[]): string {
  return ss.map((s) => s.text).join(" ");
}

const border = { style: BorderStyle.SINGLE, size: 4, color: "888888" };
const borders = { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };

function table(header: string[], rows: Cell[][]): Table {
  const headerRow = header.length
    ? [new TableRow({
      tableHeader: true,
      children: header.map((h) => new TableCell({ children: [new Paragraph({ children: runs(h, true) })], shading: { fill: "EEEEEE" } })),
    })]
    : [];
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders,
    rows: [
      ...headerRow,
      ...rows.map((r) => new TableRow({ children: r.map((c) => new TableCell({ children: [new Paragraph({ children: runs(c.text) })] })) })),
    ],
  });
}

class Writer {
  readonly children: (Paragraph | Table)[] = [];
  private instance = 0;

  block(b: Block): void {
    switch (b.type) {
      case "paragraph":
        this.children.push(new Paragraph({ children: runs(sentencesText(b.sentences)), spacing: { after: 120 } }));
        return;
      case "definition": {
        const text = sentencesText(b.sentences);
        const quoted = `\u201c${b.term}\u201d`;
        const children = text.startsWith(quoted) ? [...runs(quoted, true), ...runs(text.slice(quoted.length))] : runs(text);
        this.children.push(new Paragraph({ children, spacing: { after: 120 } }));
        return;
      }
      case "list": {
        const reference = b.style === "bullets" ? "bullets" : b.style;
        const instance = ++this.instance;
        for (const item of b.items) {
          this.children.push(new Paragraph({ children: runs(sentencesText(item)), numbering: { reference, level: 0, instance } }));
        }
        return;
      }
      case "table":
        if (b.caption) this.children.push(new Paragraph({ children: [new TextRun({ text: b.caption, italics: true, font: FONT })], keepNext: true }));
        this.children.push(table(b.header, b.rows));
        this.children.push(new Paragraph({ children: [] }));
        return;
    }
  }

  section(s: Section, depth: number): void {
    const heading = depth === 1 ? HeadingLevel.HEADING_1 : depth === 2 ? HeadingLevel.HEADING_2 : HeadingLevel.HEADING_3;
    this.children.push(new Paragraph({ heading, children: [new TextRun(`${s.number}${s.number.includes(".") ? "" : "."} ${s.title}`)] }));
    for (const b of s.blocks) this.block(b);
    for (const sub of s.sections) this.section(sub, depth + 1);
  }
}

const level = (format: (typeof LevelFormat)[keyof typeof LevelFormat], text: string): ILevelsOptions => ({
  level: 0,
  format,
  text,
  alignment: AlignmentType.LEFT,
  style: { paragraph: { indent: { left: 720, hanging: 360 } } },
});

/**
 * Makes a .docx byte-identical for the same content: the document's created/modified
 * stamps are set to `date` (the clock is an input) and every zip entry gets one fixed time.
 * Also used for other Office Open XML packages (.xlsx), which keep the same stamps.
 */
export function deterministic(bytes: Uint8Array, date: string): Uint8Array {
  const files = unzipSync(bytes);
  const core = files["docProps/core.xml"];
  if (core) {
    files["docProps/core.xml"] = strToU8(
      strFromU8(core).replace(/(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${date}T00:00:00Z$3`),
    );
  }
  const fixed = new Date(1980, 0, 1);
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { mtime: fixed }]])), { level: 6 });
}

/** The document as the bytes of a Word (.docx) file. */
export async function toDocx(doc: SummaryDoc, opts: { date?: string } = {}): Promise<Uint8Array> {
  const w = new Writer();
  w.children.push(new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(doc.title)] }));
  w.children.push(new Paragraph({ children: [new TextRun({ text: doc.subtitle, italics: true, font: FONT })], spacing: { after: 200 } }));
  if (doc.titleBlock.length) {
    w.children.push(table([], doc.titleBlock.map((r) => [{ text: r.label }, { text: r.value.text }])));
    w.children.push(new Paragraph({ children: [] }));
  }
  for (const s of doc.sections) w.section(s, 1);
  const document = new Document({
    creator: "OBC",
    title: doc.title,
    description: doc.subtitle,
    styles: { default: { document: { run: { font: FONT, size: 22 } } } },
    numbering: {
      config: [
        { reference: "letters", levels: [level(LevelFormat.LOWER_LETTER, "(%1)")] },
        { reference: "numbers", levels: [level(LevelFormat.DECIMAL, "%1.")] },
        { reference: "bullets", levels: [level(LevelFormat.BULLET, "\u2022")] },
      ],
    },
    sections: [{ children: w.children }],
  });
  return deterministic(new Uint8Array(await Packer.toArrayBuffer(document)), opts.date ?? "2000-01-01");
}
