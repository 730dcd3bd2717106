/**
 * The canonical input model (after `../shared/domain.md`) and the way back out of it: per-student
 * CSV text with exactly the columns a contract's data set declares, which `runContract` reads.
 *
 *   vendor / standard files ──adapters──▶ canonical records ──studentRecords──▶ per-student values
 *                                                         ──toDataSetCsv──▶ CSV for one data set
 *
 * Keys: `key` is the student's pseudonym (HMAC-SHA256 of `idSystem:localId`) when adapting with
 * pseudonymisation, else the local id itself (text, leading zeros kept). Raw names, e-mails,
 * birth dates, usernames and teacher names never reach this model.
 *
 * Differences from domain.md's sketch (the developers own the final shape): `adminDate` is
 * optional (DATAS outcome measures carry only their order), `growth` is a list (NWEA and Star
 * report several spans on one row), sessions need no `contractId`, and the model adds
 * school attendance events, intervention assignments and plain per-student values (generic CSV).
 */
import type { DataDecl } from "../../language/ast.ts";
import type { DataSetIR } from "../../language/check/ir.ts";
import { normHeader } from "./cells.ts";

export type Key = string;

/** Where a record came from: the adapter format, the file's sha256 and the row (CSV), line (XML) or position (JSON). */
export interface Src {
  format: string;
  fileSha256: string;
  row: number;
}

export interface StudentFlags {
  el?: boolean | null;
  swd?: boolean | null;
  econDisadv?: boolean | null;
  disability?: boolean | null;
  gifted?: boolean | null;
  homeless?: boolean | null;
}

export interface Student {
  key: Key;
  /** the district (LEA) id, as text */
  districtId?: string;
  schoolId?: string;
  /** CEDS grade code: PK, KG, 01…12, UG */
  gradeLevel?: string;
  flags?: StudentFlags;
  /** optional equity-reporting fields (e.g. gender, ethnicity); never used for payment unless a contract reads them */
  subgroups?: Record<string, string>;
  src: Src;
}

export interface EnrollmentSpan {
  key: Key;
  schoolId?: string;
  entryDate?: string;
  exitDate?: string;
  classId?: string;
  src: Src;
}

export type SessionStatus = "attended" | "student_absent" | "provider_cancelled" | "school_cancelled" | "makeup";

export interface TutoringSession {
  sessionId: string;
  key: Key;
  contractId?: string;
  /** a tutor's id as given (tutor ids are staff ids, not student data) */
  tutorKey?: string;
  subject: string;
  /** ISO date */
  date: string;
  /** HH:MM when the source has a time */
  time?: string;
  scheduledMinutes?: number;
  attendedMinutes: number;
  status: SessionStatus;
  groupSize?: number;
  modality?: "in_person" | "virtual";
  duringSchoolDay?: boolean;
  src: Src;
}

export interface GrowthMeasure {
  /** start window (fall, winter, spring, baseline) */
  from: string;
  /** end window; "current" when the vendor does not say */
  to: string;
  observed?: number;
  projected?: number;
  /** the vendor's typical growth for the span (NWEA Typical…Growth, i-Ready Annual Typical Growth Measure) */
  typical?: number;
  /** i-Ready's Annual Stretch Growth Measure */
  stretch?: number;
  met?: boolean;
  cgp?: number;
  cgi?: number;
  sgp?: number;
  pctTypical?: number;
  /** i-Ready's Percent Progress to Annual Stretch Growth */
  pctStretch?: number;
}

export interface AssessmentResult {
  key: Key;
  /** NWEA_MAP_GROWTH | IREADY_DIAGNOSTIC | STAR | EDFI | DATAS_OUTCOME | ONEROSTER */
  instrument: string;
  subject: string;
  schoolYear?: number;
  window?: string;
  adminDate?: string;
  scaleScore?: number;
  /** Renaissance's Unified Score (one scale across Star Early Literacy, Reading and Math) */
  unifiedScore?: number;
  sem?: number;
  percentile?: number;
  level?: { scheme: string; label: string; ordinal?: number };
  growth?: GrowthMeasure[];
  /** the kind of test, as the vendor names it (NWEA TestType: "Survey With Goals", "Survey", "Screening") */
  testType?: string;
  /**
   * The vendor's copy of the student's roster attributes on the test date: grade (CEDS code)
   * and program flags. A roster file, when there is one, is the source of `grade` and the flags;
   * these fill them only for students no roster describes (see bundle.ts).
   */
  student?: { gradeLevel?: string; flags?: StudentFlags };
  validity?: {
    minutes?: number;
    rush?: boolean;
    rapidGuessPct?: number;
    countsForGrowth?: boolean;
    isBaseline?: boolean;
    isMostRecent?: boolean;
    /** set when the vendor marks the result unusable (rush flag, deactivated, invalid status) */
    invalidReason?: string;
  };
  /** set on the result chosen for its student, subject and window: the rule and how many results competed */
  choice?: { rule: string; candidates: number };
  src: Src;
}

export interface SchoolAttendanceEvent {
  key: Key;
  schoolId?: string;
  date: string;
  /** excused_absence | unexcused_absence | tardy | early_departure | partial | present | other */
  category: string;
  /** fraction of the day (Ed-Fi EventDuration) */
  dayFraction?: number;
  minutes?: number;
  src: Src;
}

export interface InterventionAssignment {
  key: Key;
  interventionId: string;
  educationOrganizationId?: string;
  /** minutes the student is assigned to (Ed-Fi Dosage) */
  dosageMinutes?: number;
  beginDate?: string;
  endDate?: string;
  src: Src;
}

/** Plain per-student values (generic CSV, extra DATAS columns): field name → text. */
export interface StudentValues {
  key: Key;
  values: Record<string, string>;
  src: Src;
}

/** Where adapters put what they read. */
export interface AdaptSink {
  student(s: Student): void;
  session(s: TutoringSession): void;
  assessment(a: AssessmentResult): void;
  attendance(e: SchoolAttendanceEvent): void;
  intervention(i: InterventionAssignment): void;
  enrollment(e: EnrollmentSpan): void;
  values(v: StudentValues): void;
}

// ───────────────────────────── per-student values → data set CSV ─────────────────────────────

/** A per-student value: a number, yes/no, text, or missing (undefined/null). */
export type Cell = string | number | boolean | null | undefined;

/** Per-student values by name, for one student. Names are matched with {@link normHeader}. */
export type StudentRecord = Map<string, Cell>;

/** A data set declaration: from the IR or the AST. */
export type DataSetDeclLike = DataSetIR | DataDecl;

function declOf(d: DataSetDeclLike): { name: string; key: string; period?: string; fields: { name: string; type: string; optional: boolean }[] } {
  if ("decl" in d) {
    return { name: d.name, key: d.key ?? "student_id", period: d.period, fields: d.fields.map((f) => ({ name: f.name, type: f.type, optional: f.optional })) };
  }
  return {
    name: d.name.name,
    key: d.key?.name ?? "student_id",
    period: d.period?.name,
    fields: d.fields.map((f) => ({ name: f.name.name, type: f.type, optional: f.optional })),
  };
}

/** Formats a value for CSV: numbers in plain decimal, booleans true/false, missing as blank. */
export function formatCell(v: Cell): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "";
    if (Number.isInteger(v)) return String(v);
    // at most 6 decimals, trailing zeros trimmed: exact for the values adapters produce (minutes/60 etc. are rounded here)
    return v.toFixed(6).replace(/\.?0+$/, "");
  }
  return v;
}

/** RFC 4180 quoting when needed. */
export function csvEscape(s: string): string {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface DataSetCsvOptions {
  /** explicit sources: declared field → per-student value name (overrides the built-in names) */
  map?: Record<string, string>;
}

export interface DataSetCsv {
  /** CSV text: the key column, then every declared field in declaration order */
  text: string;
  /** how each declared field was filled: the per-student value name it came from */
  columns: { field: string; source: string }[];
  /** declared fields no adapter provides (their column is left out, so the engine reports them) */
  unmapped: string[];
  rows: number;
}

/**
 * Per-student CSV text for one data set of a contract: one row per student (roster order), the
 * key column first, then the declared fields, each filled from the student's values by name
 * (case, spaces and `_` ignored) or by `opts.map`.
 * @param decl the contract's data set (IR or AST)
 * @param students the students, in the order of the rows
 * @param aggregates per-student values by key (see `studentRecords` in bundle.ts)
 */
export function toDataSetCsv(
  decl: DataSetDeclLike,
  students: readonly Pick<Student, "key">[],
  aggregates: ReadonlyMap<Key, StudentRecord>,
  opts: DataSetCsvOptions = {},
): DataSetCsv {
  const d = declOf(decl);
  const keyNorm = normHeader(d.key);
  const fields = d.fields.filter((f) => normHeader(f.name) !== keyNorm);
  // every name available for at least one student
  const available = new Set<string>();
  for (const r of aggregates.values()) for (const k of r.keys()) available.add(k);
  const explicit = new Map(Object.entries(opts.map ?? {}).map(([k, v]) => [normHeader(k), normHeader(v)]));
  const columns: { field: string; source: string }[] = [];
  const unmapped: string[] = [];
  for (const f of fields) {
    const want = explicit.get(normHeader(f.name)) ?? normHeader(f.name);
    if (available.has(want)) columns.push({ field: f.name, source: want });
    else unmapped.push(f.name);
  }
  const lines: string[] = [[d.key, ...columns.map((c) => c.field)].map(csvEscape).join(",")];
  for (const s of students) {
    const r = aggregates.get(s.key);
    const cells = [s.key, ...columns.map((c) => formatCell(r?.get(c.source)))];
    lines.push(cells.map(csvEscape).join(","));
  }
  return { text: lines.join("\n") + "\n", columns, unmapped, rows: students.length };
}
