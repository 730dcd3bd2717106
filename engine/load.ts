/**
 * The one loader: the rows of a data file → the typed records of a contract's data set, one
 * row at a time, with the file's data-quality report in which rows read = accepted + rejected.
 * Every path loads through it: a full run (`engine/inputs.ts`), bulk runs and their worker
 * threads (the roster's rows go straight into the fast engine's slots), and so the editor and
 * the HTTP service, which call `runContract`.
 *
 * Input: the data set's declaration, the file's header, then its rows (cells as written, from
 * the CSV reader of engine/csv.ts, or JSON records). Output: for each accepted row, its key and
 * period, and each declared field's value in a slot of `out`; at the end, a {@link FileReport}.
 *
 * Values are bare (a safe integer as a `number`, any other number as a canonical `Rational`,
 * money in dollars, a percentage as a fraction, booleans, ISO dates and text as themselves,
 * missing as `undefined`), as the fast engine reads them; {@link valueOf} gives the reference
 * engine's `Value` of one. A cell is read by {@link readCell}: `parseCell`'s rules, with fast
 * paths for plain digits, yes/no words and ISO dates that give exactly what `parseCell` gives.
 *
 * - Header matching ignores case, whitespace, `_` and `-`. A header that names none of the data
 *   set's columns is refused (OBC5017) and never quoted back.
 * - The key column is `decl.key` (default "student_id" when the set has neither key nor period);
 *   the period column is `decl.period`. Both are read as text (leading zeros kept).
 * - A row without a key (or period) is rejected (OBC5009); a repeated key (or key+period) rejects
 *   the later row (OBC5004). When the key or period column itself is absent, one OBC5001 is
 *   reported and every row is rejected.
 * - A blank/`*` cell is `missing`; in a required field that is an OBC5003 error, and the row is
 *   kept. A malformed cell becomes `missing` with an OBC5002 error; the row is kept (unless
 *   `strict`, which also rejects rows with the reader's errors: ragged rows, quotes).
 * - A declared field without a column is `missing` in every row, with one OBC5001 (error when
 *   required, warning when optional). Undeclared columns get an OBC5006 warning, unnamed columns
 *   one when they hold data.
 * - A file without rows is OBC5007: a warning, or an error for the roster (nobody could be paid).
 *   A roster whose every row was rejected is OBC5020, an error that stops the run as well.
 *
 * Privacy: problem messages name only the file, the row, the column and the rule, never a cell
 * value or a student id. Browser-safe.
 */
import type { DataDecl, FieldDecl, FieldTypeName } from "../language/ast.ts";
import { csvSource, dataProblem as problem, registeredProblem, type CsvSource } from "./csv.ts";
import {
  DATA_CODES,
  emptyFileProblem,
  keyColumnOf,
  noKnownColumns,
  normaliseColumnName,
  parseCell,
  type DataProblem,
  type DataRow,
  type FileReport,
  type Table,
  type Value,
} from "./data.ts";
import { norm } from "./fast/num.ts";
import { Rational } from "./rational.ts";

// ───────────── values ─────────────

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A typed value as the fast engine holds it in a slot (see the module comment). */
export function bareValue(v: Value): unknown {
  switch (v.kind) {
    case "missing":
      return undefined;
    case "number":
    case "percent":
      return norm(v.value);
    case "money": {
      if (v.exact) return norm(v.exact);
      const c = v.cents;
      if (c % 100n === 0n) {
        const d = c / 100n;
        if (d <= MAX && d >= -MAX) return Number(d);
      }
      return Rational.of(c, 100n);
    }
    default:
      return v.value;
  }
}

const asRational = (x: unknown): Rational => (typeof x === "number" ? Rational.of(x) : (x as Rational));

/** The typed value of a bare value read for a field of this type: the inverse of {@link bareValue}. */
export function valueOf(type: FieldTypeName | "key", bare: unknown): Value {
  if (bare === undefined) return { kind: "missing" };
  switch (type) {
    case "integer":
    case "count":
    case "decimal":
    case "score":
      return { kind: "number", value: asRational(bare) };
    case "percent":
      return { kind: "percent", value: asRational(bare) };
    case "money": {
      const r = asRational(bare).mul(100);
      return { kind: "money", cents: r.numerator / r.denominator };
    }
    case "boolean":
      return { kind: "boolean", value: bare as boolean };
    case "date":
      return { kind: "date", value: bare as string };
    default:
      return { kind: "text", value: bare as string };
  }
}

// ───────────── cells ─────────────

const BOOLS = new Map<string, boolean>(Object.entries({ true: true, yes: true, y: true, "1": true, false: false, no: false, n: false, "0": false, TRUE: true, YES: true, Y: true, FALSE: false, NO: false, N: false }));

/** Plain digits (1 to 15 of them): their value, else -1. */
function digits(t: string): number {
  const n = t.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `t` is a real calendar date written YYYY-MM-DD (then `parseDate(t) === t`). */
function isoDate(t: string): boolean {
  if (t.length !== 10 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return false;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const y = (t.charCodeAt(0) - 48) * 1000 + (t.charCodeAt(1) - 48) * 100 + (t.charCodeAt(2) - 48) * 10 + (t.charCodeAt(3) - 48);
  const m = (t.charCodeAt(5) - 48) * 10 + (t.charCodeAt(6) - 48);
  const d = (t.charCodeAt(8) - 48) * 10 + (t.charCodeAt(9) - 48);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]!);
}

/** Returned by {@link readCell} for a cell that is not of its type (`parseCell` then says why). */
export const BAD = Symbol("bad cell");

/** Reads one non-missing, trimmed cell as the bare value of `parseCell`'s value, or BAD. */
export function readCell(type: FieldDecl["type"], t: string): unknown {
  switch (type) {
    case "integer":
    case "count":
    case "decimal":
    case "score": {
      const v = digits(t);
      if (v >= 0) return v;
      break;
    }
    case "boolean": {
      const b = BOOLS.get(t);
      if (b !== undefined) return b;
      break;
    }
    case "text":
      return t;
    case "date":
      if (isoDate(t)) return t;
      break;
    case "money": {
      const v = digits(t);
      if (v >= 0 && t.length <= 13) return v;
      break;
    }
    case "percent": {
      const v = digits(t);
      if (v >= 0) return v % 100 === 0 ? v / 100 : Rational.of(v, 100);
      break;
    }
    default:
      break;
  }
  const r = parseCell(type, t);
  return r.ok ? bareValue(r.value) : BAD;
}

// ───────────── rows ─────────────

/** A cell: its text as written, or null for a JSON value that is not a scalar. */
export type Cell = string | null;

/** An accepted row: its number, key and period (its values are in the `out` slots). */
export interface LoadedRow {
  row: number;
  key?: string;
  period?: string;
}

/** What a loader saw of some rows, for merging the loaders of a file's chunks (see `absorb`). */
export interface LoaderPart {
  rowsRead: number;
  accepted: number;
  rejected: { row: number; rule: string }[];
  missing: number[];
  rowProblems: DataProblem[];
  /** per unnamed column (in header order): whether a row held data in it */
  unnamedData: boolean[];
}

export interface LoaderOptions {
  /** reject a row with any error (malformed cell, missing required value, the reader's errors) */
  strict?: boolean;
  /** the data set is the contract's roster: a file without rows is an error */
  roster?: boolean;
  /**
   * where each field's value goes in `out`, by name (the key and period columns too); default:
   * the declared fields in order, then the key, then the period (see {@link DataSetLoader.dataRow})
   */
  slots?: Map<string, { slot: number }>;
}

/**
 * Loads one file's rows as one data set: construct with the header, call {@link row} for each
 * row in order, then {@link report}. A file read in chunks (worker threads) has one loader per
 * chunk, merged in order with {@link part} and {@link absorb}.
 */
export class DataSetLoader {
  /** the declared fields other than the key and period columns */
  readonly fields: FieldDecl[];
  readonly keyCol: string | undefined;
  readonly periodCol: string | undefined;
  /** keys of rows that were seen (a later row with the same key is a repeat) but rejected in strict mode */
  readonly seenRejected: string[] = [];
  private readonly headerProblems: DataProblem[] = [];
  private readonly columnProblems: DataProblem[] = [];
  private readonly rowProblems: DataProblem[] = [];
  private readonly rejected: { row: number; rule: string }[] = [];
  private readonly firstSeen = new Map<string, number>();
  private rowsRead = 0;
  private accepted = 0;
  private readonly fieldIdx: (number | undefined)[];
  private readonly fieldSlot: (number | undefined)[];
  private readonly keySlot: number | undefined;
  private readonly periodSlot: number | undefined;
  private readonly keyIdx: number | undefined;
  private readonly periodIdx: number | undefined;
  private readonly unnamed: number[] = [];
  private readonly unnamedData: boolean[];
  /** the rule every row is rejected by when the key or period column is absent */
  private readonly columnsMissing: string | undefined;
  /** OBC5017: the header names none of the data set's columns; every row is rejected */
  private readonly noKnown: DataProblem | undefined;
  private readonly isEmpty: boolean;
  private readonly strict: boolean;
  private readonly roster: boolean;
  private readonly missingScratch: Int32Array;
  /** per field (in `fields` order): accepted rows where it is missing */
  private readonly missCount: Float64Array;

  constructor(
    private readonly decl: DataDecl,
    header: readonly string[] | undefined,
    private readonly file: string,
    opts: LoaderOptions = {},
  ) {
    this.strict = !!opts.strict;
    this.roster = !!opts.roster;
    const keyCol = keyColumnOf(decl);
    const periodCol = decl.period?.name;
    this.keyCol = keyCol;
    this.periodCol = periodCol;
    const keyNorm = keyCol === undefined ? undefined : normaliseColumnName(keyCol);
    const periodNorm = periodCol === undefined ? undefined : normaliseColumnName(periodCol);
    this.fields = decl.fields.filter((f) => {
      const n = normaliseColumnName(f.name.name);
      return n !== keyNorm && n !== periodNorm;
    });
    const h = header ?? [];
    this.isEmpty = h.length === 0; // no header means no rows either
    this.noKnown = noKnownColumns(decl, h, file);
    // ── header → column indexes ──
    const index = new Map<string, number>();
    const known = new Set<string>(this.fields.map((f) => normaliseColumnName(f.name.name)));
    if (keyNorm !== undefined) known.add(keyNorm);
    if (periodNorm !== undefined) known.add(periodNorm);
    if (!this.noKnown) {
      h.forEach((hh, i) => {
        const name = hh.trim();
        const n = normaliseColumnName(name);
        if (n === "") this.unnamed.push(i);
        else if (index.has(n)) {
          this.headerProblems.push(problem(DATA_CODES.unknownColumn, "warning", file, "duplicate-column",
            `The file ${file} has a second column ${name}; only the first one is used.`, { column: name }));
        } else {
          index.set(n, i);
          if (!known.has(n)) {
            this.headerProblems.push(problem(DATA_CODES.unknownColumn, "warning", file, "unknown-column",
              `The file ${file} has a column ${name} that the data set ${decl.name.name} does not declare; it is ignored.`, { column: name }));
          }
        }
      });
    }
    this.unnamedData = this.unnamed.map(() => false);
    this.keyIdx = keyNorm === undefined ? undefined : index.get(keyNorm);
    this.periodIdx = periodNorm === undefined ? undefined : index.get(periodNorm);
    if (!this.isEmpty && !this.noKnown) {
      for (const [col, idx, what] of [[keyCol, this.keyIdx, "key"], [periodCol, this.periodIdx, "period"]] as const) {
        if (col !== undefined && idx === undefined) {
          this.columnProblems.push(problem(DATA_CODES.missingColumn, "error", file, "missing-column",
            `The file ${file} has no column for the ${what} ${col}; no row can be used.`, { column: col }));
        }
      }
      for (const f of this.fields) {
        if (index.has(normaliseColumnName(f.name.name))) continue;
        this.columnProblems.push(problem(DATA_CODES.missingColumn, f.optional ? "warning" : "error", file, "missing-column",
          `The file ${file} has no column for ${f.name.name}; it is treated as missing in every row.`, { column: f.name.name }));
      }
    }
    this.columnsMissing = this.noKnown ? this.noKnown.rule
      : keyCol !== undefined && this.keyIdx === undefined ? "missing-key"
      : periodCol !== undefined && this.periodIdx === undefined ? "missing-period" : undefined;
    this.fieldIdx = this.fields.map((f) => index.get(normaliseColumnName(f.name.name)));
    const n = this.fields.length;
    const slots = opts.slots;
    this.fieldSlot = slots ? this.fields.map((f) => slots.get(f.name.name)?.slot) : this.fields.map((_, i) => i);
    this.keySlot = keyCol === undefined ? undefined : slots ? slots.get(keyCol)?.slot : n;
    this.periodSlot = periodCol === undefined ? undefined : slots ? slots.get(periodCol)?.slot : n + 1;
    this.missingScratch = new Int32Array(n);
    this.missCount = new Float64Array(n);
  }

  /**
   * Reads one data row into `out` (cleared by the caller).
   * @param carried the rule of the first error the reader found on this row (ragged row, quotes): it rejects the row in strict mode
   * @returns the row when it is accepted (its values are then in `out`), else undefined
   */
  row(row: number, cells: readonly Cell[], out: unknown[], carried?: string): LoadedRow | undefined {
    this.rowsRead++;
    const file = this.file;
    for (let u = 0; u < this.unnamed.length; u++) {
      if (this.unnamedData[u]) continue;
      const c = cells[this.unnamed[u]!];
      if (c === null || (c !== undefined && c.trim() !== "")) this.unnamedData[u] = true;
    }
    if (this.columnsMissing) {
      this.rejected.push({ row, rule: this.columnsMissing });
      return undefined;
    }
    let key: string | undefined;
    let period: string | undefined;
    let noKey: { col: string; rule: string; what: string } | undefined;
    if (this.keyCol !== undefined) {
      const c = this.keyIdx! < cells.length ? cells[this.keyIdx!]! : "";
      const t = c === null ? "" : c.trim();
      if (t === "" || t === "*") noKey = { col: this.keyCol, rule: "missing-key", what: "key" };
      else key = t;
    }
    if (!noKey && this.periodCol !== undefined) {
      const c = this.periodIdx! < cells.length ? cells[this.periodIdx!]! : "";
      const t = c === null ? "" : c.trim();
      if (t === "" || t === "*") noKey = { col: this.periodCol, rule: "missing-period", what: "period" };
      else period = t;
    }
    if (noKey) {
      this.rowProblems.push(problem(DATA_CODES.missingKey, "error", file, noKey.rule,
        `Row ${row} of ${file} has no ${noKey.what} in column ${noKey.col}; the row was not used.`, { row, column: noKey.col }));
      this.rejected.push({ row, rule: noKey.rule });
      return undefined;
    }
    // a data set of events has several rows per key
    const id = this.decl.per ? undefined : this.periodCol === undefined ? key! : JSON.stringify([key ?? null, period ?? null]);
    const first = id === undefined ? undefined : this.firstSeen.get(id);
    if (first !== undefined) {
      const what = this.keyCol !== undefined && this.periodCol !== undefined ? `${this.keyCol} and ${this.periodCol}` : (this.keyCol ?? this.periodCol ?? "key");
      this.rowProblems.push(problem(DATA_CODES.duplicateId, "error", file, "duplicate-id",
        `Row ${row} of ${file} repeats the ${what} first seen on row ${first}; the later row was not used.`, { row, column: this.keyCol ?? this.periodCol }));
      this.rejected.push({ row, rule: "duplicate-id" });
      return undefined;
    }
    if (id !== undefined) this.firstSeen.set(id, row);
    if (this.keySlot !== undefined) out[this.keySlot] = key;
    if (this.periodSlot !== undefined) out[this.periodSlot] = period;
    let firstError = carried;
    const fields = this.fields;
    const missing = this.missingScratch;
    let nMissing = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const idx = this.fieldIdx[i];
      const slot = this.fieldSlot[i];
      if (slot !== undefined) out[slot] = undefined;
      if (idx === undefined) {
        missing[nMissing++] = i;
        continue;
      }
      const c = idx < cells.length ? cells[idx]! : "";
      const t = c === null ? null : c.trim();
      if (t === "" || t === "*") {
        if (!f.optional) {
          this.rowProblems.push(problem(DATA_CODES.missingValue, "error", file, "missing-value",
            `Row ${row} of ${file} has no value for the required field ${f.name.name}.`, { row, column: f.name.name }));
          firstError ??= "missing-value";
        }
        missing[nMissing++] = i;
        continue;
      }
      const v = t === null ? BAD : readCell(f.type, t);
      if (v !== BAD) {
        if (slot !== undefined) out[slot] = v;
        continue;
      }
      const r = t === null ? { rule: "not-a-scalar", expected: "single value" } : (parseCell(f.type, t) as { ok: false; rule: string; expected: string });
      this.rowProblems.push(problem(DATA_CODES.malformedCell, "error", file, r.rule,
        `Row ${row}, column ${f.name.name} of ${file}: this is not a valid ${r.expected}.`, { row, column: f.name.name }));
      firstError ??= r.rule;
      missing[nMissing++] = i;
    }
    if (this.strict && firstError !== undefined) {
      this.rejected.push({ row, rule: firstError });
      if (id !== undefined) this.seenRejected.push(id);
      return undefined;
    }
    for (let k = 0; k < nMissing; k++) this.missCount[missing[k]!]!++;
    this.accepted++;
    const loaded: LoadedRow = { row };
    if (key !== undefined) loaded.key = key;
    if (period !== undefined) loaded.period = period;
    return loaded;
  }

  /** An accepted row as the reference engine's record (for a loader built without `slots`). */
  dataRow(r: LoadedRow, out: readonly unknown[]): DataRow {
    const values: Record<string, Value> = {};
    if (this.keyCol !== undefined) values[this.keyCol] = { kind: "text", value: r.key! };
    if (this.periodCol !== undefined) values[this.periodCol] = { kind: "text", value: r.period! };
    this.fields.forEach((f, i) => (values[f.name.name] = valueOf(f.type, out[i])));
    const d: DataRow = { source: this.file, row: r.row, values };
    if (r.key !== undefined) d.key = r.key;
    if (r.period !== undefined) d.period = r.period;
    return d;
  }

  /** What this loader saw of the rows (to be absorbed by the loader of the whole file). */
  part(): LoaderPart {
    return { rowsRead: this.rowsRead, accepted: this.accepted, rejected: this.rejected, missing: [...this.missCount], rowProblems: this.rowProblems, unnamedData: this.unnamedData };
  }

  /** Adds the rows another loader of the same file and header saw (the next rows, in order). */
  absorb(p: LoaderPart): void {
    this.rowsRead += p.rowsRead;
    this.accepted += p.accepted;
    for (const r of p.rejected) this.rejected.push(r);
    p.missing.forEach((m, i) => (this.missCount[i]! += m));
    for (const q of p.rowProblems) this.rowProblems.push(q);
    p.unnamedData.forEach((d, i) => (this.unnamedData[i] ||= d));
  }

  /** The file's report; `carried` are the reader's row-level problems, reported first. */
  report(carried: readonly DataProblem[]): FileReport {
    const unnamed = this.unnamed.flatMap((i, u) => (this.unnamedData[u] ? [problem(DATA_CODES.unknownColumn, "warning", this.file, "unnamed-column",
      `The file ${this.file} has a column without a name (column ${i + 1}) that holds data; it is ignored.`, { column: `column ${i + 1}` })] : []));
    const noRows = this.rowsRead === 0 ? [emptyFileProblem(this.file, this.isEmpty, this.roster)] : [];
    // a roster whose every row was rejected pays nobody: that stops the run as an empty one does
    const noneUsable = this.roster && this.rowsRead > 0 && this.accepted === 0
      ? [registeredProblem(DATA_CODES.noUsableStudent, this.file, "no-usable-student", { rows: this.rowsRead === 1 ? "1 row" : `${this.rowsRead} rows` })]
      : [];
    const problems = this.noKnown
      ? [...carried, this.noKnown]
      : [...carried, ...this.headerProblems, ...unnamed, ...noRows, ...this.columnProblems, ...this.rowProblems, ...noneUsable];
    return {
      file: this.file,
      dataSet: this.decl.name.name,
      rowsRead: this.rowsRead,
      rowsAccepted: this.accepted,
      rowsRejected: this.rejected.length,
      missingValues: Object.fromEntries(this.fields.map((f, i) => [f.name.name, this.missCount[i]!])),
      problems,
      rejected: this.rejected,
    };
  }
}

// ───────────── whole tables ─────────────

function jsonCell(v: unknown): Cell {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  return null;
}

/** JSON records as a header (every key, in order of first appearance) and rows of cells (row = 1-based position). */
export function jsonTable(records: Record<string, unknown>[]): { header: string[]; rows: { row: number; cells: Cell[] }[] } {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
    }
  }
  return { header, rows: records.map((r, i) => ({ row: i + 1, cells: header.map((h) => (Object.hasOwn(r, h) ? jsonCell(r[h]) : "")) })) };
}

/**
 * Reads a whole table (from `parseCsv`, or JSON records) as the data set `decl`, with
 * {@link DataSetLoader}. `table.problems` (the reader's row-level problems) are reported first,
 * and each row's first error among them rejects it in strict mode.
 */
export function loadDataSet(decl: DataDecl, table: Table | Record<string, unknown>[], file: string, opts: LoaderOptions = {}): { rows: DataRow[]; report: FileReport; fatal?: undefined } {
  if (!Array.isArray(table) && table.fatal) return { rows: [], report: refusedReport(decl, file, table.fatal) };
  const t = Array.isArray(table) ? { ...jsonTable(table), problems: [] as DataProblem[] } : { header: table.header, rows: table.rows, problems: table.problems ?? [] };
  const carried = new Map<number, string>();
  for (const p of t.problems) if (p.severity === "error" && p.row !== undefined && !carried.has(p.row)) carried.set(p.row, p.rule);
  const loader = new DataSetLoader(decl, t.header, file, { strict: opts.strict, roster: opts.roster });
  const rows: DataRow[] = [];
  const out: unknown[] = [];
  for (const { row, cells } of t.rows) {
    const r = loader.row(row, cells, out, carried.get(row));
    if (r) rows.push(loader.dataRow(r, out));
  }
  return { rows, report: loader.report(t.problems) };
}

/** The report of a file refused as a whole (its only problem is the refusal). */
function refusedReport(decl: DataDecl, file: string, fatal: DataProblem): FileReport {
  return { file, dataSet: decl.name.name, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, missingValues: {}, problems: [fatal], rejected: [] };
}

/**
 * Loads the rows of a CSV source (read now, one at a time) as the data set `decl`.
 * @returns the records and the report; or `fatal` when the reader refuses the file while reading its rows
 */
export function loadCsvSource(decl: DataDecl, csv: CsvSource, opts: LoaderOptions = {}): { rows: DataRow[]; report: FileReport; fatal?: undefined } | { fatal: DataProblem } {
  if (csv.fatal) return { fatal: csv.fatal };
  const loader = new DataSetLoader(decl, csv.header, csv.file, opts);
  const rows: DataRow[] = [];
  const out: unknown[] = [];
  csv.forEachRow(({ row, cells, carried }) => {
    const r = loader.row(row, cells, out, carried);
    if (r) rows.push(loader.dataRow(r, out));
  });
  if (csv.fatal) return { fatal: csv.fatal };
  return { rows, report: loader.report(csv.problems) };
}

/** CSV text → the data set's records and report ({@link loadCsvSource} on the whole text). */
export function loadCsv(decl: DataDecl, text: string, file: string, opts: LoaderOptions = {}): { rows: DataRow[]; report: FileReport } {
  const out = loadCsvSource(decl, csvSource(text, file), opts);
  return out.fatal ? { rows: [], report: refusedReport(decl, file, out.fatal) } : out;
}
