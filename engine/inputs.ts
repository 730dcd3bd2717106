/**
 * Inputs of a run: from data files to the typed records of each data set.
 *
 * Input: the checked contract and the files given (`label` + CSV or JSON text, optionally
 * naming the data set). Output: rows per data set, one file report per file, and problems
 * (files that cannot be read or match no data set, data sets with no file, rows naming unknown
 * students). A file is matched to a data set by name (`dataSet`), else by its file name, else
 * by the columns it has. Nothing is dropped silently: every rejected row is in a report, and a
 * file that cannot be used at all stops the run ({@link stopsTheRun}).
 *
 * Bulk runs (engine/fast/) match files and check the inputs with the same functions.
 */
import type { ContractIR, DataSetIR } from "../language/check/ir.ts";
import { csvSource, registeredProblem, type CsvSource } from "./csv.ts";
import { crossCheck, DATA_CODES, normaliseColumnName, type DataProblem, type DataRow, type FileReport } from "./data.ts";
import { loadCsvSource, loadDataSet } from "./load.ts";

export interface DataFile {
  /** the file name as the user gave it; used in every message */
  label: string;
  text: string;
  /** the data set the file holds; matched automatically when absent */
  dataSet?: string;
  /** how the caller read the file's bytes as text (e.g. "utf-8", "windows-1252"); shown in the file report */
  encoding?: string;
  /**
   * A file-level problem the caller found before there was text to read (e.g. a binary file or
   * a workbook it cannot use): the file is not read and the run stops.
   */
  refusal?: DataProblem;
}

export interface LoadedInputs {
  rows: Map<string, DataRow[]>;
  reports: FileReport[];
  problems: DataProblem[];
}

function problem(code: string, file: string, rule: string, message: string): DataProblem {
  return { code, severity: "error", file, rule, message };
}

/** How well a file's columns fit a data set: the share of its required columns present (0 when the key is absent). */
export function fit(ds: DataSetIR, cols: Set<string>): number {
  const required = [ds.key, ds.period, ...ds.fields.filter((f) => !f.optional).map((f) => f.name)].filter((x): x is string => !!x);
  const all = [ds.key, ds.period, ...ds.fields.map((f) => f.name)].filter((x): x is string => !!x);
  if ((ds.key && !cols.has(normaliseColumnName(ds.key))) || (ds.period && !cols.has(normaliseColumnName(ds.period)))) return 0;
  const req = required.filter((c) => cols.has(normaliseColumnName(c))).length / Math.max(1, required.length);
  const any = all.filter((c) => cols.has(normaliseColumnName(c))).length / Math.max(1, all.length);
  return req + any / 100;
}

/** A data file opened and matched to a data set (CSV with its header read, its rows not yet), or skipped. */
export type MatchedFile =
  | { file: DataFile; kind: "json"; rows: Record<string, unknown>[]; ds: DataSetIR }
  | { file: DataFile; kind: "csv"; csv: CsvSource; ds: DataSetIR }
  | { file: DataFile; kind: "skip" };

/** A data file opened: JSON records, CSV with its header read (its rows not yet), or skipped with the reason. */
export type OpenedFile =
  | { file: DataFile; kind: "json"; rows: Record<string, unknown>[] }
  | { file: DataFile; kind: "csv"; csv: CsvSource }
  | { file: DataFile; kind: "skip"; problem: DataProblem };

/** Opens a file: JSON when its name ends in .json or its text starts with `[`, else CSV (engine/csv.ts). */
export function openFile(f: DataFile): OpenedFile {
  if (f.refusal) return { file: f, kind: "skip", problem: f.refusal };
  const trimmed = f.text.replace(/^\ufeff/, "").trimStart();
  if (f.label.toLowerCase().endsWith(".json") || trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((r) => r && typeof r === "object" && !Array.isArray(r))) return { file: f, kind: "json", rows: parsed as Record<string, unknown>[] };
      return { file: f, kind: "skip", problem: problem("OBC5012", f.label, "not-a-table", `The file ${f.label} is JSON but not a list of records.`) };
    } catch {
      return { file: f, kind: "skip", problem: problem("OBC5012", f.label, "bad-json", `The file ${f.label} is not valid JSON.`) };
    }
  }
  const csv = csvSource(f.text, f.label);
  return csv.fatal ? { file: f, kind: "skip", problem: csv.fatal } : { file: f, kind: "csv", csv };
}

/**
 * Finds the data set of each opened file: the one it names, else the one named like the file,
 * else the one its columns fit best.
 * @returns the files in order, and per file the problem that made it skipped (refused,
 *   unreadable, or matching no data set), undefined for the others
 */
/** The data set a file is named after (`students.csv` → `students`), if any. */
export function dataSetNamedLike(ir: ContractIR, label: string): DataSetIR | undefined {
  const base = normaliseColumnName(label.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, ""));
  return ir.dataSets.find((d) => normaliseColumnName(d.name) === base);
}

/** The normalised column names of an opened file (its header, or a JSON file's first row's keys). */
export function columnsOf(o: Exclude<OpenedFile, { kind: "skip" }>): Set<string> {
  const names = o.kind === "json" ? Object.keys(o.rows[0] ?? {}) : (o.csv.header ?? []);
  return new Set(names.map(normaliseColumnName));
}

export function matchOpened(ir: ContractIR, opened: OpenedFile[]): { matched: MatchedFile[]; fileProblems: (DataProblem | undefined)[] } {
  const fileProblems: (DataProblem | undefined)[] = [];
  const matched: MatchedFile[] = [];
  const skip = (f: DataFile, p: DataProblem) => {
    fileProblems.push(p);
    matched.push({ file: f, kind: "skip" });
  };
  for (const o of opened) {
    const f = o.file;
    if (o.kind === "skip") {
      skip(f, o.problem);
      continue;
    }
    let ds: DataSetIR | undefined;
    if (f.dataSet) {
      ds = ir.dataSets.find((d) => d.name === f.dataSet);
      if (!ds) {
        skip(f, problem("OBC5010", f.label, "unknown-data-set", `The contract has no data set named ${f.dataSet} (it has ${ir.dataSets.map((d) => d.name).join(", ")}).`));
        continue;
      }
    } else {
      ds = dataSetNamedLike(ir, f.label);
      if (!ds) {
        const cols = columnsOf(o);
        const scored = ir.dataSets.map((d) => ({ d, s: fit(d, cols) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
        ds = scored[0]?.d;
      }
      if (!ds) {
        skip(f, problem("OBC5010", f.label, "unmatched-file", `The file ${f.label} does not match any data set of the contract: its columns fit none of ${ir.dataSets.map((d) => d.name).join(", ")}. Name the data set: --data ${ir.dataSets[0]?.name ?? "students"}=${f.label}`));
        continue;
      }
    }
    fileProblems.push(undefined);
    matched.push({ ...o, ds });
  }
  return { matched, fileProblems };
}

/** Opens each file and finds its data set ({@link openFile}, {@link matchOpened}). */
export function matchFiles(ir: ContractIR, files: DataFile[]): { matched: MatchedFile[]; fileProblems: (DataProblem | undefined)[] } {
  return matchOpened(ir, files.map(openFile));
}

/** A file's report with how it was decoded (and a warning when the encoding was a guess). */
export function withEncoding(report: FileReport, file: DataFile): FileReport {
  if (file.encoding === undefined) return report;
  const guessed = file.encoding === "windows-1252" ? [registeredProblem(DATA_CODES.notUtf8, file.label, "not-utf8", { encoding: "Windows-1252" })] : [];
  const { file: label, ...rest } = report;
  return { file: label, encoding: file.encoding, ...rest, problems: [...guessed, ...report.problems] };
}

/**
 * The problems of the inputs as a whole, in order: each skipped or refused file's own problem
 * (in file order), data sets without a file, rows of keyed data sets naming students who are
 * not in the roster.
 * @param fileProblems per file, its file-level problem (from {@link matchFiles}, or found while its rows were read)
 * @param loaded the rows of each file that was loaded (for bulk runs, the roster's rows need only their keys)
 */
export function inputProblems(
  ir: ContractIR,
  matched: MatchedFile[],
  fileProblems: (DataProblem | undefined)[],
  loaded: { decl: DataSetIR["decl"]; rows: Pick<DataRow, "key" | "row">[]; file: string }[],
): DataProblem[] {
  const problems = fileProblems.filter((p): p is DataProblem => !!p);
  const has = new Set<string>();
  for (const m of matched) if (m.kind !== "skip") has.add(m.ds.name);
  // a file that could not be used may be the one for a data set: say only what is certain
  if (problems.length === 0) {
    for (const ds of ir.dataSets) {
      if (!has.has(ds.name)) problems.push(problem("OBC5011", "(none)", "missing-data-set", `No data was given for the data set ${ds.name}, which the contract reads.`));
    }
  }
  const roster = ir.dataSets.find((d) => d.roster);
  // student-period sets are checked against the roster too, when there is one
  if (roster) problems.push(...crossCheck(loaded as { decl: DataSetIR["decl"]; rows: DataRow[]; file: string }[], roster.name));
  return problems;
}

/** The files of a run, loaded: rows per data set, and per file its report, rows and problem. */
export interface LoadedSets {
  rows: Map<string, DataRow[]>;
  /** per file: its report (undefined for skipped and refused files, and for files left to the caller) */
  reports: (FileReport | undefined)[];
  /** per file: its loaded rows */
  loaded: ({ decl: DataSetIR["decl"]; rows: DataRow[]; file: string } | undefined)[];
  /** per file: the problem that made it skipped or refused (see `matchFiles`) */
  fileProblems: (DataProblem | undefined)[];
}

/**
 * Loads matched files with the one loader (engine/load.ts), the rows of a CSV file read one at
 * a time. A file the reader refuses while its rows are read gets its problem in `fileProblems`.
 * @param leave files the caller loads itself (a bulk run's roster, decided as it is read)
 */
export function loadMatched(matched: MatchedFile[], fileProblems: (DataProblem | undefined)[], opts: { strict?: boolean }, leave: (m: MatchedFile) => boolean = () => false): LoadedSets {
  const sets: LoadedSets = { rows: new Map(), reports: [], loaded: [], fileProblems };
  matched.forEach((m, i) => {
    sets.reports.push(undefined);
    sets.loaded.push(undefined);
    if (m.kind === "skip" || leave(m)) return;
    const lopts = { strict: opts.strict, roster: m.ds.roster };
    const out = m.kind === "json" ? loadDataSet(m.ds.decl, m.rows, m.file.label, lopts) : loadCsvSource(m.ds.decl, m.csv, lopts);
    if (out.fatal) {
      // a quote that swallows lines, found while the rows were read: the file is refused
      fileProblems[i] = out.fatal;
      return;
    }
    sets.reports[i] = withEncoding(out.report, m.file);
    sets.rows.set(m.ds.name, [...(sets.rows.get(m.ds.name) ?? []), ...out.rows]);
    sets.loaded[i] = { decl: m.ds.decl, rows: out.rows, file: m.file.label };
  });
  return sets;
}

export function loadInputs(ir: ContractIR, files: DataFile[], opts: { strict?: boolean } = {}): LoadedInputs {
  const { matched, fileProblems } = matchFiles(ir, files);
  const sets = loadMatched(matched, fileProblems, opts);
  const present = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  return { rows: sets.rows, reports: present(sets.reports), problems: inputProblems(ir, matched, fileProblems, present(sets.loaded)) };
}
