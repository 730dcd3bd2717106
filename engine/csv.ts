/**
 * The one CSV reader of OBC: text → header and rows, with every physical line accounted for.
 * Every path that reads CSV uses it: a full run (`engine/inputs.ts`), bulk runs and their
 * worker threads (`engine/fast/`), files streamed from disk (`engine/fast/node-stream.ts`) and
 * the adapters (`node/adapters/csv-stream.ts`). Browser-safe.
 *
 * Cells are split by papaparse (RFC 4180: a cell that starts with `"` is quoted, `""` is a
 * quote inside it, and it may hold line breaks); this module decides everything around it:
 *
 * - **What the text is.** Before anything is read, binary content (a zip such as an Excel
 *   workbook, a PDF, an image, NUL characters, UTF-16 without a byte-order mark, …) is refused
 *   with a message that says what the file looks like and what to do ({@link sniff}).
 * - **Line endings** are detected on the whole text ({@link detectNewline}): LF, CRLF, CR, or a
 *   mix (then every CRLF and lone CR is read as LF). A byte-order mark and blank lines before
 *   the header change nothing.
 * - **Rows.** A row is a record: one line, or several when a quoted cell holds line breaks.
 *   Rows are numbered as a spreadsheet shows them (the header's record is its row; blank
 *   records keep their numbers but are not data). The header is the first non-blank record.
 * - **Every physical line is accounted for.** A record that spans several lines is accepted
 *   only when its quotes close properly and it has the header's number of cells. Otherwise a
 *   quote has swallowed the lines after it: that is a file-level error (OBC5014) naming the row
 *   and line where the quote opened and how many lines it swallowed, and nothing of the file is
 *   used. A quote problem within one line is a row-level error (OBC5002 `bad-quotes`); a row
 *   with fewer or more cells than the header is OBC5008.
 * - **A header that looks like data** (cells that are numbers, dates or true/false) is a
 *   file-level error (OBC5016) naming the columns by position, never their text.
 * - **Bounded work.** A record may span at most {@link MAX_RECORD_LINES} lines and
 *   {@link MAX_RECORD_CHARS} characters; beyond, the file is refused (OBC5014), so a streamed
 *   file never holds more than that in memory.
 *
 * The same rules cut a streamed file into chunks for worker threads ({@link CsvReader} in chunk
 * mode): chunks end only where a record ends, so every chunk is read exactly as the whole text.
 * No message ever contains a cell's text.
 */
import Papa from "papaparse";
import { CODES, fillTemplate, type Params } from "../language/diagnostics/codes.ts";
import type { DataProblem } from "./data.ts";

/** A record may span at most this many lines (a quoted cell with line breaks). */
export const MAX_RECORD_LINES = 1000;
/** A record may hold at most this many characters. */
export const MAX_RECORD_CHARS = 8 << 20;

// ───────────── problems ─────────────

/** A data problem; `message` is a plain sentence without any cell value or id. */
export function dataProblem(
  code: string,
  severity: DataProblem["severity"],
  file: string,
  rule: string,
  message: string,
  at: { row?: number; column?: string } = {},
): DataProblem {
  const p: DataProblem = { code, severity, file, rule, message };
  if (at.row !== undefined) p.row = at.row;
  if (at.column !== undefined) p.column = at.column;
  return p;
}

/**
 * A data problem whose message (and help, appended) comes from the code registry
 * (`language/diagnostics/codes.ts`), with the registry's severity.
 */
export function registeredProblem(code: string, file: string, rule: string, params: Params, at: { row?: number; column?: string } = {}): DataProblem {
  const info = CODES[code]!;
  const all = { file, ...params };
  const message = fillTemplate(info.message, all) + (info.help ? " " + fillTemplate(info.help, all) : "");
  return dataProblem(code, info.severity === "error" ? "error" : "warning", file, rule, message, at);
}

/** "column 3", "columns 2 and 5", "columns 2–9", "columns 1, 3 and 6–8" (1-based positions). */
export function columnPositions(positions: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === positions[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${positions[i]}–${positions[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(positions[k]));
    i = j + 1;
  }
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  return `${positions.length === 1 ? "column" : "columns"} ${list}`;
}

// ───────────── what the text is ─────────────

/** Content that is not CSV text. */
export type NotText = "xlsx" | "xls" | "docx" | "ods" | "zip" | "pdf" | "gzip" | "image" | "sqlite" | "utf16" | "utf32" | "binary";

const NOT_TEXT: Record<NotText, { what: string; action: string }> = {
  xlsx: { what: "an Excel workbook", action: "save it as CSV (in Excel: File, Save As, CSV UTF-8) and give that file" },
  xls: { what: "an old-format Office file (Excel .xls or Word .doc)", action: "open it in Excel, save it as CSV UTF-8 and give that file" },
  docx: { what: "a Word document", action: "copy the table into a spreadsheet, save it as CSV UTF-8 and give that file" },
  ods: { what: "an OpenDocument spreadsheet", action: "save it as CSV (Text CSV, UTF-8) and give that file" },
  zip: { what: "a zip archive", action: "unzip it and give the CSV file inside" },
  pdf: { what: "a PDF document", action: "export the data from its source system as CSV and give that file" },
  gzip: { what: "a compressed (gzip) file", action: "decompress it and give the CSV file" },
  image: { what: "an image", action: "give the data as a CSV file" },
  sqlite: { what: "a SQLite database", action: "export the table as CSV and give that file" },
  utf16: { what: "text in UTF-16 without a byte-order mark", action: "save it as CSV UTF-8 and give that file" },
  utf32: { what: "text in UTF-32", action: "save it as CSV UTF-8 and give that file" },
  binary: { what: "a binary file, not text", action: "give the data as a CSV file" },
};

/** The refusal of content that is not CSV text (OBC5015), saying what it looks like and what to do. */
export function notTextProblem(kind: NotText, file: string): DataProblem {
  return registeredProblem("OBC5015", file, `not-text-${kind}`, NOT_TEXT[kind]);
}

/** What {@link sniff} looks at: the first units of the content (bytes, or UTF-16 code units of a text). */
export interface Sniffable {
  /** the first units (up to 512 or so) */
  head: ArrayLike<number>;
  /** whether the content holds this ASCII text (the names inside a zip); may look at part of it */
  includes(ascii: string): boolean;
}

const REPLACEMENT = 0xfffd;

/** True when `head` starts with `sig`; a byte ≥ 0x80 also matches U+FFFD (the byte read as UTF-8 text). */
function startsWith(head: ArrayLike<number>, sig: number[]): boolean {
  if (head.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) {
    const h = head[i]!;
    if (h !== sig[i] && !(sig[i]! >= 0x80 && h === REPLACEMENT)) return false;
  }
  return true;
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/**
 * Recognises content that is not CSV text from its first bytes (or from a text that was read
 * from such bytes as UTF-8), else undefined. Byte-order marks are handled before, by the caller.
 */
export function sniff(s: Sniffable): NotText | undefined {
  const h = s.head;
  if (startsWith(h, [0x50, 0x4b, 0x03, 0x04]) || startsWith(h, [0x50, 0x4b, 0x05, 0x06])) {
    if (s.includes("xl/")) return "xlsx";
    if (s.includes("word/")) return "docx";
    if (s.includes("opendocument.spreadsheet")) return "ods";
    return "zip";
  }
  if (startsWith(h, ascii("%PDF-"))) return "pdf";
  if (startsWith(h, [0xd0, 0xcf, 0x11, 0xe0]) || startsWith(h, [REPLACEMENT, REPLACEMENT, 0x11, 0x871])) return "xls";
  if (startsWith(h, [0x1f, 0x8b])) return "gzip";
  if (startsWith(h, ascii("SQLite format 3\0"))) return "sqlite";
  if (startsWith(h, [0x89, 0x50, 0x4e, 0x47]) || startsWith(h, ascii("GIF8")) || startsWith(h, [0xff, 0xd8, 0xff])) return "image";
  // NUL units: UTF-16 text without a byte-order mark (every other unit NUL), or binary
  let nul = 0;
  let nulEven = 0;
  let control = 0;
  const n = Math.min(h.length, 512);
  for (let i = 0; i < n; i++) {
    const c = h[i]!;
    if (c === 0) {
      nul++;
      if (i % 2 === 0) nulEven++;
    } else if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  if (nul > 0) {
    const half = n / 2;
    if (n >= 4 && nul >= half * 0.8 && (nulEven === 0 || nulEven === nul) && nul <= half) return "utf16";
    return "binary";
  }
  if (control > n / 10) return "binary";
  return undefined;
}

/** {@link sniff} on a text (content read as UTF-8), looking at its start and, for zips, at the whole. */
export function sniffText(text: string): NotText | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const head = new Array<number>(Math.min(512, text.length - start));
  for (let i = 0; i < head.length; i++) head[i] = text.charCodeAt(start + i);
  const found = sniff({ head, includes: (a) => text.includes(a) });
  if (found) return found;
  if (text.includes("\0")) return "binary";
  return undefined;
}

// ───────────── line endings ─────────────

/** The line ending of a text: one kind throughout, or a mix (read as LF after converting). */
export type Newline = "\n" | "\r\n" | "\r" | "mixed";

/** Counts line endings over pieces of a text (or of its bytes in an ASCII-compatible encoding). */
export class LineEndings {
  private crlf = 0;
  private cr = 0;
  private lf = 0;
  /** the last piece ended with CR */
  private pendingCR = false;

  /** Adds a piece (a string, or bytes where CR is 13 and LF is 10). */
  add(piece: string | Uint8Array): void {
    const n = piece.length;
    if (n === 0) return;
    const text = typeof piece === "string" ? piece : undefined;
    const bytes = typeof piece === "string" ? undefined : piece;
    const indexOf = (code: number, from: number) => (text !== undefined ? text.indexOf(code === 13 ? "\r" : "\n", from) : bytes!.indexOf(code, from));
    const at = (i: number) => (text !== undefined ? text.charCodeAt(i) : bytes![i]!);
    let lfs = 0;
    for (let i = indexOf(10, 0); i >= 0; i = indexOf(10, i + 1)) lfs++;
    let paired = 0; // LFs of this piece that end a CRLF
    if (this.pendingCR) {
      this.pendingCR = false;
      if (at(0) === 10) paired++;
      else this.cr++;
    }
    for (let i = indexOf(13, 0); i >= 0; i = indexOf(13, i + 1)) {
      if (i === n - 1) this.pendingCR = true;
      else if (at(i + 1) === 10) paired++;
      else this.cr++;
    }
    this.crlf += paired;
    this.lf += lfs - paired;
  }

  /** The line ending of everything added (a final lone CR counts as CR). */
  result(): Newline {
    const cr = this.cr + (this.pendingCR ? 1 : 0);
    const { crlf, lf } = this;
    if (cr === 0 && crlf === 0) return "\n";
    if (cr === 0 && lf === 0) return "\r\n";
    if (crlf === 0 && lf === 0) return "\r";
    return "mixed";
  }
}

/** The line ending of a whole text (see {@link Newline}). */
export function detectNewline(text: string): Newline {
  if (text.indexOf("\r") < 0) return "\n";
  const c = new LineEndings();
  c.add(text);
  return c.result();
}

// ───────────── the header ─────────────

const NUMBER_LIKE = /^[+-]?(?:\$\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$|^[+-]?\.\d+%?$/;
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$|^\d{4}\/\d{1,2}\/\d{1,2}$/;

/** A header cell that is a value rather than a column name: a number, an amount, a date, true or false. */
export function looksLikeData(cell: string): boolean {
  const t = cell.trim();
  if (t === "") return false;
  return NUMBER_LIKE.test(t) || DATE_LIKE.test(t) || /^(?:true|false)$/i.test(t);
}

// ───────────── the reader ─────────────

/** One data row: its spreadsheet row number, its cells as written, and the first row-level error found while reading it. */
export interface CsvRow {
  row: number;
  /** the line on which the record starts (a row spans several lines when a quoted cell holds line breaks) */
  line: number;
  cells: string[];
  /** the rule of the first error of this row found by the reader (`bad-quotes`, `too-few-cells`, `too-many-cells`) */
  carried?: string;
}

/** Where a part of a file starts, when its header was read elsewhere (a chunk for a worker thread). */
export interface CsvStart {
  header: string[];
  /** the row number of the part's first record */
  row: number;
  /** the line number of the part's first record */
  line: number;
}

/** A chunk of a file's records (after its header), cut where a record ends. */
export interface CsvChunk extends CsvStart {
  text: string;
  /** the chunk's line ending (a mix of line endings is converted to LF before cutting) */
  newline: "\n" | "\r\n" | "\r";
}

export interface CsvReaderOptions {
  /** the line ending of the whole text ({@link detectNewline}, or counted while the file was inspected) */
  newline: Newline;
  /** the cell delimiter (default ",") */
  delimiter?: string;
  /** reads a chunk made by another reader (the header and numbering are given; nothing is sniffed) */
  start?: CsvStart;
  /**
   * Chunk mode: after the header, the text is cut into chunks of about this many characters,
   * each ending where a record ends, and handed to `onChunk` unread.
   */
  chunkChars?: number;
  onHeader?: (header: string[]) => void;
  onRow?: (row: CsvRow) => void;
  onChunk?: (chunk: CsvChunk) => void;
}

const WINDOW = 1 << 16;

/**
 * The CSV reader: give it the text in pieces (`push`, then `end`); it hands out the header,
 * then each data row (or, in chunk mode, chunks of unread text). Stops at the first file-level
 * problem (`fatal`). See the module comment for the rules.
 */
export class CsvReader {
  header: string[] | undefined;
  /** row-level problems in row order: ragged rows (OBC5008), quotes within one line (OBC5002) */
  readonly problems: DataProblem[] = [];
  /** a file-level problem: the file is refused and nothing more is read */
  fatal: DataProblem | undefined;
  /** the row number of the next record */
  private row: number;
  /** the line number of the next record */
  private line: number;
  private buf = "";
  private pos = 0;
  private sniffed: boolean;
  private readonly nl: string;
  private readonly mixed: boolean;
  private carryCR = false;
  private readonly delimiter: string;
  private readonly chunkChars: number | undefined;
  private chunking = false;

  constructor(
    readonly file: string,
    private readonly opts: CsvReaderOptions,
  ) {
    this.mixed = opts.newline === "mixed";
    this.nl = this.mixed ? "\n" : opts.newline;
    this.delimiter = opts.delimiter ?? ",";
    this.chunkChars = opts.chunkChars;
    this.sniffed = !!opts.start;
    this.row = opts.start?.row ?? 1;
    this.line = opts.start?.line ?? 1;
    if (opts.start) {
      this.header = opts.start.header;
      this.chunking = this.chunkChars !== undefined;
    }
  }

  /** Reads the next piece of the text. */
  push(piece: string): void {
    if (this.fatal || piece.length === 0) return;
    if (this.mixed) {
      if (this.carryCR) piece = "\r" + piece;
      this.carryCR = piece.endsWith("\r");
      if (this.carryCR) piece = piece.slice(0, -1);
      piece = piece.replace(/\r\n?/g, "\n");
    }
    if (piece.includes("\0") && this.sniffed) {
      this.fatal = notTextProblem("binary", this.file);
      return;
    }
    this.buf = this.pos > 0 ? this.buf.slice(this.pos) + piece : this.buf + piece;
    this.pos = 0;
    if (!this.sniffed) {
      if (this.buf.length < 512) return;
      this.sniff();
    }
    this.drain(false);
  }

  /** Reads what is left: the last record needs no line ending. */
  end(): void {
    if (this.fatal) return;
    if (this.carryCR) {
      this.carryCR = false;
      this.buf = this.buf.slice(this.pos) + "\n";
      this.pos = 0;
    }
    if (!this.sniffed) this.sniff();
    this.drain(true);
  }

  private sniff(): void {
    this.sniffed = true;
    if (this.buf.charCodeAt(0) === 0xfeff) this.pos = 1;
    const kind = sniffText(this.buf.slice(this.pos));
    if (kind) this.fatal = notTextProblem(kind, this.file);
  }

  private parse(text: string, final: boolean): { data: string[][]; errors: { row?: number }[]; cursor: number } {
    const parser = new Papa.Parser({ delimiter: this.delimiter, newline: this.nl as "\n", quoteChar: '"' });
    const r = parser.parse(text, 0, !final) as { data: string[][]; errors: { row?: number }[]; meta: { cursor: number } };
    return { data: r.data, errors: r.errors, cursor: final ? text.length : r.meta.cursor };
  }

  /**
   * Where the first `n` records of `text` end (just after the line break that ends the n-th),
   * or -1 when they have not all ended (at the end of the text, with `final`, the last one has).
   */
  private recordsEnd(text: string, n: number, final: boolean): number {
    if (!text.includes('"')) {
      let at = 0;
      for (let k = 0; k < n; k++) {
        const i = text.indexOf(this.nl, at);
        if (i < 0) return final ? text.length : -1;
        at = i + this.nl.length;
      }
      return at;
    }
    const parser = new Papa.Parser({ delimiter: this.delimiter, newline: this.nl as "\n", quoteChar: '"', preview: n });
    const r = parser.parse(text, 0, !final) as { data: unknown[]; meta: { cursor: number } };
    if (r.data.length >= n) return r.meta.cursor;
    return final ? text.length : -1;
  }

  private drain(final: boolean): void {
    let w = WINDOW;
    while (!this.fatal && this.pos < this.buf.length) {
      if (this.chunking) {
        if (!this.cut(final)) return;
        continue;
      }
      const avail = this.buf.length;
      const end = final ? avail : Math.min(avail, this.pos + w);
      const last = final && end === avail;
      let text = this.buf.slice(this.pos, end);
      if (last && text.endsWith(this.nl)) text = text.slice(0, -this.nl.length);
      const p = this.parse(text, last);
      if (p.data.length === 0) {
        if (last) break;
        if (end < avail) {
          w *= 2;
          continue;
        }
        this.checkRemainder(text, this.row, this.line);
        return;
      }
      w = WINDOW;
      const used = this.records(text, p, last);
      this.pos = last && !this.chunking ? avail : this.pos + used;
      if (!last && !this.chunking) this.checkRemainder(text.slice(used), this.row, this.line);
    }
    if (final && !this.fatal) this.pos = this.buf.length;
  }

  /**
   * Handles parsed records (rows, or the header and what comes before it); returns how many
   * characters of `text` they used (in chunk mode, up to the end of the header's record).
   */
  private records(text: string, p: { data: string[][]; errors: { row?: number }[]; cursor: number }, last: boolean): number {
    const { data } = p;
    const bad = new Set<number>();
    for (const e of p.errors) if (e.row !== undefined) bad.add(e.row);
    // line breaks inside cells: none when the text's line breaks are exactly the records' ends
    let inner = 0;
    // a record longer than the text cannot run past the limit
    const long = text.length > MAX_RECORD_CHARS;
    if (bad.size > 0 || text.includes('"')) {
      let breaks = 0;
      const consumed = last ? text.length : p.cursor;
      for (let i = text.indexOf(this.nl); i >= 0 && i < consumed; i = text.indexOf(this.nl, i + this.nl.length)) breaks++;
      inner = breaks - (last ? data.length - 1 : data.length);
    }
    const header = this.header;
    for (let i = 0; i < data.length; i++) {
      const cells = data[i]!;
      const row = this.row++;
      const line = this.line;
      let swallowed = 0;
      if (inner > 0) for (const c of cells) if (c.includes(this.nl)) swallowed += countOf(c, this.nl);
      this.line += 1 + swallowed;
      if (swallowed > MAX_RECORD_LINES) return this.refuse("OBC5014", "unclosed-quote", row, line, { lines: `more than ${MAX_RECORD_LINES.toLocaleString("en-US")} lines` });
      if (long && cellChars(cells) > MAX_RECORD_CHARS) return this.refuse("OBC5014", "record-too-long", row, line, { lines: `more than ${MAX_RECORD_CHARS / (1 << 20)} MB of text` });
      if (isBlank(cells)) continue;
      if (!this.header) {
        if (swallowed > 0 && bad.has(i)) return this.refuse("OBC5014", "unclosed-quote", row, line, { lines: linesText(swallowed) });
        const names = cells.map((c) => c.trim());
        const dataLike = names.flatMap((c, k) => (looksLikeData(c) ? [k + 1] : []));
        if (dataLike.length > 0) {
          this.fatal = registeredProblem("OBC5016", this.file, "header-looks-like-data", { columns: columnPositions(dataLike) });
          return text.length;
        }
        this.header = names;
        this.opts.onHeader?.(names);
        if (this.chunkChars !== undefined) {
          // the rest is cut into chunks, unread: the header's record ends where the first i + 1 records end
          this.chunking = true;
          return this.recordsEnd(text, i + 1, last);
        }
        continue;
      }
      const width = header?.length ?? this.header.length;
      if (swallowed > 0 && (bad.has(i) || cells.length !== width)) return this.refuse("OBC5014", "unclosed-quote", row, line, { lines: linesText(swallowed) });
      let carried: string | undefined;
      if (bad.has(i)) {
        this.problems.push(dataProblem("OBC5002", "error", this.file, "bad-quotes", `Row ${row} of ${this.file} has a quoted cell that is not closed properly.`, { row }));
        carried = "bad-quotes";
      }
      if (cells.length < width) {
        this.problems.push(dataProblem("OBC5008", "error", this.file, "too-few-cells",
          `Row ${row} of ${this.file} has ${cells.length} cells, but the header has ${width} columns; the missing cells are read as blank.`, { row }));
        carried ??= "too-few-cells";
      } else if (cells.length > width) {
        const extraBlank = isBlank(cells.slice(width));
        this.problems.push(dataProblem("OBC5008", extraBlank ? "warning" : "error", this.file, "too-many-cells",
          `Row ${row} of ${this.file} has ${cells.length} cells, but the header has ${width} columns; the extra cells are ignored.`, { row }));
        if (!extraBlank) carried ??= "too-many-cells";
      }
      this.opts.onRow?.(carried !== undefined ? { row, line, cells, carried } : { row, line, cells });
    }
    return last ? text.length : p.cursor;
  }

  /** Refuses the file because of the record that starts at `row` (and `line`). */
  private refuse(code: string, rule: string, row: number, line: number, params: Params): number {
    this.fatal = registeredProblem(code, this.file, rule, { row, line, ...params }, { row });
    return Number.MAX_SAFE_INTEGER;
  }

  /** The start of a record that has not ended yet: refused when it already runs past the limits. */
  private checkRemainder(rest: string, row: number, line: number): void {
    const breaks = countOf(rest, this.nl);
    if (breaks > MAX_RECORD_LINES) this.refuse("OBC5014", "unclosed-quote", row, line, { lines: `more than ${MAX_RECORD_LINES.toLocaleString("en-US")} lines` });
    else if (rest.length > MAX_RECORD_CHARS) this.refuse("OBC5014", "record-too-long", row, line, { lines: `more than ${MAX_RECORD_CHARS / (1 << 20)} MB of text` });
  }

  /**
   * Chunk mode: cuts the next chunk, ending with the record that holds its `chunkChars`-th
   * character (or at the end of the text). Returns false when more text is needed.
   */
  private cut(final: boolean): boolean {
    const buf = this.buf;
    const pos = this.pos;
    const avail = buf.length;
    const target = pos + this.chunkChars! - 1;
    let end: number;
    let rows = 0;
    if (target >= avail) {
      if (!final) return false;
      end = avail;
    } else {
      const nlAt = buf.indexOf(this.nl, target);
      const quote = buf.indexOf('"', pos);
      if (quote < 0 || (nlAt >= 0 && quote > nlAt)) {
        // no quote before the boundary: every line break ends a record
        if (nlAt < 0 && !final) {
          const start = buf.lastIndexOf(this.nl, target) + this.nl.length;
          this.checkUnfinished(Math.max(pos, start));
          return false;
        }
        end = nlAt < 0 ? avail : nlAt + this.nl.length;
        rows = countOf(buf.slice(pos, end), this.nl);
      } else {
        // the records that end within the first chunkChars characters, then the one that holds the last of them
        const head = this.parse(buf.slice(pos, target + 1), false);
        const next = this.recordsEnd(buf.slice(pos + head.cursor), 1, final);
        if (next < 0) {
          this.checkUnfinished(pos + head.cursor);
          return false;
        }
        end = pos + head.cursor + next;
        rows = head.data.length + 1;
      }
    }
    const text = buf.slice(pos, end);
    this.opts.onChunk?.({ text, header: this.header!, row: this.row, line: this.line, newline: this.nl as CsvChunk["newline"] });
    this.row += rows;
    this.line += countOf(text, this.nl);
    this.pos = end;
    return true;
  }

  /** Chunk mode, waiting for text: refuses the record that starts at `start` when it already runs past the limits. */
  private checkUnfinished(start: number): void {
    const rest = this.buf.slice(start);
    if (rest.length <= MAX_RECORD_CHARS && countOf(rest, this.nl) <= MAX_RECORD_LINES) return;
    const before = this.buf.slice(this.pos, start);
    const records = before.includes('"') ? this.parse(before, false).data.length : countOf(before, this.nl);
    this.checkRemainder(rest, this.row + records, this.line + countOf(before, this.nl));
  }
}

/** True when every cell is empty or white space. */
function isBlank(cells: string[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    // most cells start with a visible character
    if (c.length > 0 && c.charCodeAt(0) > 32 && c.charCodeAt(0) !== 160 && c.charCodeAt(0) < 0x1680) return false;
    if (c.trim() !== "") return false;
  }
  return true;
}

function countOf(s: string, nl: string): number {
  let n = 0;
  for (let i = s.indexOf(nl); i >= 0; i = s.indexOf(nl, i + nl.length)) n++;
  return n;
}

function cellChars(cells: string[]): number {
  let n = cells.length;
  for (const c of cells) n += c.length;
  return n;
}

function linesText(n: number): string {
  return n === 1 ? "the next line" : `the next ${n.toLocaleString("en-US")} lines`;
}

// ───────────── whole texts ─────────────

/** A whole CSV text read at once: header, rows and problems. */
export interface CsvTable {
  header: string[] | undefined;
  rows: CsvRow[];
  problems: DataProblem[];
  fatal: DataProblem | undefined;
}

/**
 * Reads a whole CSV text (line endings detected on all of it). Rows are collected unless
 * `onRow` takes them.
 */
export function readCsv(text: string, file: string, opts: { delimiter?: string; onRow?: (row: CsvRow) => void; onHeader?: (header: string[]) => void } = {}): CsvTable {
  const rows: CsvRow[] = [];
  const reader = new CsvReader(file, {
    newline: detectNewline(text),
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.onHeader ? { onHeader: opts.onHeader } : {}),
    onRow: opts.onRow ?? ((r) => rows.push(r)),
  });
  reader.push(text);
  reader.end();
  return { header: reader.header, rows, problems: reader.problems, fatal: reader.fatal };
}

/** The header of a CSV text's start (e.g. the first kilobytes of a file), if it holds a whole one. */
export function csvHeaderOf(head: string): string[] | undefined {
  let header: string[] | undefined;
  const reader = new CsvReader("", { newline: detectNewline(head), onHeader: (h) => (header = h) });
  reader.push(head);
  if (!header && !reader.fatal) reader.end();
  return reader.fatal ? undefined : header;
}

/**
 * A whole CSV text with its header read and its body not yet: the header (to choose the data
 * set), then `forEachRow` reads the body. File-level problems are in `fatal`: found with the
 * header (binary content, a header that looks like data) or while the body is read (a quote
 * that swallows lines). `problems` (row-level) are complete once the body has been read.
 */
export interface CsvSource {
  /** the file's label */
  file: string;
  header: string[] | undefined;
  fatal: DataProblem | undefined;
  problems: DataProblem[];
  /** the body as one chunk (for cutting into parts), undefined when there is none */
  body: CsvChunk | undefined;
  forEachRow(f: (row: CsvRow) => void): void;
}

/** Opens a whole CSV text: reads its header now and its body when asked (see {@link CsvSource}). */
export function csvSource(text: string, file: string, opts: { delimiter?: string } = {}): CsvSource {
  let body: CsvChunk | undefined;
  const head = new CsvReader(file, { newline: detectNewline(text), chunkChars: Infinity, onChunk: (c) => (body = c), ...(opts.delimiter ? { delimiter: opts.delimiter } : {}) });
  head.push(text);
  head.end();
  const src: CsvSource = {
    file,
    header: head.fatal ? undefined : head.header,
    fatal: head.fatal,
    problems: [],
    body,
    forEachRow: (f) => {
      if (!body || src.fatal) return;
      const r = readChunk(body, file, f, opts.delimiter);
      src.problems.push(...r.problems);
      src.fatal = r.fatal;
    },
  };
  return src;
}

/** Reads a chunk of a file (from {@link CsvReader} in chunk mode, or {@link csvSource}'s body). */
export function readChunk(chunk: CsvChunk, file: string, onRow: (row: CsvRow) => void, delimiter?: string): { problems: DataProblem[]; fatal: DataProblem | undefined } {
  const reader = new CsvReader(file, { newline: chunk.newline, start: chunk, onRow, ...(delimiter ? { delimiter } : {}) });
  reader.push(chunk.text);
  reader.end();
  return { problems: reader.problems, fatal: reader.fatal };
}
