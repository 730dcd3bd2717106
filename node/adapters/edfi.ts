/**
 * Ed-Fi → canonical records, from XML interchanges (streamed) or Ed-Fi API JSON (a resource's
 * array of records, as `GET /ed-fi/<resource>` returns it).
 *
 * | Ed-Fi record (XML element / API resource)                       | canonical |
 * |---|---|
 * | `Student` / `students`                                           | Student (the StudentUniqueId only) |
 * | `StudentSchoolAssociation` / `studentSchoolAssociations`         | Student (school, entry grade) + EnrollmentSpan |
 * | `Assessment` / `assessments` (metadata)                          | subject and window of each assessment |
 * | `StudentAssessment` / `studentAssessments`                       | AssessmentResult |
 * | `StudentInterventionAssociation` / `studentInterventionAssociations` | InterventionAssignment |
 * | `StudentInterventionAttendanceEvent` / `studentInterventionAttendanceEvents` | TutoringSession |
 * | `StudentSchoolAttendanceEvent` / `studentSchoolAttendanceEvents` | SchoolAttendanceEvent |
 *
 * Only the paths listed in {@link KEEP} are built from XML (names, birth data, addresses,
 * identification documents are skipped unread); JSON records are read through the same fields.
 * A student assessment needs its assessment's metadata (subject, title, period) in the same
 * adaptation: give the AssessmentMetadata interchange or the `assessments` resource too. Window:
 * the assessment period descriptor when there is one (Fall, BOY… → fall), else the title without
 * grade, subject and school year ("3rd Grade Math 1st Six Weeks 2021-2022" → `1st_six_weeks`).
 * Score: the "Scale score" reporting method, else "Raw score"; "Percentile" gives the percentile.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { descriptorCode, normGrade, normSchoolYear, normSubject, normWindow, readDate, readNonNegative, readNumber, schoolYearOfDate } from "./cells.ts";
import type { AssessmentResult, Src } from "./canonical.ts";
import { idSystemOf, type AdapterContext } from "./context.ts";
import { createHash } from "node:crypto";
import { decodeBytes, inspectFile } from "../data-file.ts";
import { DataFileRefused, HashingDecoder, toFileReadError } from "./csv-stream.ts";
import { XmlError, XmlRecordReader, childrenNamed, textAt, type XmlElement } from "./xml.ts";

export const EDFI_VERSION = "edfi/1";

/** Per adaptation: what the assessment metadata says about each assessment. */
export interface EdFiShared {
  assessments: Map<string, { title?: string; subject?: string; window?: string }>;
}
export const newEdFiShared = (): EdFiShared => ({ assessments: new Map() });

/** The record kinds this adapter reads. */
export type EdFiKind =
  | "students"
  | "studentSchoolAssociations"
  | "assessments"
  | "studentAssessments"
  | "studentInterventionAssociations"
  | "studentInterventionAttendanceEvents"
  | "studentSchoolAttendanceEvents";

const XML_RECORD: Record<string, EdFiKind> = {
  Student: "students",
  StudentSchoolAssociation: "studentSchoolAssociations",
  Assessment: "assessments",
  StudentAssessment: "studentAssessments",
  StudentInterventionAssociation: "studentInterventionAssociations",
  StudentInterventionAttendanceEvent: "studentInterventionAttendanceEvents",
  StudentSchoolAttendanceEvent: "studentSchoolAttendanceEvents",
  StudentSectionAttendanceEvent: "studentSchoolAttendanceEvents",
};

/** The XML paths read, per record element (everything else is skipped unread). */
export const KEEP: Record<string, readonly string[]> = {
  Student: ["StudentUniqueId"],
  StudentSchoolAssociation: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "SchoolReference/SchoolIdentity/SchoolId",
    "EntryDate",
    "EntryGradeLevel",
    "ExitWithdrawDate",
  ],
  Assessment: ["AssessmentIdentifier", "AssessmentTitle", "AcademicSubject", "Namespace", "AssessmentPeriod/AssessmentPeriod", "Period/AssessmentPeriod"],
  StudentAssessment: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "AssessmentReference/AssessmentIdentity/AssessmentIdentifier",
    "AdministrationDate",
    "ScoreResult/Result",
    "ScoreResult/AssessmentReportingMethod",
    "PerformanceLevel/PerformanceLevel",
    "PerformanceLevel/PerformanceLevelMet",
    "PerformanceLevel/AssessmentReportingMethod",
    "SchoolYear",
    "ReasonNotTested",
    "RetestIndicator",
    "StudentAssessmentPeriod/AssessmentPeriod",
  ],
  StudentInterventionAssociation: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "InterventionReference/InterventionIdentity/InterventionIdentificationCode",
    "InterventionReference/InterventionIdentity/EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId",
    "Dosage",
    "BeginDate",
    "EndDate",
  ],
  StudentInterventionAttendanceEvent: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "InterventionReference/InterventionIdentity/InterventionIdentificationCode",
    "AttendanceEvent/EventDate",
    "AttendanceEvent/AttendanceEventCategory",
    "AttendanceEvent/EventDuration",
    "EventDate",
    "AttendanceEventCategory",
    "InterventionDuration",
  ],
  StudentSchoolAttendanceEvent: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "SchoolReference/SchoolIdentity/SchoolId",
    "AttendanceEvent/EventDate",
    "AttendanceEvent/AttendanceEventCategory",
    "AttendanceEvent/EventDuration",
    "SchoolAttendanceDuration",
  ],
  StudentSectionAttendanceEvent: [
    "StudentReference/StudentIdentity/StudentUniqueId",
    "AttendanceEvent/EventDate",
    "AttendanceEvent/AttendanceEventCategory",
    "AttendanceEvent/EventDuration",
    "SectionAttendanceDuration",
  ],
};

function keepFor(path: readonly string[]): boolean {
  const [record, ...rest] = path;
  const allowed = KEEP[record];
  if (!allowed) return false;
  const p = rest.join("/");
  return allowed.some((a) => a === p || a.startsWith(p + "/"));
}

// ───────────────────────────── one accessor over XML and JSON ─────────────────────────────

/** Field paths per kind: [xml path, json path]. */
const F = {
  student: ["StudentReference/StudentIdentity/StudentUniqueId", "studentReference/studentUniqueId"],
  studentUniqueId: ["StudentUniqueId", "studentUniqueId"],
  schoolId: ["SchoolReference/SchoolIdentity/SchoolId", "schoolReference/schoolId"],
  entryDate: ["EntryDate", "entryDate"],
  entryGrade: ["EntryGradeLevel", "entryGradeLevelDescriptor"],
  exitDate: ["ExitWithdrawDate", "exitWithdrawDate"],
  assessmentId: ["AssessmentReference/AssessmentIdentity/AssessmentIdentifier", "assessmentReference/assessmentIdentifier"],
  adminDate: ["AdministrationDate", "administrationDate"],
  schoolYear: ["SchoolYear", "schoolYearTypeReference/schoolYear"],
  reasonNotTested: ["ReasonNotTested", "reasonNotTestedDescriptor"],
  period: ["StudentAssessmentPeriod/AssessmentPeriod", "period/assessmentPeriodDescriptor"],
  metaId: ["AssessmentIdentifier", "assessmentIdentifier"],
  metaTitle: ["AssessmentTitle", "assessmentTitle"],
  metaPeriod: ["AssessmentPeriod/AssessmentPeriod", "period/assessmentPeriodDescriptor"],
  interventionCode: ["InterventionReference/InterventionIdentity/InterventionIdentificationCode", "interventionReference/interventionIdentificationCode"],
  edOrg: [
    "InterventionReference/InterventionIdentity/EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId",
    "interventionReference/educationOrganizationId",
  ],
  dosage: ["Dosage", "dosage"],
  beginDate: ["BeginDate", "beginDate"],
  endDate: ["EndDate", "endDate"],
  eventDate: ["AttendanceEvent/EventDate", "eventDate"],
  eventCategory: ["AttendanceEvent/AttendanceEventCategory", "attendanceEventCategoryDescriptor"],
  eventDuration: ["AttendanceEvent/EventDuration", "eventDuration"],
  schoolMinutes: ["SchoolAttendanceDuration", "schoolAttendanceDuration"],
  interventionMinutes: ["InterventionDuration", "interventionDuration"],
} as const satisfies Record<string, readonly [string, string]>;

interface Rec {
  line: number;
  get(f: readonly [string, string]): string | undefined;
  /** score results: reporting method code → result text */
  scores(): { method: string; result: string }[];
  levels(): { method?: string; level: string; met?: string }[];
  subjects(): string[];
}

function xmlRec(el: XmlElement): Rec {
  return {
    line: el.line,
    get: ([x]) => textAt(el, x) ?? (x.startsWith("AttendanceEvent/") ? textAt(el, x.slice("AttendanceEvent/".length)) : undefined),
    scores: () =>
      childrenNamed(el, "ScoreResult").map((s) => ({ method: descriptorCode(textAt(s, "AssessmentReportingMethod") ?? ""), result: textAt(s, "Result") ?? "" })),
    levels: () =>
      childrenNamed(el, "PerformanceLevel").map((p) => ({
        method: textAt(p, "AssessmentReportingMethod"),
        level: descriptorCode(textAt(p, "PerformanceLevel") ?? ""),
        met: textAt(p, "PerformanceLevelMet"),
      })),
    subjects: () => childrenNamed(el, "AcademicSubject").map((s) => descriptorCode(s.text)),
  };
}

function jsonAt(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split("/")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
const scalar = (v: unknown): string | undefined =>
  typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

function jsonRec(o: Record<string, unknown>, position: number): Rec {
  const arr = (k: string) => (Array.isArray(o[k]) ? (o[k] as Record<string, unknown>[]) : []);
  return {
    line: position,
    get: ([, j]) => scalar(jsonAt(o, j)),
    scores: () =>
      arr("scoreResults").map((s) => ({ method: descriptorCode(scalar(s["assessmentReportingMethodDescriptor"]) ?? ""), result: scalar(s["result"]) ?? "" })),
    levels: () =>
      arr("performanceLevels").map((p) => ({
        method: scalar(p["assessmentReportingMethodDescriptor"]),
        level: descriptorCode(scalar(p["performanceLevelDescriptor"]) ?? ""),
        met: scalar(p["performanceLevelMet"]),
      })),
    subjects: () => arr("academicSubjects").map((s) => descriptorCode(scalar(s["academicSubjectDescriptor"]) ?? "")),
  };
}

// ───────────────────────────── record → canonical ─────────────────────────────

const ATTENDANCE_CATEGORIES: Record<string, string> = {
  excusedabsence: "excused_absence",
  unexcusedabsence: "unexcused_absence",
  tardy: "tardy",
  earlydeparture: "early_departure",
  partial: "partial",
  inattendance: "present",
  present: "present",
};

/** An Ed-Fi attendance event category descriptor → canonical category (obc-lookups/1). */
export function attendanceCategory(descriptor: string): string {
  return ATTENDANCE_CATEGORIES[descriptorCode(descriptor).toLowerCase().replace(/[^a-z]/g, "")] ?? "other";
}

/** The window of an assessment from its period descriptor or its title. */
export function windowOfAssessment(title: string | undefined, period: string | undefined): string | undefined {
  if (period) return normWindow(period) ?? slug(descriptorCode(period));
  if (!title) return undefined;
  const w = normWindow(title);
  if (w) return w;
  const rest = title
    .replace(/\b\d{4}\s*[-–]\s*\d{2,4}\b/g, " ")
    .replace(/\b(\d+(st|nd|rd|th)|kindergarten|pre-?k)\s+grade\b/gi, " ")
    .replace(/\bgrade\s+\d+\b/gi, " ")
    .replace(/\b(math|mathematics|reading|ela|english language arts|science|algebra)\b/gi, " ");
  const s = slug(rest);
  return s === "" ? undefined : s;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");

class EdFiReader {
  private readonly seen = new Set<string>();
  constructor(
    private readonly ctx: AdapterContext,
    private readonly shared: EdFiShared,
  ) {}

  private src(line: number): Src {
    return { format: "edfi", fileSha256: this.ctx.sha256, row: line };
  }

  private key(r: Rec, field: readonly [string, string]): string | undefined {
    const id = r.get(field);
    if (id === undefined) {
      this.ctx.quality.reject(r.line, "missing-key", field[0].split("/").pop());
      return undefined;
    }
    return this.ctx.keyOf(id, idSystemOf(this.ctx, "local"));
  }

  private once(r: Rec, identity: unknown[]): boolean {
    const k = JSON.stringify(identity);
    if (this.seen.has(k)) {
      this.ctx.quality.reject(r.line, "duplicate");
      return false;
    }
    this.seen.add(k);
    return true;
  }

  private date(r: Rec, f: readonly [string, string], problems: { column: string; rule: string }[]): string | undefined {
    const v = readDate(r.get(f));
    if (!v.ok) problems.push({ column: f[0].split("/").pop()!, rule: v.rule });
    return v.ok ? v.value : undefined;
  }

  /** Accepts the record or (strict, with problems) rejects it. */
  private finish(r: Rec, problems: { column: string; rule: string }[]): boolean {
    const q = this.ctx.quality;
    if (problems.length && this.ctx.options.strict) {
      q.reject(r.line, problems[0].rule, problems[0].column);
      return false;
    }
    for (const p of problems) q.cell(r.line, p.column, p.rule);
    q.accept();
    return true;
  }

  record(kind: EdFiKind, r: Rec): void {
    const q = this.ctx.quality;
    const sink = this.ctx.sink;
    const problems: { column: string; rule: string }[] = [];
    switch (kind) {
      case "students": {
        const id = r.get(F.studentUniqueId);
        if (id === undefined) return q.reject(r.line, "missing-key", "StudentUniqueId");
        if (!this.once(r, ["student", id])) return;
        if (!this.finish(r, problems)) return;
        sink.student({ key: this.ctx.keyOf(id, idSystemOf(this.ctx, "local")), src: this.src(r.line) });
        return;
      }
      case "studentSchoolAssociations": {
        const key = this.key(r, F.student);
        if (key === undefined) return;
        const schoolId = r.get(F.schoolId);
        const entry = this.date(r, F.entryDate, problems);
        const exit = this.date(r, F.exitDate, problems);
        const gradeText = r.get(F.entryGrade);
        const grade = gradeText ? normGrade(gradeText) : undefined;
        if (gradeText && !grade) problems.push({ column: "EntryGradeLevel", rule: "not-a-grade" });
        if (!this.once(r, ["ssa", key, schoolId, entry])) return;
        if (!this.finish(r, problems)) return;
        const src = this.src(r.line);
        sink.student({ key, ...(schoolId ? { schoolId } : {}), ...(grade ? { gradeLevel: grade } : {}), src });
        sink.enrollment({ key, ...(schoolId ? { schoolId } : {}), ...(entry ? { entryDate: entry } : {}), ...(exit ? { exitDate: exit } : {}), src });
        return;
      }
      case "assessments": {
        const id = r.get(F.metaId);
        if (id === undefined) return q.reject(r.line, "missing-key", "AssessmentIdentifier");
        const title = r.get(F.metaTitle);
        const subjects = r.subjects().map((s) => normSubject(s)).filter((s): s is string => s !== undefined);
        const window = windowOfAssessment(title, r.get(F.metaPeriod));
        this.shared.assessments.set(id, { ...(title ? { title } : {}), ...(subjects[0] ? { subject: subjects[0] } : {}), ...(window ? { window } : {}) });
        q.exclude("assessment-metadata");
        return;
      }
      case "studentAssessments": {
        const key = this.key(r, F.student);
        if (key === undefined) return;
        const aid = r.get(F.assessmentId);
        if (aid === undefined) return q.reject(r.line, "missing-value", "AssessmentIdentifier");
        const meta = this.shared.assessments.get(aid);
        if (!meta || !meta.subject) return q.reject(r.line, "unknown-assessment", "AssessmentIdentifier");
        const date = this.date(r, F.adminDate, problems);
        if (date === undefined) return q.reject(r.line, problems[0]?.rule ?? "missing-value", "AdministrationDate");
        const period = r.get(F.period);
        const window = period ? windowOfAssessment(undefined, period) : meta.window;
        const scores = r.scores();
        const pick = (method: string) => scores.find((s) => s.method.toLowerCase() === method);
        const chosen = pick("scale score") ?? pick("raw score");
        let score: number | undefined;
        if (chosen) {
          const v = readNumber(chosen.result);
          if (v.ok) score = v.value;
          else problems.push({ column: "ScoreResult", rule: v.rule });
        }
        const pctText = pick("percentile")?.result;
        const pct = pctText !== undefined ? readNumber(pctText) : undefined;
        if (pct && !pct.ok) problems.push({ column: "ScoreResult", rule: pct.rule });
        const yearText = r.get(F.schoolYear);
        const lvl = r.levels().find((l) => l.level !== "");
        if (!this.once(r, ["sa", key, aid, date, scores.map((s) => s.result).join("|")])) return;
        if (!this.finish(r, problems)) return;
        const a: AssessmentResult = {
          key,
          instrument: "EDFI",
          subject: meta.subject,
          adminDate: date,
          schoolYear: (yearText ? normSchoolYear(yearText) : undefined) ?? schoolYearOfDate(date),
          src: this.src(r.line),
        };
        if (window) a.window = window;
        if (score !== undefined) a.scaleScore = score;
        if (pct?.ok && pct.value !== undefined) a.percentile = pct.value;
        if (lvl) a.level = { scheme: "edfi-performance-level", label: lvl.level };
        const notTested = r.get(F.reasonNotTested);
        if (notTested) a.validity = { invalidReason: "not-tested" };
        sink.assessment(a);
        return;
      }
      case "studentInterventionAssociations": {
        const key = this.key(r, F.student);
        if (key === undefined) return;
        const code = r.get(F.interventionCode);
        if (code === undefined) return q.reject(r.line, "missing-value", "InterventionIdentificationCode");
        const dosage = readNonNegative(r.get(F.dosage));
        if (!dosage.ok) problems.push({ column: "Dosage", rule: dosage.rule });
        const begin = this.date(r, F.beginDate, problems);
        const end = this.date(r, F.endDate, problems);
        const edOrg = r.get(F.edOrg);
        if (!this.once(r, ["sia", key, code, edOrg])) return;
        if (!this.finish(r, problems)) return;
        sink.intervention({
          key,
          interventionId: code,
          ...(edOrg ? { educationOrganizationId: edOrg } : {}),
          ...(dosage.ok && dosage.value !== undefined ? { dosageMinutes: dosage.value } : {}),
          ...(begin ? { beginDate: begin } : {}),
          ...(end ? { endDate: end } : {}),
          src: this.src(r.line),
        });
        return;
      }
      case "studentInterventionAttendanceEvents": {
        const key = this.key(r, F.student);
        if (key === undefined) return;
        const date = this.date(r, F.eventDate, problems);
        if (date === undefined) return q.reject(r.line, problems[0]?.rule ?? "missing-value", "EventDate");
        const category = attendanceCategory(r.get(F.eventCategory) ?? "");
        const minutes = readNonNegative(r.get(F.interventionMinutes));
        if (!minutes.ok) problems.push({ column: "InterventionDuration", rule: minutes.rule });
        const code = r.get(F.interventionCode) ?? "intervention";
        if (!this.once(r, ["siae", key, code, date])) return;
        if (!this.finish(r, problems)) return;
        const attended = category === "present" || category === "tardy" || category === "partial";
        sink.session({
          sessionId: `edfi:${r.line}`,
          key,
          subject: "intervention",
          date,
          attendedMinutes: attended ? (minutes.ok && minutes.value !== undefined ? minutes.value : 0) : 0,
          status: attended ? "attended" : "student_absent",
          src: this.src(r.line),
        });
        return;
      }
      case "studentSchoolAttendanceEvents": {
        const key = this.key(r, F.student);
        if (key === undefined) return;
        const date = this.date(r, F.eventDate, problems);
        if (date === undefined) return q.reject(r.line, problems[0]?.rule ?? "missing-value", "EventDate");
        const categoryText = r.get(F.eventCategory);
        if (categoryText === undefined) return q.reject(r.line, "missing-value", "AttendanceEventCategory");
        const category = attendanceCategory(categoryText);
        const fraction = readNumber(r.get(F.eventDuration));
        if (!fraction.ok) problems.push({ column: "EventDuration", rule: fraction.rule });
        const minutes = readNonNegative(r.get(F.schoolMinutes));
        if (!minutes.ok) problems.push({ column: "SchoolAttendanceDuration", rule: minutes.rule });
        const schoolId = r.get(F.schoolId);
        if (!this.once(r, ["ssae", key, schoolId, date, category])) return;
        if (!this.finish(r, problems)) return;
        sink.attendance({
          key,
          ...(schoolId ? { schoolId } : {}),
          date,
          category,
          ...(fraction.ok && fraction.value !== undefined ? { dayFraction: fraction.value } : {}),
          ...(minutes.ok && minutes.value !== undefined ? { minutes: minutes.value } : {}),
          src: this.src(r.line),
        });
        return;
      }
    }
  }
}

// ───────────────────────────── files ─────────────────────────────

/**
 * Reads an Ed-Fi XML interchange, streamed; its bytes decoded as every data file's are
 * (node/data-file.ts: UTF-8 with or without a byte-order mark, UTF-16 with one, Windows-1252).
 * @throws DataFileRefused when the file is not text
 */
export async function readEdFiXml(ctx: AdapterContext, shared: EdFiShared): Promise<void> {
  const q = ctx.quality;
  const reader = new EdFiReader(ctx, shared);
  const xml = new XmlRecordReader({
    keep: keepFor,
    onRecord: (el) => {
      q.read();
      const kind = XML_RECORD[el.name];
      if (!kind) {
        q.exclude("not-student-data");
        return;
      }
      reader.record(kind, xmlRec(el));
    },
  });
  let total = 0;
  let facts;
  try {
    total = (await stat(ctx.path)).size;
    facts = await inspectFile(ctx.path, ctx.file);
  } catch (e) {
    throw toFileReadError(ctx.file, e);
  }
  if (!facts.encoding) throw new DataFileRefused(facts.refusal!);
  const tap = new HashingDecoder(undefined, facts.encoding);
  const input = createReadStream(ctx.path);
  try {
    await new Promise<void>((resolve, reject) => {
      input.on("error", reject);
      tap.on("error", reject);
      tap.on("data", (chunk: string) => {
        try {
          xml.write(chunk);
          if (ctx.onProgress) ctx.onProgress(tap.bytes, total);
        } catch (e) {
          input.destroy();
          reject(e);
        }
      });
      tap.on("end", () => resolve());
      input.pipe(tap);
    });
    xml.end();
  } catch (e) {
    if (e instanceof XmlError) {
      q.fileProblem(`malformed-xml:${e.rule}`);
      q.q.rejections[q.q.rejections.length - 1].row = e.line;
      return;
    }
    throw toFileReadError(ctx.file, e);
  }
  q.q.bytes = tap.bytes;
  if (tap.digest() !== ctx.sha256) q.fileProblem("file-changed-while-reading");
}

/** The kind of an Ed-Fi API JSON file: from the file name, else from the first record's fields. */
export function edFiJsonKind(file: string, first: Record<string, unknown> | undefined): EdFiKind | undefined {
  const base = file.replace(/^.*[\\/]/, "").replace(/\.json$/i, "").toLowerCase();
  const byName = (Object.values(XML_RECORD) as EdFiKind[]).find((k) => base === k.toLowerCase() || base.endsWith("-" + k.toLowerCase()) || base.endsWith("_" + k.toLowerCase()));
  if (byName) return byName;
  if (!first) return undefined;
  const has = (k: string) => Object.hasOwn(first, k);
  if (has("studentAssessmentIdentifier")) return "studentAssessments";
  if (has("assessmentTitle")) return "assessments";
  if (has("attendanceEventCategoryDescriptor") && has("schoolReference")) return "studentSchoolAttendanceEvents";
  if (has("attendanceEventCategoryDescriptor") && has("interventionReference")) return "studentInterventionAttendanceEvents";
  if (has("interventionReference")) return "studentInterventionAssociations";
  if (has("entryDate") && has("schoolReference")) return "studentSchoolAssociations";
  if (has("studentUniqueId")) return "students";
  return undefined;
}

/**
 * Reads an Ed-Fi API JSON file: an array of one resource's records (or `{ "value": [...] }`),
 * its bytes decoded as every data file's are (node/data-file.ts).
 * @throws DataFileRefused when the file is not text
 */
export async function readEdFiJson(ctx: AdapterContext, shared: EdFiShared): Promise<void> {
  const q = ctx.quality;
  let bytes: Buffer;
  try {
    bytes = await readFile(ctx.path);
  } catch (e) {
    throw toFileReadError(ctx.file, e);
  }
  const decoded = decodeBytes(bytes, ctx.file);
  if ("refusal" in decoded) throw new DataFileRefused(decoded.refusal);
  const text = decoded.text;
  q.q.bytes = bytes.length;
  if (createHash("sha256").update(bytes).digest("hex") !== ctx.sha256) q.fileProblem("file-changed-while-reading");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    q.fileProblem("bad-json");
    return;
  }
  const records = Array.isArray(data) ? data : Array.isArray((data as { value?: unknown })?.value) ? (data as { value: unknown[] }).value : undefined;
  if (!records) {
    q.fileProblem("not-a-list-of-records");
    return;
  }
  const first = records.find((r): r is Record<string, unknown> => !!r && typeof r === "object" && !Array.isArray(r));
  const kind = edFiJsonKind(ctx.file, first);
  if (!kind) {
    q.fileProblem("unknown-resource");
    return;
  }
  const reader = new EdFiReader(ctx, shared);
  records.forEach((r, i) => {
    q.read();
    if (!r || typeof r !== "object" || Array.isArray(r)) return q.reject(i + 1, "not-a-record");
    reader.record(kind, jsonRec(r as Record<string, unknown>, i + 1));
  });
}

/** The root element of an XML text's head, or undefined. */
export function xmlRootName(head: string): string | undefined {
  const body = head.replace(/^\ufeff/, "").replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "");
  const m = /<([A-Za-z_][\w.:-]*)/.exec(body);
  return m ? m[1].replace(/^.*:/, "") : undefined;
}
