/**
 * The canonical records of one adaptation, and the per-student values built from them.
 *
 * A {@link Bundle} is the sink every adapter writes to. Sessions and school attendance events
 * are aggregated as they arrive (so 10 million sessions need no more memory than 10 thousand);
 * students, assessment results, interventions, enrollments and plain values are kept.
 * {@link studentRecords} then chooses one assessment result per student, subject and window (by
 * an explicit, recorded rule) and names every per-student value, which `toDataSetCsv` reads.
 *
 * Names of per-student values (matched ignoring case, spaces and `_`):
 * - roster: `student_id`, `school_id`, `district_id`, `grade` (PK = -1, KG = 0, 1…12),
 *   `grade_level` (CEDS code), `english_learner` (`el`, `ell`), `iep` (`swd`), `disability`,
 *   `economic_disadvantage` (`econ_disadv`, `frl`), `gifted`, `homeless`, and subgroup fields by name;
 * - sessions (attended = more than 0 minutes): `sessions` (`session_count`, `sessions_attended`),
 *   `sessions_recorded`, `attended_minutes` (`minutes`), `attended_hours` (`hours`),
 *   `weeks_with_session` (ISO weeks with an attended session), `first_session_date`,
 *   `last_session_date`; group size (DATAS `session_ratio`, students per tutor) over attended
 *   sessions that state it: `max_group_size`, `mean_group_size`, `sessions_with_group_size`, and
 *   `sessions_group_size_1` … `sessions_group_size_6` (sessions in groups of at most that many); per subject `math_sessions`, `ela_attended_minutes`…; per date window W
 *   `sessions_W`, `attended_minutes_W`, `weeks_with_session_W`… (see {@link parseWindowSpec});
 * - assessments: `<subject>_<window>_score` (`_scale_score`), `_unified_score` (Star), `_percentile`,
 *   `_sem`, `_date`, `_level`, `_test_type` (NWEA), `_grade` (the grade at the test), and growth
 *   `<subject>_<from>_to_<to>_cgp` / `_cgi` / `_sgp` / `_observed_growth` / `_projected_growth` /
 *   `_typical_growth` / `_stretch_growth` / `_met_projected_growth` / `_pct_typical_growth` /
 *   `_pct_stretch_growth` (also `<subject>_<window>_cgp`… when
 *   exactly one span ends in the result's window; Star's CurrentSGP is `<subject>_<window>_current_sgp`); the same prefixed by the
 *   instrument (`nwea_`, `iready_`, `star_`, `edfi_`); i-Ready also `<subject>_baseline_…` and
 *   `<subject>_most_recent_…`; DATAS `<subject>_outcome_measure_<n>`;
 * - the vendor's copy of the roster (i-Ready, Star, NWEA): `iready_grade`, `iready_english_learner`,
 *   `iready_iep`, `iready_economic_disadvantage` (`star_grade`, `nwea_grade`), from the latest
 *   result; and `grade`, `english_learner`, `iep`, `economic_disadvantage` (with their aliases
 *   above) for students no roster file describes;
 * - school attendance: `absences`, `excused_absences`, `unexcused_absences`, `tardies`, `attendance_events`;
 * - interventions: `interventions`, `intervention_dosage_minutes`;
 * - enrollments: `entry_date`, `exit_date`, `enrollments`;
 * - plain values (generic CSV, extra DATAS columns): by their own names.
 */
import { gradeNumber, isoWeek, normHeader } from "./cells.ts";
import type {
  AdaptSink,
  AssessmentResult,
  Cell,
  GrowthMeasure,
  EnrollmentSpan,
  InterventionAssignment,
  Key,
  SchoolAttendanceEvent,
  Student,
  StudentFlags,
  StudentRecord,
  StudentValues,
  TutoringSession,
} from "./canonical.ts";
import type { CrossFileFinding, SelectionSummary } from "./quality.ts";

// ───────────────────────────── date windows ─────────────────────────────

/** A date window for session counts: sessions dated `from`…`through`, both inclusive. */
export interface SessionWindow {
  /** suffix of the value names, e.g. "by_jan31" → `sessions_by_jan31` */
  name: string;
  from?: string;
  through: string;
}

const SESSION_MEASURES = ["sessions_recorded", "attended_minutes", "attended_hours", "weeks_with_session", "sessions", "minutes", "hours"];

/**
 * Reads `NAME=YYYY-MM-DD` (through the date) or `NAME=YYYY-MM-DD..YYYY-MM-DD`. A NAME that starts
 * with a measure (`sessions_by_jan31`) defines the window `by_jan31`.
 * @returns undefined when the text is not a window
 */
export function parseWindowSpec(spec: string): SessionWindow | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_]*)=(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/.exec(spec.trim());
  if (!m) return undefined;
  let name = m[1];
  for (const p of SESSION_MEASURES) {
    if (name.toLowerCase().startsWith(p + "_")) {
      name = name.slice(p.length + 1);
      break;
    }
  }
  return m[3] ? { name, from: m[2], through: m[3] } : { name, through: m[2] };
}

/**
 * Windows implied by field names that end in a date: `sessions_by_2026_01_31`,
 * `attended_minutes_through_20260131` → window `by_2026_01_31` through 2026-01-31.
 */
export function windowsFromFieldNames(names: readonly string[]): SessionWindow[] {
  const out = new Map<string, SessionWindow>();
  for (const n of names) {
    const m = /_((?:by|through|thru|until)_?(\d{4})_?(\d{2})_?(\d{2}))$/i.exec(n);
    if (!m) continue;
    const through = `${m[2]}-${m[3]}-${m[4]}`;
    out.set(m[1].toLowerCase(), { name: m[1].toLowerCase(), through });
  }
  return [...out.values()];
}

// ───────────────────────────── aggregation ─────────────────────────────

/** `sessions_group_size_N` is named for N = 1 … GROUP_SIZES. */
const GROUP_SIZES = 6;

class SessionTally {
  attended = 0;
  recorded = 0;
  minutes = 0;
  weeks = new Set<string>();
  first?: string;
  last?: string;
  /** attended sessions that state a group size, the sum and largest of their sizes */
  sized = 0;
  groupSizeSum = 0;
  maxGroupSize?: number;
  /** attended sessions in groups of at most n students, n = 1…GROUP_SIZES */
  readonly inGroupsOf = new Array<number>(GROUP_SIZES).fill(0);

  add(s: TutoringSession): void {
    this.recorded++;
    if (s.status === "attended" || s.status === "makeup") {
      if (s.attendedMinutes > 0) {
        this.attended++;
        this.minutes += s.attendedMinutes;
        if (s.groupSize !== undefined) {
          this.sized++;
          this.groupSizeSum += s.groupSize;
          this.maxGroupSize = Math.max(this.maxGroupSize ?? 0, s.groupSize);
          for (let n = 1; n <= GROUP_SIZES; n++) if (s.groupSize <= n) this.inGroupsOf[n - 1]!++;
        }
        this.weeks.add(isoWeek(s.date));
        if (this.first === undefined || s.date < this.first) this.first = s.date;
        if (this.last === undefined || s.date > this.last) this.last = s.date;
      }
    }
  }
}

interface StudentTallies {
  all: SessionTally;
  bySubject: Map<string, SessionTally>;
  byWindow: Map<string, SessionTally>;
}

class AttendanceTally {
  excused = 0;
  unexcused = 0;
  absenceEvents = 0;
  tardies = 0;
  events = 0;
}

/** Files that describe things other than students (metadata, organisations): not compared with the roster. */
const REFERENCE_KINDS = new Set(["metadata", "manifest", "orgs", "roles", "lineItems", "unknown"]);

/** Per file: the keys it names, and the rows naming each key (for the cross-file report). */
interface FileKeys {
  file: string;
  kind: string;
  roster: boolean;
  rows: Map<Key, number[]>;
}

export interface BundleOptions {
  /** keep every session (tests and small files); aggregates are computed either way */
  keepSessions?: boolean;
  /** keep every school attendance event */
  keepAttendance?: boolean;
  /** date windows for session counts */
  windows?: readonly SessionWindow[];
}

/** The sink of an adaptation. Call {@link beginFile} before each file an adapter reads. */
export class Bundle implements AdaptSink {
  readonly students: Student[] = [];
  private readonly studentIndex = new Map<Key, number>();
  readonly sessions: TutoringSession[] = [];
  readonly attendanceEvents: SchoolAttendanceEvent[] = [];
  readonly assessments: AssessmentResult[] = [];
  readonly interventions: InterventionAssignment[] = [];
  readonly enrollments: EnrollmentSpan[] = [];
  readonly plain = new Map<Key, Map<string, string>>();
  /** plain values' names as the files wrote them, by their matched form */
  readonly plainNames = new Map<string, string>();
  readonly tallies = new Map<Key, StudentTallies>();
  readonly attendanceTallies = new Map<Key, AttendanceTally>();
  /** keys in the order they were first seen, in any file */
  private readonly seen = new Map<Key, true>();
  private readonly files: FileKeys[] = [];
  private current?: FileKeys;
  /** sha256 → file label, for the selection summary */
  readonly fileBySha = new Map<string, string>();
  sessionCount = 0;
  hasSessions = false;
  /** some session states its group size */
  hasGroupSizes = false;
  hasAttendance = false;
  hasInterventions = false;
  hasEnrollments = false;

  constructor(readonly options: BundleOptions = {}) {}

  /** Starts a file: records from now on are attributed to it. */
  beginFile(file: string, kind: string, sha256: string, opts: { roster?: boolean } = {}): void {
    this.current = { file, kind, roster: opts.roster ?? kind === "students", rows: new Map() };
    this.files.push(this.current);
    this.fileBySha.set(sha256, file);
  }

  private note(key: Key, row: number): void {
    this.seen.set(key, true);
    if (!this.current) return;
    const rows = this.current.rows.get(key);
    if (rows) {
      if (rows.length < 50) rows.push(row);
    } else this.current.rows.set(key, [row]);
  }

  student(s: Student): void {
    this.note(s.key, s.src.row);
    const i = this.studentIndex.get(s.key);
    if (i === undefined) {
      this.studentIndex.set(s.key, this.students.length);
      this.students.push(s);
      return;
    }
    // the same student from a second roster source: fill what is missing
    const prev = this.students[i];
    this.students[i] = {
      ...prev,
      districtId: prev.districtId ?? s.districtId,
      schoolId: prev.schoolId ?? s.schoolId,
      gradeLevel: prev.gradeLevel ?? s.gradeLevel,
      flags: { ...(s.flags ?? {}), ...(prev.flags ?? {}) },
      subgroups: { ...(s.subgroups ?? {}), ...(prev.subgroups ?? {}) },
    };
  }

  session(s: TutoringSession): void {
    this.note(s.key, s.src.row);
    this.hasSessions = true;
    if (s.groupSize !== undefined) this.hasGroupSizes = true;
    this.sessionCount++;
    if (this.options.keepSessions) this.sessions.push(s);
    let t = this.tallies.get(s.key);
    if (!t) {
      t = { all: new SessionTally(), bySubject: new Map(), byWindow: new Map() };
      this.tallies.set(s.key, t);
    }
    t.all.add(s);
    let bs = t.bySubject.get(s.subject);
    if (!bs) t.bySubject.set(s.subject, (bs = new SessionTally()));
    bs.add(s);
    for (const w of this.options.windows ?? []) {
      if (s.date > w.through || (w.from !== undefined && s.date < w.from)) continue;
      let bw = t.byWindow.get(w.name);
      if (!bw) t.byWindow.set(w.name, (bw = new SessionTally()));
      bw.add(s);
    }
  }

  assessment(a: AssessmentResult): void {
    this.note(a.key, a.src.row);
    this.assessments.push(a);
  }

  attendance(e: SchoolAttendanceEvent): void {
    this.note(e.key, e.src.row);
    this.hasAttendance = true;
    if (this.options.keepAttendance) this.attendanceEvents.push(e);
    let t = this.attendanceTallies.get(e.key);
    if (!t) this.attendanceTallies.set(e.key, (t = new AttendanceTally()));
    t.events++;
    const days = e.dayFraction ?? 1;
    if (e.category === "excused_absence") {
      t.excused += days;
      t.absenceEvents++;
    } else if (e.category === "unexcused_absence") {
      t.unexcused += days;
      t.absenceEvents++;
    } else if (e.category === "tardy") t.tardies++;
  }

  intervention(i: InterventionAssignment): void {
    this.note(i.key, i.src.row);
    this.hasInterventions = true;
    this.interventions.push(i);
  }

  enrollment(e: EnrollmentSpan): void {
    this.note(e.key, e.src.row);
    this.hasEnrollments = true;
    this.enrollments.push(e);
  }

  values(v: StudentValues): void {
    this.note(v.key, v.src.row);
    let m = this.plain.get(v.key);
    if (!m) this.plain.set(v.key, (m = new Map()));
    for (const [k, val] of Object.entries(v.values)) {
      const n = normHeader(k);
      if (!this.plainNames.has(n)) this.plainNames.set(n, k);
      m.set(n, val);
    }
  }

  /**
   * The students the data set has rows for: the roster files' students in their order; without
   * a roster, every key seen, in the order first seen (as minimal students).
   */
  roster(): Pick<Student, "key">[] {
    if (this.students.length > 0) return this.students;
    return [...this.seen.keys()].map((key) => ({ key }));
  }

  /** Students in one file but not another: rows naming a student not on the roster, and roster students absent from a file. */
  crossFile(): CrossFileFinding[] {
    const rosterFiles = this.files.filter((f) => f.roster);
    if (rosterFiles.length === 0) return [];
    const rosterKeys = new Set(this.students.map((s) => s.key));
    const rosterName = rosterFiles.map((f) => f.file).join(" + ");
    const out: CrossFileFinding[] = [];
    for (const f of this.files) {
      if (f.roster || REFERENCE_KINDS.has(f.kind)) continue;
      const unknown = [...f.rows.entries()].filter(([k]) => !rosterKeys.has(k));
      if (unknown.length > 0) {
        const rows = unknown.flatMap(([, r]) => r).sort((a, b) => a - b).slice(0, 1000);
        out.push({ rule: "unknown-student", file: f.file, otherFile: rosterName, students: unknown.length, rows });
      }
      const absent = [...rosterKeys].filter((k) => !f.rows.has(k)).length;
      if (absent > 0) out.push({ rule: "not-in-file", file: rosterName, otherFile: f.file, students: absent });
    }
    return out;
  }
}

// ───────────────────────────── choosing one result per window ─────────────────────────────

/** The rule names recorded on chosen results and in the quality report. */
export const SELECTION_RULES = {
  only: "only-result",
  nweaGrowth: "nwea-growth-measure-yn",
  nweaGrowthLatest: "nwea-growth-measure-yn, then latest",
  iReadyMostRecent: "iready-most-recent-flag",
  iReadyBaseline: "iready-baseline-flag",
  latestValid: "latest-valid",
  noneValid: "no-valid-result",
} as const;

function isValid(a: AssessmentResult): boolean {
  return a.scaleScore !== undefined && a.validity?.invalidReason === undefined;
}

function later(a: AssessmentResult, b: AssessmentResult): AssessmentResult {
  const da = a.adminDate ?? "";
  const db = b.adminDate ?? "";
  if (da !== db) return da > db ? a : b;
  if ((a.schoolYear ?? 0) !== (b.schoolYear ?? 0)) return (a.schoolYear ?? 0) > (b.schoolYear ?? 0) ? a : b;
  return a.src.row >= b.src.row ? a : b;
}
const latest = (xs: AssessmentResult[]) => xs.reduce(later);

/**
 * Chooses one result among the results of one student, instrument, subject and window:
 * - NWEA MAP Growth: the result flagged `GrowthMeasureYN` (the latest of several flagged);
 * - i-Ready Diagnostic: the result flagged Most Recent, else the one flagged Baseline;
 * - otherwise (and when no flag decides): the latest valid result, by date then row.
 * Only valid results compete: a scale score and no vendor invalidation (rush flag, rapid
 * guessing, deactivated test, not tested). With none valid, nothing is chosen and the
 * student's values for the window are missing.
 * @returns the chosen result (absent when none is valid) and the rule that decided
 */
export function chooseResult(candidates: readonly AssessmentResult[]): { chosen?: AssessmentResult; rule: string } {
  const all = [...candidates];
  const valid = all.filter(isValid);
  if (valid.length === 0) return { rule: SELECTION_RULES.noneValid };
  if (all.length === 1) return { chosen: valid[0], rule: SELECTION_RULES.only };
  const inst = all[0].instrument;
  if (inst === "NWEA_MAP_GROWTH") {
    const flagged = valid.filter((a) => a.validity?.countsForGrowth === true);
    if (flagged.length === 1) return { chosen: flagged[0], rule: SELECTION_RULES.nweaGrowth };
    if (flagged.length > 1) return { chosen: latest(flagged), rule: SELECTION_RULES.nweaGrowthLatest };
  }
  if (inst === "IREADY_DIAGNOSTIC") {
    const recent = valid.filter((a) => a.validity?.isMostRecent === true);
    if (recent.length >= 1) return { chosen: latest(recent), rule: SELECTION_RULES.iReadyMostRecent };
    const base = valid.filter((a) => a.validity?.isBaseline === true);
    if (base.length >= 1) return { chosen: latest(base), rule: SELECTION_RULES.iReadyBaseline };
  }
  return { chosen: latest(valid), rule: SELECTION_RULES.latestValid };
}

const INSTRUMENT_PREFIX: Record<string, string> = {
  NWEA_MAP_GROWTH: "nwea",
  IREADY_DIAGNOSTIC: "iready",
  STAR: "star",
  EDFI: "edfi",
  DATAS_OUTCOME: "datas",
  ONEROSTER: "oneroster",
};

function putResult(put: Put, rec: StudentRecord, prefixes: string[], a: AssessmentResult): void {
  const each = (suffix: string, v: Cell) => {
    if (v === undefined || v === null) return;
    for (const p of prefixes) put(rec, `${p}_${suffix}`, v);
  };
  each("score", a.scaleScore);
  each("scale_score", a.scaleScore);
  each("sem", a.sem);
  each("percentile", a.percentile);
  each("date", a.adminDate);
  each("level", a.level?.label);
  each("level_ordinal", a.level?.ordinal);
  each("minutes", a.validity?.minutes);
  each("unified_score", a.unifiedScore);
  each("test_type", a.testType);
  each("grade", a.student?.gradeLevel === undefined ? undefined : gradeNumber(a.student.gradeLevel));
}

function putGrowth(put: Put, rec: StudentRecord, prefixes: string[], a: AssessmentResult): void {
  const growth = a.growth ?? [];
  const measures: [string, (g: GrowthMeasure) => Cell][] = [
    ["observed_growth", (g) => g.observed],
    ["growth", (g) => g.observed],
    ["projected_growth", (g) => g.projected],
    ["typical_growth", (g) => g.typical],
    ["stretch_growth", (g) => g.stretch],
    ["pct_stretch_growth", (g) => g.pctStretch],
    ["met_projected_growth", (g) => g.met],
    ["met_growth", (g) => g.met],
    ["cgp", (g) => g.cgp],
    ["cgi", (g) => g.cgi],
    ["sgp", (g) => g.sgp],
    ["pct_typical_growth", (g) => g.pctTypical],
  ];
  for (const [suffix, get] of measures) {
    const ending: Cell[] = [];
    for (const g of growth) {
      const v = get(g);
      if (v === undefined || v === null) continue;
      for (const p of prefixes) {
        if (g.to === "current") {
          // the vendor's "current" growth (Star CurrentSGP): named after the result's window
          if (a.window) put(rec, `${p}_${a.window}_current_${suffix}`, v);
        } else put(rec, `${p}_${g.from}_to_${g.to}_${suffix}`, v);
      }
      if (g.to === a.window) ending.push(v);
    }
    // `<subject>_<window>_cgp` only when one span ends in the window (else the name would be ambiguous)
    if (ending.length === 1 && a.window) for (const p of prefixes) put(rec, `${p}_${a.window}_${suffix}`, ending[0]);
  }
}

/** Sets one per-student value under a name (stored as matched: ignoring case, spaces and `_`). */
type Put = (r: StudentRecord, name: string, v: Cell) => void;

/** The names of the roster's program flags (the first is the canonical one). */
const FLAG_NAMES: [keyof StudentFlags, string[]][] = [
  ["el", ["english_learner", "el", "ell", "english_language_learner", "lep"]],
  ["swd", ["iep", "swd", "students_with_disabilities", "special_education", "sped"]],
  ["disability", ["disability"]],
  ["econDisadv", ["economic_disadvantage", "econ_disadv", "economically_disadvantaged", "frl", "free_reduced_lunch", "low_income"]],
  ["gifted", ["gifted", "gifted_flag"]],
  ["homeless", ["homeless", "homeless_flag"]],
];

/**
 * Sets a student's grade and program flags under every name a contract may use for them;
 * with `onlyMissing`, only names no roster file has set (a vendor's copy never overrides the roster).
 */
function setRoster(put: Put, r: StudentRecord, gradeLevel: string | undefined, flags: StudentFlags, onlyMissing: boolean): void {
  const set = (names: string[], v: Cell) => {
    if (v === undefined) return;
    for (const n of names) if (!onlyMissing || !r.has(normHeader(n))) put(r, n, v);
  };
  set(["grade_level"], gradeLevel);
  set(["grade", "current_grade_level", "grade_number"], gradeLevel === undefined ? undefined : gradeNumber(gradeLevel));
  for (const [flag, names] of FLAG_NAMES) set(names, flags[flag]);
}

export interface StudentRecordsResult {
  roster: Pick<Student, "key">[];
  records: Map<Key, StudentRecord>;
  /** each value's name as written here (`ela_fall_score`), by the key it is stored under (`elafallscore`) */
  names: Map<string, string>;
  selections: SelectionSummary[];
}

/** Per-student values from everything a bundle holds (see the module comment for the names). */
export function studentRecords(b: Bundle): StudentRecordsResult {
  const roster = b.roster();
  const records = new Map<Key, StudentRecord>();
  const names = new Map<string, string>();
  const put: Put = (r, name, v) => {
    const key = normHeader(name);
    if (!names.has(key)) names.set(key, name);
    r.set(key, v);
  };
  const rec = (k: Key) => {
    let r = records.get(k);
    if (!r) records.set(k, (r = new Map()));
    return r;
  };
  for (const s of roster) rec(s.key);

  // roster attributes
  for (const s of b.students) {
    const r = rec(s.key);
    const set = (names: string[], v: Cell) => {
      if (v === undefined) return;
      for (const n of names) put(r, n, v);
    };
    set(["student_id", "key"], s.key);
    set(["school_id"], s.schoolId);
    set(["district_id"], s.districtId);
    setRoster(put, r, s.gradeLevel, s.flags ?? {}, false);
    for (const [k, v] of Object.entries(s.subgroups ?? {})) set([k], v);
  }

  // sessions: roster students without sessions have zero of everything (the sessions file is complete)
  if (b.hasSessions) {
    const empty: StudentTallies = { all: new SessionTally(), bySubject: new Map(), byWindow: new Map() };
    const subjects = new Set<string>();
    for (const t of b.tallies.values()) for (const s of t.bySubject.keys()) subjects.add(s);
    for (const s of roster) {
      const t = b.tallies.get(s.key) ?? empty;
      const r = rec(s.key);
      const putTally = (prefix: string, suffix: string, x: SessionTally) => {
        const n = (base: string) => `${prefix}${base}${suffix}`;
        for (const a of ["sessions", "session_count", "sessions_attended", "attended_sessions"]) put(r, n(a), x.attended);
        put(r, n("sessions_recorded"), x.recorded);
        for (const a of ["attended_minutes", "minutes", "tutoring_minutes"]) put(r, n(a), x.minutes);
        for (const a of ["attended_hours", "hours", "tutoring_hours"]) put(r, n(a), Math.round((x.minutes / 60) * 1e6) / 1e6);
        for (const a of ["weeks_with_session", "weeks_with_sessions", "active_weeks"]) put(r, n(a), x.weeks.size);
        put(r, n("first_session_date"), x.first);
        put(r, n("last_session_date"), x.last);
        if (b.hasGroupSizes) {
          put(r, n("sessions_with_group_size"), x.sized);
          put(r, n("max_group_size"), x.maxGroupSize);
          put(r, n("mean_group_size"), x.sized ? Math.round((x.groupSizeSum / x.sized) * 1e6) / 1e6 : undefined);
          x.inGroupsOf.forEach((c, i) => put(r, n(`sessions_group_size_${i + 1}`), c));
        }
      };
      putTally("", "", t.all);
      for (const subj of subjects) putTally(`${subj}_`, "", t.bySubject.get(subj) ?? new SessionTally());
      for (const w of b.options.windows ?? []) putTally("", `_${w.name}`, t.byWindow.get(w.name) ?? new SessionTally());
    }
  }

  if (b.hasAttendance) {
    for (const s of roster) {
      const t = b.attendanceTallies.get(s.key) ?? new AttendanceTally();
      const r = rec(s.key);
      put(r, "absences", t.excused + t.unexcused);
      put(r, "excused_absences", t.excused);
      put(r, "unexcused_absences", t.unexcused);
      put(r, "absence_events", t.absenceEvents);
      put(r, "tardies", t.tardies);
      put(r, "attendance_events", t.events);
    }
  }

  if (b.hasInterventions) {
    const byKey = new Map<Key, InterventionAssignment[]>();
    for (const i of b.interventions) byKey.set(i.key, [...(byKey.get(i.key) ?? []), i]);
    for (const s of roster) {
      const mine = byKey.get(s.key) ?? [];
      const r = rec(s.key);
      put(r, "interventions", mine.length);
      const dosed = mine.filter((i) => i.dosageMinutes !== undefined);
      put(r, "intervention_dosage_minutes", dosed.length ? dosed.reduce((a, i) => a + i.dosageMinutes!, 0) : mine.length ? undefined : 0);
    }
  }

  if (b.hasEnrollments) {
    const byKey = new Map<Key, EnrollmentSpan[]>();
    for (const e of b.enrollments) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    for (const s of roster) {
      const spans = byKey.get(s.key) ?? [];
      const r = rec(s.key);
      put(r, "enrollments", spans.length);
      const entries = spans.map((e) => e.entryDate).filter((d): d is string => d !== undefined).sort();
      if (entries.length) put(r, "entry_date", entries[0]);
      const open = spans.some((e) => e.exitDate === undefined);
      const exits = spans.map((e) => e.exitDate).filter((d): d is string => d !== undefined).sort();
      if (!open && exits.length) put(r, "exit_date", exits[exits.length - 1]);
    }
  }

  // assessments: one result per student, instrument, subject and window
  const groups = new Map<string, AssessmentResult[]>();
  for (const a of b.assessments) {
    const k = JSON.stringify([a.key, a.instrument, a.subject, a.window ?? ""]);
    const g = groups.get(k);
    if (g) g.push(a);
    else groups.set(k, [a]);
  }
  const selections = new Map<string, SelectionSummary>();
  const summary = (a: AssessmentResult, rule: string) => {
    const file = b.fileBySha.get(a.src.fileSha256) ?? a.src.format;
    const k = `${file}\u0000${rule}`;
    let s = selections.get(k);
    if (!s) selections.set(k, (s = { file, rule, groups: 0, notChosen: 0 }));
    return s;
  };
  const chosenList: AssessmentResult[] = [];
  for (const g of groups.values()) {
    const { chosen, rule } = chooseResult(g);
    if (chosen) {
      chosen.choice = { rule, candidates: g.length };
      chosenList.push(chosen);
    }
    if (g.length > 1 || !chosen) {
      const s = summary(chosen ?? g[0], rule);
      s.groups++;
      s.notChosen += chosen ? g.length - 1 : g.length;
    }
  }
  // write results from the oldest to the newest so that a newer school year wins shared names
  chosenList.sort((x, y) => (x.schoolYear ?? 0) - (y.schoolYear ?? 0) || (x.adminDate ?? "").localeCompare(y.adminDate ?? ""));
  const vendorRoster = new Map<Key, { instrument: string; gradeLevel?: string; flags: StudentFlags }>();
  for (const a of chosenList) {
    const r = rec(a.key);
    const inst = INSTRUMENT_PREFIX[a.instrument] ?? a.instrument.toLowerCase();
    if (a.student) {
      // the latest result's copy (chosenList runs from the oldest to the newest)
      const prev = vendorRoster.get(a.key);
      vendorRoster.set(a.key, {
        instrument: inst,
        gradeLevel: a.student.gradeLevel ?? prev?.gradeLevel,
        flags: { ...(prev?.flags ?? {}), ...(a.student.flags ?? {}) },
      });
    }
    if (a.instrument === "DATAS_OUTCOME") {
      const n = /^measure_(\d)$/.exec(a.window ?? "")?.[1];
      if (n && a.scaleScore !== undefined) put(r, `${a.subject}_outcome_measure_${n}`, a.scaleScore);
    }
    if (a.window) {
      const prefixes = [`${a.subject}_${a.window}`, `${inst}_${a.subject}_${a.window}`];
      putResult(put, r, prefixes, a);
    }
    putGrowth(put, r, [a.subject, `${inst}_${a.subject}`], a);
  }
  // the vendor's copy of the roster: its own names always, the plain ones only where no roster said
  for (const [key, v] of vendorRoster) {
    const r = rec(key);
    const inst = v.instrument;
    if (v.gradeLevel !== undefined) put(r, `${inst}_grade`, gradeNumber(v.gradeLevel));
    for (const [flag, names] of FLAG_NAMES) {
      const value = v.flags[flag];
      if (value !== undefined) put(r, `${inst}_${names[0]}`, value);
    }
    setRoster(put, r, v.gradeLevel, v.flags, true);
  }

  // i-Ready's own flags name the results it uses for growth
  for (const flag of ["isBaseline", "isMostRecent"] as const) {
    const byGroup = new Map<string, AssessmentResult[]>();
    for (const a of b.assessments) {
      if (a.instrument !== "IREADY_DIAGNOSTIC" || a.validity?.[flag] !== true) continue;
      const k = JSON.stringify([a.key, a.subject]);
      byGroup.set(k, [...(byGroup.get(k) ?? []), a]);
    }
    const name = flag === "isBaseline" ? "baseline" : "most_recent";
    for (const g of byGroup.values()) {
      const valid = g.filter(isValid);
      if (valid.length === 0) continue;
      const a = latest(valid);
      putResult(put, rec(a.key), [`${a.subject}_${name}`, `iready_${a.subject}_${name}`], a);
    }
  }

  // plain values last: an explicit column wins over a derived name
  for (const [k, m] of b.plain) {
    const r = rec(k);
    for (const [n, v] of m) put(r, b.plainNames.get(n) ?? n, v);
  }
  return { roster, records, names, selections: [...selections.values()] };
}
