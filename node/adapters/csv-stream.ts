/**
 * Streaming CSV: a Node read stream → papaparse's streaming parser, one row at a time, with the
 * file's sha256 computed over the same bytes. Memory stays flat whatever the file size.
 *
 * Row numbers follow the engine (`engine/data.ts`): the header is row 1, blank records keep
 * their numbers but are not data. A UTF-8 BOM is stripped.
 */
import { fsReason } from "../cli-support.ts";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import Papa from "papaparse";

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
 * A byte stream tap: hashes the bytes and decodes them as UTF-8 text (a character split across
 * chunks is kept whole).
 */
export class HashingDecoder extends Transform {
  private readonly hash = createHash("sha256");
  private readonly decoder = new StringDecoder("utf8");
  bytes = 0;
  private first = true;

  constructor(private readonly onBytes?: (n: number) => void) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    let text = this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length > 0) this.push(text);
    done();
  }

  override _flush(done: (e?: Error | null) => void): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.push(rest);
    done();
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

export interface CsvRowHandlers {
  /** called once with the header (first non-blank record); cells trimmed */
  onHeader(header: string[]): void;
  /** called for every non-blank record after the header */
  onRow(cells: string[], row: number): void;
  /** a record with broken quoting (the row is still passed to onRow) */
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
 */
export async function streamCsvFile(path: string, h: CsvRowHandlers): Promise<CsvStreamResult> {
  let total = 0;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error("dir"), { code: "EISDIR" });
    total = s.size;
  } catch (e) {
    throw toFileReadError(path, e);
  }
  const tap = new HashingDecoder(h.onProgress ? (n) => h.onProgress!(n, total) : undefined);
  const input = createReadStream(path);
  let header: string[] | undefined;
  let record = 0;
  const quoteRows = new Set<number>();

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
    input.pipe(tap);
    Papa.parse<string[]>(tap as unknown as File, {
      header: false,
      skipEmptyLines: false,
      step: (results) => {
        if (failed) return;
        record++;
        for (const e of results.errors) {
          if (e.type === "Quotes" && !quoteRows.has(record)) {
            quoteRows.add(record);
            h.onQuoteError?.(record);
          }
        }
        const cells = results.data;
        if (cells.every((c) => c.trim() === "")) return;
        if (!header) {
          header = cells.map((c) => c.trim());
          h.onHeader(header);
          return;
        }
        h.onRow(cells, record);
      },
      complete: () => {
        if (!failed) resolve();
      },
      error: (e: unknown) => fail(e),
    });
  });
  return { sha256: tap.digest(), bytes: tap.bytes, hadHeader: header !== undefined };
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
