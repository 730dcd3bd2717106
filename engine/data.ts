/**
 * The data of a run: typed values, records, the data-quality report and its problems, and how
 * one cell is read as a declared type (`parseCell`). Text is read into rows by the one CSV
 * reader (engine/csv.ts) and rows into records by the one loader (engine/load.ts).
 *
 * Privacy: problem messages name only the file label, the row number, the column name and the
 * rule that failed — never a cell value or a student id.
 *
 * Problem codes (OBC5xxx; severities and message templates in `language/diagnostics/codes.ts`):
 * OBC5001 missing-column, OBC5002 malformed-cell, OBC5003 missing-value, OBC5004 duplicate-id,
 * OBC5005 unknown-student, OBC5006 unknown-column, OBC5007 empty-file, OBC5008 ragged-row,
 * OBC5009 missing-key, and the file-level OBC5014 unclosed-quote, OBC5015 not-a-csv-file,
 * OBC5016 header-looks-like-data, OBC5017 no-known-columns, OBC5018 not-utf8.
 */
import type { DataDecl, FieldTypeName } from "../language/ast.ts";
import { csvSource, dataProblem, registeredProblem } from "./csv.ts";
import { parseMoney } from "./money.ts";
import { Rational } from "./rational.ts";

// ───────────────────────────── types ─────────────────────────────

/** A typed cell value. Missing is its own kind — never 0, never "". */
export type Value =
  | { kind: "number"; value: Rational }
  /** `exact`: an amount computed to less than a cent (an aggregate of event rows), which `cents` truncates */
  | { kind: "money"; cents: bigint; exact?: Rational }
  /** A fraction: 30% → 0.3. */
  | { kind: "percent"; value: Rational }
  | { kind: "boolean"; value: boolean }
  /** ISO YYYY-MM-DD. */
  | { kind: "date"; value: string }
  | { kind: "text"; value: string }
  | { kind: "missing" };

/** One accepted record of a data set. */
export interface DataRow {
  /** The file label. */
  source: string;
  /**
   * 1-based row number as a spreadsheet user sees it: for CSV the header is row 1 and the
   * first data row is row 2 (blank lines keep their numbers); for JSON rows, the 1-based
   * position in the array.
   */
  row: number;
  /** The key (e.g. student id), always text with leading zeros kept; absent for per-period-only sets. */
  key?: string;
  /** The period (e.g. "2026-10", "2014-15"), always text; absent when the set has no period. */
  period?: string;
  /**
   * Every declared field by its declared name (`missing` when blank, `*`, malformed or its column
   * is absent), plus the key and period columns as `text` values.
   */
  values: Record<string, Value>;
}

export interface DataProblem {
  /** OBC5xxx */
  code: string;
  severity: "error" | "warning";
  /** The file label. */
  file: string;
  row?: number;
  column?: string;
  /** Short machine-readable reason, e.g. "not-a-date". */
  rule: string;
  /** A plain sentence without any cell value or id. */
  message: string;
}

export interface FileReport {
  file: string;
  /** How the file's bytes were read as text, when the caller decoded them (e.g. "utf-8", "windows-1252"). */
  encoding?: string;
  /** The declared data set's name. */
  dataSet: string;
  /** Non-empty data rows in the file. `rowsRead = rowsAccepted + rowsRejected`. */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Per declared field: how many accepted rows hold `missing` for it (blank, `*`, malformed or absent column). */
  missingValues: Record<string, number>;
  problems: DataProblem[];
  /** Rows not used, with the rule that rejected them. */
  rejected: { row: number; rule: string }[];
}

/**
 * A parsed table. `problems` (e.g. from {@link parseCsv}) are carried into the {@link FileReport};
 * `fatal` is a file-level problem (the file is refused: no row is used).
 */
export interface Table {
  header: string[];
  rows: { row: number; cells: string[] }[];
  problems?: DataProblem[];
  fatal?: DataProblem;
}

/** The data-quality codes. */
export const DATA_CODES = {
  missingColumn: "OBC5001",
  malformedCell: "OBC5002",
  missingValue: "OBC5003",
  duplicateId: "OBC5004",
  unknownStudent: "OBC5005",
  unknownColumn: "OBC5006",
  emptyFile: "OBC5007",
  raggedRow: "OBC5008",
  missingKey: "OBC5009",
  unclosedQuote: "OBC5014",
  notCsv: "OBC5015",
  headerLooksLikeData: "OBC5016",
  noKnownColumns: "OBC5017",
  notUtf8: "OBC5018",
  noUsableStudent: "OBC5020",
} as const;

/** Problems about a file as a whole (it could not be read, matched or used): they stop the run. */
const FILE_LEVEL = new Set(["OBC5010", "OBC5011", "OBC5012", "OBC5014", "OBC5015", "OBC5016", "OBC5017", "OBC5019", "OBC5020"]);

/**
 * Whether a problem stops the run whatever the options: a file that cannot be read as a table,
 * matched to a data set or used at all, a data set without a file, a roster without rows or
 * with none usable.
 */
export function stopsTheRun(p: DataProblem): boolean {
  return p.severity === "error" && (FILE_LEVEL.has(p.code) || p.code === DATA_CODES.emptyFile);
}

// ───────────────────────────── cells ─────────────────────────────

/** Header matching key: lower case, without whitespace, `_` or `-` ("EOY Score" ≡ "eoy_score"). */
export function normaliseColumnName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, "");
}

/**
 * The key column of a data set: `decl.key`, or "student_id" when the set declares neither a key
 * nor a period. A per-period-only set (`each month`, no key) has none.
 */
export function keyColumnOf(decl: DataDecl): string | undefined {
  if (decl.key) return decl.key.name;
  return decl.period ? undefined : "student_id";
}

/** A blank cell or `*` means missing. */
export function isMissingCell(text: string): boolean {
  const t = text.trim();
  return t === "" || t === "*";
}

/** The outcome of reading one non-missing cell: a value, or the rule it broke and what was expected. */
export type CellResult = { ok: true; value: Value } | { ok: false; rule: string; expected: string };

const NUMBER = /^[+-]?(?:(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)$/;
const BOOLEANS: Record<string, boolean> = { true: true, yes: true, y: true, "1": true, false: false, no: false, n: false, "0": false };

function parseNumberText(t: string): Rational | undefined {
  return NUMBER.test(t) ? Rational.parse(t.replace(/,/g, "")) : undefined;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/**
 * Reads a calendar date written YYYY-MM-DD or M/D/YYYY (US order; leading zeros optional), or
 * YYYY-MM-DD followed by a time of day (hours:minutes[:seconds], after a space or `T`, no time
 * zone): the date it is on.
 * @returns the ISO date text, or undefined when the text is not a real date (e.g. 2/30/2026, 2025-02-29)
 */
export function parseDate(text: string): string | undefined {
  const t = text.trim();
  let y: number, m: number, d: number;
  // a date with a time of day (`2025-11-13 14:40:00`, `2025-11-13T14:40`) is its calendar date
  let match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)?$/.exec(t);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) {
    [m, d, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    return undefined;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * Reads one cell as a field type. The caller handles missing cells first ({@link isMissingCell}).
 * - integer/count/decimal/score → number (integer and count whole; count ≥ 0); "1,234" allowed;
 * - percent → percent points, "20" or "20%" → 0.2;
 * - money → "1,234.50" or "$1,234.50" (at most 2 decimals);
 * - boolean → true/false/yes/no/y/n/1/0, any case;
 * - date → YYYY-MM-DD or M/D/YYYY, real calendar dates only;
 * - text → trimmed text.
 */
export function parseCell(type: FieldTypeName, text: string): CellResult {
  const t = text.trim();
  switch (type) {
    case "decimal":
    case "score": {
      const r = parseNumberText(t);
      return r ? { ok: true, value: { kind: "number", value: r } } : { ok: false, rule: "not-a-number", expected: "number" };
    }
    case "integer":
    case "count": {
      const r = parseNumberText(t);
      const expected = type === "count" ? "count (a whole number, zero or more)" : "whole number";
      if (!r) return { ok: false, rule: "not-a-number", expected };
      if (!r.isInteger()) return { ok: false, rule: "not-a-whole-number", expected };
      if (type === "count" && r.isNegative()) return { ok: false, rule: "negative-count", expected };
      return { ok: true, value: { kind: "number", value: r } };
    }
    case "percent": {
      const r = parseNumberText(t.replace(/\s*%$/, ""));
      return r
        ? { ok: true, value: { kind: "percent", value: r.div(100) } }
        : { ok: false, rule: "not-a-percent", expected: "percentage (percent points such as 20 or 20%)" };
    }
    case "money": {
      const c = parseMoney(t);
      return c !== undefined
        ? { ok: true, value: { kind: "money", cents: c } }
        : { ok: false, rule: "not-money", expected: "amount of money (at most 2 decimals)" };
    }
    case "boolean": {
      const b = Object.hasOwn(BOOLEANS, t.toLowerCase()) ? BOOLEANS[t.toLowerCase()] : undefined;
      return b !== undefined
        ? { ok: true, value: { kind: "boolean", value: b } }
        : { ok: false, rule: "not-a-boolean", expected: "yes/no value" };
    }
    case "date": {
      const d = parseDate(t);
      return d !== undefined
        ? { ok: true, value: { kind: "date", value: d } }
        : { ok: false, rule: "not-a-date", expected: "date (write YYYY-MM-DD or M/D/YYYY)" };
    }
    case "text":
      return { ok: true, value: { kind: "text", value: t } };
    default: {
      const never: never = type;
      throw new Error(`Unknown field type ${String(never)}`);
    }
  }
}

// ───────────────────────────── CSV ─────────────────────────────

const problem = dataProblem;


/**
 * Reads a whole CSV text with the one reader (engine/csv.ts): BOM, blank lines before the header
 * and any line endings handled; the header is the first non-blank record.
 * @param text the file's text
 * @param fileLabel the label used in problems, e.g. "students.csv"
 * @param opts delimiter (default ",")
 * @returns the header, the data rows with their spreadsheet row numbers (cells as written, not
 *   trimmed), row-level problems (OBC5008 ragged rows, OBC5002 quotes within a row), and `fatal`,
 *   a file-level problem when the file cannot be used (then header and rows are empty)
 */
export function parseCsv(
  text: string,
  fileLabel: string,
  opts: { delimiter?: string } = {},
): { header: string[]; rows: { row: number; cells: string[] }[]; problems: DataProblem[]; fatal?: DataProblem } {
  const src = csvSource(text, fileLabel, opts);
  const rows: { row: number; cells: string[] }[] = [];
  src.forEachRow((r) => rows.push({ row: r.row, cells: r.cells }));
  if (src.fatal) return { header: [], rows: [], problems: [], fatal: src.fatal };
  return { header: src.header ?? [], rows, problems: src.problems };
}

// ───────────────────────────── files as a whole ─────────────────────────────

/** OBC5007: a file without a header (`empty`) or without data rows; an error for the roster, whose rows are the students to pay. */
export function emptyFileProblem(file: string, empty: boolean, roster: boolean): DataProblem {
  const what = empty ? `The file ${file} is empty.` : `The file ${file} has no rows of data.`;
  return roster
    ? problem(DATA_CODES.emptyFile, "error", file, "empty-file", `${what} It holds the roster, so no student could be paid; give the file with the students' rows.`)
    : problem(DATA_CODES.emptyFile, "warning", file, "empty-file", what);
}

/**
 * OBC5017 when a file's header names none of the data set's columns (key, period or field): a
 * file without its header row, or the wrong file. Undefined when one column matches, or when
 * there is no header.
 */
export function noKnownColumns(decl: DataDecl, header: readonly string[], file: string): DataProblem | undefined {
  if (header.length === 0) return undefined;
  const keyCol = keyColumnOf(decl);
  const names = [...(keyCol !== undefined ? [keyCol] : []), ...(decl.period ? [decl.period.name] : []), ...decl.fields.map((f) => f.name.name)];
  const known = new Set(names.map(normaliseColumnName));
  if (header.some((h) => known.has(normaliseColumnName(h)))) return undefined;
  const expected = [...new Set(names)].slice(0, 4).join(", ") + (names.length > 4 ? ", …" : "");
  return registeredProblem(DATA_CODES.noKnownColumns, file, "no-known-columns", { dataSet: decl.name.name, expected });
}

/**
 * Checks keyed data sets against the roster: every row of a set that has a key (and is not the
 * roster, the set named `rosterName`) must name a key found in the roster.
 * @returns one OBC5005 error per such row (file, row and key column — never the id); none when the
 *   roster is not among `sets`.
 */
export function crossCheck(sets: { decl: DataDecl; rows: DataRow[]; file: string }[], rosterName: string): DataProblem[] {
  const roster = sets.find((s) => s.decl.name.name === rosterName);
  if (!roster) return [];
  const ids = new Set(roster.rows.map((r) => r.key).filter((k): k is string => k !== undefined));
  const problems: DataProblem[] = [];
  for (const s of sets) {
    const keyCol = keyColumnOf(s.decl);
    if (s === roster || s.decl.name.name === rosterName || keyCol === undefined) continue;
    for (const r of s.rows) {
      if (r.key === undefined || ids.has(r.key)) continue;
      problems.push(problem(DATA_CODES.unknownStudent, "error", s.file, "unknown-student",
        `Row ${r.row} of ${s.file} names a student who is not in the roster ${rosterName}.`, { row: r.row, column: keyCol }));
    }
  }
  return problems;
}
