/**
 * Data files from disk as text: how every command and adapter turns a data file's bytes into
 * text (Node only). The text then goes to the one CSV reader (engine/csv.ts) or a JSON or XML
 * parser.
 *
 * - an Excel workbook (.xlsx) becomes the CSV text of its data sheet (node/workbook.ts: every
 *   cell read exactly, or the workbook refused with OBC5019);
 * - UTF-8, with or without a byte-order mark;
 * - UTF-16 LE or BE with a byte-order mark (the mark decides);
 * - otherwise, when the bytes are not valid UTF-8, Windows-1252 (what Excel on Windows writes
 *   for "CSV"); the file report says so, with a warning (OBC5018);
 * - anything that is not text is refused with what it looks like and what to do (OBC5015):
 *   a zip (an Excel workbook, a Word document…), a PDF, an image, UTF-16 or UTF-32 without
 *   the means to read it, NUL bytes, control characters.
 *
 * `readDataFile` reads a whole file; `inspectFile` makes one pass over a large file (hash, the
 * encoding, the line endings, binary content) and `textPieces` then streams its text, so a file
 * is never held whole. Both decide with the same function ({@link decideEncoding}).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import { Transform } from "node:stream";
import { LineEndings, notTextProblem, sniff, type Newline, type NotText } from "../engine/csv.ts";
import type { DataProblem } from "../engine/data.ts";
import type { DataFile } from "../engine/inputs.ts";

export type Encoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

/** What one pass over a file found. */
export interface FileFacts {
  bytes: number;
  /** sha256 (hex) of the file's bytes */
  sha256: string;
  /** how its bytes are read as text; undefined when it is refused */
  encoding?: Encoding;
  /** the file is not text (OBC5015) */
  refusal?: DataProblem;
  /** its line endings, counted on the whole file */
  newline: Newline;
}

/** Bytes a Windows-1252 text never holds (undefined in the code page). */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Counts, over a file's bytes, what decides its encoding. */
class ByteStats {
  utf8 = true;
  nul = false;
  /** C0 control bytes other than TAB, LF, FF, CR and Ctrl-Z, and bytes undefined in Windows-1252 (counted by `countOdd`) */
  odd = 0;
  bytes = 0;
  private tail: Buffer = Buffer.alloc(0);

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (chunk.indexOf(0) >= 0) this.nul = true;
    if (this.utf8) {
      // a character cut between chunks is checked with the next chunk
      const all = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
      const cut = incompleteTail(all);
      this.utf8 = isUtf8(all.subarray(0, all.length - cut));
      this.tail = Buffer.from(all.subarray(all.length - cut));
    }
  }

  end(): void {
    if (this.tail.length > 0) this.utf8 = false;
  }

  /** Counts the bytes no text in Windows-1252 holds (needed only when the file is not UTF-8). */
  countOdd(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if ((b < 32 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 26) || CP1252_UNDEFINED.has(b)) this.odd++;
    }
  }
}

/** How many bytes at the end of `b` start a UTF-8 character that is not complete (0 to 3). */
function incompleteTail(b: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * The encoding of a file from its first bytes (byte-order marks, signatures) and the counts of
 * all its bytes; or what it is instead of text.
 */
export function decideEncoding(head: Uint8Array, stats: Pick<ByteStats, "utf8" | "nul" | "odd" | "bytes">, includes: (ascii: string) => boolean): Encoding | NotText {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return stats.nul ? "binary" : "utf-8-bom";
  if ((head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) || (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff)) return "utf32";
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const kind = sniff({ head, includes });
  if (kind) return kind;
  if (stats.nul) return "binary";
  if (stats.utf8) return "utf-8";
  // not UTF-8: Windows-1252 text, unless it holds control bytes no text file has
  if (stats.odd >= 4 && stats.odd * 1000 >= stats.bytes) return "binary";
  return "windows-1252";
}

const isEncoding = (x: Encoding | NotText): x is Encoding => ["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252"].includes(x);

/** Windows-1252's characters for the bytes 0x80–0x9F (the bytes it leaves undefined stay as they are, as WHATWG decodes them). */
const CP1252_HIGH = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Windows-1252 bytes as text (Node's own decoder reads them as Latin-1, which differs on 0x80–0x9F). */
function decodeCp1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1").replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** A decoder for an encoding: `decode(bytes, { stream })` as WHATWG's, a byte-order mark consumed. */
function decoderFor(e: Encoding): { decode(b?: Uint8Array, o?: { stream?: boolean }): string } {
  if (e === "windows-1252") return { decode: (b) => (b ? decodeCp1252(b) : "") };
  return new TextDecoder(e === "utf-8-bom" ? "utf-8" : e);
}

/** Text from bytes in a known encoding, decoded piece by piece (a character split between pieces is kept whole). */
export class TextDecoderStream extends Transform {
  private readonly decoder: ReturnType<typeof decoderFor>;
  private readonly hash = createHash("sha256");
  bytes = 0;

  constructor(encoding: Encoding, private readonly onBytes?: (n: number) => void) {
    super({ readableObjectMode: true });
    this.decoder = decoderFor(encoding);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    const text = this.decoder.decode(chunk, { stream: true });
    if (text.length > 0) this.push(text);
    done();
  }

  override _flush(done: (e?: Error | null) => void): void {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.push(rest);
    done();
  }

  /** sha256 (hex) of the bytes read. */
  digest(): string {
    return this.hash.digest("hex");
  }
}

/**
 * Decodes a whole file's bytes.
 * @returns the text (without a byte-order mark) and its encoding, or the refusal of content that is not text
 */
export function decodeBytes(bytes: Uint8Array, label: string): { text: string; encoding: Encoding; newline?: undefined } | { refusal: DataProblem } {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stats = new ByteStats();
  stats.add(buf);
  stats.end();
  if (!stats.utf8) stats.countOdd(buf);
  const found = decideEncoding(buf.subarray(0, 512), stats, (a) => buf.includes(a));
  if (!isEncoding(found)) return { refusal: notTextProblem(found, label) };
  const text = decoderFor(found).decode(buf);
  // text that decodes to NUL or control characters is not text either (UTF-16 holding binary)
  if (text.includes("\0")) return { refusal: notTextProblem("binary", label) };
  return { text, encoding: found };
}

/** The encoding a file report names: only one other than UTF-8 (with or without a byte-order mark). */
export function reportedEncoding(e: Encoding): { encoding?: string } {
  return e === "utf-8" || e === "utf-8-bom" ? {} : { encoding: e };
}

/** Whether the bytes are an Excel workbook (.xlsx), which {@link dataFileFromBytes} reads with node/workbook.ts. */
export function isWorkbook(bytes: Uint8Array): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return sniff({ head: buf.subarray(0, 512), includes: (a) => buf.includes(a) }) === "xlsx";
}

/**
 * A data file's text as the engine takes it, from the file's bytes: decoded, or refused. An
 * Excel workbook becomes the CSV text of its data sheet (node/workbook.ts), or is refused.
 * @param dataSet the data set it was given for, if named (a workbook's sheet of that name is read)
 */
export async function dataFileFromBytes(bytes: Uint8Array, label: string, dataSet?: string): Promise<DataFile> {
  const named = dataSet !== undefined ? { dataSet } : {};
  if (isWorkbook(bytes)) {
    const { workbookCsv } = await import("./workbook.ts");
    const w = await workbookCsv(bytes, label, dataSet);
    return "refusal" in w ? { label, text: "", ...named, refusal: w.refusal } : { label, text: w.text, ...named };
  }
  const d = decodeBytes(bytes, label);
  return "refusal" in d ? { label, text: "", ...named, refusal: d.refusal } : { label, text: d.text, ...named, ...reportedEncoding(d.encoding) };
}

/**
 * Reads a whole data file from disk (`path`), for the engine (`label` names it in messages).
 * @returns the file, decoded or refused, and the sha256 of its bytes
 * @throws the `fs` error when the file cannot be read
 */
export async function readDataFile(path: string, label: string, dataSet?: string): Promise<{ file: DataFile; sha256: string }> {
  const bytes = await readFile(path);
  return { file: await dataFileFromBytes(bytes, label, dataSet), sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * One pass over a file without holding it: its hash, its encoding (or why it is not text) and
 * its line endings. The same decision as {@link decodeBytes} on the whole file.
 * @throws the `fs` error when the file cannot be read
 */
export async function inspectFile(path: string, label: string): Promise<FileFacts> {
  const head = Buffer.alloc(512);
  let headLength = 0;
  {
    const fh = await open(path, "r");
    try {
      headLength = (await fh.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await fh.close();
    }
  }
  const h = head.subarray(0, headLength);
  const bom16 = (h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff);
  const hash = createHash("sha256");
  const stats = new ByteStats();
  const endings = new LineEndings();
  // UTF-16: line endings and NULs are counted on the text
  const utf16 = bom16 && !(h[2] === 0 && h[3] === 0) ? new TextDecoder(h[0] === 0xff ? "utf-16le" : "utf-16be") : undefined;
  let nulText = false;
  let zipNames = "";
  let zipTail = "";
  await new Promise<void>((resolve, reject) => {
    const s = createReadStream(path, { highWaterMark: 1 << 20 });
    s.on("data", (c) => {
      const chunk = c as Buffer;
      hash.update(chunk);
      stats.add(chunk);
      if (utf16) {
        const t = utf16.decode(chunk, { stream: true });
        endings.add(t);
        if (t.includes("\0")) nulText = true;
      } else endings.add(chunk);
      // the names inside a zip (a workbook's parts) are ASCII: at its start, and in its directory at the end
      if (h[0] === 0x50 && h[1] === 0x4b) {
        if (zipNames.length < 1 << 16) zipNames += chunk.subarray(0, 1 << 16).toString("latin1");
        zipTail = chunk.subarray(Math.max(0, chunk.length - (1 << 16))).toString("latin1");
      }
    });
    s.on("end", () => resolve());
    s.on("error", reject);
  });
  stats.end();
  if (!stats.utf8 && !bom16) {
    // not UTF-8: a second pass counts the bytes that would make it binary rather than Windows-1252
    await new Promise<void>((resolve, reject) => {
      const s = createReadStream(path, { highWaterMark: 1 << 20 });
      s.on("data", (c) => stats.countOdd(c as Buffer));
      s.on("end", () => resolve());
      s.on("error", reject);
    });
  }
  const found = decideEncoding(h, stats, (a) => zipNames.includes(a) || zipTail.includes(a) || h.includes(a));
  const facts: FileFacts = { bytes: stats.bytes, sha256: hash.digest("hex"), newline: endings.result() };
  if (!isEncoding(found)) facts.refusal = notTextProblem(found, label);
  else if (nulText) facts.refusal = notTextProblem("binary", label);
  else facts.encoding = found;
  return facts;
}

/**
 * The text of a file inspected by {@link inspectFile}, in pieces (decoded, without a byte-order mark).
 * @param onBytes told how many bytes have been read so far
 */
export async function* textPieces(path: string, encoding: Encoding, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoderStream(encoding, onBytes);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  input.on("error", (e) => decoder.destroy(e));
  input.pipe(decoder);
  try {
    for await (const piece of decoder as AsyncIterable<string>) yield piece;
  } finally {
    input.destroy();
  }
}

/**
 * The text of a file's first bytes (to tell what kind of file it is), decoded as
 * {@link decodeBytes} would decode them; "" when they are not text. A workbook's: the start of
 * its CSV text.
 */
export async function readHeadText(path: string, bytes = 65536): Promise<string> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    if (buf[0] === 0x50 && buf[1] === 0x4b) {
      const whole = await dataFileFromBytes(await readFile(path), path);
      if (!whole.refusal) return whole.text.slice(0, bytes);
    }
    // a character cut at the end of the head is left out
    const b = buf.subarray(0, bytesRead);
    const d = decodeBytes(b.subarray(0, b.length - (bytesRead === bytes ? incompleteTail(b) : 0)), path);
    return "text" in d ? d.text : "";
  } catch (e) {
    if ((e as { code?: string }).code) throw e;
    return "";
  } finally {
    await fh.close();
  }
}
