/**
 * Cell and header rules shared by every adapter (Node-only code, but pure: no I/O here).
 *
 * - Headers are matched case-, whitespace- and punctuation-insensitively, through alias lists
 *   ({@link ColumnSpec}); a column not on an adapter's allowlist is dropped at read time and
 *   only its header name is reported.
 * - Ids are kept as text (leading zeros), trimmed.
 * - `*` or a blank cell is missing, never 0.
 * - Dates: ISO `YYYY-MM-DD` (optionally followed by a time), `M/D/YYYY` or `MM/DD/YYYY`.
 * - Codes (grades, subjects, test windows) are normalised through the versioned lookup tables
 *   below; the version is recorded in every quality report ({@link LOOKUP_VERSION}).
 */

/** The version of the lookup tables (grades, subjects, windows, attendance categories). */
export const LOOKUP_VERSION = "obc-lookups/1";

// ───────────────────────────── headers ─────────────────────────────

/** Header matching key: lower case, NFKC, BOM stripped, every non-alphanumeric removed ("Duration (min)" ≡ "duration_min"). */
export function normHeader(name: string): string {
  let n = normCache.get(name);
  if (n === undefined) {
    n = name.replace(/^\ufeff/, "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
    if (normCache.size > 100_000) normCache.clear();
    normCache.set(name, n);
  }
  return n;
}
const normCache = new Map<string, string>();

/** One column an adapter reads: its canonical name and the header spellings it accepts. */
export interface ColumnSpec {
  /** the adapter's own name for the column */
  name: string;
  /** accepted headers (matched with {@link normHeader}); the name itself is always accepted */
  aliases?: readonly string[];
  /** the file cannot be read without it */
  required?: boolean;
}

/**
 * Header names that hold personal data and must never be read. An adapter's allowlist is
 * checked against these when it is defined, so a mistake fails loudly in development.
 */
const PII_PATTERNS: readonly RegExp[] = [
  /(first|last|middle|given|family|sur|nick|legal|full)name/,
  /^(student|teacher|user|person|guardian|parent|contact)?names?$/,
  /email/,
  /birth/,
  /^dob$/,
  /username/,
  /userid$/,
  /login/,
  /password/,
  /phone/,
  /^sms$/,
  /address/,
  /teacher/,
  /pronoun/,
];

/** True when a header names personal data (names, emails, birth dates, usernames, teacher names, contact details). */
export function isPiiHeader(header: string): boolean {
  const n = normHeader(header);
  return PII_PATTERNS.some((p) => p.test(n));
}

/** Columns of one adapter: matching and the allowlist. */
export class Columns {
  readonly specs: readonly ColumnSpec[];
  private readonly byAlias = new Map<string, string>();

  /**
   * @param specs the allowlist; throws (a programming error) when an alias names personal data
   */
  constructor(specs: readonly ColumnSpec[]) {
    this.specs = specs;
    for (const s of specs) {
      for (const a of [s.name, ...(s.aliases ?? [])]) {
        const n = normHeader(a);
        if (isPiiHeader(a)) throw new Error(`adapter allowlist names personal data: ${a}`);
        if (!this.byAlias.has(n)) this.byAlias.set(n, s.name);
      }
    }
  }

  /** Binds a header row: which index holds each column; every other column is dropped. */
  bind(header: readonly string[]): BoundColumns {
    const index = new Map<string, number>();
    const dropped: string[] = [];
    const duplicate: string[] = [];
    header.forEach((h, i) => {
      const name = this.byAlias.get(normHeader(h));
      if (name === undefined) {
        if (h.trim() !== "") dropped.push(h.replace(/^\ufeff/, "").trim());
        return;
      }
      if (index.has(name)) duplicate.push(h.trim());
      else index.set(name, i);
    });
    const missingRequired = this.specs.filter((s) => s.required && !index.has(s.name)).map((s) => s.name);
    const missingOptional = this.specs.filter((s) => !s.required && !index.has(s.name)).map((s) => s.name);
    return { index, dropped, duplicate, missingRequired, missingOptional };
  }

  /** How many of the specs a header matches (for format detection). */
  score(header: readonly string[]): number {
    const names = new Set<string>();
    for (const h of header) {
      const n = this.byAlias.get(normHeader(h));
      if (n) names.add(n);
    }
    return names.size;
  }
}

export interface BoundColumns {
  /** column name → cell index */
  index: Map<string, number>;
  /** headers not on the allowlist: never read */
  dropped: string[];
  /** headers matched twice: only the first is read */
  duplicate: string[];
  missingRequired: string[];
  missingOptional: string[];
}

/** Reads the cells of a row through bound columns. */
export function cellGetter(bound: BoundColumns, cells: readonly string[]): (name: string) => string | undefined {
  return (name) => {
    const i = bound.index.get(name);
    if (i === undefined) return undefined;
    const c = cells[i];
    return c === undefined ? undefined : c;
  };
}

// ───────────────────────────── cells ─────────────────────────────

/** `*`, blank or absent is missing — never 0. */
export function isMissing(text: string | undefined | null): boolean {
  if (text === undefined || text === null) return true;
  const t = text.trim();
  return t === "" || t === "*";
}

/** The outcome of reading one cell: a value, missing, or the rule it broke (never the cell text). */
export type Read<T> = { ok: true; value: T } | { ok: true; value: undefined } | { ok: false; rule: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const missing: Read<never> = { ok: true, value: undefined };
const bad = (rule: string): Read<never> => ({ ok: false, rule });

/** An id: trimmed text, leading zeros kept. Control characters are refused. */
export function readId(text: string | undefined): Read<string> {
  if (isMissing(text)) return missing;
  const t = text!.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) return bad("bad-id");
  return ok(t);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}
function isoDate(y: number, m: number, d: number): string | undefined {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * A calendar date: `YYYY-MM-DD` (a time after it, `T…` or ` HH:MM[:SS]`, is ignored: the date
 * as written is kept, without time-zone conversion), `M/D/YYYY` or `MM/DD/YYYY` (US order).
 * @returns ISO `YYYY-MM-DD`
 */
export function readDate(text: string | undefined): Read<string> {
  if (isMissing(text)) return missing;
  const t = text!.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(t);
  if (m) {
    const d = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return d ? ok(d) : bad("not-a-date");
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?)?$/i.exec(t);
  if (m) {
    const d = isoDate(Number(m[3]), Number(m[1]), Number(m[2]));
    return d ? ok(d) : bad("not-a-date");
  }
  return bad("not-a-date");
}

const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$/;

/** A number: `12`, `-3.5`, `1,234.5`, `.5`. */
export function readNumber(text: string | undefined): Read<number> {
  if (isMissing(text)) return missing;
  const t = text!.trim();
  if (!NUMBER.test(t) || !/\d/.test(t)) return bad("not-a-number");
  const v = Number(t.replace(/,/g, ""));
  return Number.isFinite(v) ? ok(v) : bad("not-a-number");
}

/** A whole number, zero or more. */
export function readCount(text: string | undefined): Read<number> {
  const r = readNumber(text);
  if (!r.ok || r.value === undefined) return r;
  if (!Number.isInteger(r.value)) return bad("not-a-whole-number");
  if (r.value < 0) return bad("negative");
  return r;
}

/** A non-negative number (minutes, durations). */
export function readNonNegative(text: string | undefined): Read<number> {
  const r = readNumber(text);
  if (!r.ok || r.value === undefined) return r;
  return r.value < 0 ? bad("negative") : r;
}

/** A percentage in points: `57`, `57%`, `57.5`. */
export function readPercentPoints(text: string | undefined): Read<number> {
  if (isMissing(text)) return missing;
  return readNumber(text!.trim().replace(/\s*%$/, ""));
}

const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);
const UNKNOWN_WORDS = new Set(["unknown", "u", "notprovided", "na", "n/a", "null"]);

/**
 * A yes/no flag, tri-state: `true`, `false`, or `null` for an explicit unknown ("Unknown",
 * "Not Provided"); blank is missing (undefined). Never guesses false.
 */
export function readFlag(text: string | undefined): Read<boolean | null> {
  if (isMissing(text)) return missing;
  const t = text!.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return ok(true);
  if (FALSE_WORDS.has(t)) return ok(false);
  if (UNKNOWN_WORDS.has(t.replace(/\s+/g, ""))) return ok(null);
  return bad("not-a-yes-no");
}

/** Free text (codes, labels): trimmed; missing when blank or `*`. */
export function readText(text: string | undefined): Read<string> {
  if (isMissing(text)) return missing;
  return ok(text!.trim());
}

// ───────────────────────────── lookup tables (obc-lookups/1) ─────────────────────────────

/** The part of an Ed-Fi descriptor URI after `#` ("uri://ed-fi.org/GradeLevelDescriptor#Third grade" → "Third grade"). */
export function descriptorCode(text: string): string {
  const i = text.lastIndexOf("#");
  return (i >= 0 ? text.slice(i + 1) : text).trim();
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"];

/**
 * A grade level as a CEDS code: `PK`, `KG`, `01`…`12`, `13`, `UG` (ungraded), `AE` (adult).
 * Accepts numbers (-1 = PK, 0 = KG), `K`, `Pre-K`, `Kindergarten`, Ed-Fi descriptors ("Third grade").
 * @returns undefined when the text is not a grade
 */
export function normGrade(text: string): string | undefined {
  const code = descriptorCode(text).toLowerCase().trim();
  if (/^-\s*1$/.test(code)) return "PK";
  const raw = code.replace(/[\s_.-]+/g, "");
  if (raw === "") return undefined;
  if (["pk", "prek", "prekindergarten", "preschool", "infanttoddler", "-1", "pk3", "pk4"].includes(raw)) return "PK";
  if (["k", "kg", "kindergarten", "0", "00", "tk", "transitionalkindergarten"].includes(raw)) return "KG";
  if (["ug", "ungraded"].includes(raw)) return "UG";
  if (["ae", "adulteducation", "adult"].includes(raw)) return "AE";
  if (["postsecondary", "13"].includes(raw)) return "13";
  const m = /^(?:grade)?(\d{1,2})(?:st|nd|rd|th)?(?:grade)?$/.exec(raw);
  if (m) {
    const n = Number(m[1]);
    if (n >= 1 && n <= 12) return String(n).padStart(2, "0");
    return undefined;
  }
  const o = /^(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)(?:grade)?$/.exec(raw);
  if (o) return String(ORDINALS.indexOf(o[1]) + 1).padStart(2, "0");
  return undefined;
}

/** A CEDS grade code as a number for contracts: PK → -1, KG → 0, 01…12 → 1…12; others have none. */
export function gradeNumber(code: string | undefined): number | undefined {
  if (code === undefined) return undefined;
  if (code === "PK") return -1;
  if (code === "KG") return 0;
  if (/^\d{2}$/.test(code)) return Number(code);
  return undefined;
}

const SUBJECTS: Record<string, string> = {
  math: "math", maths: "math", mathematics: "math", algebra: "math", geometry: "math", numeracy: "math",
  ela: "ela", reading: "ela", englishlanguagearts: "ela", languagearts: "ela", english: "ela", literacy: "ela",
  earlyliteracy: "ela", readinglanguagearts: "ela", rla: "ela", starreading: "ela", starearlyliteracy: "ela",
  science: "science", languageusage: "language_usage", spanishreading: "spanish_reading",
  starmath: "math",
};

/** A subject code: math, ela, science, language_usage… (descriptors and vendor words accepted); undefined when unknown. */
export function normSubject(text: string): string | undefined {
  const k = descriptorCode(text).toLowerCase().replace(/[^a-z]+/g, "");
  return SUBJECTS[k];
}

/** A test window: fall, winter, spring or summer, from words such as "Fall 2021-2022", "Winter (November 16 - March 1)", "BOY". */
export function normWindow(text: string): string | undefined {
  const t = descriptorCode(text).toLowerCase();
  if (/\b(fall|autumn|boy|beginning of year)\b/.test(t)) return "fall";
  if (/\b(winter|moy|middle of year|mid-year|midyear)\b/.test(t)) return "winter";
  if (/\b(spring|eoy|end of year)\b/.test(t)) return "spring";
  if (/\bsummer\b/.test(t)) return "summer";
  return undefined;
}

/**
 * A school year as its ending year: "2021-2022" → 2022, "2023-24" → 2024, "2022" → 2022.
 * Ed-Fi and most vendors name a school year by the year it ends.
 */
export function normSchoolYear(text: string): number | undefined {
  const t = text.trim();
  let m = /(\d{4})\s*[-/–]\s*(\d{2,4})/.exec(t);
  if (m) {
    const end = m[2].length === 2 ? Number(m[1].slice(0, 2) + m[2]) : Number(m[2]);
    return end === Number(m[1]) + 1 ? end : undefined;
  }
  m = /^(\d{4})$/.exec(t);
  return m ? Number(m[1]) : undefined;
}

/** The school year (ending year) a date falls in, with the year starting on July 1. */
export function schoolYearOfDate(iso: string): number {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  return m >= 7 ? y + 1 : y;
}

/** ISO week of a date, as "YYYY-Www" (weeks start on Monday). */
export function isoWeek(iso: string): string {
  const d = new Date(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))));
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - day + 3); // Thursday of the week
  const year = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((d.getTime() - jan4.getTime()) / 86400000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}
