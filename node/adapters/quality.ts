/**
 * The data-quality report of an adaptation: per file, rows read / accepted / rejected, each
 * rejection with file, row, column and rule — never the value — duplicates, columns dropped by
 * the allowlist, and, across files, students found in one file but not another.
 *
 * Row numbers: for CSV, the record number as a spreadsheet shows it (header = row 1, first data
 * row = row 2); for XML, the line on which the record's element starts; for JSON, the 1-based
 * position of the record in the array.
 */

/** One row-level or cell-level finding. `column` is a header or field name, never a value. */
export interface Finding {
  file: string;
  row?: number;
  column?: string;
  rule: string;
}

export interface FileQuality {
  /** the file as the user named it */
  file: string;
  /** sha256 of the file's bytes */
  sha256: string;
  bytes: number;
  /** adapter format id, e.g. "datas", "nwea-map-growth" */
  format: string;
  /** what the file held: students, sessions, assessments, attendance, interventions, enrollments, records */
  kind: string;
  /** records read (non-blank rows, or XML/JSON records): rowsAccepted + rowsRejected + the excluded rows */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** rows not used, each with its rule (the file is `file`) */
  rejections: Finding[];
  /** cells that could not be read and are treated as missing (the row is kept) */
  cellProblems: Finding[];
  /** rows read but deliberately left out, by rule (e.g. after the sessions cut-off, not a student) */
  excluded: Record<string, number>;
  /** rows repeating an earlier row's identity; they are rejections too */
  duplicates: number;
  /** headers not on the adapter's allowlist: never read (names, emails, birth dates, …) */
  droppedColumns: string[];
  /** allowlisted columns the file lacks */
  missingColumns: string[];
  /** per canonical field: accepted rows where it is missing (blank or `*`) */
  missingValues: Record<string, number>;
}

/** Students present in one file but not in another (counts and rows, never ids). */
export interface CrossFileFinding {
  rule: "unknown-student" | "not-in-file";
  /** the file whose rows name the students */
  file: string;
  /** the file they are missing from */
  otherFile: string;
  /** how many distinct students */
  students: number;
  /** rows of `file` concerned (for unknown-student), at most 1000 listed */
  rows?: number[];
}

/** How results were chosen where a student, subject and window had several, or none valid. */
export interface SelectionSummary {
  file: string;
  /** the rule that decided (see bundle.ts SELECTION_RULES); "no-valid-result" when nothing could be chosen */
  rule: string;
  /** (student, subject, window) groups decided by the rule */
  groups: number;
  /** results not used */
  notChosen: number;
}

export interface QualityReport {
  /** "obc.adapt-quality/1" */
  schema: string;
  /** adapter versions used, by format */
  adapters: Record<string, string>;
  lookups: string;
  files: FileQuality[];
  crossFile: CrossFileFinding[];
  selections: SelectionSummary[];
  /** true when no file rejected a row or had an unreadable cell */
  clean: boolean;
}

/** Builds the report of one file while an adapter reads it. */
export class FileQualityBuilder {
  readonly q: FileQuality;
  private readonly rejectedRows = new Set<number>();

  constructor(file: string, format: string, kind: string) {
    this.q = {
      file,
      sha256: "",
      bytes: 0,
      format,
      kind,
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      rejections: [],
      cellProblems: [],
      excluded: {},
      duplicates: 0,
      droppedColumns: [],
      missingColumns: [],
      missingValues: {},
    };
  }

  read(): void {
    this.q.rowsRead++;
  }
  accept(): void {
    this.q.rowsAccepted++;
  }
  /** Rejects a row (once per row: a second rule for the same row is ignored). */
  reject(row: number, rule: string, column?: string): void {
    if (this.rejectedRows.has(row)) return;
    this.rejectedRows.add(row);
    this.q.rowsRejected++;
    this.q.rejections.push({ file: this.q.file, row, ...(column !== undefined ? { column } : {}), rule });
    if (rule === "duplicate") this.q.duplicates++;
  }
  /** Records a cell read as missing because it was malformed. */
  cell(row: number, column: string, rule: string): void {
    this.q.cellProblems.push({ file: this.q.file, row, column, rule });
  }
  exclude(rule: string): void {
    this.q.excluded[rule] = (this.q.excluded[rule] ?? 0) + 1;
  }
  missingValue(field: string): void {
    this.q.missingValues[field] = (this.q.missingValues[field] ?? 0) + 1;
  }
  /** A file-level problem (no row): counts as a rejection of the whole file. */
  fileProblem(rule: string, column?: string): void {
    this.q.rejections.push({ file: this.q.file, ...(column !== undefined ? { column } : {}), rule });
  }
}

/** True when the report has no rejection and no unreadable cell (what `--strict` requires). */
export function isClean(files: readonly FileQuality[]): boolean {
  return files.every((f) => f.rejections.length === 0 && f.cellProblems.length === 0);
}

/**
 * The report as plain lines for a terminal: one summary line per file, then each finding as
 * `file:row column rule`. Never contains a value or an id.
 * @param max findings printed per file (the rest are counted)
 */
export function renderQuality(r: QualityReport, max = 20): string {
  const out: string[] = [];
  for (const f of r.files) {
    const excluded = Object.entries(f.excluded)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
    out.push(
      `${f.file} (${f.format}, ${f.kind}): ${f.rowsRead} read, ${f.rowsAccepted} accepted, ${f.rowsRejected} rejected` +
        (f.duplicates ? `, ${f.duplicates} duplicates` : "") +
        (f.cellProblems.length ? `, ${f.cellProblems.length} unreadable cells` : "") +
        (excluded ? `; excluded: ${excluded}` : "") +
        (f.droppedColumns.length ? `; ${f.droppedColumns.length} columns not read` : ""),
    );
    const findings = [...f.rejections.map((x) => ({ ...x, what: "rejected" })), ...f.cellProblems.map((x) => ({ ...x, what: "missing" }))];
    for (const x of findings.slice(0, max)) {
      out.push(`  ${x.file}${x.row !== undefined ? `:${x.row}` : ""}${x.column ? ` column ${x.column}` : ""}: ${x.rule} (${x.what})`);
    }
    if (findings.length > max) out.push(`  … and ${findings.length - max} more (see the JSON report)`);
  }
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  for (const c of r.crossFile) {
    out.push(
      c.rule === "unknown-student"
        ? `${c.file}: ${n(c.rows?.length ?? 0, "row names", "rows name")} ${n(c.students, "student who is", "students who are")} not in ${c.otherFile}`
        : `${n(c.students, "student", "students")} of ${c.file} ${c.students === 1 ? "has" : "have"} no rows in ${c.otherFile}`,
    );
  }
  for (const s of r.selections) {
    out.push(
      s.rule === "no-valid-result"
        ? `${s.file}: ${s.groups} student/subject/window groups have no valid result (${s.notChosen} results not used; the values are missing)`
        : `${s.file}: ${s.groups} student/subject/window groups had several results; chosen by rule ${s.rule} (${s.notChosen} not used)`,
    );
  }
  return out.join("\n") + (out.length ? "\n" : "");
}
