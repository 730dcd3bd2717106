/**
 * Streaming data loading for bulk runs: CSV rows → typed slot values, one row at a time,
 * with the same data-quality report as `loadDataSet` (engine/data.ts), problem for problem
 * and in the same order, but without keeping a `DataRow` per row.
 *
 * - `csvLines(text)`: a CSV text without quotes and carriage returns is split directly
 *   (papaparse splits such text the same way); any other text is parsed by `parseCsv`.
 * - `RowLoader`: `loadDataSet` for one data set, row by row. Cells are read by fast paths
 *   that give exactly what `parseCell` gives (plain digits, booleans, ISO dates); every
 *   other cell goes through `parseCell` itself.
 * - `matchFiles`: the data set of each file, as `loadInputs` (engine/inputs.ts) chooses it.
 * Browser-safe.
 */
import type { DataDecl, FieldDecl } from "../../language/ast.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import {
  DATA_CODES,
  isMissingCell,
  keyColumnOf,
  normaliseColumnName,
  parseCell,
  parseCsv,
  type DataProblem,
  type FileReport,
} from "../data.ts";
import { fit, type DataFile } from "../inputs.ts";
import { Rational } from "../rational.ts";
import { bareValue } from "./program.ts";

function problem(code: string, severity: DataProblem["severity"], file: string, rule: string, message: string, at: { row?: number; column?: string } = {}): DataProblem {
  const p: DataProblem = { code, severity, file, rule, message };
  if (at.row !== undefined) p.row = at.row;
  if (at.column !== undefined) p.column = at.column;
  return p;
}

// ───────────── CSV ─────────────

export interface CsvSource {
  header: string[] | undefined;
  /** problems found while splitting (ragged rows, bad quotes, empty file), as `parseCsv` reports them */
  problems: DataProblem[];
  /** calls `row` for each non-blank data row, in order, with the rule of the first error found while splitting it */
  forEachRow(row: (rowNumber: number, cells: string[], carriedError: string | undefined) => void): void;
}

const blank = (cells: string[]) => cells.every((c) => c.trim() === "");

/** A CSV text as header + rows, exactly as `parseCsv` would give them. */
export function csvSource(text: string, fileLabel: string, firstRowNumber = 1): CsvSource {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (src.includes('"') || src.includes("\r")) {
    const t = parseCsv(text, fileLabel);
    const carried = new Map<number, string>();
    for (const p of t.problems) if (p.severity === "error" && p.row !== undefined && !carried.has(p.row)) carried.set(p.row, p.rule);
    return {
      header: t.header.length || t.rows.length ? t.header : undefined,
      problems: t.problems,
      forEachRow: (f) => {
        for (const r of t.rows) f(r.row + firstRowNumber - 1, r.cells, carried.get(r.row));
      },
    };
  }
  // find the header: the first non-blank line
  let pos = 0;
  let line = firstRowNumber;
  let header: string[] | undefined;
  while (pos <= src.length) {
    let nl = src.indexOf("\n", pos);
    if (nl < 0) nl = src.length;
    const cells = src.slice(pos, nl).split(",");
    pos = nl + 1;
    line++;
    if (!blank(cells)) {
      header = cells.map((c) => c.trim());
      break;
    }
  }
  const problems: DataProblem[] = [];
  const start = pos;
  const startLine = line;
  const width = header?.length ?? 0;
  return {
    header,
    problems,
    forEachRow: (f) => {
      let p = start;
      let ln = startLine;
      const n = src.length;
      while (p < n) {
        let nl = src.indexOf("\n", p);
        if (nl < 0) nl = n;
        const cells = src.slice(p, nl).split(",");
        const row = ln;
        p = nl + 1;
        ln++;
        if (blank(cells)) continue;
        let carried: string | undefined;
        if (cells.length < width) {
          problems.push(problem(DATA_CODES.raggedRow, "error", fileLabel, "too-few-cells",
            `Row ${row} of ${fileLabel} has ${cells.length} cells, but the header has ${width} columns; the missing cells are read as blank.`, { row }));
          carried = "too-few-cells";
        } else if (cells.length > width) {
          const extraBlank = blank(cells.slice(width));
          problems.push(problem(DATA_CODES.raggedRow, extraBlank ? "warning" : "error", fileLabel, "too-many-cells",
            `Row ${row} of ${fileLabel} has ${cells.length} cells, but the header has ${width} columns; the extra cells are ignored.`, { row }));
          if (!extraBlank) carried = "too-many-cells";
        }
        f(row, cells, carried);
      }
      if (!header) problems.push(problem(DATA_CODES.emptyFile, "warning", fileLabel, "empty-file", `The file ${fileLabel} is empty.`));
    },
  };
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
    const index = new Map<string, number>();
    const known = new Set<string>(this.fields.map((f) => normaliseColumnName(f.name.name)));
    if (keyNorm !== undefined) known.add(keyNorm);
    if (periodNorm !== undefined) known.add(periodNorm);
    let unnamed = false;
    h.forEach((hh, i) => {
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
    if (!this.isEmpty) {
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

  /** The file's report; `carried` are the problems of `csvSource` (reported first, as `loadDataSet` does). */
  report(carried: DataProblem[]): FileReport {
    const noRows = this.rowsRead === 0 && !carried.some((p) => p.code === DATA_CODES.emptyFile)
      ? [problem(DATA_CODES.emptyFile, "warning", this.file, "empty-file", `The file ${this.file} has no rows of data.`)]
      : [];
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

// ───────────── files → data sets (as loadInputs) ─────────────

function inputProblem(code: string, file: string, rule: string, message: string): DataProblem {
  return { code, severity: "error", file, rule, message };
}


export type MatchedFile =
  | { file: DataFile; kind: "json"; rows: Record<string, unknown>[]; ds: DataSetIR }
  | { file: DataFile; kind: "csv"; csv: CsvSource; ds: DataSetIR }
  | { file: DataFile; kind: "skip" };

/** The data set of each file, and the problems of files that fit none (`loadInputs`). */
export function matchFiles(ir: ContractIR, files: DataFile[]): { matched: MatchedFile[]; problems: DataProblem[] } {
  const problems: DataProblem[] = [];
  const matched: MatchedFile[] = [];
  for (const f of files) {
    const trimmed = f.text.replace(/^\ufeff/, "").trimStart();
    let json: Record<string, unknown>[] | undefined;
    let csv: CsvSource | undefined;
    if (f.label.toLowerCase().endsWith(".json") || trimmed.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed) && parsed.every((r) => r && typeof r === "object" && !Array.isArray(r))) json = parsed as Record<string, unknown>[];
        else {
          problems.push(inputProblem("OBC5012", f.label, "not-a-table", `The file ${f.label} is JSON but not a list of records.`));
          matched.push({ file: f, kind: "skip" });
          continue;
        }
      } catch {
        problems.push(inputProblem("OBC5012", f.label, "bad-json", `The file ${f.label} is not valid JSON.`));
        matched.push({ file: f, kind: "skip" });
        continue;
      }
    } else csv = csvSource(f.text, f.label);
    let ds: DataSetIR | undefined;
    if (f.dataSet) {
      ds = ir.dataSets.find((d) => d.name === f.dataSet);
      if (!ds) {
        problems.push(inputProblem("OBC5010", f.label, "unknown-data-set", `The contract has no data set named ${f.dataSet} (it has ${ir.dataSets.map((d) => d.name).join(", ")}).`));
        matched.push({ file: f, kind: "skip" });
        continue;
      }
    } else {
      const base = f.label.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
      ds = ir.dataSets.find((d) => normaliseColumnName(d.name) === normaliseColumnName(base));
      if (!ds) {
        const names = json ? Object.keys(json[0] ?? {}) : (csv!.header ?? []);
        const cols = new Set(names.map(normaliseColumnName));
        const scored = ir.dataSets.map((d) => ({ d, s: fit(d, cols) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
        ds = scored[0]?.d;
      }
      if (!ds) {
        problems.push(inputProblem("OBC5010", f.label, "unmatched-file", `The file ${f.label} does not match any data set of the contract: its columns fit none of ${ir.dataSets.map((d) => d.name).join(", ")}. Name the data set: --data ${ir.dataSets[0]?.name ?? "students"}=${f.label}`));
        matched.push({ file: f, kind: "skip" });
        continue;
      }
    }
    matched.push(json ? { file: f, kind: "json", rows: json, ds } : { file: f, kind: "csv", csv: csv!, ds });
  }
  return { matched, problems };
}

/** The table of a CSV source, for `loadDataSet` (non-streamed data sets). */
export function csvTable(csv: CsvSource): { header: string[]; rows: { row: number; cells: string[] }[]; problems: DataProblem[] } {
  const rows: { row: number; cells: string[] }[] = [];
  csv.forEachRow((row, cells) => rows.push({ row, cells }));
  // the problems are complete once the rows have been read
  return { header: csv.header ?? [], rows, problems: csv.problems };
}
