/**
 * Streaming CSV for the adapters: a file on disk → the one CSV reader (engine/csv.ts), one row
 * at a time, its bytes decoded as every data file is (node/data-file.ts: UTF-8, UTF-16 with a
 * byte-order mark, Windows-1252; anything that is not text refused) and hashed (sha256) as they
 * are read. Memory stays flat whatever the file size.
 *
 * Row numbers follow the engine: the header is row 1, blank records keep their numbers but are
 * not data. A file the reader refuses (not text, a quote that swallows lines, a header that looks
 * like data) throws {@link DataFileRefused}: an adaptation never goes on without its rows.
 */
import { fsReason } from "../cli-support.ts";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CsvReader } from "../../engine/csv.ts";
import type { DataProblem } from "../../engine/data.ts";
import { inspectFile, readDataFile, TextDecoderStream, type Encoding } from "../data-file.ts";
/** A file could not be opened or read (the message names the path as given, never its contents). */
export class FileReadError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot read ${path}: ${fsReason({ code })}`);
  }
}


export function toFileReadError(path: string, e: unknown): FileReadError {
  const code = (e as { code?: string } | null)?.code ?? "unreadable";
  return new FileReadError(path, code);
}

export interface StreamProgress {
  (bytesRead: number, totalBytes: number): void;
}

/**
 * A byte stream tap: hashes the bytes and decodes them as text (UTF-8 unless told otherwise; a
 * character split across chunks is kept whole, a byte-order mark is dropped).
 */
export class HashingDecoder extends TextDecoderStream {
  constructor(onBytes?: (n: number) => void, encoding: Encoding = "utf-8") {
    super(encoding, onBytes);
  }
}

/** A data file the reader refuses as a whole: `problem` says why, in one sentence without any value. */
export class DataFileRefused extends Error {
  constructor(readonly problem: DataProblem) {
    super(problem.message);
  }
}

export interface CsvRowHandlers {
  /** the file's name in messages (default: the path) */
  label?: string;
  /** called once with the header (first non-blank record); cells trimmed */
  onHeader(header: string[]): void;
  /** called for every non-blank record after the header */
  onRow(cells: string[], row: number): void;
  /** a record with a quote problem within its line (called before the row is passed to onRow) */
  onQuoteError?(row: number): void;
  onProgress?: StreamProgress;
}

export interface CsvStreamResult {
  sha256: string;
  bytes: number;
  /** false when the file had no header (empty) */
  hadHeader: boolean;
}

/**
 * Streams a CSV file row by row.
 * @throws FileReadError when the file cannot be opened or read
 * @throws DataFileRefused when the file cannot be used (not CSV text, a quote that swallows lines, a header that looks like data)
 */
export async function streamCsvFile(path: string, h: CsvRowHandlers): Promise<CsvStreamResult> {
  const label = h.label ?? path;
  let total = 0;
  let facts;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error("dir"), { code: "EISDIR" });
    total = s.size;
    facts = await inspectFile(path, label);
  } catch (e) {
    throw toFileReadError(path, e);
  }
  if (facts.refusal?.rule === "not-text-xlsx") return workbookRows(path, label, total, h);
  if (!facts.encoding) throw new DataFileRefused(facts.refusal!);
  const tap = new HashingDecoder(h.onProgress ? (n) => h.onProgress!(n, total) : undefined, facts.encoding);
  const reader = new CsvReader(label, {
    newline: facts.newline,
    onHeader: (header) => h.onHeader(header),
    onRow: (r) => {
      if (r.carried === "bad-quotes") h.onQuoteError?.(r.row);
      h.onRow(r.cells, r.row);
    },
  });
  const input = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(toFileReadError(path, e));
    };
    input.on("error", fail);
    tap.on("error", fail);
    tap.on("data", (piece: string) => {
      if (failed) return;
      reader.push(piece);
      if (reader.fatal) {
        failed = true;
        input.destroy();
        reject(new DataFileRefused(reader.fatal));
      }
    });
    tap.on("end", () => {
      if (failed) return;
      reader.end();
      if (reader.fatal) reject(new DataFileRefused(reader.fatal));
      else resolve();
    });
    input.pipe(tap);
  });
  return { sha256: tap.digest(), bytes: tap.bytes, hadHeader: reader.header !== undefined };
}

/** An Excel workbook's rows (its data sheet, read whole as every data file is: node/data-file.ts). */
async function workbookRows(path: string, label: string, total: number, h: CsvRowHandlers): Promise<CsvStreamResult> {
  let read;
  try {
    read = await readDataFile(path, label);
  } catch (e) {
    throw toFileReadError(path, e);
  }
  if (read.file.refusal) throw new DataFileRefused(read.file.refusal);
  const reader = new CsvReader(label, {
    newline: "\n",
    onHeader: (header) => h.onHeader(header),
    onRow: (r) => {
      if (r.carried === "bad-quotes") h.onQuoteError?.(r.row);
      h.onRow(r.cells, r.row);
    },
  });
  reader.push(read.file.text);
  reader.end();
  if (reader.fatal) throw new DataFileRefused(reader.fatal);
  h.onProgress?.(total, total);
  return { sha256: read.sha256, bytes: total, hadHeader: reader.header !== undefined };
}

/** sha256 (hex) of a file's bytes, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    const s = createReadStream(path);
    s.on("data", (c) => hash.update(c));
    s.on("end", () => resolve());
    s.on("error", (e) => reject(toFileReadError(path, e)));
  });
  return hash.digest("hex");
}

/** sha256 (hex) of a text's UTF-8 bytes. */
export function sha256Text(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
