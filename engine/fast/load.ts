/**
 * Streaming data loading for bulk runs: CSV rows → typed slot values, one row at a time,
 * with the same data-quality report as `loadDataSet` (engine/data.ts), problem for problem
 * and in the same order, but without keeping a `DataRow` per row.
 *
 * - `RowLoader`: `loadDataSet` for one data set, row by row. Cells are read by fast paths
 *   that give exactly what `parseCell` gives (plain digits, booleans, ISO dates); every
 *   other cell goes through `parseCell` itself.
 * Browser-safe.
 */
import type { DataDecl, FieldDecl } from "../../language/ast.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import { dataProblem as problem } from "../csv.ts";
import {
  DATA_CODES,
  emptyFileProblem,
  isMissingCell,
  keyColumnOf,
  noKnownColumns,
  normaliseColumnName,
  parseCell,
  type DataProblem,
  type FileReport,
} from "../data.ts";
import { Rational } from "../rational.ts";
import { bareValue } from "./program.ts";

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

/** Returned by `readCell` for a cell that is not of its type (`parseCell` then says why). */
const BAD = Symbol("bad cell");

/** Reads one non-missing, trimmed cell as the bare slot value `parseCell` gives, or BAD. */
function readCell(type: FieldDecl["type"], t: string): unknown {
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

/** The row-level part of a file's report (see `RowLoader.part`). */
export interface LoaderPart {
  rowsRead: number;
  accepted: number;
  rejected: { row: number; rule: string }[];
  missing: number[];
  rowProblems: DataProblem[];
}

export interface LoadedRow {
  row: number;
  key?: string;
  period?: string;
}

/**
 * `loadDataSet` for one file, row by row. Construct with the header; call `row()` for each
 * data row (it fills `slots` and returns the row when it is accepted); `report()` at the end.
 */
export class RowLoader {
  private readonly headerProblems: DataProblem[] = [];
  private readonly columnProblems: DataProblem[] = [];
  private readonly rowProblems: DataProblem[] = [];
  private readonly rejected: { row: number; rule: string }[] = [];
  private readonly firstSeen = new Map<string, number>();
  /** keys of rows that were seen (a later row with the same key is a repeat) but rejected in strict mode */
  readonly seenRejected: string[] = [];
  /** per declared field: accepted rows where it is missing */
  get missingValues(): Record<string, number> {
    return Object.fromEntries(this.fields.map((f, i) => [f.name.name, this.missCount[i]!]));
  }
  private rowsRead = 0;
  private accepted = 0;
  private readonly fields: FieldDecl[];
  private readonly fieldIdx: (number | undefined)[];
  private readonly fieldSlot: (number | undefined)[];
  private readonly keyCol: string | undefined;
  private readonly periodCol: string | undefined;
  private readonly keyIdx: number | undefined;
  private readonly periodIdx: number | undefined;
  private readonly columnsMissing: string | undefined;
  private readonly isEmpty: boolean;
  /** true when the header is one this loader reproduces (else use `loadDataSet`) */
  readonly supported: boolean;

  constructor(
    private readonly decl: DataDecl,
    header: string[] | undefined,
    private readonly file: string,
    private readonly strict: boolean,
    /** slot of each field name (and of the key and period columns) in the frame */
    slots: Map<string, { slot: number }>,
    /** the data set is the roster (a file without rows is then an error) */
    private readonly roster = false,
  ) {
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
    this.noKnown = noKnownColumns(decl, h, file);
    const index = new Map<string, number>();
    const known = new Set<string>(this.fields.map((f) => normaliseColumnName(f.name.name)));
    if (keyNorm !== undefined) known.add(keyNorm);
    if (periodNorm !== undefined) known.add(periodNorm);
    let unnamed = false;
    if (!this.noKnown) h.forEach((hh, i) => {
      const name = hh.trim();
      const n = normaliseColumnName(name);
      if (n === "") unnamed = true;
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
    this.supported = !unnamed;
    this.isEmpty = h.length === 0; // no header means no rows either
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
    this.fieldIdx = this.fields.map((f) => index.get(normaliseColumnName(f.name.name)));
    this.fieldSlot = this.fields.map((f) => slots.get(f.name.name)?.slot);
    this.keySlot = keyCol !== undefined ? slots.get(keyCol)?.slot : undefined;
    this.periodSlot = periodCol !== undefined ? slots.get(periodCol)?.slot : undefined;
    this.missingScratch = new Int32Array(this.fields.length);
    this.missCount = new Float64Array(this.fields.length);
    this.columnsMissing = keyCol !== undefined && this.keyIdx === undefined ? "missing-key"
      : periodCol !== undefined && this.periodIdx === undefined ? "missing-period" : undefined;
  }
  private readonly keySlot: number | undefined;
  private readonly periodSlot: number | undefined;
  /** OBC5017: the header names none of the data set's columns; every row is rejected */
  private readonly noKnown: DataProblem | undefined;
  private readonly missingScratch: Int32Array;
  /** per field (in `fields` order): accepted rows where it is missing */
  private readonly missCount: Float64Array;

  /**
   * One data row. `carriedError`: the rule of the first error `parseCsv` reported for this row
   * (ragged row, bad quotes), which rejects the row in strict mode.
   * @returns the row when it is accepted (its values are then in `slots`), else undefined
   */
  row(row: number, cells: string[], slots: unknown[], carriedError?: string): LoadedRow | undefined {
    this.rowsRead++;
    const file = this.file;
    if (this.noKnown) {
      this.rejected.push({ row, rule: this.noKnown.rule });
      return undefined;
    }
    if (this.columnsMissing) {
      this.rejected.push({ row, rule: this.columnsMissing });
      return undefined;
    }
    const cellAt = (i: number): string => (i < cells.length ? cells[i]! : "");
    let key: string | undefined;
    let period: string | undefined;
    let noKey: { col: string; rule: string; what: string } | undefined;
    if (this.keyCol !== undefined) {
      const c = cellAt(this.keyIdx!);
      if (isMissingCell(c)) noKey = { col: this.keyCol, rule: "missing-key", what: "key" };
      else key = c.trim();
    }
    if (!noKey && this.periodCol !== undefined) {
      const c = cellAt(this.periodIdx!);
      if (isMissingCell(c)) noKey = { col: this.periodCol, rule: "missing-period", what: "period" };
      else period = c.trim();
    }
    if (noKey) {
      this.rowProblems.push(problem(DATA_CODES.missingKey, "error", file, noKey.rule,
        `Row ${row} of ${file} has no ${noKey.what} in column ${noKey.col}; the row was not used.`, { row, column: noKey.col }));
      this.rejected.push({ row, rule: noKey.rule });
      return undefined;
    }
    const id = this.periodCol === undefined ? key! : JSON.stringify([key ?? null, period ?? null]);
    const first = this.firstSeen.get(id);
    if (first !== undefined) {
      const what = this.keyCol !== undefined && this.periodCol !== undefined ? `${this.keyCol} and ${this.periodCol}` : (this.keyCol ?? this.periodCol ?? "key");
      this.rowProblems.push(problem(DATA_CODES.duplicateId, "error", file, "duplicate-id",
        `Row ${row} of ${file} repeats the ${what} first seen on row ${first}; the later row was not used.`, { row, column: this.keyCol ?? this.periodCol }));
      this.rejected.push({ row, rule: "duplicate-id" });
      return undefined;
    }
    this.firstSeen.set(id, row);
    if (this.keySlot !== undefined) slots[this.keySlot] = key;
    if (this.periodSlot !== undefined) slots[this.periodSlot] = period;
    let firstError = carriedError;
    const fields = this.fields;
    const missing = this.missingScratch;
    let nMissing = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const idx = this.fieldIdx[i];
      const slot = this.fieldSlot[i];
      if (slot !== undefined) slots[slot] = undefined;
      if (idx === undefined) {
        missing[nMissing++] = i;
        continue;
      }
      const t = idx < cells.length ? cells[idx]!.trim() : "";
      if (t === "" || t === "*") {
        if (!f.optional) {
          this.rowProblems.push(problem(DATA_CODES.missingValue, "error", file, "missing-value",
            `Row ${row} of ${file} has no value for the required field ${f.name.name}.`, { row, column: f.name.name }));
          firstError ??= "missing-value";
        }
        missing[nMissing++] = i;
        continue;
      }
      const v = readCell(f.type, t);
      if (v !== BAD) {
        if (slot !== undefined) slots[slot] = v;
      } else {
        const r = parseCell(f.type, t) as { ok: false; rule: string; expected: string };
        this.rowProblems.push(problem(DATA_CODES.malformedCell, "error", file, r.rule,
          `Row ${row}, column ${f.name.name} of ${file}: this is not a valid ${r.expected}.`, { row, column: f.name.name }));
        firstError ??= r.rule;
        missing[nMissing++] = i;
      }
    }
    if (this.strict && firstError !== undefined) {
      this.rejected.push({ row, rule: firstError });
      this.seenRejected.push(id);
      return undefined;
    }
    for (let k = 0; k < nMissing; k++) this.missCount[missing[k]!]!++;
    this.accepted++;
    const out: LoadedRow = { row };
    if (key !== undefined) out.key = key;
    if (period !== undefined) out.period = period;
    return out;
  }

  /** What this loader saw of the rows (to be absorbed by the loader of the whole file). */
  part(): LoaderPart {
    return {
      rowsRead: this.rowsRead,
      accepted: this.accepted,
      rejected: this.rejected,
      missing: [...this.missCount],
      rowProblems: this.rowProblems,
    };
  }

  /** Adds the rows another loader of the same file and header saw (the next rows, in order). */
  absorb(p: LoaderPart): void {
    this.rowsRead += p.rowsRead;
    this.accepted += p.accepted;
    for (const r of p.rejected) this.rejected.push(r);
    p.missing.forEach((m, i) => (this.missCount[i]! += m));
    for (const q of p.rowProblems) this.rowProblems.push(q);
  }

  /** The file's report; `carried` are the reader's row-level problems (reported first, as `loadDataSet` does). */
  report(carried: DataProblem[]): FileReport {
    if (this.noKnown) {
      return {
        file: this.file, dataSet: this.decl.name.name, rowsRead: this.rowsRead, rowsAccepted: 0, rowsRejected: this.rejected.length,
        missingValues: this.missingValues, problems: [...carried, this.noKnown], rejected: this.rejected,
      };
    }
    const noRows = this.rowsRead === 0 ? [emptyFileProblem(this.file, this.isEmpty, this.roster)] : [];
    return {
      file: this.file,
      dataSet: this.decl.name.name,
      rowsRead: this.rowsRead,
      rowsAccepted: this.accepted,
      rowsRejected: this.rejected.length,
      missingValues: this.missingValues,
      problems: [...carried, ...this.headerProblems, ...noRows, ...this.columnProblems, ...this.rowProblems],
      rejected: this.rejected,
    };
  }
}
