/**
 * Calendar arithmetic (engine/functions.ts) against JavaScript's own UTC calendar, and the date
 * functions and durations of the language run end to end by both deciders.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonths, callFunction, dateOfDay, dayNumber, monthsBetween, shiftDate, weekOfDay, weekStart } from "../engine/functions.ts";
import { runContract } from "../engine/index.ts";
import { compileSource } from "../language/driver.ts";

const DAY = 86_400_000;
const utcDay = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY;
const isoOfUtc = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** Any real date from 1900 to 2200. */
const anyDate = fc.integer({ min: utcDay("1900-01-01"), max: utcDay("2200-12-31") }).map(isoOfUtc);

describe("calendar arithmetic", () => {
  it("day numbers are JavaScript's UTC days, both ways", () => {
    fc.assert(fc.property(anyDate, (d) => {
      expect(dayNumber(d)).toBe(utcDay(d));
      expect(dateOfDay(dayNumber(d))).toBe(d);
    }), { numRuns: 2000 });
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(dayNumber("2000-03-01") - dayNumber("2000-02-28")).toBe(2); // 2000 is a leap year
    expect(dayNumber("1900-03-01") - dayNumber("1900-02-28")).toBe(1); // 1900 is not
  });

  it("a month later: the same day, or the month's last day", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2026-11-15", 3)).toBe("2027-02-15");
    expect(addMonths("0001-01-01", -1)).toBeUndefined();
    fc.assert(fc.property(anyDate, fc.integer({ min: -300, max: 300 }), (d, n) => {
      const j = new Date(d + "T00:00:00Z");
      const target = new Date(Date.UTC(j.getUTCFullYear(), j.getUTCMonth() + n, 1));
      const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      const want = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(j.getUTCDate(), last))).toISOString().slice(0, 10);
      expect(addMonths(d, n)).toBe(want);
    }), { numRuns: 2000 });
  });

  it("whole months between: the most months that can be added without passing the later date", () => {
    expect(monthsBetween("2026-01-31", "2026-02-28")).toBe(1);
    expect(monthsBetween("2026-01-31", "2026-02-27")).toBe(0);
    expect(monthsBetween("2026-09-01", "2027-06-30")).toBe(9);
    expect(monthsBetween("2027-06-30", "2026-09-01")).toBe(-9);
    fc.assert(fc.property(anyDate, anyDate, (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const n = monthsBetween(lo, hi);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(addMonths(lo, n)! <= hi).toBe(true);
      expect(addMonths(lo, n + 1)! > hi).toBe(true);
      expect(monthsBetween(hi, lo)).toBe(n === 0 ? 0 : -n);
    }), { numRuns: 2000 });
  });

  it("days, weeks, quarters, months and years of dates", () => {
    expect(callFunction("days_between", ["2026-11-30", "2027-02-28"])).toBe(90);
    expect(callFunction("days_between", ["2027-02-28", "2026-11-30"])).toBe(-90);
    expect(callFunction("weeks_between", ["2026-09-01", "2026-09-14"])).toBe(1);
    expect(callFunction("weeks_between", ["2026-09-14", "2026-09-01"])).toBe(-1);
    expect(callFunction("quarter_of", ["2026-09-30"])).toBe("2026-Q3");
    expect(callFunction("quarter_of", ["2026-10-01"])).toBe("2026-Q4");
    expect(callFunction("month_of", ["2026-10-01"])).toBe("2026-10");
    expect(callFunction("year_of", ["2026-10-01"])).toBe(2026);
    expect(callFunction("days_between", ["2026-10-01", undefined])).toBeUndefined();
  });

  it("weeks run Monday to Sunday", () => {
    fc.assert(fc.property(anyDate, (d) => {
      const start = weekStart(weekOfDay(dayNumber(d)));
      expect(new Date(start + "T00:00:00Z").getUTCDay()).toBe(1);
      expect(dayNumber(d) - dayNumber(start)).toBeGreaterThanOrEqual(0);
      expect(dayNumber(d) - dayNumber(start)).toBeLessThan(7);
    }), { numRuns: 1000 });
  });

  it("a date moved out of the years 1 to 9999 is missing", () => {
    expect(shiftDate("9999-12-01", "+", 31, "days")).toBeUndefined();
    expect(shiftDate("9999-12-01", "+", 30, "days")).toBe("9999-12-31");
    expect(shiftDate("2026-01-01", "+", 1e15, "days")).toBeUndefined();
    expect(shiftDate("2026-01-01", "-", 2, "weeks")).toBe("2025-12-18");
  });
});

/** Each student's lines ("status paid"), the same with both deciders (checked here). */
async function linesOfBoth(source: string, csv: string): Promise<Record<string, string[]>> {
  const c = compileSource(source);
  expect(c.diagnostics).toEqual([]);
  const runs = await Promise.all((["fast", "reference"] as const).map((engine) => runContract(c.ir!, source, [{ label: "students.csv", text: csv }], { engine })));
  expect(JSON.stringify(runs[0])).toBe(JSON.stringify(runs[1]));
  return Object.fromEntries(runs[0]!.result!.students.map((s) => [s.id, s.lines.map((l) => `${l.status} ${l.paid}`)]));
}

describe("dates in a contract", () => {
  const source = `contract "Claim windows" {
  parties { district "D"  provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { achieved: date  submitted: optional date }
  metric wait = days_between(achieved, submitted)
  outcome "In time" pays $100 per student
    when submitted <= achieved + 90 days and quarter_of(submitted) = "2027-Q1"
    if missing: not met
  payment "Per month" pays $10 * months_between(achieved, submitted) per student
    if missing: not met
}`;
  const csv = "student_id,achieved,submitted\nA,2026-11-30,2027-02-28\nB,2026-11-30,2027-03-01\nC,2026-01-31,\nD,2026-10-31,2027-01-30\n";

  it("pays the same with both deciders, to the day", async () => {
    expect(await linesOfBoth(source, csv)).toEqual({
      // 30 Nov + 90 days = 28 Feb: submitted on the 90th day is in time; 30 Nov + 3 months = 28 Feb
      A: ["met 100.00", "met 30.00"],
      // 1 Mar is the 91st day: late; 30 Nov + 4 months = 30 Mar is after 1 Mar, so 3 whole months
      B: ["not-met 0.00", "met 30.00"],
      C: ["missing 0.00", "missing 0.00"],
      // 31 Oct + 90 days = 29 Jan: 30 Jan is late; 31 Oct + 3 months = 31 Jan is after 30 Jan, so 2
      D: ["not-met 0.00", "met 20.00"],
    });
  });
});

describe("the lesser, the greater, the absolute value and a value chosen by a condition", () => {
  const source = `contract "Capped growth" {
  parties { district "D"  provider "P" }
  term 2026-09-01 to 2027-06-30
  data students { boy: score  eoy: optional score  sessions: count  english_learner: boolean }
  metric gain = eoy - boy
  outcome "Growth" pays min($40 * max(gain, 0), $600) per student
    when abs(gain) >= 5
    if missing: not met
  payment "Sessions" pays choose(english_learner, $12, $10) * sessions per student
  payment "Fallback" pays choose(sessions > 10, $100, $20 * eoy) per student
    if missing: not met
}`;
  const csv = "student_id,boy,eoy,sessions,english_learner\nA,50,70,12,yes\nB,60,40,3,no\nC,50,,20,no\nD,50,53,8,no\nE,10,30,1,yes\n";

  it("pays the same with both deciders, to the cent", async () => {
    expect(await linesOfBoth(source, csv)).toEqual({
      // gain 20: $40 * 20 = $800, capped at $600; an English learner: 12 sessions at $12; more than 10 sessions: $100
      A: ["met 600.00", "met 144.00", "met 100.00"],
      // a loss of 20 is 20 points away: paid on max(-20, 0) = 0; 3 sessions at $10; 3 sessions: $20 * 40
      B: ["met 0.00", "met 30.00", "met 800.00"],
      // no end-of-year score: growth missing; the fallback takes $100, so the missing score is not read
      C: ["missing 0.00", "met 200.00", "met 100.00"],
      // a gain of 3 is under 5
      D: ["not-met 0.00", "met 80.00", "met 1060.00"],
      E: ["met 600.00", "met 12.00", "met 600.00"],
    });
  });

  it("refuses values of units that do not combine", () => {
    const c = compileSource(`contract "X" {
  parties { district "D"  provider "P" }
  data students { boy: score  fee: money  flag: boolean }
  metric a = max(boy, fee)
  metric b = choose(flag, fee, 3)
  metric c = abs(flag)
}`);
    expect(c.diagnostics.map((d) => d.code)).toEqual(["OBC3804", "OBC3804", "OBC3803"]);
  });
});
