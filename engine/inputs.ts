/**
 * Inputs of a run: from data files to the typed records of each data set.
 *
 * Input: the checked contract and the files given (`label` + CSV or JSON text, optionally
 * naming the data set). Output: rows per data set, one file report per file, and problems
 * (files that match no data set, data sets with no file, rows naming unknown students).
 * A file is matched to a data set by name (`dataSet`), else by its file name, else by the
 * columns it has. Nothing is dropped silently: every rejected row is in a report.
 */
import type { ContractIR, DataSetIR } from "../language/check/ir.ts";
import { crossCheck, loadDataSet, normaliseColumnName, parseCsv, type DataProblem, type DataRow, type FileReport, type Table } from "./data.ts";

export interface DataFile {
  /** the file name as the user gave it; used in every message */
  label: string;
  text: string;
  /** the data set the file holds; matched automatically when absent */
  dataSet?: string;
}

export interface LoadedInputs {
  rows: Map<string, DataRow[]>;
  reports: FileReport[];
  problems: DataProblem[];
}

function problem(code: string, file: string, rule: string, message: string): DataProblem {
  return { code, severity: "error", file, rule, message };
}

function parseFile(f: DataFile): { table: Table | Record<string, unknown>[]; problems: DataProblem[] } {
  const trimmed = f.text.replace(/^\ufeff/, "").trimStart();
  if (f.label.toLowerCase().endsWith(".json") || trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((r) => r && typeof r === "object" && !Array.isArray(r))) {
        return { table: parsed as Record<string, unknown>[], problems: [] };
      }
      return { table: { header: [], rows: [] }, problems: [problem("OBC5012", f.label, "not-a-table", `The file ${f.label} is JSON but not a list of records.`)] };
    } catch {
      return { table: { header: [], rows: [] }, problems: [problem("OBC5012", f.label, "bad-json", `The file ${f.label} is not valid JSON.`)] };
    }
  }
  const t = parseCsv(f.text, f.label);
  return { table: t, problems: [] };
}

function columnsOf(table: Table | Record<string, unknown>[]): Set<string> {
  const names = Array.isArray(table) ? Object.keys(table[0] ?? {}) : table.header;
  return new Set(names.map(normaliseColumnName));
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

export function loadInputs(ir: ContractIR, files: DataFile[], opts: { strict?: boolean } = {}): LoadedInputs {
  const rows = new Map<string, DataRow[]>();
  const reports: FileReport[] = [];
  const problems: DataProblem[] = [];
  const loaded: { decl: DataSetIR["decl"]; rows: DataRow[]; file: string }[] = [];
  for (const f of files) {
    const { table, problems: parseProblems } = parseFile(f);
    if (parseProblems.length > 0) {
      problems.push(...parseProblems);
      continue;
    }
    let ds: DataSetIR | undefined;
    if (f.dataSet) {
      ds = ir.dataSets.find((d) => d.name === f.dataSet);
      if (!ds) {
        problems.push(problem("OBC5010", f.label, "unknown-data-set", `The contract has no data set named ${f.dataSet} (it has ${ir.dataSets.map((d) => d.name).join(", ")}).`));
        continue;
      }
    } else {
      const base = f.label.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
      ds = ir.dataSets.find((d) => normaliseColumnName(d.name) === normaliseColumnName(base));
      if (!ds) {
        const cols = columnsOf(table);
        const scored = ir.dataSets.map((d) => ({ d, s: fit(d, cols) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
        ds = scored[0]?.d;
      }
      if (!ds) {
        problems.push(problem("OBC5010", f.label, "unmatched-file", `The file ${f.label} does not match any data set of the contract: its columns fit none of ${ir.dataSets.map((d) => d.name).join(", ")}. Name the data set: --data ${ir.dataSets[0]?.name ?? "students"}=${f.label}`));
        continue;
      }
    }
    const out = loadDataSet(ds.decl, table, f.label, opts);
    reports.push(out.report);
    rows.set(ds.name, [...(rows.get(ds.name) ?? []), ...out.rows]);
    loaded.push({ decl: ds.decl, rows: out.rows, file: f.label });
  }
  for (const ds of ir.dataSets) {
    if (!rows.has(ds.name) && !problems.some((p) => p.code === "OBC5010")) {
      problems.push(problem("OBC5011", "(none)", "missing-data-set", `No data was given for the data set ${ds.name}, which the contract reads.`));
    }
  }
  const roster = ir.dataSets.find((d) => d.roster);
  if (roster) {
    // student-period sets are checked against the roster too, when there is one
    problems.push(...crossCheck(loaded, roster.name));
  }
  return { rows, reports, problems };
}
