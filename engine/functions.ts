/**
 * Calendar arithmetic and the language's functions: the one implementation, for both deciders.
 *
 * Dates are ISO text (`2026-10-15`), always real calendar dates (the loader and the parser
 * check them). A day number is the number of days since 1970-01-01 (negative before it), so
 * that date arithmetic is integer arithmetic. The functions are declared, with their types, in
 * `language/check/functions.ts`; here each takes and returns bare values (a date or text as a
 * string, a number as a JS integer), and `undefined` for a missing value. Browser-safe.
 */
import type * as A from "../language/ast.ts";
import type { Rational } from "./rational.ts";

/** Days since 1970-01-01 of an ISO date (the proleptic Gregorian calendar). */
export function dayNumber(iso: string): number {
  let y = (iso.charCodeAt(0) - 48) * 1000 + (iso.charCodeAt(1) - 48) * 100 + (iso.charCodeAt(2) - 48) * 10 + (iso.charCodeAt(3) - 48);
  const m = (iso.charCodeAt(5) - 48) * 10 + (iso.charCodeAt(6) - 48);
  const d = (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
  // days from civil (H. Hinnant's algorithm): years start in March, so February is last
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

/** The ISO date of a day number (the inverse of {@link dayNumber}). */
export function dateOfDay(z: number): string {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 0 ? "-" : ""}${pad(Math.abs(y), 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1]!;
}

/**
 * The date `n` calendar months after `iso` (before it when negative); a day past the month's
 * end is its last day. Undefined when that leaves the years 1 to 9999.
 */
export function addMonths(iso: string, n: number): string | undefined {
  const y0 = Number(iso.slice(0, 4));
  const m0 = Number(iso.slice(5, 7));
  const d0 = Number(iso.slice(8, 10));
  const total = y0 * 12 + (m0 - 1) + n;
  const y = Math.floor(total / 12);
  if (y < 1 || y > 9999) return undefined;
  const m = total - y * 12 + 1;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(Math.min(d0, daysInMonth(y, m)), 2)}`;
}

/** Years a date may have (a date moved outside them is missing: no calendar goes that far). */
const FIRST_DAY = dayNumber("0001-01-01");
const LAST_DAY = dayNumber("9999-12-31");

/** A date moved by a whole number of days, weeks or months; undefined when that leaves the years 1 to 9999. */
export function shiftDate(iso: string, op: "+" | "-", n: number, unit: A.DurationUnit): string | undefined {
  const k = op === "+" ? n : -n;
  // more than 10,000 years either way always leaves the calendar
  if (!Number.isSafeInteger(k) || Math.abs(k) > (unit === "months" ? 120_000 : unit === "weeks" ? 530_000 : 3_700_000)) return undefined;
  if (unit === "months") return addMonths(iso, k);
  const day = dayNumber(iso) + (unit === "weeks" ? 7 * k : k);
  return day < FIRST_DAY || day > LAST_DAY ? undefined : dateOfDay(day);
}

/** The most whole calendar months that can be added to `a` without passing `b` (negative, the other way, when `b` is earlier). */
export function monthsBetween(a: string, b: string): number {
  if (b < a) return 0 - monthsBetween(b, a) || 0;
  let n = (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + (Number(b.slice(5, 7)) - Number(a.slice(5, 7)));
  // `a` plus `n` months stays within the years of `a` and `b`
  if (addMonths(a, n)! > b) n--;
  return n;
}

/** The Monday-to-Sunday week a day number falls in, numbered from the week of 1970-01-05 (a Monday). */
export function weekOfDay(day: number): number {
  return Math.floor((day - 4) / 7);
}

/** The first day (a Monday) of a week numbered by {@link weekOfDay}, as an ISO date. */
export function weekStart(week: number): string {
  return dateOfDay(week * 7 + 4);
}

/** A bare value of a function's argument or result: a date or text string, a number, or undefined (missing). */
type Bare = string | number | undefined;

/** Each function's implementation on bare values; every argument is present (a missing one makes the result missing first). */
const IMPLEMENTATIONS: Record<string, (args: Bare[]) => Bare> = {
  days_between: ([a, b]) => dayNumber(b as string) - dayNumber(a as string),
  // `|| 0`: never -0 (less than a week back is 0 weeks)
  weeks_between: ([a, b]) => Math.trunc((dayNumber(b as string) - dayNumber(a as string)) / 7) || 0,
  months_between: ([a, b]) => monthsBetween(a as string, b as string),
  month_of: ([a]) => (a as string).slice(0, 7),
  quarter_of: ([a]) => `${(a as string).slice(0, 4)}-Q${Math.floor((Number((a as string).slice(5, 7)) - 1) / 3) + 1}`,
  year_of: ([a]) => Number((a as string).slice(0, 4)),
};

/** The functions of numbers of any unit, on exact values: the result has the unit of the first. */
export const MEASURE_FUNCTIONS: Record<string, (args: Rational[]) => Rational> = {
  min: ([a, b]) => (a!.cmp(b!) <= 0 ? a! : b!),
  max: ([a, b]) => (a!.cmp(b!) >= 0 ? a! : b!),
  abs: ([a]) => (a!.cmp(0) < 0 ? a!.neg() : a!),
};

/**
 * A function of the language applied to bare values: missing when any value is missing.
 * @throws Error for a name that is not a function (the checker refuses it first)
 */
export function callFunction(name: string, args: Bare[]): Bare {
  const f = IMPLEMENTATIONS[name];
  if (!f) throw new Error(`no function ${name}`);
  for (const a of args) if (a === undefined) return undefined;
  return f(args);
}
