/**
 * Tests for engine/data.ts: CSV parsing, typed cells, data-set loading with its quality report
 * (exact counts, no value or id ever in a message), JSON rows, strict mode and roster cross-checks.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { DataDecl, FieldTypeName } from "../language/ast.ts";
import { DataProblemSchema, FileReportSchema } from "../engine/output.ts";
import {
  crossCheck,
  isMissingCell,
  keyColumnOf,
  normaliseColumnName,
  parseCell,
  parseCsv,
  parseDate,
  stopsTheRun,
  type DataProblem,
  type DataRow,
  type FileReport,
  type Value,
} from "../engine/data.ts";
import { bareValue, DataSetLoader, loadCsv, loadDataSet, valueOf } from "../engine/load.ts";
import fc from "fast-check";
import { Rational } from "../engine/rational.ts";

// ───────────── helpers ─────────────

const span = { start: 0, end: 0 };
const ident = (name: string) => ({ $type: "Ident" as const, name, span });

/** Builds a DataDecl by hand. Field specs: "name type" or "name optional type". */
function decl(name: string, fields: string[], opts: { key?: string; period?: string } = {}): DataDecl {
  const d: DataDecl = {
    $type: "DataDecl",
    span,
    name: ident(name),
    fields: fields.map((spec) => {
      const parts = spec.split(/\s+/);
      const optional = parts[1] === "optional";
      return {
        $type: "FieldDecl" as const,
        span,
        name: ident(parts[0]),
        type: parts[parts.length - 1] as FieldTypeName,
        typeSpan: span,
        optional,
      };
    }),
  };
  if (opts.key) d.key = ident(opts.key);
  if (opts.period) d.period = ident(opts.period);
  return d;
}

/** Value → plain JSON-able form for readable assertions. */
function show(v: Value): unknown {
  switch (v.kind) {
    case "number":
    case "percent":
      return `${v.kind}:${v.value.toString()}`;
    case "money":
      return `money:${v.cents}`;
    case "missing":
      return "missing";
    default:
      return `${v.kind}:${String(v.value)}`;
  }
}

function rowValues(r: DataRow): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, show(v)]));
}

function codes(problems: DataProblem[]): string[] {
  return problems.map((p) => `${p.code}:${p.rule}${p.row !== undefined ? `@${p.row}` : ""}${p.column ? `[${p.column}]` : ""}`);
}

/** Every non-blank cell value in a CSV text (quotes removed), for the privacy check. */
function cellValues(table: { rows: { cells: string[] }[] }): string[] {
  return [...new Set(table.rows.flatMap((r) => r.cells.map((c) => c.trim())).filter((c) => c !== "" && c !== "*"))];
}

function expectNoValuesInMessages(problems: DataProblem[], values: string[]) {
  expect(values.length).toBeGreaterThan(0);
  for (const p of problems) {
    for (const v of values) {
      if (p.message.includes(v)) throw new Error(`message "${p.message}" leaks the value "${v}"`);
    }
  }
}

// ───────────── the students.csv scenario ─────────────

const students = decl(
  "students",
  [
    "student_id text",
    "grade integer",
    "english_learner boolean",
    "enrolled date",
    "boy_score score",
    "eoy_score optional score",
    "fee money",
    "exit_date optional date",
    "school optional text",
    "attendance percent",
  ],
  { key: "student_id" },
);

const STUDENTS_CSV =
  "\uFEFF" +
  [
    "Student ID,GRADE,English-Learner,enrolled,BOY score,eoy_score,Fee,exit date,school,Notes", // 1
    'S-000417,08,TRUE,2026-09-02,512.5,530.25,"$1,250.00",,Lincoln Middle,prefers mornings', // 2
    "S-000418,07,FALSE,9/3/2026,488.75,*,900.50,6/15/2027,  Lincoln Middle  ,needs bus pass", // 3
    "", // 4: blank line
    "S-000419,08,TRUE,2026-02-30,501.125,520.5,975.25,,Hamilton Academy,", // 5: malformed date
    "S-000417,07,FALSE,2026-09-04,455.5,470.75,100.10,,Hamilton Academy,duplicate entry", // 6: duplicate id
    'S-000420,08,FALSE,2026-09-05,,540.5,"1,100.00",,Hamilton Academy,', // 7: blank required cell
    "S-000421,07,TRUE,2024-02-29", // 8: ragged (too few cells)
    ",08,TRUE,2026-09-07,499.5,,800.00,,Hamilton Academy,", // 9: no key
    "00422,07,True,2026-09-08,477.25,490.5,$650.00,,,", // 10: leading zeros kept
  ].join("\r\n") +
  "\r\n";

describe("students.csv: BOM, CRLF, blank, *, bad date, duplicate, extra & missing column, ragged row", () => {
  const table = parseCsv(STUDENTS_CSV, "students.csv");
  const { rows, report } = loadDataSet(students, table, "students.csv");

  it("parses the CSV: BOM stripped, header trimmed, blank line skipped with row numbers kept", () => {
    expect(table.header[0]).toBe("Student ID");
    expect(table.header).toHaveLength(10);
    expect(table.rows.map((r) => r.row)).toEqual([2, 3, 5, 6, 7, 8, 9, 10]);
    expect(table.rows[0].cells[6]).toBe("$1,250.00");
    expect(table.rows.every((r) => r.cells.every((c) => !c.includes("\r")))).toBe(true);
    expect(codes(table.problems)).toEqual(["OBC5008:too-few-cells@8"]);
  });

  it("reports exact counts", () => {
    expect(report.file).toBe("students.csv");
    expect(report.dataSet).toBe("students");
    expect(report.rowsRead).toBe(8);
    expect(report.rowsAccepted).toBe(6);
    expect(report.rowsRejected).toBe(2);
    expect(report.rowsAccepted + report.rowsRejected).toBe(report.rowsRead);
    expect(report.rejected).toEqual([
      { row: 6, rule: "duplicate-id" },
      { row: 9, rule: "missing-key" },
    ]);
    expect(report.missingValues).toEqual({
      grade: 0,
      english_learner: 0,
      enrolled: 1,
      boy_score: 2,
      eoy_score: 2,
      fee: 1,
      exit_date: 5,
      school: 2,
      attendance: 6,
    });
  });

  it("lists every problem exactly once, with the right code, severity, row and column", () => {
    expect(codes(report.problems)).toEqual([
      "OBC5008:too-few-cells@8",
      "OBC5006:unknown-column[Notes]",
      "OBC5001:missing-column[attendance]",
      "OBC5002:not-a-date@5[enrolled]",
      "OBC5004:duplicate-id@6[student_id]",
      "OBC5003:missing-value@7[boy_score]",
      "OBC5003:missing-value@8[boy_score]",
      "OBC5003:missing-value@8[fee]",
      "OBC5009:missing-key@9[student_id]",
    ]);
    expect(report.problems.map((p) => p.severity)).toEqual([
      "error",
      "warning",
      "error",
      "error",
      "error",
      "error",
      "error",
      "error",
      "error",
    ]);
    expect(report.problems.every((p) => p.file === "students.csv")).toBe(true);
  });

  it("writes plain sentences", () => {
    const byRule = Object.fromEntries(report.problems.map((p) => [`${p.rule}@${p.row ?? ""}`, p.message]));
    expect(byRule["not-a-date@5"]).toBe(
      "Row 5, column enrolled of students.csv: this is not a valid date (write YYYY-MM-DD or M/D/YYYY).",
    );
    expect(byRule["duplicate-id@6"]).toBe(
      "Row 6 of students.csv repeats the student_id first seen on row 2; the later row was not used.",
    );
    expect(byRule["missing-value@7"]).toBe("Row 7 of students.csv has no value for the required field boy_score.");
    expect(byRule["missing-key@9"]).toBe("Row 9 of students.csv has no key in column student_id; the row was not used.");
    expect(byRule["missing-column@"]).toBe(
      "The file students.csv has no column for attendance; it is treated as missing in every row.",
    );
    expect(byRule["unknown-column@"]).toBe(
      "The file students.csv has a column Notes that the data set students does not declare; it is ignored.",
    );
    for (const p of report.problems) expect(p.message).toMatch(/^[A-Z].*\.$/);
  });

  it("never puts a cell value or a student id in a message", () => {
    const values = cellValues(table);
    expect(values).toContain("S-000417");
    expect(values).toContain("2026-02-30");
    expect(values).toContain("prefers mornings");
    expectNoValuesInMessages(report.problems, values);
  });

  it("types the accepted rows", () => {
    expect(rows.map((r) => [r.row, r.key])).toEqual([
      [2, "S-000417"],
      [3, "S-000418"],
      [5, "S-000419"],
      [7, "S-000420"],
      [8, "S-000421"],
      [10, "00422"],
    ]);
    expect(rows.every((r) => r.source === "students.csv" && r.period === undefined)).toBe(true);
    expect(rowValues(rows[0])).toEqual({
      student_id: "text:S-000417",
      grade: "number:8",
      english_learner: "boolean:true",
      enrolled: "date:2026-09-02",
      boy_score: "number:512.5",
      eoy_score: "number:530.25",
      fee: "money:125000",
      exit_date: "missing",
      school: "text:Lincoln Middle",
      attendance: "missing",
    });
    expect(rowValues(rows[1])).toMatchObject({
      enrolled: "date:2026-09-03",
      eoy_score: "missing", // `*`, never 0
      fee: "money:90050",
      exit_date: "date:2027-06-15",
      school: "text:Lincoln Middle", // trimmed
    });
    expect(rowValues(rows[2])).toMatchObject({ enrolled: "missing", boy_score: "number:501.125" });
    expect(rowValues(rows[3])).toMatchObject({ boy_score: "missing", fee: "money:110000" });
    expect(rowValues(rows[4])).toMatchObject({
      enrolled: "date:2024-02-29",
      boy_score: "missing",
      fee: "missing",
      school: "missing",
    });
    expect(rowValues(rows[5])).toMatchObject({ student_id: "text:00422", english_learner: "boolean:true", fee: "money:65000" });
  });

  it("is valid against FileReportSchema", () => {
    const parsed: FileReport = FileReportSchema.parse(report);
    expect(parsed).toEqual(report);
    const typed: z.infer<typeof FileReportSchema> = report;
    expect(typed.rowsRead).toBe(8);
    expect(FileReportSchema.safeParse({ ...report, rowsRead: -1 }).success).toBe(false);
    expect(DataProblemSchema.safeParse({ ...report.problems[0], code: "OBC2001" }).success).toBe(false);
  });

  it("in strict mode rejects rows with any error-level row problem", () => {
    const strict = loadDataSet(students, table, "students.csv", { strict: true });
    expect(strict.rows.map((r) => r.row)).toEqual([2, 3, 10]);
    expect(strict.report.rejected).toEqual([
      { row: 5, rule: "not-a-date" },
      { row: 6, rule: "duplicate-id" },
      { row: 7, rule: "missing-value" },
      { row: 8, rule: "too-few-cells" },
      { row: 9, rule: "missing-key" },
    ]);
    expect(strict.report.rowsAccepted).toBe(3);
    expect(strict.report.rowsRejected).toBe(5);
    expect(strict.report.problems).toEqual(report.problems);
    expect(strict.report.missingValues).toMatchObject({ eoy_score: 1, exit_date: 2, school: 1, attendance: 3, enrolled: 0 });
  });

  it("loadCsv is parseCsv + loadDataSet", () => {
    expect(loadCsv(students, STUDENTS_CSV, "students.csv")).toEqual({ rows, report });
  });
});

// ───────────── cells ─────────────

describe("parseCell", () => {
  const ok = (type: FieldTypeName, text: string) => {
    const r = parseCell(type, text);
    if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to be a valid ${type}`);
    return show(r.value);
  };
  const rule = (type: FieldTypeName, text: string) => {
    const r = parseCell(type, text);
    return r.ok ? "ok" : r.rule;
  };

  it.each([
    ["integer", "12", "number:12"],
    ["integer", "-3", "number:-3"],
    ["integer", "12.0", "number:12"],
    ["integer", "1,234", "number:1234"],
    ["integer", " 7 ", "number:7"],
    ["count", "0", "number:0"],
    ["count", "015", "number:15"],
    ["decimal", "-3.75", "number:-3.75"],
    ["decimal", ".5", "number:0.5"],
    ["decimal", "+2", "number:2"],
    ["score", "512.125", "number:512.125"],
    ["score", "1,234.5", "number:1234.5"],
    ["percent", "20", "percent:0.2"],
    ["percent", "20%", "percent:0.2"],
    ["percent", "12.5 %", "percent:0.125"],
    ["percent", "0.5", "percent:0.005"],
    ["percent", "100", "percent:1"],
    ["percent", "-5%", "percent:-0.05"],
    ["money", "1,234.50", "money:123450"],
    ["money", "$1,234.50", "money:123450"],
    ["money", "1200000", "money:120000000"],
    ["money", "-$5", "money:-500"],
    ["boolean", "true", "boolean:true"],
    ["boolean", "FALSE", "boolean:false"],
    ["boolean", "Yes", "boolean:true"],
    ["boolean", "no", "boolean:false"],
    ["boolean", "Y", "boolean:true"],
    ["boolean", "n", "boolean:false"],
    ["boolean", "1", "boolean:true"],
    ["boolean", "0", "boolean:false"],
    ["date", "2026-10-15", "date:2026-10-15"],
    ["date", "10/15/2026", "date:2026-10-15"],
    ["date", "1/5/2026", "date:2026-01-05"],
    ["date", "01/05/2026", "date:2026-01-05"],
    ["date", "2/29/2024", "date:2024-02-29"],
    ["date", "2000-02-29", "date:2000-02-29"],
    ["text", "  Lincoln  Middle ", "text:Lincoln  Middle"],
    ["text", "0042", "text:0042"],
  ] as [FieldTypeName, string, string][])("%s %j → %s", (type, text, expected) => {
    expect(ok(type, text)).toBe(expected);
  });

  it.each([
    ["integer", "abc", "not-a-number"],
    ["integer", "3.5", "not-a-whole-number"],
    ["integer", "1e3", "not-a-number"],
    ["integer", "12,34", "not-a-number"],
    ["count", "-1", "negative-count"],
    ["count", "2.5", "not-a-whole-number"],
    ["decimal", "1.2.3", "not-a-number"],
    ["decimal", "N/A", "not-a-number"],
    ["score", "$5", "not-a-number"],
    ["score", "5%", "not-a-number"],
    ["percent", "abc%", "not-a-percent"],
    ["percent", "%", "not-a-percent"],
    ["percent", "20%%", "not-a-percent"],
    ["money", "1.234", "not-money"],
    ["money", "12,34.00", "not-money"],
    ["money", "ten dollars", "not-money"],
    ["boolean", "maybe", "not-a-boolean"],
    ["boolean", "2", "not-a-boolean"],
    ["date", "2026-02-30", "not-a-date"],
    ["date", "2025-02-29", "not-a-date"],
    ["date", "1900-02-29", "not-a-date"],
    ["date", "2026-04-31", "not-a-date"],
    ["date", "2026-13-01", "not-a-date"],
    ["date", "2026-00-10", "not-a-date"],
    ["date", "2026-1-5", "not-a-date"],
    ["date", "13/1/2026", "not-a-date"],
    ["date", "2/29/2025", "not-a-date"],
    ["date", "15.10.2026", "not-a-date"],
    ["date", "10/15/26", "not-a-date"],
    ["date", "2026-10-15T00:00:00Z", "not-a-date"],
  ] as [FieldTypeName, string, string][])("%s %j is malformed (%s)", (type, text, expected) => {
    expect(rule(type, text)).toBe(expected);
  });

  it("treats blank and * as missing, never as zero", () => {
    expect(isMissingCell("")).toBe(true);
    expect(isMissingCell("   ")).toBe(true);
    expect(isMissingCell("*")).toBe(true);
    expect(isMissingCell(" * ")).toBe(true);
    expect(isMissingCell("0")).toBe(false);
    expect(isMissingCell("**")).toBe(false);
  });

  it("parses dates on their own", () => {
    expect(parseDate("12/31/2026")).toBe("2026-12-31");
    expect(parseDate("2024-02-29")).toBe("2024-02-29");
    expect(parseDate("0000-01-01")).toBeUndefined();
    expect(parseDate("")).toBeUndefined();
  });

  it("keeps exact values", () => {
    const r = parseCell("percent", "33.3333");
    expect(r.ok && r.value.kind === "percent" && r.value.value.eq(Rational.parse("0.333333"))).toBe(true);
  });
});

describe("column names and keys", () => {
  it("normalises header names", () => {
    for (const h of ["student_id", "Student ID", " STUDENT-ID ", "studentid", "Student__Id"]) {
      expect(normaliseColumnName(h)).toBe("studentid");
    }
  });

  it("finds the key column", () => {
    expect(keyColumnOf(decl("students", [], { key: "child_id" }))).toBe("child_id");
    expect(keyColumnOf(decl("students", []))).toBe("student_id");
    expect(keyColumnOf(decl("checkpoints", [], { period: "month" }))).toBeUndefined();
    expect(keyColumnOf(decl("children", [], { key: "child_id", period: "school_year" }))).toBe("child_id");
  });
});

// ───────────── parseCsv ─────────────

describe("parseCsv", () => {
  it("handles LF, a missing final newline and quoted cells with commas, quotes and newlines", () => {
    const t = parseCsv('id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,x', "f.csv");
    expect(t.rows).toEqual([
      { row: 2, cells: ["1", "a, b"] },
      { row: 3, cells: ["2", 'say "hi"'] },
      { row: 4, cells: ["3", "two\nlines"] },
      { row: 5, cells: ["4", "x"] },
    ]);
    expect(t.problems).toEqual([]);
  });

  it("skips blank and whitespace-only lines, including ones before the header", () => {
    const t = parseCsv("\r\n  \r\nid,score\r\n,\r\n1,5\r\n\r\n\r\n", "f.csv");
    expect(t.header).toEqual(["id", "score"]);
    expect(t.rows).toEqual([{ row: 5, cells: ["1", "5"] }]);
    expect(t.problems).toEqual([]);
  });

  it("reports an empty file once, when it is loaded (an error for the roster)", () => {
    for (const text of ["", "\uFEFF", "\r\n\r\n", "  \n"]) {
      const t = parseCsv(text, "empty.csv");
      expect(t.header).toEqual([]);
      expect(t.rows).toEqual([]);
      expect(t.problems).toEqual([]);
      const loaded = loadDataSet(decl("students", ["grade integer"]), t, "empty.csv");
      expect(codes(loaded.report.problems)).toEqual(["OBC5007:empty-file"]);
      expect(loaded.report.problems[0].message).toBe("The file empty.csv is empty.");
      expect(loaded.report.problems[0].severity).toBe("warning");
      expect(loaded.report.rowsRead).toBe(0);
      const roster = loadDataSet(decl("students", ["grade integer"]), t, "empty.csv", { roster: true });
      expect(roster.report.problems.map((p) => [p.code, p.severity])).toEqual([["OBC5007", "error"]]);
      expect(stopsTheRun(roster.report.problems[0])).toBe(true);
    }
  });

  it("reports ragged rows: too few (error), too many with data (error), too many but blank (warning)", () => {
    const t = parseCsv("a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n1,2,3\n", "r.csv");
    expect(codes(t.problems)).toEqual(["OBC5008:too-few-cells@2", "OBC5008:too-many-cells@3", "OBC5008:too-many-cells@4"]);
    expect(t.problems.map((p) => p.severity)).toEqual(["error", "error", "warning"]);
    expect(t.problems[0].message).toBe(
      "Row 2 of r.csv has 2 cells, but the header has 3 columns; the missing cells are read as blank.",
    );
    expect(t.rows).toHaveLength(4);
  });

  it("reports a quote problem within one row as a malformed cell, and a quote that swallows lines as a file-level error", () => {
    const within = parseCsv('id,note\n1,"a"b",c\n2,x\n', "q.csv");
    expect(codes(within.problems)).toEqual(["OBC5002:bad-quotes@2", "OBC5008:too-many-cells@2"]);
    expect(within.rows.map((r) => r.row)).toEqual([2, 3]);
    const swallowing = parseCsv('id,note\n1,"unterminated\n2,x\n', "q.csv");
    expect(swallowing.rows).toEqual([]);
    expect(swallowing.fatal?.code).toBe("OBC5014");
    expect(swallowing.fatal?.row).toBe(2);
    expect(swallowing.fatal?.message).toMatch(/^Row 2 of q\.csv \(line 2\) opens a quoted cell that is not closed properly: it would swallow the next line\./);
    const report = loadDataSet(decl("students", []), swallowing, "q.csv").report;
    expect(report.problems).toEqual([swallowing.fatal]);
  });

  it("accepts another delimiter", () => {
    const t = parseCsv("id;score\n1;5,5\n", "semi.csv", { delimiter: ";" });
    expect(t.rows[0].cells).toEqual(["1", "5,5"]);
  });
});

// ───────────── loadDataSet details ─────────────

describe("loadDataSet", () => {
  it("matches headers ignoring case, spaces, _ and -", () => {
    const d = decl("students", ["eoy_score score", "english_learner boolean"], { key: "student_id" });
    const { rows, report } = loadCsv(d, "STUDENT ID,EOY-Score,English Learner\n0042,512,yes\n", "s.csv");
    expect(report.problems).toEqual([]);
    expect(rows[0].key).toBe("0042");
    expect(rowValues(rows[0])).toEqual({ student_id: "text:0042", eoy_score: "number:512", english_learner: "boolean:true" });
  });

  it("defaults the key to student_id and reads it as text whatever its declared type", () => {
    const d = decl("students", ["student_id integer", "grade integer"]);
    const { rows, report } = loadCsv(d, "student_id,grade\n007,8\n", "s.csv");
    expect(report.problems).toEqual([]);
    expect(rows[0].key).toBe("007");
    expect(rows[0].values.student_id).toEqual({ kind: "text", value: "007" });
    expect(report.missingValues).toEqual({ grade: 0 });
  });

  it("rejects every row once, with a single problem, when the key column is absent", () => {
    const d = decl("students", ["grade integer"], { key: "student_id" });
    const { rows, report } = loadCsv(d, "id,grade\nS1,8\nS2,7\n", "s.csv");
    expect(rows).toEqual([]);
    expect(codes(report.problems)).toEqual(["OBC5006:unknown-column[id]", "OBC5001:missing-column[student_id]"]);
    expect(report.problems[1].message).toBe("The file s.csv has no column for the key student_id; no row can be used.");
    expect(report.rejected).toEqual([
      { row: 2, rule: "missing-key" },
      { row: 3, rule: "missing-key" },
    ]);
    expect(report.rowsRejected).toBe(2);
  });

  it("reports an optional missing column as a warning and a required one as an error, once each", () => {
    const d = decl("students", ["a optional score", "b score", "c score"]);
    const { report } = loadCsv(d, "student_id,c\nS1,1\nS2,2\nS3,3\n", "s.csv");
    expect(codes(report.problems)).toEqual(["OBC5001:missing-column[a]", "OBC5001:missing-column[b]"]);
    expect(report.problems.map((p) => p.severity)).toEqual(["warning", "error"]);
    expect(report.missingValues).toEqual({ a: 3, b: 3, c: 0 });
  });

  it("handles a per-period-only data set (no key column)", () => {
    const d = decl("checkpoints", ["attendance_rate percent", "sessions count"], { period: "month" });
    const csv = "Month,Attendance Rate,Sessions,student_id\n2026-10,82%,12,S1\n2026-11,79,-1,S2\n2026-10,90,3,S3\n*,50,1,S4\n";
    const { rows, report } = loadCsv(d, csv, "checkpoints.csv");
    expect(rows.map((r) => [r.row, r.key, r.period])).toEqual([
      [2, undefined, "2026-10"],
      [3, undefined, "2026-11"],
    ]);
    expect(rowValues(rows[0])).toEqual({ month: "text:2026-10", attendance_rate: "percent:0.82", sessions: "number:12" });
    expect(codes(report.problems)).toEqual([
      "OBC5006:unknown-column[student_id]",
      "OBC5002:negative-count@3[sessions]",
      "OBC5004:duplicate-id@4[month]",
      "OBC5009:missing-period@5[month]",
    ]);
    expect(report.problems[2].message).toBe(
      "Row 4 of checkpoints.csv repeats the month first seen on row 2; the later row was not used.",
    );
    expect(report.problems[3].message).toBe("Row 5 of checkpoints.csv has no period in column month; the row was not used.");
    expect(report.rejected).toEqual([
      { row: 4, rule: "duplicate-id" },
      { row: 5, rule: "missing-period" },
    ]);
    expect(report.missingValues).toEqual({ attendance_rate: 0, sessions: 1 });
    expectNoValuesInMessages(report.problems, ["2026-10", "2026-11", "82%", "-1", "S1", "S2", "S3", "S4"]);
  });

  it("handles a keyed and periodic data set: duplicates are on key + period", () => {
    const d = decl("children", ["placed boolean"], { key: "child_id", period: "school_year" });
    const csv = "child_id,school_year,placed\nC01,2014-15,y\nC01,2015-16,n\nC02,2014-15,y\nC01,2014-15,n\nC03,,y\n";
    const { rows, report } = loadCsv(d, csv, "children.csv");
    expect(rows.map((r) => `${r.key}/${r.period}`)).toEqual(["C01/2014-15", "C01/2015-16", "C02/2014-15"]);
    expect(codes(report.problems)).toEqual(["OBC5004:duplicate-id@5[child_id]", "OBC5009:missing-period@6[school_year]"]);
    expect(report.problems[0].message).toBe(
      "Row 5 of children.csv repeats the child_id and school_year first seen on row 2; the later row was not used.",
    );
  });

  it("warns about duplicate and unnamed columns, but not about empty trailing columns", () => {
    const d = decl("students", ["grade integer"]);
    const csv = "student_id,grade,Grade,,\nS1,8,9,,\nS2,7,7,data,\n";
    const { rows, report } = loadCsv(d, csv, "s.csv");
    expect(codes(report.problems)).toEqual(["OBC5006:duplicate-column[Grade]", "OBC5006:unnamed-column[column 4]"]);
    expect(rowValues(rows[0]).grade).toBe("number:8");
  });

  it("reads JSON rows (row = 1-based position), with nulls as missing and non-scalars as malformed", () => {
    const d = decl("students", ["grade integer", "eoy_score optional score", "el boolean", "fee money", "notes optional text"]);
    const json: Record<string, unknown>[] = [
      { student_id: "0042", grade: 8, eoy_score: 512.5, el: true, fee: "1,250.00" },
      { student_id: 43, grade: "7", eoy_score: null, el: "no", fee: 900, notes: { nested: true } },
      { student_id: "0044", grade: 8.5, el: false, fee: 12.345, extra: "x" },
      { grade: 6, el: false, fee: 1 },
    ];
    const { rows, report } = loadDataSet(d, json, "students.json");
    expect(rows.map((r) => [r.row, r.key])).toEqual([
      [1, "0042"],
      [2, "43"],
      [3, "0044"],
    ]);
    expect(rowValues(rows[0])).toEqual({
      student_id: "text:0042",
      grade: "number:8",
      eoy_score: "number:512.5",
      el: "boolean:true",
      fee: "money:125000",
      notes: "missing",
    });
    expect(rowValues(rows[1])).toMatchObject({ eoy_score: "missing", el: "boolean:false", fee: "money:90000", notes: "missing" });
    expect(codes(report.problems)).toEqual([
      "OBC5006:unknown-column[extra]",
      "OBC5002:not-a-scalar@2[notes]",
      "OBC5002:not-a-whole-number@3[grade]",
      "OBC5002:not-money@3[fee]",
      "OBC5009:missing-key@4[student_id]",
    ]);
    expect(report.rowsRead).toBe(4);
    expect(report.rowsAccepted).toBe(3);
    expect(report.missingValues).toEqual({ grade: 1, eoy_score: 2, el: 0, fee: 1, notes: 3 });
    expectNoValuesInMessages(report.problems, ["0042", "43", "0044", "8.5", "12.345", "1,250.00"]);
  });

  it("reports a header without data rows", () => {
    const { report } = loadCsv(decl("students", ["grade integer"]), "student_id,grade\r\n", "s.csv");
    expect(codes(report.problems)).toEqual(["OBC5007:empty-file"]);
    expect(report.problems[0].message).toBe("The file s.csv has no rows of data.");
    expect(loadDataSet(decl("students", []), [], "s.json").report.problems.map((p) => p.rule)).toEqual(["empty-file"]);
  });

  it("does not count a duplicate row's cells: its malformed cells are not reported", () => {
    const d = decl("students", ["grade integer"]);
    const { report } = loadCsv(d, "student_id,grade\nS1,8\nS1,oops\n", "s.csv");
    expect(codes(report.problems)).toEqual(["OBC5004:duplicate-id@3[student_id]"]);
  });
});

// ───────────── crossCheck ─────────────

describe("crossCheck", () => {
  const roster = decl("students", ["grade integer"], { key: "student_id" });
  const sessions = decl("sessions", ["minutes count"], { key: "student_id", period: "month" });
  const checkpoints = decl("checkpoints", ["attendance_rate percent"], { period: "month" });
  const a = loadCsv(roster, "student_id,grade\nS-0001,8\nS-0002,7\n", "students.csv");
  const b = loadCsv(sessions, "student_id,month,minutes\nS-0001,2026-10,90\nS-0099,2026-10,60\nS-0002,2026-10,30\nS-0098,2026-11,10\n", "sessions.csv");
  const c = loadCsv(checkpoints, "month,attendance_rate\n2026-10,80\n", "checkpoints.csv");
  const sets = [
    { decl: roster, rows: a.rows, file: "students.csv" },
    { decl: sessions, rows: b.rows, file: "sessions.csv" },
    { decl: checkpoints, rows: c.rows, file: "checkpoints.csv" },
  ];

  it("reports rows of keyed sets whose key is not in the roster, by file and row only", () => {
    const problems = crossCheck(sets, "students");
    expect(codes(problems)).toEqual(["OBC5005:unknown-student@3[student_id]", "OBC5005:unknown-student@5[student_id]"]);
    expect(problems.every((p) => p.file === "sessions.csv" && p.severity === "error")).toBe(true);
    expect(problems[0].message).toBe("Row 3 of sessions.csv names a student who is not in the roster students.");
    expectNoValuesInMessages(problems, ["S-0099", "S-0098", "S-0001", "2026-10", "2026-11"]);
    for (const p of problems) expect(DataProblemSchema.safeParse(p).success).toBe(true);
  });

  it("returns nothing without a roster or when every key is known", () => {
    expect(crossCheck(sets, "nope")).toEqual([]);
    expect(crossCheck([sets[0], sets[2]], "students")).toEqual([]);
  });
});

// ───────────── the one loader, by property ─────────────

describe("the one loader (engine/load.ts)", () => {
  const d = decl("students", ["grade integer", "score optional score", "el optional boolean", "start optional date", "fee optional money", "rate optional percent"]);
  const cell = (kinds: string[]) => fc.constantFrom(...kinds);
  const rowArb = fc.record({
    id: fc.constantFrom("S1", "S2", "S3", "0042", "", "*", " S4 "),
    grade: cell(["8", "09", "", "x", "1,200", "-3", "7.5"]),
    score: cell(["", "55", "55.5", "*", "abc"]),
    el: cell(["yes", "no", "TRUE", "maybe", ""]),
    start: cell(["2026-09-01", "9/1/2026", "2026-02-30", ""]),
    fee: cell(["$1,200.50", "12", "1.234", ""]),
    rate: cell(["20", "20%", "12.5", "x", ""]),
    extra: fc.boolean(),
  });
  const tableArb = fc.record({ rows: fc.array(rowArb, { maxLength: 30 }), strict: fc.boolean(), cut: fc.integer({ min: 1, max: 30 }), unnamed: fc.boolean() });

  it("rows read = accepted + rejected, every row once; a file loaded in parts equals it loaded whole; values agree with parseCell", () => {
    fc.assert(
      fc.property(tableArb, ({ rows, strict, cut, unnamed }) => {
        const header = ["student_id", "grade", "score", "el", "start", "fee", "rate", ...(unnamed ? [""] : [])];
        const lines = rows.map((r) => [r.id, r.grade, r.score, r.el, r.start, r.fee, r.rate, ...(unnamed ? [r.extra ? "x" : ""] : r.extra ? ["1"] : [])].map((c) => (/[",]/.test(c) ? `"${c}"` : c)).join(","));
        const text = [header.join(","), ...lines].join("\n") + "\n";
        const { rows: loaded, report } = loadCsv(d, text, "s.csv", { strict });
        const dataRows = rows.filter((r) => [r.id, r.grade, r.score, r.el, r.start, r.fee, r.rate].some((c) => c.trim() !== "") || (unnamed && r.extra)).length;
        expect(report.rowsRead).toBe(dataRows);
        expect(report.rowsAccepted + report.rowsRejected).toBe(report.rowsRead);
        expect(loaded).toHaveLength(report.rowsAccepted);
        const seen = [...loaded.map((r) => r.row), ...report.rejected.map((r) => r.row)];
        expect(new Set(seen).size).toBe(seen.length);
        // each accepted value is parseCell's value of its cell
        for (const r of loaded) {
          const src = rows[r.row - 2]!;
          for (const [name, type, c] of [["grade", "integer", src.grade], ["score", "score", src.score], ["fee", "money", src.fee], ["rate", "percent", src.rate]] as const) {
            const p = isMissingCell(c) ? undefined : parseCell(type, c);
            expect(show(r.values[name]!)).toBe(p && p.ok ? show(p.value) : "missing");
          }
        }
        // the same rows loaded in two parts (as worker threads load a file's chunks), merged in order
        const table = parseCsv(text, "s.csv");
        const whole = new DataSetLoader(d, table.header, "s.csv", { strict });
        const first = new DataSetLoader(d, table.header, "s.csv", { strict });
        const second = new DataSetLoader(d, table.header, "s.csv", { strict });
        const out: unknown[] = [];
        const carried = (row: number) => table.problems.find((p) => p.row === row && p.severity === "error")?.rule;
        table.rows.forEach((r, i) => {
          whole.row(r.row, r.cells, out, carried(r.row));
          (i < cut ? first : second).row(r.row, r.cells, out, carried(r.row));
        });
        first.absorb(second.part());
        // a key repeated across parts is caught by the merge of chunks, which then loads the file whole
        const keys = (rs: typeof table.rows) => new Set(rs.map((r) => (r.cells[0] ?? "").trim()).filter((k) => k !== "" && k !== "*"));
        const [a, b] = [keys(table.rows.slice(0, cut)), keys(table.rows.slice(cut))];
        if (![...a].some((k) => b.has(k))) expect(first.report(table.problems)).toEqual(whole.report(table.problems));
        expect(whole.report(table.problems)).toEqual(loadCsv(d, text, "s.csv", { strict }).report);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("a typed value and its slot value turn into each other", () => {
    for (const [type, text] of [["integer", "0042"], ["decimal", "1,234.5"], ["score", "-7"], ["money", "$1,200.50"], ["money", "12"], ["percent", "12.5%"], ["percent", "200"], ["boolean", "Y"], ["date", "9/1/2026"], ["text", " a b "]] as const) {
      const p = parseCell(type, text);
      if (!p.ok) throw new Error(text);
      expect(valueOf(type, bareValue(p.value)), `${type} ${text}`).toEqual(p.value);
    }
    expect(valueOf("integer", undefined)).toEqual({ kind: "missing" });
  });
});
