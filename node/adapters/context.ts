/**
 * What every adapter receives, and the row-reading helpers CSV adapters share.
 *
 * An adapter is `(ctx) => Promise<void>`: it reads `ctx.path`, writes canonical records to
 * `ctx.sink`, and reports rows and cells to `ctx.quality`. It never stores a cell it does not
 * need: columns off its allowlist are not read at all.
 */
import type { KeyFunction } from "../privacy.ts";
import type { AdaptSink } from "./canonical.ts";
import {
  cellGetter,
  type BoundColumns,
  type Columns,
  type Read,
  readCount,
  readDate,
  readFlag,
  readId,
  readNonNegative,
  readNumber,
  readPercentPoints,
  readText,
  normGrade,
} from "./cells.ts";
import { streamCsvFile } from "./csv-stream.ts";
import type { FileQualityBuilder } from "./quality.ts";

export interface AdapterOptions {
  /** reject a row with any unreadable cell, instead of keeping it with the cell missing */
  strict?: boolean;
  /** leave out sessions dated after this day (a data drop's cut-off) */
  sessionsThrough?: string;
  /** the subject of every result in the file, when the file does not say (Star, i-Ready) */
  subject?: string;
  /** which student id identifies students in vendor files: the local (district) id or the state id */
  idField?: "local" | "state";
  /** the id system named in pseudonyms (default "sis" for local ids, "state" for state ids) */
  idSystem?: string;
}

export interface AdapterContext {
  /** the file as the user named it (used in every report) */
  file: string;
  /** the path to open */
  path: string;
  /** sha256 of the file's bytes, computed before reading */
  sha256: string;
  sink: AdaptSink;
  quality: FileQualityBuilder;
  keyOf: KeyFunction;
  options: AdapterOptions;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** The id system of an id column, for pseudonyms. */
export function idSystemOf(ctx: AdapterContext, which: "local" | "state"): string {
  return ctx.options.idSystem ?? (which === "state" ? "state" : "sis");
}

/** Reads the cells of one row, recording unreadable cells (never their text). */
export class RowReader {
  private readonly problems: { column: string; rule: string }[] = [];
  private readonly missing: string[] = [];

  constructor(
    readonly row: number,
    private readonly get: (name: string) => string | undefined,
    private readonly bound: BoundColumns,
  ) {}

  /** True when the file has the column. */
  has(column: string): boolean {
    return this.bound.index.has(column);
  }

  /** The raw cell, for adapters that read a column in a special way. */
  raw(column: string): string | undefined {
    return this.get(column);
  }

  private take<T>(column: string, r: Read<T>): T | undefined {
    if (!r.ok) {
      this.problems.push({ column, rule: r.rule });
      return undefined;
    }
    if (r.value === undefined && this.bound.index.has(column)) this.missing.push(column);
    return r.value;
  }

  id(column: string): string | undefined {
    return this.take(column, readId(this.get(column)));
  }
  text(column: string): string | undefined {
    return this.take(column, readText(this.get(column)));
  }
  date(column: string): string | undefined {
    return this.take(column, readDate(this.get(column)));
  }
  number(column: string): number | undefined {
    return this.take(column, readNumber(this.get(column)));
  }
  count(column: string): number | undefined {
    return this.take(column, readCount(this.get(column)));
  }
  nonNegative(column: string): number | undefined {
    return this.take(column, readNonNegative(this.get(column)));
  }
  percent(column: string): number | undefined {
    return this.take(column, readPercentPoints(this.get(column)));
  }
  flag(column: string): boolean | null | undefined {
    return this.take(column, readFlag(this.get(column)));
  }
  /** A grade as a CEDS code (PK, KG, 01…12, UG…); an unknown grade is a `not-a-grade` problem. */
  grade(column: string): string | undefined {
    const text = this.text(column);
    if (text === undefined) return undefined;
    const code = normGrade(text);
    if (code === undefined) this.problem(column, "not-a-grade");
    return code;
  }
  /** Records a problem found by the adapter itself (e.g. an unknown code). */
  problem(column: string, rule: string): void {
    this.problems.push({ column, rule });
  }

  /** The first problem, if any. */
  firstProblem(): { column: string; rule: string } | undefined {
    return this.problems[0];
  }

  /**
   * Ends the row: in strict mode any unreadable cell rejects it; otherwise its unreadable cells
   * are reported and it is accepted.
   * @returns true when the row is accepted
   */
  finish(q: FileQualityBuilder, strict: boolean): boolean {
    if (strict && this.problems.length > 0) {
      q.reject(this.row, this.problems[0].rule, this.problems[0].column);
      return false;
    }
    for (const p of this.problems) q.cell(this.row, p.column, p.rule);
    for (const m of this.missing) q.missingValue(m);
    q.accept();
    return true;
  }
}

/**
 * Streams a CSV file through an allowlist: binds the header, reports dropped and missing columns,
 * rejects every row when a required column is absent, and calls `onRow` for the others.
 */
export async function readCsvRows(
  ctx: AdapterContext,
  cols: Columns,
  onRow: (r: RowReader) => void,
  onHeader?: (header: readonly string[]) => void,
): Promise<void> {
  const q = ctx.quality;
  let bound: BoundColumns | undefined;
  let width = 0;
  let unusable = false;
  const badQuotes = new Set<number>();
  const res = await streamCsvFile(ctx.path, {
    label: ctx.file,
    onHeader: (header) => {
      onHeader?.(header);
      bound = cols.bind(header);
      width = header.length;
      q.q.droppedColumns = bound.dropped;
      q.q.missingColumns = [...bound.missingRequired, ...bound.missingOptional];
      for (const c of bound.missingRequired) q.fileProblem("missing-column", c);
      unusable = bound.missingRequired.length > 0;
    },
    onQuoteError: (row) => badQuotes.add(row),
    onRow: (cells, row) => {
      q.read();
      if (unusable) {
        q.reject(row, "missing-column");
        return;
      }
      if (badQuotes.has(row)) {
        q.reject(row, "bad-quotes");
        return;
      }
      if (cells.length < width && (ctx.options.strict ?? false)) {
        q.reject(row, "too-few-cells");
        return;
      }
      if (cells.length < width) q.cell(row, "(row)", "too-few-cells");
      onRow(new RowReader(row, cellGetter(bound!, cells), bound!));
    },
    onProgress: ctx.onProgress,
  });
  if (!res.hadHeader) q.fileProblem("empty-file");
  if (res.sha256 !== ctx.sha256) q.fileProblem("file-changed-while-reading");
  q.q.bytes = res.bytes;
}
