/**
 * Words and numbers for plain-language documents: amounts ("$1,600.00"), dates
 * ("15 October 2026"), percentages ("75%"), lists ("a, b and c"), defined terms
 * ("Enrolled for Testing") and readable names for data fields ("end-of-year score").
 *
 * Pure functions, browser-safe.
 */
import type * as A from "../../language/ast.ts";
import { nameParts, type NameDate } from "../../language/check/readings.ts";
import { formatMoney, roundToCents } from "../money.ts";
import { Rational } from "../rational.ts";

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** "2026-10-15" → "15 October 2026". Text that is not an ISO date is returned as it is. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** The ISO date `n` days after (or before) `iso`. */
export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** An exact amount in major units as display money, rounded half up to the cent: "$1,580.00". */
export function money(r: Rational, currency = "USD"): string {
  return formatMoney(roundToCents(r, "half-up"), currency);
}

/** Decimal text in major units ("1580.00", "-150") as display money. */
export function moneyText(value: string, currency = "USD"): string {
  return money(Rational.parse(value), currency);
}

/** A money literal as display money, with its sign. */
export function moneyLit(m: A.MoneyLit, currency = "USD"): string {
  const r = Rational.parse(m.value);
  return money(m.negative ? r.neg() : r, currency);
}

/** An exact amount as plain decimal text with two decimals: "1580.00" (for JSON). */
export function moneyJson(r: Rational): string {
  return r.toDecimalString(2);
}

/** A share (0.5696…) as "56.96%". */
export function shareText(r: Rational, places = 2): string {
  return `${r.mul(100).toDecimalString(places)}%`;
}

/** Percent points as written ("75", "33.3") → "75%". */
export function percentText(points: string): string {
  return `${points}%`;
}

/** A plain number as written, with thousands separators for large integers. */
export function numberText(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value);
  if (!m) return value;
  const whole = m[2]!.length > 4 ? m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : m[2]!;
  return `${m[1]}${whole}${m[3] ?? ""}`;
}

/** "a", "a and b", "a, b and c" (or "or"). */
export function joinList(items: string[], conj: "and" | "or" = "and"): string {
  if (items.length === 0) return "";
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")} ${conj} ${items[items.length - 1]}`;
}

/** Text in curly double quotes: “Algebra ready”. */
export function quote(s: string): string {
  return `\u201c${s}\u201d`;
}

/** Upper-cases the first letter. */
export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

const SMALL_WORDS = new Set(["a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "per", "the", "to", "with"]);

/** "enrolled for testing" → "Enrolled for Testing"; keeps words already in capitals (MAP, IEP). */
export function titleCase(s: string): string {
  return s
    .split(" ")
    .map((w, i) => {
      if (i > 0 && SMALL_WORDS.has(w)) return w;
      return w
        .split("-")
        .map((part, j) => (j > 0 && SMALL_WORDS.has(part) ? part : capitalize(part)))
        .join("-");
    })
    .join(" ");
}

/** Abbreviations commonly used in field names, and how to say them. */
const WORDS: Record<string, string> = {
  boy: "beginning-of-year",
  moy: "middle-of-year",
  eoy: "end-of-year",
  map: "MAP",
  rit: "RIT",
  cgp: "CGP",
  cgi: "CGI",
  sgp: "SGP",
  iep: "IEP",
  ell: "English language learner",
  el: "English learner",
  english: "English",
  spanish: "Spanish",
  ela: "ELA",
  pct: "percentage",
  num: "number",
  id: "ID",
  dob: "date of birth",
  gpa: "GPA",
  ts: "TS",
  swd: "student with a disability",
  frl: "free or reduced-price lunch",
  istation: "iStation",
};

/** A date written into a name, in words: "28 February", "31 January 2026". */
export function nameDateText(d: NameDate): string {
  return `${d.day} ${MONTHS[d.month - 1]}${d.year !== undefined ? ` ${d.year}` : ""}`;
}

/** A data or metric name in words: "eoy_score" → "end-of-year score", "sessions_by_feb28" → "sessions by 28 February". */
export function humanize(name: string): string {
  return nameParts(name)
    .map((p) => {
      if (typeof p !== "string") return nameDateText(p);
      const lower = p.toLowerCase();
      if (WORDS[lower]) return WORDS[lower]!;
      return p === p.toUpperCase() && /[A-Z]/.test(p) ? p : lower;
    })
    .join(" ");
}

/** The defined term for a metric, condition or value: "enrolled_for_testing" → "Enrolled for Testing". */
export function definedTerm(name: string): string {
  return titleCase(humanize(name));
}

/** What a field type holds, in words. */
export function typeWords(t: A.FieldTypeName): string {
  switch (t) {
    case "integer": return "whole number";
    case "decimal": return "number";
    case "score": return "score";
    case "count": return "count";
    case "percent": return "percentage";
    case "money": return "amount of money";
    case "boolean": return "yes or no";
    case "date": return "date";
    case "text": return "text";
  }
}

/** "days" with 1 → "1 day". */
export function withUnit(n: string, unit: string): string {
  if (n === "1") return `1 ${unit.replace(/s$/, "")}`;
  return `${n} ${unit}`;
}

/** How often, in words: "monthly" → "every month". */
export function frequencyWords(f: string): string {
  switch (f) {
    case "daily": return "every day";
    case "weekly": return "every week";
    case "biweekly": return "every two weeks";
    case "fortnightly": return "every two weeks";
    case "monthly": return "every month";
    case "quarterly": return "every quarter";
    case "termly": return "every term";
    case "semiannually": return "every six months";
    case "annually":
    case "yearly": return "every year";
    default: return f;
  }
}

/** An ordinal word: 1 → "first". */
export function ordinal(n: number): string {
  const words = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
  if (n < words.length) return words[n]!;
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${s}`;
}

/** A list label: 0 → "a", 1 → "b"; for the second level 0 → "i", 1 → "ii". */
export function listLabel(i: number, depth: number): string {
  if (depth % 2 === 0) {
    let s = "";
    let n = i;
    do {
      s = String.fromCharCode(97 + (n % 26)) + s;
      n = Math.floor(n / 26) - 1;
    } while (n >= 0);
    return s;
  }
  const romans: [number, string][] = [[10, "x"], [9, "ix"], [5, "v"], [4, "iv"], [1, "i"]];
  let n = i + 1;
  let s = "";
  for (const [v, r] of romans) while (n >= v) { s += r; n -= v; }
  return s;
}

/** How a rounding rule reads: "half up to the cent (to the nearest cent; a tie goes away from zero)". */
export function roundingWords(r: A.Rounding): string {
  const unit = r.unit === "cent" ? "cent" : "dollar";
  switch (r.mode) {
    case "half-up": return `half up to the ${unit} (to the nearest ${unit}; an amount exactly halfway is rounded away from zero)`;
    case "half-even": return `half even to the ${unit} (to the nearest ${unit}; an amount exactly halfway goes to the even ${unit})`;
    case "down": return `down to the ${unit} (toward zero)`;
    case "up": return `up to the ${unit} (away from zero)`;
  }
}

/** The short form of a rounding rule: "half up to the cent". */
export function roundingShort(r: A.Rounding): string {
  const mode = r.mode === "half-up" ? "half up" : r.mode === "half-even" ? "half even" : r.mode;
  return `${mode} to the ${r.unit}`;
}

/** The name of a currency: "USD" → "US dollars (USD)". */
export function currencyWords(code: string): string {
  const names: Record<string, string> = {
    USD: "US dollars", GBP: "pounds sterling", EUR: "euros", CAD: "Canadian dollars", AUD: "Australian dollars", NZD: "New Zealand dollars",
  };
  return names[code] ? `${names[code]} (${code})` : code;
}
