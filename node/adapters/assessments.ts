/**
 * Vendor assessment exports → AssessmentResult: NWEA MAP Growth (Comprehensive Data File),
 * i-Ready Diagnostic results, Renaissance Star (Star Reading / Math / Early Literacy v2 exports).
 *
 * What each reads (everything else — names, e-mails, birth dates, usernames, teachers, classes,
 * sex, race and ethnicity of the vendor's copy of the roster — is never read):
 * - NWEA: StudentID (or Student_StateID), TermName (window and school year), Subject/Course,
 *   GrowthMeasureYN, TestType, TestStartDate, TestDurationMinutes, TestRITScore,
 *   TestStandardError, TestPercentile, AchievementQuintile, RapidGuessingPercentage, Grade when
 *   the export has it, and for each growth span (FallToSpring, …) the projected, typical and
 *   observed growth, met-projected flag, CGI and CGP.
 * - i-Ready: Student ID (or Student State ID), Student Grade, the English Language Learner,
 *   Special Education and Economically Disadvantaged flags, Academic Year, Completion Date,
 *   Norming Window, the Baseline and Most Recent flags, Duration, Rush Flag, Overall Scale
 *   Score, Percentile, Overall Relative Placement, Diagnostic Gain, typical and stretch growth
 *   and the progress to each.
 * - Star: StudentIdentifier (or StudentStateID), CurrentGrade and Grade (at the test),
 *   SchoolYear, CompletedDateLocal, screening window, AssessmentStatus, ScaledScore,
 *   UnifiedScore, SEM, PercentileRank, benchmark category, SGPs.
 *
 * One result per student, subject and window is chosen later (bundle.ts `chooseResult`):
 * NWEA GrowthMeasureYN, i-Ready Most Recent / Baseline flags, else the latest valid result.
 * Levels go through the versioned tables below.
 */
import { basename } from "node:path";
import { Columns, normSchoolYear, normSubject, normWindow, schoolYearOfDate } from "./cells.ts";
import type { AssessmentResult, GrowthMeasure, StudentFlags } from "./canonical.ts";
import { idSystemOf, readCsvRows, type AdapterContext, type RowReader } from "./context.ts";

export const NWEA_VERSION = "nwea-map-growth/1";
export const IREADY_VERSION = "iready-diagnostic/1";
export const STAR_VERSION = "renaissance-star/1";

/** Level tables (obc-levels/1): label → ordinal, 1 = lowest. */
export const LEVEL_TABLES: Record<string, Record<string, number>> = {
  "nwea-achievement-quintile/1": { low: 1, loavg: 2, avg: 3, hiavg: 4, high: 5 },
  "iready-relative-placement/1": {
    "3ormoregradelevelsbelow": 1,
    "2gradelevelsbelow": 2,
    "1gradelevelbelow": 3,
    earlyongradelevel: 4,
    midorabovegradelevel: 5,
  },
};
const levelKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");

function level(scheme: string, label: string | undefined): AssessmentResult["level"] {
  if (label === undefined) return undefined;
  const ordinal = LEVEL_TABLES[scheme]?.[levelKey(label)];
  return ordinal === undefined ? { scheme, label } : { scheme, label, ordinal };
}

/**
 * The vendor's copy of a student's grade and program flags on one row (see `AssessmentResult.student`);
 * undefined when the row has none of them.
 */
function vendorStudent(r: RowReader, gradeColumn: string, flagColumns: Partial<Record<keyof StudentFlags, string>>): AssessmentResult["student"] {
  const out: NonNullable<AssessmentResult["student"]> = {};
  const grade = r.grade(gradeColumn);
  if (grade !== undefined) out.gradeLevel = grade;
  const flags: StudentFlags = {};
  for (const [flag, column] of Object.entries(flagColumns) as [keyof StudentFlags, string][]) {
    const v = r.flag(column);
    if (v !== undefined) flags[flag] = v;
  }
  if (Object.keys(flags).length) out.flags = flags;
  return Object.keys(out).length ? out : undefined;
}

/** Rapid guessing above this share (percent points) invalidates an NWEA result. */
export const NWEA_RAPID_GUESS_LIMIT = 30;

// ───────────────────────────── NWEA MAP Growth ─────────────────────────────

const NWEA_SPANS = ["FallToFall", "FallToWinter", "FallToSpring", "WinterToWinter", "WinterToSpring", "SpringToSpring"];
const NWEA_GROWTH = ["ProjectedGrowth", "ObservedGrowth", "MetProjectedGrowth", "ConditionalGrowthIndex", "ConditionalGrowthPercentile"];

export const NWEA_COLUMNS = new Columns([
  { name: "StudentID", aliases: ["Student_ID", "StudentNumber"], required: true },
  { name: "Student_StateID", aliases: ["StudentStateID"] },
  { name: "TermName", required: true },
  { name: "Subject", aliases: ["MeasurementScale"], required: true },
  { name: "Course" },
  { name: "GrowthMeasureYN", aliases: ["GrowthMeasure"] },
  { name: "TestType" },
  { name: "Grade", aliases: ["StudentGrade"] },
  { name: "TestStartDate", required: true },
  { name: "TestStartTime" },
  { name: "TestDurationMinutes", aliases: ["TestDuration"] },
  { name: "TestRITScore", aliases: ["RITScore"] },
  { name: "TestStandardError" },
  { name: "TestPercentile" },
  { name: "AchievementQuintile" },
  { name: "RapidGuessingPercentage" },
  ...NWEA_SPANS.flatMap((s) => NWEA_GROWTH.map((g) => ({ name: `${s}${g}` }))),
  ...NWEA_SPANS.map((s) => ({ name: `Typical${s}Growth` })),
]);

function spanWindows(span: string): { from: string; to: string } {
  const m = /^(Fall|Winter|Spring)To(Fall|Winter|Spring)$/.exec(span)!;
  return { from: m[1].toLowerCase(), to: m[2].toLowerCase() };
}

function keyFor(ctx: AdapterContext, r: RowReader, local: string, state: string): { id?: string; column: string; system: string } {
  const which = ctx.options.idField ?? "local";
  const column = which === "state" ? state : local;
  return { id: r.id(column), column, system: idSystemOf(ctx, which) };
}

/** Reads an NWEA MAP Growth comprehensive data file (or any CDF-shaped export). */
export async function readNwea(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Set<string>();
  await readCsvRows(ctx, NWEA_COLUMNS, (r) => {
    const k = keyFor(ctx, r, "StudentID", "Student_StateID");
    if (k.id === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", k.column);
    const term = r.text("TermName");
    const window = term ? normWindow(term) : undefined;
    if (window === undefined) return q.reject(r.row, term ? "unknown-window" : "missing-value", "TermName");
    const subjText = r.text("Subject");
    if (subjText === undefined) return q.reject(r.row, "missing-value", "Subject");
    const course = r.text("Course");
    let subject = normSubject(subjText);
    if (subject === "ela" && course && /language\s*usage/i.test(course)) subject = "language_usage";
    if (subject === undefined) return q.reject(r.row, "unknown-subject", "Subject");
    const date = r.date("TestStartDate");
    if (date === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-value", "TestStartDate");
    const time = r.text("TestStartTime");
    const identity = JSON.stringify([k.id, term, subject, date, time ?? ""]);
    if (seen.has(identity)) return q.reject(r.row, "duplicate");
    seen.add(identity);
    const growthFlag = r.flag("GrowthMeasureYN");
    const score = r.number("TestRITScore");
    const sem = r.number("TestStandardError");
    const pct = r.number("TestPercentile");
    const minutes = r.nonNegative("TestDurationMinutes");
    const rg = r.percent("RapidGuessingPercentage");
    const quint = r.text("AchievementQuintile");
    const testType = r.text("TestType");
    const student = vendorStudent(r, "Grade", {});
    const growth: GrowthMeasure[] = [];
    for (const span of NWEA_SPANS) {
      const g: GrowthMeasure = spanWindows(span);
      const projected = r.number(`${span}ProjectedGrowth`);
      const observed = r.number(`${span}ObservedGrowth`);
      const met = r.flag(`${span}MetProjectedGrowth`);
      const cgi = r.number(`${span}ConditionalGrowthIndex`);
      const cgp = r.number(`${span}ConditionalGrowthPercentile`);
      const typical = r.number(`Typical${span}Growth`);
      if (projected !== undefined) g.projected = projected;
      if (typical !== undefined) g.typical = typical;
      if (observed !== undefined) g.observed = observed;
      if (met !== undefined && met !== null) g.met = met;
      if (cgi !== undefined) g.cgi = cgi;
      if (cgp !== undefined) g.cgp = cgp;
      if (Object.keys(g).length > 2) growth.push(g);
    }
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    const a: AssessmentResult = {
      key: ctx.keyOf(k.id, k.system),
      instrument: "NWEA_MAP_GROWTH",
      subject,
      window,
      adminDate: date,
      src: { format: "nwea-map-growth", fileSha256: ctx.sha256, row: r.row },
    };
    const year = normSchoolYear(term!) ?? schoolYearOfDate(date);
    a.schoolYear = year;
    if (score !== undefined) a.scaleScore = score;
    if (sem !== undefined) a.sem = sem;
    if (pct !== undefined) a.percentile = pct;
    const lv = level("nwea-achievement-quintile/1", quint);
    if (lv) a.level = lv;
    if (growth.length) a.growth = growth;
    if (testType !== undefined) a.testType = testType;
    if (student) a.student = student;
    a.validity = {};
    if (minutes !== undefined) a.validity.minutes = minutes;
    if (rg !== undefined) a.validity.rapidGuessPct = rg;
    if (growthFlag !== undefined && growthFlag !== null) a.validity.countsForGrowth = growthFlag;
    if (rg !== undefined && rg > NWEA_RAPID_GUESS_LIMIT) a.validity.invalidReason = "rapid-guessing";
    ctx.sink.assessment(a);
  });
}

// ───────────────────────────── i-Ready Diagnostic ─────────────────────────────

export const IREADY_COLUMNS = new Columns([
  { name: "Student ID", aliases: ["StudentID"], required: true },
  { name: "Student State ID" },
  { name: "Student Grade", aliases: ["Grade"] },
  { name: "English Language Learner", aliases: ["ELL", "English Learner"] },
  { name: "Special Education", aliases: ["Students with Disabilities"] },
  { name: "Economically Disadvantaged" },
  { name: "Academic Year", aliases: ["School Year"] },
  { name: "Completion Date", required: true },
  { name: "Norming Window" },
  { name: "Baseline Diagnostic (Y/N)", aliases: ["Baseline Diagnostic"] },
  { name: "Most Recent Diagnostic YTD (Y/N)", aliases: ["Most Recent Diagnostic YTD", "Most Recent Diagnostic (Y/N)"] },
  { name: "Duration (min)", aliases: ["Duration"] },
  { name: "Rush Flag" },
  { name: "Overall Scale Score", required: true },
  { name: "Percentile", aliases: ["Overall Percentile"] },
  { name: "Overall Relative Placement" },
  { name: "Diagnostic Gain" },
  { name: "Annual Typical Growth Measure" },
  { name: "Percent Progress to Annual Typical Growth (%)", aliases: ["Percent Progress to Annual Typical Growth"] },
  { name: "Annual Stretch Growth Measure" },
  { name: "Percent Progress to Annual Stretch Growth (%)", aliases: ["Percent Progress to Annual Stretch Growth"] },
  { name: "Subject" },
]);

/** The subject of an i-Ready file: the option, a Subject column, the file's own columns, or its name. */
function iReadySubject(ctx: AdapterContext, header: readonly string[]): string | undefined {
  if (ctx.options.subject) return normSubject(ctx.options.subject) ?? ctx.options.subject;
  const h = header.map((x) => x.toLowerCase());
  if (h.some((x) => x.startsWith("lexile") || x.startsWith("phonics") || x.startsWith("comprehension"))) return "ela";
  if (h.some((x) => x.startsWith("quantile") || x.startsWith("algebra and algebraic thinking") || x.startsWith("number and operations"))) return "math";
  return subjectFromName(ctx.file);
}

/** A subject from a file name: "…-math…", "…reading…", "…ela…". */
export function subjectFromName(file: string): string | undefined {
  const b = basename(file).toLowerCase();
  if (/(^|[^a-z])(math|mathematics)([^a-z]|$)/.test(b)) return "math";
  if (/(^|[^a-z])(ela|reading|literacy)([^a-z]|$)/.test(b)) return "ela";
  return undefined;
}

/** Reads an i-Ready Diagnostic results export (ELA or math; a UTF-8 BOM is common). */
export async function readIReady(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Set<string>();
  let fileSubject: string | undefined;
  const onHeader = (header: readonly string[]) => {
    // the subject comes from the column names only (never from a cell)
    fileSubject = iReadySubject(ctx, header);
  };
  await readCsvRows(ctx, IREADY_COLUMNS, (r) => {
    const k = keyFor(ctx, r, "Student ID", "Student State ID");
    if (k.id === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", k.column);
    const subjCell = r.text("Subject");
    const subject = (subjCell ? normSubject(subjCell) : undefined) ?? fileSubject;
    if (subject === undefined) return q.reject(r.row, "unknown-subject");
    const date = r.date("Completion Date");
    if (date === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-value", "Completion Date");
    const windowText = r.text("Norming Window");
    const window = windowText ? normWindow(windowText) : undefined;
    if (windowText !== undefined && window === undefined) r.problem("Norming Window", "unknown-window");
    const identity = JSON.stringify([k.id, subject, date, windowText ?? ""]);
    if (seen.has(identity)) return q.reject(r.row, "duplicate");
    seen.add(identity);
    const score = r.number("Overall Scale Score");
    const baseline = r.flag("Baseline Diagnostic (Y/N)");
    const recent = r.flag("Most Recent Diagnostic YTD (Y/N)");
    const minutes = r.nonNegative("Duration (min)");
    const rush = r.text("Rush Flag");
    const pct = r.number("Percentile");
    const placement = r.text("Overall Relative Placement");
    const gain = r.number("Diagnostic Gain");
    const typical = r.number("Annual Typical Growth Measure");
    const progress = r.percent("Percent Progress to Annual Typical Growth (%)");
    const stretch = r.number("Annual Stretch Growth Measure");
    const progressStretch = r.percent("Percent Progress to Annual Stretch Growth (%)");
    const yearText = r.text("Academic Year");
    const student = vendorStudent(r, "Student Grade", { el: "English Language Learner", swd: "Special Education", econDisadv: "Economically Disadvantaged" });
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    const a: AssessmentResult = {
      key: ctx.keyOf(k.id, k.system),
      instrument: "IREADY_DIAGNOSTIC",
      subject,
      adminDate: date,
      schoolYear: (yearText ? normSchoolYear(yearText) : undefined) ?? schoolYearOfDate(date),
      src: { format: "iready-diagnostic", fileSha256: ctx.sha256, row: r.row },
    };
    if (window !== undefined) a.window = window;
    if (score !== undefined) a.scaleScore = score;
    if (pct !== undefined) a.percentile = pct;
    const lv = level("iready-relative-placement/1", placement);
    if (lv) a.level = lv;
    const g: GrowthMeasure = { from: "baseline", to: window ?? "current" };
    if (gain !== undefined) g.observed = gain;
    if (typical !== undefined) {
      g.projected = typical;
      g.typical = typical;
    }
    if (progress !== undefined) g.pctTypical = progress;
    if (stretch !== undefined) g.stretch = stretch;
    if (progressStretch !== undefined) g.pctStretch = progressStretch;
    if (Object.keys(g).length > 2) a.growth = [g];
    if (student) a.student = student;
    a.validity = {};
    if (minutes !== undefined) a.validity.minutes = minutes;
    if (baseline !== undefined && baseline !== null) a.validity.isBaseline = baseline;
    if (recent !== undefined && recent !== null) a.validity.isMostRecent = recent;
    const rushed = rush !== undefined && !/^(n|no|false|0|off)$/i.test(rush);
    if (rushed) {
      a.validity.rush = true;
      a.validity.invalidReason = "rush-flag";
    }
    ctx.sink.assessment(a);
  }, onHeader);
}

// ───────────────────────────── Renaissance Star ─────────────────────────────

const STAR_SGP: [string, string, string][] = [
  ["StudentGrowthPercentileFallFall", "fall", "fall"],
  ["StudentGrowthPercentileFallSpring", "fall", "spring"],
  ["StudentGrowthPercentileFallWinter", "fall", "winter"],
  ["StudentGrowthPercentileSpringFall", "spring", "fall"],
  ["StudentGrowthPercentileSpringSpring", "spring", "spring"],
  ["StudentGrowthPercentileWinterSpring", "winter", "spring"],
];

export const STAR_COLUMNS = new Columns([
  { name: "StudentIdentifier", aliases: ["StudentLocalID", "StudentID"], required: true },
  { name: "StudentStateID" },
  { name: "CurrentGrade" },
  { name: "Grade", aliases: ["GradeAtTest"] },
  { name: "SchoolYear" },
  { name: "CompletedDateLocal" },
  { name: "CompletedDate", required: true },
  { name: "ScreeningPeriodWindowName", aliases: ["ScreeningWindowName"] },
  { name: "AssessmentStatus" },
  { name: "DeactivationReason" },
  { name: "ScaledScore", required: true },
  { name: "UnifiedScore" },
  { name: "StandardErrorOfMeasurement" },
  { name: "PercentileRank" },
  { name: "TotalTimeInSeconds" },
  { name: "RenaissanceBenchmarkCategoryName" },
  { name: "RenaissanceBenchmarkCategoryLevel" },
  { name: "RenaissanceBenchmarkCategoryNumberOfLevels" },
  { name: "CurrentSGP" },
  { name: "AssessmentSubject", aliases: ["Subject", "ProductName"] },
  ...STAR_SGP.map(([c]) => ({ name: c })),
]);

/** Reads a Renaissance Star export (the subject from --subject, a subject column or the file name). */
export async function readStar(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Set<string>();
  const fileSubject = ctx.options.subject ? normSubject(ctx.options.subject) ?? ctx.options.subject : subjectFromName(ctx.file);
  await readCsvRows(ctx, STAR_COLUMNS, (r) => {
    const k = keyFor(ctx, r, "StudentIdentifier", "StudentStateID");
    if (k.id === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", k.column);
    const subjCell = r.text("AssessmentSubject");
    const subject = (subjCell ? normSubject(subjCell) : undefined) ?? fileSubject;
    if (subject === undefined) return q.reject(r.row, "unknown-subject");
    const date = r.date("CompletedDateLocal") ?? r.date("CompletedDate");
    if (date === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-value", "CompletedDate");
    const windowText = r.text("ScreeningPeriodWindowName");
    const window = windowText ? normWindow(windowText) : undefined;
    if (window === undefined) {
      // a test outside the screening windows (progress monitoring): not a window result
      q.exclude("outside-screening-window");
      return;
    }
    const identity = JSON.stringify([k.id, subject, r.raw("CompletedDate")?.trim() ?? date]);
    if (seen.has(identity)) return q.reject(r.row, "duplicate");
    seen.add(identity);
    const score = r.number("ScaledScore");
    const unified = r.number("UnifiedScore");
    const sem = r.number("StandardErrorOfMeasurement");
    const pct = r.number("PercentileRank");
    // the grade when the test was taken; the student's grade now when the export has only that
    const student = vendorStudent(r, r.raw("Grade")?.trim() ? "Grade" : "CurrentGrade", {});
    const seconds = r.nonNegative("TotalTimeInSeconds");
    const status = r.text("AssessmentStatus");
    const deactivated = r.text("DeactivationReason");
    const catName = r.text("RenaissanceBenchmarkCategoryName");
    const catLevel = r.count("RenaissanceBenchmarkCategoryLevel");
    const catLevels = r.count("RenaissanceBenchmarkCategoryNumberOfLevels");
    const current = r.number("CurrentSGP");
    const yearText = r.text("SchoolYear");
    const growth: GrowthMeasure[] = [];
    for (const [col, from, to] of STAR_SGP) {
      const v = r.number(col);
      if (v !== undefined) growth.push({ from, to, sgp: v });
    }
    if (current !== undefined) growth.push({ from: "current", to: "current", sgp: current });
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    const a: AssessmentResult = {
      key: ctx.keyOf(k.id, k.system),
      instrument: "STAR",
      subject,
      window,
      adminDate: date,
      schoolYear: (yearText ? normSchoolYear(yearText) : undefined) ?? schoolYearOfDate(date),
      src: { format: "renaissance-star", fileSha256: ctx.sha256, row: r.row },
    };
    if (score !== undefined) a.scaleScore = score;
    if (unified !== undefined) a.unifiedScore = unified;
    if (sem !== undefined) a.sem = sem;
    if (pct !== undefined) a.percentile = pct;
    if (student) a.student = student;
    if (catName !== undefined) {
      // Star numbers its benchmark categories from the top (1 = At/Above Benchmark): turned around so 1 = lowest
      const ordinal = catLevel !== undefined && catLevels !== undefined && catLevel >= 1 && catLevel <= catLevels ? catLevels + 1 - catLevel : undefined;
      a.level = { scheme: "renaissance-benchmark/1", label: catName, ...(ordinal !== undefined ? { ordinal } : {}) };
    }
    if (growth.length) a.growth = growth;
    a.validity = {};
    if (seconds !== undefined) a.validity.minutes = Math.round((seconds / 60) * 100) / 100;
    if (deactivated !== undefined) a.validity.invalidReason = "deactivated";
    else if (status !== undefined && !/^(active|completed?)$/i.test(status)) a.validity.invalidReason = "inactive-status";
    ctx.sink.assessment(a);
  });
}
