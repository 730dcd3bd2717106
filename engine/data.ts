/**
 * Data loading for the OBC engine: raw tables → typed records for a contract's `data` declarations,
 * with a data-quality report in which no row is silently dropped.
 *
 * Inputs: CSV text (never a path — this module is browser-safe) or JSON rows, a {@link DataDecl}
 * from the AST, and a file label used in messages ("students.csv").
 * Outputs: {@link DataRow}s with typed {@link Value}s, and a {@link FileReport} that counts rows
 * read / accepted / rejected, missing values per column, and lists every {@link DataProblem}.
 *
 * Privacy: problem messages name only the file label, the row number, the column name and the
 * rule that failed — never a cell value or a student id.
 *
 * Problem codes (OBC5xxx; default severities follow `language/diagnostics/codes.ts`):
 * OBC5001 missing-column, OBC5002 malformed-cell, OBC5003 missing-value, OBC5004 duplicate-id,
 * OBC5005 unknown-student, OBC5006 unknown-column, OBC5007 empty-file, OBC5008 ragged-row,
 * OBC5009 missing-key.
 */
import { z } from "zod";
import type { DataDecl, FieldDecl, FieldTypeName } from "../language/ast.ts";
import { csvSource, dataProblem, registeredProblem } from "./csv.ts";
import { parseMoney } from "./money.ts";
import { Rational } from "./rational.ts";

// ───────────────────────────── types ─────────────────────────────

/** A typed cell value. Missing is its own kind — never 0, never "". */
export type Value =
  | { kind: "number"; value: Rational }
  | { kind: "money"; cents: bigint }
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

export interface LoadOptions {
  /**
   * When true, a row with any error-level problem (malformed cell, missing required value,
   * ragged row) is rejected instead of being kept with `missing` values.
   */
  strict?: boolean;
  /** The data set is the contract's roster: a file without data rows is then an error (nobody could be paid). */
  roster?: boolean;
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
} as const;

/** Problems about a file as a whole (it could not be read, matched or used): they stop the run. */
const FILE_LEVEL = new Set(["OBC5010", "OBC5011", "OBC5012", "OBC5014", "OBC5015", "OBC5016", "OBC5017"]);

/**
 * Whether a problem stops the run whatever the options: a file that cannot be read as a table,
 * matched to a data set or used at all, a data set without a file, a roster without rows.
 */
export function stopsTheRun(p: DataProblem): boolean {
  return p.severity === "error" && (FILE_LEVEL.has(p.code) || p.code === DATA_CODES.emptyFile);
}

// ───────────────────────────── zod schemas (output documentation) ─────────────────────────────

export const DataProblemSchema = z
  .object({
    code: z.string().regex(/^OBC5\d{3}$/).describe("Stable data-quality code, e.g. OBC5002."),
    severity: z.enum(["error", "warning"]),
    file: z.string().describe("The data file's label."),
    row: z.number().int().positive().optional().describe("1-based row number; the CSV header is row 1."),
    column: z.string().optional().describe("The column (declared field name, or header text for unknown columns)."),
    rule: z.string().describe('Short machine-readable reason, e.g. "not-a-date".'),
    message: z.string().describe("A plain sentence; never contains a cell value or a student id."),
  })
  .describe("One data-quality problem.");

export const FileReportSchema = z
  .object({
    file: z.string().describe("The data file's label."),
    encoding: z.string().optional().describe('How the file\'s bytes were read as text ("utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252", "xlsx"), when the caller decoded them.'),
    dataSet: z.string().describe("The name of the declared data set the file was read as."),
    rowsRead: z.number().int().nonnegative().describe("Non-empty data rows in the file."),
    rowsAccepted: z.number().int().nonnegative(),
    rowsRejected: z.number().int().nonnegative(),
    missingValues: z
      .record(z.string(), z.number().int().nonnegative())
      .describe("Per declared field, the number of accepted rows where the value is missing."),
    problems: z.array(DataProblemSchema),
    rejected: z
      .array(z.object({ row: z.number().int().positive(), rule: z.string() }))
      .describe("Rows that were not used, with the rule that rejected each."),
  })
  .describe("The data-quality report for one data file.");

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
 * Reads a calendar date written YYYY-MM-DD or M/D/YYYY (US order; leading zeros optional).
 * @returns the ISO date text, or undefined when the text is not a real date (e.g. 2/30/2026, 2025-02-29)
 */
export function parseDate(text: string): string | undefined {
  const t = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
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

function isBlankRecord(cells: string[]): boolean {
  return cells.every((c) => c.trim() === "");
}

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

// ───────────────────────────── loading ─────────────────────────────

type Cell = string | null; // null: a JSON value that is not a scalar

interface InternalTable {
  header: string[];
  rows: { row: number; cells: Cell[] }[];
  carried: DataProblem[];
}

function jsonCell(v: unknown): Cell {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  return null;
}

function fromJson(rows: Record<string, unknown>[]): InternalTable {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
    }
  }
  return {
    header,
    rows: rows.map((r, i) => ({ row: i + 1, cells: header.map((h) => (Object.hasOwn(r, h) ? jsonCell(r[h]) : "")) })),
    carried: [],
  };
}

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
 * Reads a table (from {@link parseCsv}, or JSON rows) as the data set `decl`.
 *
 * - Header matching ignores case, whitespace, `_` and `-`.
 * - The key column is `decl.key` (default "student_id" when the set has neither key nor period);
 *   the period column is `decl.period`. Both are read as text (leading zeros kept) whatever their
 *   declared type, and also appear in `values` as `text`.
 * - A row without a key (or period) is rejected (OBC5009); a repeated key (or key+period) rejects
 *   the later row (OBC5004). When the key or period column itself is absent, one OBC5001 is
 *   reported and every row is rejected.
 * - A blank/`*` cell is `missing`; in a required field that is an OBC5003 error, and the row is kept.
 *   A malformed cell becomes `missing` with an OBC5002 error; the row is kept (unless `strict`).
 * - A declared field without a column is `missing` in every row, with one OBC5001 (error when
 *   required, warning when optional). Undeclared columns get an OBC5006 warning.
 * - `table.problems` (e.g. parseCsv's ragged rows) are carried into the report first.
 * @param decl the data set declaration
 * @param table a parsed CSV table, or JSON rows (row number = 1-based position in the array)
 * @param fileLabel the label used in problems
 * @param opts `strict`: reject rows with error-level problems instead of keeping them
 */
export function loadDataSet(
  decl: DataDecl,
  table: Table | Record<string, unknown>[],
  fileLabel: string,
  opts: LoadOptions = {},
): { rows: DataRow[]; report: FileReport } {
  const file = fileLabel;
  if (!Array.isArray(table) && table.fatal) {
    const report: FileReport = { file, dataSet: decl.name.name, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, missingValues: {}, problems: [table.fatal], rejected: [] };
    return { rows: [], report };
  }
  const t: InternalTable = Array.isArray(table)
    ? fromJson(table)
    : { header: table.header, rows: table.rows, carried: table.problems ?? [] };
  const problems: DataProblem[] = [...t.carried];
  const rejected: { row: number; rule: string }[] = [];
  const out: DataRow[] = [];

  const keyCol = keyColumnOf(decl);
  const periodCol = decl.period?.name;
  const keyNorm = keyCol === undefined ? undefined : normaliseColumnName(keyCol);
  const periodNorm = periodCol === undefined ? undefined : normaliseColumnName(periodCol);
  const fields: FieldDecl[] = decl.fields.filter((f) => {
    const n = normaliseColumnName(f.name.name);
    return n !== keyNorm && n !== periodNorm;
  });

  // ── header → column indexes ──
  const index = new Map<string, number>();
  const unnamed: number[] = [];
  const known = new Set<string>(fields.map((f) => normaliseColumnName(f.name.name)));
  if (keyNorm !== undefined) known.add(keyNorm);
  if (periodNorm !== undefined) known.add(periodNorm);
  const noKnown = noKnownColumns(decl, t.header, file);
  if (noKnown) {
    // a headerless file or the wrong file: its first row is never quoted back
    problems.push(noKnown);
    const rejectedAll = t.rows.map((r) => ({ row: r.row, rule: noKnown.rule }));
    const report: FileReport = { file, dataSet: decl.name.name, rowsRead: t.rows.length, rowsAccepted: 0, rowsRejected: rejectedAll.length, missingValues: Object.fromEntries(fields.map((f) => [f.name.name, 0])), problems, rejected: rejectedAll };
    return { rows: [], report };
  }
  t.header.forEach((h, i) => {
    const name = h.trim();
    const n = normaliseColumnName(name);
    if (n === "") {
      unnamed.push(i);
    } else if (index.has(n)) {
      problems.push(problem(DATA_CODES.unknownColumn, "warning", file, "duplicate-column",
        `The file ${file} has a second column ${name}; only the first one is used.`, { column: name }));
    } else {
      index.set(n, i);
      if (!known.has(n)) {
        problems.push(problem(DATA_CODES.unknownColumn, "warning", file, "unknown-column",
          `The file ${file} has a column ${name} that the data set ${decl.name.name} does not declare; it is ignored.`, { column: name }));
      }
    }
  });
  for (const i of unnamed) {
    if (t.rows.some((r) => { const c = r.cells[i]; return c === null || (c !== undefined && c.trim() !== ""); })) {
      problems.push(problem(DATA_CODES.unknownColumn, "warning", file, "unnamed-column",
        `The file ${file} has a column without a name (column ${i + 1}) that holds data; it is ignored.`, { column: `column ${i + 1}` }));
    }
  }

  const isEmpty = t.header.length === 0 && t.rows.length === 0;
  if (t.rows.length === 0) problems.push(emptyFileProblem(file, isEmpty, !!opts.roster));

  const keyIdx = keyNorm === undefined ? undefined : index.get(keyNorm);
  const periodIdx = periodNorm === undefined ? undefined : index.get(periodNorm);
  if (!isEmpty) {
    for (const [col, idx, what] of [[keyCol, keyIdx, "key"], [periodCol, periodIdx, "period"]] as const) {
      if (col !== undefined && idx === undefined) {
        problems.push(problem(DATA_CODES.missingColumn, "error", file, "missing-column",
          `The file ${file} has no column for the ${what} ${col}; no row can be used.`, { column: col }));
      }
    }
    for (const f of fields) {
      if (index.has(normaliseColumnName(f.name.name))) continue;
      problems.push(problem(DATA_CODES.missingColumn, f.optional ? "warning" : "error", file, "missing-column",
        `The file ${file} has no column for ${f.name.name}; it is treated as missing in every row.`, { column: f.name.name }));
    }
  }

  // ── rows ──
  const carriedErrors = new Map<number, string>();
  for (const p of t.carried) {
    if (p.severity === "error" && p.row !== undefined && !carriedErrors.has(p.row)) carriedErrors.set(p.row, p.rule);
  }
  const firstSeen = new Map<string, number>();
  const missingValues: Record<string, number> = Object.fromEntries(fields.map((f) => [f.name.name, 0]));
  const columnsMissing = keyCol !== undefined && keyIdx === undefined ? "missing-key"
    : periodCol !== undefined && periodIdx === undefined ? "missing-period" : undefined;

  for (const { row, cells } of t.rows) {
    const cellAt = (i: number): Cell => (i < cells.length ? cells[i] : "");
    if (columnsMissing) {
      rejected.push({ row, rule: columnsMissing });
      continue;
    }

    // key and period
    let key: string | undefined;
    let period: string | undefined;
    let noKey: { col: string; rule: string; what: string } | undefined;
    if (keyCol !== undefined) {
      const c = cellAt(keyIdx!);
      if (c === null || isMissingCell(c)) noKey = { col: keyCol, rule: "missing-key", what: "key" };
      else key = c.trim();
    }
    if (!noKey && periodCol !== undefined) {
      const c = cellAt(periodIdx!);
      if (c === null || isMissingCell(c)) noKey = { col: periodCol, rule: "missing-period", what: "period" };
      else period = c.trim();
    }
    if (noKey) {
      problems.push(problem(DATA_CODES.missingKey, "error", file, noKey.rule,
        `Row ${row} of ${file} has no ${noKey.what} in column ${noKey.col}; the row was not used.`, { row, column: noKey.col }));
      rejected.push({ row, rule: noKey.rule });
      continue;
    }
    const id = JSON.stringify([key ?? null, period ?? null]);
    const first = firstSeen.get(id);
    if (first !== undefined) {
      const what = keyCol !== undefined && periodCol !== undefined ? `${keyCol} and ${periodCol}`
        : (keyCol ?? periodCol ?? "key");
      problems.push(problem(DATA_CODES.duplicateId, "error", file, "duplicate-id",
        `Row ${row} of ${file} repeats the ${what} first seen on row ${first}; the later row was not used.`,
        { row, column: keyCol ?? periodCol }));
      rejected.push({ row, rule: "duplicate-id" });
      continue;
    }
    firstSeen.set(id, row);

    // fields
    const values: Record<string, Value> = {};
    if (keyCol !== undefined) values[keyCol] = { kind: "text", value: key! };
    if (periodCol !== undefined) values[periodCol] = { kind: "text", value: period! };
    let firstError = carriedErrors.get(row);
    for (const f of fields) {
      const name = f.name.name;
      const idx = index.get(normaliseColumnName(name));
      values[name] = { kind: "missing" };
      if (idx === undefined) continue;
      const c = cellAt(idx);
      if (c !== null && isMissingCell(c)) {
        if (!f.optional) {
          problems.push(problem(DATA_CODES.missingValue, "error", file, "missing-value",
            `Row ${row} of ${file} has no value for the required field ${name}.`, { row, column: name }));
          firstError ??= "missing-value";
        }
        continue;
      }
      const r: CellResult = c === null ? { ok: false, rule: "not-a-scalar", expected: "single value" } : parseCell(f.type, c);
      if (r.ok) {
        values[name] = r.value;
      } else {
        problems.push(problem(DATA_CODES.malformedCell, "error", file, r.rule,
          `Row ${row}, column ${name} of ${file}: this is not a valid ${r.expected}.`, { row, column: name }));
        firstError ??= r.rule;
      }
    }
    if (opts.strict && firstError !== undefined) {
      rejected.push({ row, rule: firstError });
      continue;
    }
    for (const f of fields) if (values[f.name.name].kind === "missing") missingValues[f.name.name]++;
    const dataRow: DataRow = { source: file, row, values };
    if (key !== undefined) dataRow.key = key;
    if (period !== undefined) dataRow.period = period;
    out.push(dataRow);
  }

  return {
    rows: out,
    report: {
      file,
      dataSet: decl.name.name,
      rowsRead: t.rows.length,
      rowsAccepted: out.length,
      rowsRejected: rejected.length,
      missingValues,
      problems,
      rejected,
    },
  };
}

/** {@link parseCsv} then {@link loadDataSet}: CSV text → rows and report (parse problems included). */
export function loadCsv(decl: DataDecl, text: string, fileLabel: string, opts: LoadOptions = {}): { rows: DataRow[]; report: FileReport } {
  return loadDataSet(decl, parseCsv(text, fileLabel), fileLabel, opts);
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
