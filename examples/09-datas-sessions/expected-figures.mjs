#!/usr/bin/env node
// The figures of contract.obc computed without OBC: plain JavaScript over the DATAS CSV files,
// written from the contract's terms, to check OBC against (test/datas-sessions.test.ts).
// Usage: node expected-figures.mjs students.csv sessions.csv holidays.csv > figures.json
// Prints {"<student_id>": {"<clause id>": "<amount paid, to the cent>", ...}, ...} for every
// student, with a clause only where the student is in the clause's group.
import { readFileSync } from "node:fs";

const [studentsPath, sessionsPath, holidaysPath] = process.argv.slice(2);

/** Rows of a CSV file without quoted fields (the DATAS files have none), as objects. */
function readCsv(path) {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l !== "");
  const header = lines[0].split(",");
  if (lines.some((l) => l.includes('"'))) throw new Error(`${path}: quoted fields are not handled here`);
  return lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((c, i) => [header[i], c])));
}

/** Days since 1970-01-01 of the date part of "YYYY-MM-DD[ hh:mm:ss]". */
const dayOf = (text) => Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10)) / 86400000;
/** The Monday of a day's week, as a day number (1970-01-01 was a Thursday). */
const mondayOf = (day) => day - ((day + 3) % 7 + 7) % 7;

const students = readCsv(studentsPath);
const sessions = readCsv(sessionsPath);
const holidayWeeks = new Set(readCsv(holidaysPath).map((r) => mondayOf(dayOf(r.holiday_date))));

const byStudent = new Map();
for (const s of sessions) {
  if (!byStudent.has(s.student_id)) byStudent.set(s.student_id, []);
  byStudent.get(s.student_id).push({
    topic: s.session_topic,
    day: dayOf(s.session_date),
    date: s.session_date.slice(0, 10),
    minutes: Number(s.session_duration),
    groupSize: Number(s.session_ratio.split(":")[1]),
  });
}

const NOV_1 = dayOf("2025-11-01");
const MAR_31 = dayOf("2026-03-31");
const cents = (dollars) => Math.round(dollars * 100);
const money = (c) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, "0")}`;

const out = {};
for (const st of students) {
  const rows = byStudent.get(st.student_id) ?? [];
  const grade = Number(st.current_grade_level);
  const identified = grade >= 3 && grade <= 8;
  // a served student is always also identified (docs/language.md, groups of students)
  const served = identified && rows.length >= 1;
  const lines = {};
  if (served) {
    const readingRows = rows.filter((r) => r.topic === "ela" && r.minutes >= 25 && r.groupSize <= 3 && r.day >= NOV_1 && r.day <= MAR_31);
    const reading = readingRows.length;
    // at least 25 minutes, counted per Monday-to-Sunday week
    const perWeek = new Map();
    for (const r of rows) if (r.minutes >= 25) perWeek.set(mondayOf(r.day), (perWeek.get(mondayOf(r.day)) ?? 0) + 1);
    const steadyWeeks = [...perWeek.values()].filter((n) => n >= 2).length;
    // the longest run of weeks with a session, holiday weeks passed over
    const weeks = [...perWeek.keys()].filter((w) => !holidayWeeks.has(w)).sort((a, b) => a - b);
    let streak = 0;
    let run = 0;
    for (let i = 0; i < weeks.length; i++) {
      let joined = i > 0;
      if (joined) for (let w = weeks[i - 1] + 7; w < weeks[i]; w += 7) if (!holidayWeeks.has(w)) joined = false;
      run = joined ? run + 1 : 1;
      streak = Math.max(streak, run);
    }
    const firstDate = rows.map((r) => r.date).sort()[0];
    const math = rows.filter((r) => r.topic === "math");
    let last;
    for (const r of math) if (!last || r.date > last.date) last = r;
    const longestMath = math.length ? Math.max(...math.map((r) => r.minutes)) : undefined;
    lines.reading_dosage = reading >= 5 ? Math.min(800 * reading, 40000) : 0;
    lines.steady_attendance = steadyWeeks >= 12 ? 15000 : 0;
    lines.unbroken_streak = streak >= 8 ? 10000 : 0;
    lines.early_start = firstDate <= "2025-11-07" ? 5000 : 0;
    lines.strong_finish = last && last.minutes >= 60 && longestMath >= 85 ? 2500 : 0;
  }
  if (identified) {
    const rows2 = rows.filter((r) => r.topic === "ela" && r.minutes >= 25 && r.groupSize <= 3 && r.day >= NOV_1 && r.day <= MAR_31);
    const minutes = rows2.reduce((a, r) => a + r.minutes, 0);
    const b = st.ela_outcome_measure_2;
    const e = st.ela_outcome_measure_3;
    const gain = b === "" || e === "" ? undefined : Number(e) - Number(b);
    const met = minutes >= 600 && gain !== undefined && gain >= 10;
    lines.reading_growth = met ? cents(st.ell === "TRUE" ? 360 : 300) : 0;
  }
  out[st.student_id] = Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, money(v)]));
}
process.stdout.write(JSON.stringify(out) + "\n");
