/**
 * Data sets of events (several rows per student) and their aggregates, worked by hand: every
 * aggregate on a small log with ties, rows without dates, times of day, holiday weeks and a
 * student without rows, with both deciders; the refusals of doubtful data; the formatter.
 */
import { describe, expect, it } from "vitest";
import { runContract } from "../engine/index.ts";
import { compileSource } from "../language/driver.ts";
import { format } from "../language/format/format.ts";

const SOURCE = `contract "Attempts" {
  parties { district "D"  provider "P" }
  term 2025-09-01 to 2026-06-30
  data students keyed by student_id { grade: integer }
  data attempts keyed by student_id per attempt on taken_on {
    taken_on: optional date
    minutes: count
    subject: text
    score: optional score
    fee: money
  }
  data holidays each holiday_date { }
  metric n_math = count of attempts where (subject = "math" and minutes >= 25)
  metric n_all = count of attempts
  metric minutes_math = sum of (minutes) over attempts where (subject = "math")
  metric fees = sum of (fee / 3) over attempts
  metric weeks2 = count of weeks with at least 2 attempts
  metric streak = longest run of weeks with at least 1 attempts excluding holidays
  metric streak_plain = longest run of weeks with at least 1 attempts
  metric first_day = earliest of (taken_on) over attempts
  metric latest_score = latest of (score) over attempts
  metric best = highest of (score) over attempts where (subject = "math")
  metric worst = lowest of (score) over attempts
  payment "Math" pays $1 * n_math + $0 * n_all per student
  payment "Minutes" pays $1 * minutes_math per student
  payment "Fees" pays fees per student
  payment "Weeks" pays $1 * weeks2 per student
  payment "Streak" pays $100 * streak + $1 * streak_plain per student
  payment "First" pays $1 per student when first_day = 2025-10-06
    if missing: not met
  payment "Latest" pays $1 * latest_score per student
    if missing: not met
  payment "Best" pays $1 * best - $1 * worst per student
    if missing: not met
}`;

// Weeks run Monday to Sunday: 2025-10-06 is a Monday, 2025-10-13 the next, and so on.
const ATTEMPTS = [
  "student_id,taken_on,minutes,subject,score,fee",
  "A,2025-10-06 09:00:00,30,math,60,10.00", // week 1
  "A,2025-10-12T18:30,20,math,70,10.00", // week 1 (Sunday, with a time of day)
  "A,2025-10-20,40,ela,55,10.00", // week 3; week 2 holds a holiday
  "A,2025-10-27,25,math,,10.00", // week 4, no score
  "A,,50,math,90,10.00", // no date: in no week, never earliest or latest
  "A,2025-11-10,25,ela,65,10.00", // week 6: week 5 has no attempt and no holiday
  "A,2025-11-10,25,ela,66,10.00", // the same day: the first in the file is the latest
  "B,2025-10-07,10,ela,,1.00",
  "C,2025-10-06,30,math,40,0.01",
  "C,2025-10-06,30,math,45,0.01",
].join("\n") + "\n";

const files = (holidays = "holiday_date\n2025-10-15\n") => [
  { label: "students.csv", text: "student_id,grade\nA,5\nB,6\nC,7\nD,8\n" },
  { label: "attempts.csv", text: ATTEMPTS },
  { label: "holidays.csv", text: holidays },
];

async function lines(engine: "fast" | "reference", f = files()) {
  const c = compileSource(SOURCE);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const run = await runContract(c.ir!, SOURCE, f, { engine });
  expect(run.ok, JSON.stringify(run.problems)).toBe(true);
  return { run, byStudent: Object.fromEntries(run.result!.students.map((s) => [s.id, Object.fromEntries(s.lines.map((l) => [l.clause, `${l.status} ${l.paid}`]))])) };
}

describe("aggregates of events", () => {
  it("are what the terms say, worked by hand, with both deciders", async () => {
    const fast = await lines("fast");
    const ref = await lines("reference");
    expect(JSON.stringify(fast.run)).toBe(JSON.stringify(ref.run));
    expect(fast.byStudent["A"]).toEqual({
      // math of at least 25 minutes: the 30, the 25 and the undated 50
      math: "met 3.00",
      minutes: "met 125.00",
      // 7 attempts at $10.00 / 3, summed exactly: $23.333… to the cent
      fees: "met 23.33",
      // week 1 and week 6 hold two attempts each
      weeks: "met 2.00",
      // weeks 1, 3 and 4 with week 2 (a holiday) passed over: 3; week 6 after week 5 (no attempt) starts again.
      // Without the holidays: weeks 3 and 4 are the longest run, 2.
      streak: "met 302.00",
      first: "met 1.00",
      // the latest date is 2025-11-10, twice: the first of the two in the file has 65
      latest: "met 65.00",
      // best math 90 (the undated attempt counts), worst 55 (a missing score is skipped)
      best: "met 35.00",
    });
    // one row; a missing score is the latest score: missing, not the one before
    expect(fast.byStudent["B"]).toEqual({
      math: "met 0.00", minutes: "met 0.00", fees: "met 0.33", weeks: "met 0.00", streak: "met 101.00",
      first: "not-met 0.00", latest: "missing 0.00", best: "missing 0.00",
    });
    // two attempts on the same day: a week with two; the latest is the first of them in the file
    expect(fast.byStudent["C"]).toEqual({
      math: "met 2.00", minutes: "met 60.00", fees: "met 0.01", weeks: "met 1.00", streak: "met 101.00",
      first: "met 1.00", latest: "met 40.00", best: "met 5.00",
    });
    // no rows at all: counts and sums are zero, the others missing
    expect(fast.byStudent["D"]).toEqual({
      math: "met 0.00", minutes: "met 0.00", fees: "met 0.00", weeks: "met 0.00", streak: "met 0.00",
      first: "missing 0.00", latest: "missing 0.00", best: "missing 0.00",
    });
  });

  it("stops the run when a holiday is not a date, naming the file, row and column", async () => {
    const c = compileSource(SOURCE);
    for (const engine of ["fast", "reference"] as const) {
      const run = await runContract(c.ir!, SOURCE, files("holiday_date\n2025-10-15\nwinter break\n"), { engine });
      expect(run.ok).toBe(false);
      const p = run.problems.find((x) => x.rule === "not-a-date");
      expect(p).toMatchObject({ code: "OBC5002", severity: "error", file: "holidays.csv", row: 3, column: "holiday_date" });
      expect(p!.message).not.toContain("winter");
    }
  });

  it("reports a row of a student who is not on the roster, without the id", async () => {
    const c = compileSource(SOURCE);
    const f = files();
    f[1] = { label: "attempts.csv", text: ATTEMPTS + "Z9,2025-10-06,30,math,60,1\n" };
    const run = await runContract(c.ir!, SOURCE, f, { engine: "fast" });
    const p = run.problems.find((x) => x.code === "OBC5005");
    expect(p).toMatchObject({ file: "attempts.csv", row: 12 });
    expect(p!.message).not.toContain("Z9");
  });

  it("are printed back by the formatter as written, idempotently", () => {
    const text = format(SOURCE).value;
    for (const line of [
      "data attempts keyed by student_id per attempt on taken_on {",
      'metric n_math = count of attempts where (subject = "math" and minutes >= 25)',
      "metric fees = sum of (fee / 3) over attempts",
      "metric weeks2 = count of weeks with at least 2 attempts",
      "metric streak = longest run of weeks with at least 1 attempts excluding holidays",
      "metric latest_score = latest of (score) over attempts",
      'metric best = highest of (score) over attempts where (subject = "math")',
    ]) expect(text).toContain(line);
    expect(format(text).value).toBe(text);
  });
});

describe("deliverables: a data set keyed by something other than a student", () => {
  const source = `contract "Deliverables" {
  parties { district "D"  provider "P" }
  term 2025-09-01 to 2026-06-30
  data students { grade: integer }
  data deliverables each deliverable {
    delivered_on: optional date
    approved: boolean
  }
  cohort "Roster approved" over deliverables {
    let ok = count where (deliverable = "roster" and approved and delivered_on <= 2025-10-15)
    pays $5,000 when ok >= 1
  }
}`;
  it("reads the period column (the deliverable's name) in a condition, with both deciders", async () => {
    const c = compileSource(source);
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const files = [
      { label: "students.csv", text: "student_id,grade\nA,5\n" },
      { label: "deliverables.csv", text: "deliverable,delivered_on,approved\nroster,2025-10-01,yes\ntraining,2025-10-20,yes\nplan,2025-09-20,no\n" },
    ];
    const runs = await Promise.all((["fast", "reference"] as const).map((engine) => runContract(c.ir!, source, files, { engine })));
    expect(JSON.stringify(runs[0])).toBe(JSON.stringify(runs[1]));
    // paid once: only the row named roster meets the condition by its date
    expect(runs[0]!.result!.cohorts.map((x) => `${x.period} ${x.status} ${x.paid}`)).toEqual(["plan not-met 0.00", "roster met 5000.00", "training not-met 0.00"]);
    expect(runs[0]!.result!.totals.paid).toBe("5000.00");
  });
});
