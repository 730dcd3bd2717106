/**
 * DATAS (the tutoring data standard): `students.csv` and `sessions.csv` → Student, TutoringSession,
 * AssessmentResult (the ordered outcome measures) and plain values (performance levels).
 *
 * Rules (adapter version {@link DATAS_VERSION}):
 * - ids are text, trimmed, leading zeros kept; a row without `student_id` is rejected (missing-key);
 *   a student id seen twice in students.csv rejects the later row (duplicate);
 * - a session needs a student, a topic, a date and a duration; otherwise it is rejected;
 *   `session_duration` is minutes, not negative; a 0-minute session is recorded with status
 *   `student_absent` (it counts in `sessions_recorded`, not in `sessions`);
 * - a session row identical to an earlier one in every read column is rejected (duplicate);
 * - topics go through the subject table: "reading" → ela, "mathematics" → math;
 * - flags are tri-state: TRUE/FALSE, "Unknown" → unknown, blank → missing (never false);
 * - `current_grade_level` accepts numbers, K and Pre-K (-1 = PK, 0 = KG);
 * - read and kept: ids, grade, flags, gender and ethnicity (equity reporting only), outcome
 *   measures, performance levels; `district_name` and `school_name` are not read.
 */
import { Columns, normSubject } from "./cells.ts";
import type { Student, StudentFlags } from "./canonical.ts";
import { idSystemOf, readCsvRows, type AdapterContext } from "./context.ts";

export const DATAS_VERSION = "datas/1";

export const DATAS_STUDENT_COLUMNS = new Columns([
  { name: "student_id", required: true },
  { name: "district_id" },
  { name: "school_id" },
  { name: "current_grade_level", aliases: ["grade", "grade_level"] },
  { name: "gender", aliases: ["sex"] },
  { name: "ethnicity", aliases: ["race_ethnicity"] },
  { name: "ell", aliases: ["english_learner", "english_language_learner"] },
  { name: "iep" },
  { name: "gifted_flag", aliases: ["gifted"] },
  { name: "homeless_flag", aliases: ["homeless"] },
  { name: "disability" },
  { name: "economic_disadvantage", aliases: ["free_reduced_lunch"] },
  { name: "ela_outcome_measure_1", aliases: ["ela_state_score_two_years_ago", "ela_outcome_score_two_years_ago"] },
  { name: "ela_outcome_measure_2", aliases: ["ela_state_score_one_year_ago", "ela_outcome_score_one_year_ago"] },
  { name: "ela_outcome_measure_3", aliases: ["ela_state_score_current_year", "ela_outcome_score_current_year"] },
  { name: "math_outcome_measure_1", aliases: ["math_state_score_two_years_ago", "math_outcome_score_two_years_ago"] },
  { name: "math_outcome_measure_2", aliases: ["math_state_score_one_year_ago", "math_outcome_score_one_year_ago"] },
  { name: "math_outcome_measure_3", aliases: ["math_state_score_current_year", "math_outcome_score_current_year"] },
  { name: "performance_level_previous", aliases: ["performance_level_prior_year"] },
  { name: "performance_level_most_recent", aliases: ["performance_level_current_year"] },
  { name: "performance_level_earliest", aliases: ["performance_level_two_years_ago"] },
]);

export const DATAS_SESSION_COLUMNS = new Columns([
  { name: "student_id", required: true },
  { name: "session_topic", aliases: ["subject", "topic"], required: true },
  { name: "session_date", aliases: ["session_datetime"], required: true },
  { name: "session_duration", aliases: ["duration", "session_minutes"], required: true },
  { name: "session_ratio", aliases: ["ratio"] },
  { name: "tutor_id" },
]);

/** Which DATAS file a header belongs to. */
export function datasKindOf(header: readonly string[]): "students" | "sessions" | undefined {
  const s = DATAS_SESSION_COLUMNS.score(header);
  const t = DATAS_STUDENT_COLUMNS.score(header);
  if (s >= 4 && s >= t) return "sessions";
  if (t >= 2) return "students";
  return undefined;
}

const FLAG_COLUMNS: [string, keyof StudentFlags][] = [
  ["ell", "el"],
  ["iep", "swd"],
  ["disability", "disability"],
  ["economic_disadvantage", "econDisadv"],
  ["gifted_flag", "gifted"],
  ["homeless_flag", "homeless"],
];

/** Reads a DATAS students.csv. */
export async function readDatasStudents(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Map<string, number>();
  const system = idSystemOf(ctx, "local");
  await readCsvRows(ctx, DATAS_STUDENT_COLUMNS, (r) => {
    const id = r.id("student_id");
    if (id === undefined) {
      q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", "student_id");
      return;
    }
    if (seen.has(id)) {
      q.reject(r.row, "duplicate", "student_id");
      return;
    }
    seen.set(id, r.row);
    const gradeLevel = r.grade("current_grade_level");
    const flags: StudentFlags = {};
    for (const [col, flag] of FLAG_COLUMNS) {
      const v = r.flag(col);
      if (v !== undefined) flags[flag] = v;
    }
    const subgroups: Record<string, string> = {};
    for (const col of ["gender", "ethnicity"]) {
      const v = r.text(col);
      if (v !== undefined) subgroups[col] = v;
    }
    const measures: { subject: string; n: number; v: number }[] = [];
    for (const subject of ["ela", "math"]) {
      for (const n of [1, 2, 3]) {
        const v = r.number(`${subject}_outcome_measure_${n}`);
        if (v !== undefined) measures.push({ subject, n, v });
      }
    }
    const levels: Record<string, string> = {};
    for (const col of ["performance_level_previous", "performance_level_most_recent", "performance_level_earliest"]) {
      const v = r.text(col);
      if (v !== undefined) levels[col] = v;
    }
    const districtId = r.id("district_id");
    const schoolId = r.id("school_id");
    if (!r.finish(q, ctx.options.strict ?? false)) return;

    const key = ctx.keyOf(id, system);
    const src = { format: "datas", fileSha256: ctx.sha256, row: r.row };
    const s: Student = { key, src };
    if (districtId !== undefined) s.districtId = districtId;
    if (schoolId !== undefined) s.schoolId = schoolId;
    if (gradeLevel !== undefined) s.gradeLevel = gradeLevel;
    s.flags = flags;
    if (Object.keys(subgroups).length) s.subgroups = subgroups;
    ctx.sink.student(s);
    for (const m of measures) {
      ctx.sink.assessment({ key, instrument: "DATAS_OUTCOME", subject: m.subject, window: `measure_${m.n}`, scaleScore: m.v, src });
    }
    if (Object.keys(levels).length) ctx.sink.values({ key, values: levels, src });
  });
}

/** Reads a DATAS sessions.csv (streamed: sessions go to the sink one by one). */
export async function readDatasSessions(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Set<string>();
  const system = idSystemOf(ctx, "local");
  const through = ctx.options.sessionsThrough;
  await readCsvRows(ctx, DATAS_SESSION_COLUMNS, (r) => {
    const id = r.id("student_id");
    if (id === undefined) {
      q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", "student_id");
      return;
    }
    const topic = r.text("session_topic");
    if (topic === undefined) {
      q.reject(r.row, "missing-value", "session_topic");
      return;
    }
    const rawDate = r.raw("session_date");
    const date = r.date("session_date");
    if (date === undefined) {
      q.reject(r.row, r.firstProblem()?.rule ?? "missing-value", "session_date");
      return;
    }
    const minutes = r.nonNegative("session_duration");
    if (minutes === undefined) {
      const p = r.firstProblem();
      q.reject(r.row, p?.column === "session_duration" ? p.rule : "missing-value", "session_duration");
      return;
    }
    const subject = normSubject(topic);
    if (subject === undefined) r.problem("session_topic", "unknown-subject");
    const ratio = r.text("session_ratio");
    let groupSize: number | undefined;
    if (ratio !== undefined) {
      const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(ratio);
      if (m && Number(m[1]) >= 1) groupSize = Number(m[2]) / Number(m[1]);
      else r.problem("session_ratio", "not-a-ratio");
    }
    const tutor = r.id("tutor_id");
    const time = /\d{1,2}:\d{2}/.exec(rawDate?.trim().slice(10) ?? "")?.[0];
    const identity = JSON.stringify([id, rawDate?.trim(), subject ?? topic, minutes, tutor ?? "", ratio ?? ""]);
    if (seen.has(identity)) {
      q.reject(r.row, "duplicate");
      return;
    }
    seen.add(identity);
    if (through !== undefined && date > through) {
      // read, but after the data drop's cut-off: not part of this drop (neither accepted nor rejected)
      q.exclude("after-cut-off");
      return;
    }
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    ctx.sink.session({
      sessionId: `datas:${r.row}`,
      key: ctx.keyOf(id, system),
      ...(tutor !== undefined ? { tutorKey: tutor } : {}),
      subject: subject ?? "other",
      date,
      ...(time !== undefined ? { time: time.padStart(5, "0") } : {}),
      attendedMinutes: minutes,
      status: minutes > 0 ? "attended" : "student_absent",
      ...(groupSize !== undefined ? { groupSize } : {}),
      src: { format: "datas", fileSha256: ctx.sha256, row: r.row },
    });
  });
}
