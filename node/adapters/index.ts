/**
 * Adapters: district and vendor files → canonical records → per-student CSV for a contract.
 *
 *   adaptFiles(inputs, opts)          → { bundle, records, quality }   (any formats, streamed)
 *   adaptForDataSet(ir, name, inputs) → { csv, quality, … }            (what `obc adapt` prints)
 *
 * Formats: `datas`, `nwea`, `iready`, `star`, `edfi` (XML interchanges or API JSON),
 * `oneroster` (1.1 / 1.2 CSV), `clever` (roster CSV), `csv` (generic, with a column mapping). Each file is hashed
 * (sha256) before it is read; every record keeps its file hash and row.
 */
import { csvHeaderOf } from "../../engine/csv.ts";
import { readHeadText } from "../data-file.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import { plainKeys, type KeyFunction } from "../privacy.ts";
import { IREADY_VERSION, NWEA_VERSION, STAR_VERSION, readIReady, readNwea, readStar } from "./assessments.ts";
import { Bundle, parseWindowSpec, studentRecords, windowsFromFieldNames, type SessionWindow, type StudentRecordsResult } from "./bundle.ts";
import { toDataSetCsv, type DataSetCsv } from "./canonical.ts";
import { LOOKUP_VERSION } from "./cells.ts";
import type { AdapterContext, AdapterOptions } from "./context.ts";
import { FileReadError, sha256File, toFileReadError } from "./csv-stream.ts";
import { CLEVER_VERSION, isCleverStudents, readCleverStudents } from "./clever.ts";
import { DATAS_VERSION, datasKindOf, readDatasSessions, readDatasStudents } from "./datas.ts";
import { EDFI_VERSION, edFiJsonKind, newEdFiShared, readEdFiJson, readEdFiXml, xmlRootName, type EdFiShared } from "./edfi.ts";
import { GENERIC_VERSION, readGeneric, type ColumnMapping } from "./generic.ts";
import { ONEROSTER_ORDER, ONEROSTER_VERSION, newOneRosterShared, oneRosterKindOf, readOneRoster, type OneRosterKind, type OneRosterShared } from "./oneroster.ts";
import { FileQualityBuilder, isClean, type QualityReport } from "./quality.ts";

export { FileReadError } from "./csv-stream.ts";
export type { QualityReport, FileQuality, Finding, CrossFileFinding } from "./quality.ts";
export { renderQuality } from "./quality.ts";
export { parseWindowSpec, studentRecords, chooseResult, Bundle, type SessionWindow } from "./bundle.ts";
export { toDataSetCsv, type DataSetCsv } from "./canonical.ts";
export type * from "./canonical.ts";
export { parseMapping, type ColumnMapping } from "./generic.ts";

export type FormatId = "datas" | "nwea" | "iready" | "star" | "edfi" | "oneroster" | "clever" | "csv";

export const FORMATS: Record<FormatId, { version: string; description: string }> = {
  datas: { version: DATAS_VERSION, description: "DATAS tutoring data standard: students.csv and sessions.csv" },
  nwea: { version: NWEA_VERSION, description: "NWEA MAP Growth comprehensive data file (CSV)" },
  iready: { version: IREADY_VERSION, description: "i-Ready Diagnostic results export (CSV, ELA or math)" },
  star: { version: STAR_VERSION, description: "Renaissance Star export (CSV)" },
  edfi: { version: EDFI_VERSION, description: "Ed-Fi XML interchanges or Ed-Fi API JSON resources" },
  oneroster: { version: ONEROSTER_VERSION, description: "OneRoster 1.1 / 1.2 CSV (users, enrollments, demographics, …)" },
  clever: { version: CLEVER_VERSION, description: "Clever roster CSV: students.csv" },
  csv: { version: GENERIC_VERSION, description: "any per-student CSV, with a JSON column mapping" },
};

export function isFormat(s: string): s is FormatId {
  return Object.hasOwn(FORMATS, s);
}

export interface AdaptInput {
  /** the path to open */
  path: string;
  /** the name used in reports (default: path) */
  label?: string;
  format: FormatId;
}

export interface AdaptOptions extends AdapterOptions {
  /** how local ids become keys (default: the ids themselves; see privacy.ts hmacKeys) */
  keys?: KeyFunction;
  /** date windows for session counts */
  windows?: readonly SessionWindow[];
  /** keep every session and attendance event in the bundle (tests) */
  keep?: boolean;
  /** the column mapping of `csv` files */
  mapping?: ColumnMapping;
  /** the key column of the target data set (generic CSV) */
  keyField?: string;
  /** progress of the file being read */
  onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
}

export interface AdaptResult {
  bundle: Bundle;
  records: StudentRecordsResult;
  quality: QualityReport;
}

interface Planned {
  input: AdaptInput;
  label: string;
  sha256: string;
  kind: string;
  order: number;
  roster: boolean;
  read: (ctx: AdapterContext) => Promise<void>;
}

async function head(path: string, label: string, bytes = 65536): Promise<string> {
  try {
    return await readHeadText(path, bytes);
  } catch (e) {
    throw toFileReadError(label, e);
  }
}

function csvHeader(text: string): string[] {
  return csvHeaderOf(text) ?? [];
}

/** Ed-Fi interchange (root element without "Interchange") → the kind of records it holds. */
const EDFI_XML_KINDS: Record<string, string> = {
  AssessmentMetadata: "metadata",
  Student: "students",
  StudentEnrollment: "students",
  StudentAssessment: "assessments",
  StudentIntervention: "interventions",
  StudentAttendance: "attendance",
};

/** Decides how to read one file: its kind, reading order and reader. */
async function plan(input: AdaptInput, opts: AdaptOptions, edfi: EdFiShared, roster: OneRosterShared): Promise<Planned> {
  const label = input.label ?? input.path;
  const sha256 = await sha256File(input.path).catch((e: unknown) => {
    throw e instanceof FileReadError ? new FileReadError(label, e.code) : toFileReadError(label, e);
  });
  const base = { input, label, sha256 };
  switch (input.format) {
    case "datas": {
      const kind = datasKindOf(csvHeader(await head(input.path, label))) ?? "unknown";
      return {
        ...base,
        kind,
        order: kind === "students" ? 0 : 1,
        roster: kind === "students",
        read: (ctx) => (kind === "students" ? readDatasStudents(ctx) : kind === "sessions" ? readDatasSessions(ctx) : unknownFile(ctx)),
      };
    }
    case "nwea":
      return { ...base, kind: "assessments", order: 5, roster: false, read: readNwea };
    case "iready":
      return { ...base, kind: "assessments", order: 5, roster: false, read: readIReady };
    case "star":
      return { ...base, kind: "assessments", order: 5, roster: false, read: readStar };
    case "edfi": {
      const h = await head(input.path, label, 8192);
      const t = h.trimStart();
      if (t.startsWith("<")) {
        const root = (xmlRootName(t) ?? "").replace(/^Interchange/, "");
        const kind = EDFI_XML_KINDS[root] ?? "unknown";
        return { ...base, kind, order: kind === "metadata" ? 0 : kind === "students" ? 1 : 3, roster: kind === "students", read: (ctx) => readEdFiXml(ctx, edfi) };
      }
      // JSON: the resource from the file name, else from the fields of the head
      const firstObj = /\{[^{}]*"(\w+)"\s*:/.exec(t);
      const guess = edFiJsonKind(label, firstObj ? Object.fromEntries([...t.matchAll(/"(\w+)"\s*:/g)].slice(0, 40).map((m) => [m[1], true])) : undefined);
      const kind = guess ?? "unknown";
      const order = kind === "assessments" ? 0 : kind === "students" || kind === "studentSchoolAssociations" ? 1 : 3;
      return { ...base, kind: kind === "assessments" ? "metadata" : kind, order, roster: kind === "students" || kind === "studentSchoolAssociations", read: (ctx) => readEdFiJson(ctx, edfi) };
    }
    case "oneroster": {
      const kind = oneRosterKindOf(label, csvHeader(await head(input.path, label)));
      if (!kind) return { ...base, kind: "unknown", order: 9, roster: false, read: unknownFile };
      return { ...base, kind, order: ONEROSTER_ORDER[kind as OneRosterKind], roster: kind === "users", read: (ctx) => readOneRoster(ctx, kind, roster) };
    }
    case "clever": {
      const isStudents = isCleverStudents(csvHeader(await head(input.path, label)));
      return { ...base, kind: isStudents ? "students" : "unknown", order: 0, roster: isStudents, read: isStudents ? readCleverStudents : unknownFile };
    }
    case "csv": {
      const mapping = opts.mapping;
      return {
        ...base,
        kind: "records",
        order: 2,
        roster: false,
        read: (ctx) => {
          if (!mapping) {
            ctx.quality.fileProblem("no-column-mapping");
            return Promise.resolve();
          }
          return readGeneric(ctx, mapping, opts.keyField);
        },
      };
    }
  }
}

async function unknownFile(ctx: AdapterContext): Promise<void> {
  ctx.quality.fileProblem("unknown-file-kind");
}

/**
 * Reads files of any supported formats into one bundle, then builds the per-student values.
 * @throws FileReadError when a file cannot be opened or read (nothing else: bad data is reported)
 */
export async function adaptFiles(inputs: readonly AdaptInput[], opts: AdaptOptions = {}): Promise<AdaptResult> {
  const bundle = new Bundle({ keepSessions: opts.keep, keepAttendance: opts.keep, windows: opts.windows });
  const edfi = newEdFiShared();
  const roster = newOneRosterShared();
  const planned: Planned[] = [];
  for (const input of inputs) planned.push(await plan(input, opts, edfi, roster));
  // stable: by order, then as given
  const ordered = planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.order - b.p.order || a.i - b.i).map((x) => x.p);
  const builders: FileQualityBuilder[] = [];
  const formatsUsed: Record<string, string> = {};
  for (const p of ordered) {
    const q = new FileQualityBuilder(p.label, p.input.format, p.kind);
    q.q.sha256 = p.sha256;
    builders.push(q);
    formatsUsed[p.input.format] = FORMATS[p.input.format].version;
    bundle.beginFile(p.label, p.kind, p.sha256, { roster: p.roster });
    const ctx: AdapterContext = {
      file: p.label,
      path: p.input.path,
      sha256: p.sha256,
      sink: bundle,
      quality: q,
      keyOf: opts.keys ?? plainKeys,
      options: opts,
      ...(opts.onProgress ? { onProgress: (n: number, t: number) => opts.onProgress!(p.label, n, t) } : {}),
    };
    try {
      await p.read(ctx);
    } catch (e) {
      if (e instanceof FileReadError) throw new FileReadError(p.label, e.code);
      throw e;
    }
  }
  // the report lists files in the order they were given
  const files = planned.map((p) => builders[ordered.indexOf(p)].q);
  const records = studentRecords(bundle);
  const quality: QualityReport = {
    schema: "obc.adapt-quality/1",
    adapters: formatsUsed,
    lookups: LOOKUP_VERSION,
    files,
    crossFile: bundle.crossFile(),
    selections: records.selections,
    clean: isClean(files),
  };
  return { bundle, records, quality };
}

export interface AdaptForDataSetOptions extends AdaptOptions {
  /** window specs `NAME=DATE[..DATE]` (see parseWindowSpec) */
  windowSpecs?: readonly string[];
  /** explicit sources: declared field → per-student value name */
  map?: Record<string, string>;
}

export interface AdaptForDataSetResult {
  dataSet: DataSetIR;
  csv: DataSetCsv;
  quality: QualityReport;
  /** per-student value names available, as matched (for "did you mean" when a field is unmapped) */
  available: string[];
  /** each available name as the adapters write it (`ela_fall_score`), by its matched form */
  names: Map<string, string>;
}

/** Finds a data set of a checked contract by name. */
export function findDataSet(ir: ContractIR, name: string): DataSetIR | undefined {
  return ir.dataSets.find((d) => d.name === name);
}

/**
 * Adapts files into the CSV of one data set of a contract: windows implied by the data set's
 * field names (`sessions_by_2026_01_31`) are added to the explicit ones.
 */
export async function adaptForDataSet(ds: DataSetIR, inputs: readonly AdaptInput[], opts: AdaptForDataSetOptions = {}): Promise<AdaptForDataSetResult> {
  const explicit = (opts.windowSpecs ?? []).map((s) => {
    const w = parseWindowSpec(s);
    if (!w) throw new RangeError(`not a window: ${s} (write NAME=YYYY-MM-DD or NAME=YYYY-MM-DD..YYYY-MM-DD)`);
    return w;
  });
  const implied = windowsFromFieldNames(ds.fields.map((f) => f.name)).filter((w) => !explicit.some((e) => e.name === w.name));
  const windows = [...(opts.windows ?? []), ...explicit, ...implied];
  const res = await adaptFiles(inputs, { ...opts, windows, keyField: opts.keyField ?? ds.key ?? "student_id" });
  const csv = toDataSetCsv(ds, res.records.roster, res.records.records, { ...(opts.map ? { map: opts.map } : {}) });
  const available = new Set<string>();
  for (const r of res.records.records.values()) for (const k of r.keys()) available.add(k);
  return { dataSet: ds, csv, quality: res.quality, available: [...available].sort(), names: res.records.names };
}
