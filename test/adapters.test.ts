/**
 * Adapters, on the real third-party files in ../shared/data (skipped, with the reason printed,
 * when they are absent) and on fixtures written for these tests (test/fixtures/adapters).
 * Expected aggregates were computed independently (Python's csv and xml modules) from the same files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptFiles, adaptForDataSet, toDataSetCsv, type AdaptInput, type FormatId } from "../node/adapters/index.ts";
import { chooseResult } from "../node/adapters/bundle.ts";
import { isListedField } from "../node/adapters/fields.ts";
import { Columns, isPiiHeader, isoWeek, normGrade, readDate, readFlag, readNumber } from "../node/adapters/cells.ts";
import { XmlError, XmlRecordReader, textAt, type XmlElement } from "../node/adapters/xml.ts";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { adaptCommand } from "../cli/adapt.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SHARED = resolve(ROOT, "../shared/data");
const FIX = join(ROOT, "test/fixtures/adapters");
const DATAS = join(SHARED, "datas");
const VENDOR = join(SHARED, "vendor-exports");
const EDFI = join(SHARED, "edfi-grand-bend");

function available(dir: string, files: string[]): boolean {
  const ok = files.every((f) => existsSync(join(dir, f)));
  if (!ok) console.log(`SKIP: ${dir} (${files.join(", ")}) not found; the tests on these real files are skipped`);
  return ok;
}
const hasDatas = available(DATAS, ["students.csv", "sessions.csv"]);
const hasVendor = available(VENDOR, ["nwea-map-growth.csv", "iready-diagnostic-ela.csv", "iready-diagnostic-math.csv", "renaissance-star-reading.csv"]);
const hasEdfi = available(EDFI, ["Student.xml", "StudentAssessment-Benchmarks-3rdGradeMath.xml", "AssessmentMetadata-Benchmarks-3rdGradeMath.xml", "StudentIntervention.xml", "StudentSchoolAttendance.xml"]);

const inputs = (format: FormatId, dir: string, files: string[]): AdaptInput[] => files.map((f) => ({ format, path: join(dir, f), label: f }));
const rec = (r: Awaited<ReturnType<typeof adaptFiles>>, key: string) => Object.fromEntries(r.records.records.get(key) ?? new Map());

function io() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: ROOT } };
}

// ───────────────────────────── cells and XML ─────────────────────────────

describe("cell rules", () => {
  it("reads ISO and M/D/YYYY dates, rejects impossible ones, and treats * and blank as missing", () => {
    expect(readDate("2026-01-31")).toEqual({ ok: true, value: "2026-01-31" });
    expect(readDate("2025-11-13 14:40:00")).toEqual({ ok: true, value: "2025-11-13" });
    expect(readDate("2023-08-21T13:28:05.852Z")).toEqual({ ok: true, value: "2023-08-21" });
    expect(readDate("1/13/2026")).toEqual({ ok: true, value: "2026-01-13" });
    expect(readDate("09/16/2021")).toEqual({ ok: true, value: "2021-09-16" });
    expect(readDate("2/30/2026")).toEqual({ ok: false, rule: "not-a-date" });
    expect(readDate("*")).toEqual({ ok: true, value: undefined });
    expect(readDate("  ")).toEqual({ ok: true, value: undefined });
    expect(readNumber("*")).toEqual({ ok: true, value: undefined });
    expect(readNumber("1,234.5")).toEqual({ ok: true, value: 1234.5 });
    expect(readNumber("12a")).toEqual({ ok: false, rule: "not-a-number" });
  });
  it("reads flags as three states and grades as CEDS codes", () => {
    expect(readFlag("TRUE")).toEqual({ ok: true, value: true });
    expect(readFlag("N")).toEqual({ ok: true, value: false });
    expect(readFlag("Unknown")).toEqual({ ok: true, value: null });
    expect(readFlag("")).toEqual({ ok: true, value: undefined });
    expect(readFlag("maybe")).toEqual({ ok: false, rule: "not-a-yes-no" });
    expect(["-1", "Pre-K", "K", "0", "3", "09", "uri://ed-fi.org/GradeLevelDescriptor#Third grade", "12", "13th"].map(normGrade)).toEqual([
      "PK", "PK", "KG", "KG", "03", "09", "03", "12", undefined,
    ]);
  });
  it("numbers ISO weeks from Monday", () => {
    expect(isoWeek("2025-12-29")).toBe("2026-W01");
    expect(isoWeek("2026-01-04")).toBe("2026-W01");
    expect(isoWeek("2026-01-05")).toBe("2026-W02");
  });
  it("matches headers ignoring case, spaces and punctuation, and refuses personal data on an allowlist", () => {
    const cols = new Columns([{ name: "Duration (min)", aliases: ["duration"] }, { name: "student_id", required: true }]);
    const b = cols.bind(["\ufeffLast Name", " STUDENT ID ", "duration_MIN", "Email"]);
    expect([...b.index.entries()]).toEqual([["student_id", 1], ["Duration (min)", 2]]);
    expect(b.dropped).toEqual(["Last Name", "Email"]);
    for (const h of ["First Name", "StudentLastName", "LastSurname", "StudentEmail", "BirthDate", "User Name", "StudentUserID", "Class Teacher(s)", "TeacherFirstName", "givenName", "phone"]) {
      expect(isPiiHeader(h), h).toBe(true);
    }
    for (const h of ["StudentID", "TermName", "Student State ID", "ScreeningPeriodWindowName", "session_date"]) expect(isPiiHeader(h), h).toBe(false);
    expect(() => new Columns([{ name: "student_id", aliases: ["Student First Name"] }])).toThrow(/personal data/);
  });
});

describe("XML reader", () => {
  const doc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<ns:Interchange xmlns:ns="http://ed-fi.org/5.2.0" a='1'>
  <ns:Rec id="r1"><Name><First>Ann &amp; Bo</First></Name><Id>00&#52;2</Id><Empty/></ns:Rec>
  <Rec><Id><![CDATA[<00043>]]></Id><Note>a &lt; b</Note></Rec>
  <Skip/>
</ns:Interchange>
`;
  const read = (chunks: string[], keep?: (p: readonly string[]) => boolean) => {
    const recs: XmlElement[] = [];
    let root = "";
    const r = new XmlRecordReader({ onRoot: (n) => (root = n), onRecord: (e) => recs.push(e), ...(keep ? { keep } : {}) });
    for (const c of chunks) r.write(c);
    r.end();
    return { recs, root };
  };
  it("gives the same records whatever the chunking, with entities, CDATA, prefixes and lines", () => {
    const whole = read([doc]);
    const byChar = read([...doc]);
    expect(byChar).toEqual(whole);
    expect(whole.root).toBe("Interchange");
    expect(whole.recs.map((r) => r.name)).toEqual(["Rec", "Rec", "Skip"]);
    expect(whole.recs[0].attrs).toEqual({ id: "r1" });
    expect(textAt(whole.recs[0], "Name/First")).toBe("Ann & Bo");
    expect(textAt(whole.recs[0], "Id")).toBe("0042");
    expect(textAt(whole.recs[1], "Id")).toBe("<00043>");
    expect(textAt(whole.recs[1], "Note")).toBe("a < b");
    expect(whole.recs.map((r) => r.line)).toEqual([4, 5, 6]);
  });
  it("skips elements that are not kept, with their text", () => {
    const { recs } = read([doc], (p) => p[1] !== "Name");
    expect(JSON.stringify(recs)).not.toContain("Ann");
    expect(textAt(recs[0], "Id")).toBe("0042");
  });
  it("reports malformed XML with its line", () => {
    expect(() => read(["<a>\n<b></c>\n</a>"])).toThrow(XmlError);
    try {
      read(["<a>\n<b></c>\n</a>"]);
    } catch (e) {
      expect((e as XmlError).line).toBe(2);
      expect((e as XmlError).rule).toBe("mismatched-end-tag");
    }
    expect(() => read(["<a><b>&nbsp;</b></a>"])).toThrow(/unknown-entity/);
    expect(() => read(["<a><b></b>"])).toThrow(/unclosed-element/);
  });
});

// ───────────────────────────── DATAS (real) ─────────────────────────────

describe.skipIf(!hasDatas)("DATAS (../shared/data/datas)", () => {
  let all: Awaited<ReturnType<typeof adaptFiles>>;
  let drop1: Awaited<ReturnType<typeof adaptFiles>>;
  beforeAll(async () => {
    all = await adaptFiles(inputs("datas", DATAS, ["sessions.csv", "students.csv"]), { keep: true });
    drop1 = await adaptFiles(inputs("datas", DATAS, ["students.csv", "sessions.csv"]), { sessionsThrough: "2026-01-31" });
  }, 120_000);

  it("reads 2,500 students and 50,520 sessions, rejecting none", () => {
    expect(all.bundle.students.length).toBe(2500);
    expect(all.bundle.sessions.length).toBe(50520);
    const [sessions, students] = all.quality.files;
    expect(students).toMatchObject({ kind: "students", rowsRead: 2500, rowsAccepted: 2500, rowsRejected: 0, droppedColumns: ["district_name", "school_name"] });
    expect(sessions).toMatchObject({ kind: "sessions", rowsRead: 50520, rowsAccepted: 50520, rowsRejected: 0, duplicates: 0 });
    expect(all.quality.clean).toBe(true);
    expect(all.quality.crossFile).toEqual([{ rule: "not-in-file", file: "students.csv", otherFile: "sessions.csv", students: 1500 }]);
    expect(students.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps ids as text with their leading zeros and grades as CEDS codes", () => {
    const ids = all.bundle.students.map((s) => s.key);
    expect(ids.filter((k) => k.startsWith("0")).length).toBe(248);
    expect(ids).toContain("0004609904");
    expect(all.bundle.students.filter((s) => s.gradeLevel === "PK").length).toBe(148);
    expect(rec(all, "0004609904")).toMatchObject({ grade: 8, englishlearner: false, economicdisadvantage: true, disability: true });
  });

  it("aggregates sessions per student exactly (attended = more than 0 minutes)", () => {
    expect(rec(all, "0004609904")).toMatchObject({ sessions: 44, sessionsrecorded: 44, attendedminutes: 2548, weekswithsession: 23, mathsessions: 24, firstsessiondate: "2025-10-30" });
    expect(rec(all, "0116526716")).toMatchObject({ sessions: 66, sessionsrecorded: 67, attendedminutes: 4021, weekswithsession: 24, mathsessions: 37 });
    expect(rec(all, "2298363942")).toMatchObject({ sessions: 60, attendedminutes: 3601, weekswithsession: 23, mathsessions: 30, firstsessiondate: "2025-11-03" });
    // a student without sessions has zero of everything, not missing
    expect(rec(all, "9500167403")).toMatchObject({ sessions: 0, attendedminutes: 0, weekswithsession: 0 });
    const totalMinutes = all.bundle.sessions.reduce((a, s) => a + s.attendedMinutes, 0);
    expect(totalMinutes).toBe(2989057);
    expect(all.bundle.sessions.filter((s) => s.status === "attended").length).toBe(50328);
    expect(new Set(all.bundle.sessions.map((s) => s.key)).size).toBe(1000);
  });

  it("cuts a data drop at a date, and counts sessions in windows", async () => {
    expect(drop1.quality.files[1]).toMatchObject({ rowsRead: 50520, rowsAccepted: 26700, rowsRejected: 0, excluded: { "after-cut-off": 23820 } });
    expect(rec(drop1, "0004609904")).toMatchObject({ sessions: 27, attendedminutes: 1530, weekswithsession: 13, mathsessions: 18 });
    expect(rec(drop1, "0116526716")).toMatchObject({ sessions: 34, sessionsrecorded: 35, attendedminutes: 2082, weekswithsession: 14 });
    const w = await adaptFiles(inputs("datas", DATAS, ["students.csv", "sessions.csv"]), { windows: [{ name: "by_jan31", through: "2026-01-31" }] });
    expect(rec(w, "0004609904")).toMatchObject({ sessions: 44, sessionsbyjan31: 27, attendedminutesbyjan31: 1530, weekswithsessionbyjan31: 13 });
  });

  it("keeps group sizes (session_ratio: students per tutor) over attended sessions", () => {
    // computed independently with Python's csv module from the same file
    expect(rec(all, "0004609904")).toMatchObject({
      sessionswithgroupsize: 44,
      maxgroupsize: 5,
      meangroupsize: 2.318182,
      sessionsgroupsize1: 17,
      sessionsgroupsize2: 28,
      sessionsgroupsize3: 33,
      sessionsgroupsize4: 40,
      sessionsgroupsize5: 44,
    });
    expect(rec(all, "2298363942")).toMatchObject({ maxgroupsize: 5, meangroupsize: 2.55, sessionsgroupsize1: 19, sessionsgroupsize4: 52, mathsessionswithgroupsize: 30 });
    // no sessions: none in any group, and no size to speak of
    expect(rec(all, "9500167403")).toMatchObject({ sessionswithgroupsize: 0, sessionsgroupsize4: 0 });
    expect(rec(all, "9500167403")["maxgroupsize"]).toBeUndefined();
  });

  it("exposes the ordered outcome measures and performance levels", () => {
    expect(rec(all, "2298363942")).toMatchObject({
      elaoutcomemeasure1: 711,
      elaoutcomemeasure3: 727,
      mathoutcomemeasure2: 699,
      mathoutcomemeasure3: 723,
      performancelevelmostrecent: "Proficient",
    });
  });

  it("writes the CSV a contract declares, which the engine runs without a data problem", async () => {
    const source = readFileSync(join(ROOT, "examples/06-datas-dosage/contract.obc"), "utf8");
    const c = compileSource(source);
    expect(c.ok).toBe(true);
    const ds = c.ir!.dataSets.find((d) => d.name === "students")!;
    const res = await adaptForDataSet(ds, inputs("datas", DATAS, ["students.csv", "sessions.csv"]), { sessionsThrough: "2026-01-31" });
    expect(res.csv.unmapped).toEqual([]);
    const lines = res.csv.text.trimEnd().split("\n");
    expect(lines.length).toBe(2501);
    expect(lines[0]).toBe("student_id,grade,english_learner,sessions,attended_minutes,weeks_with_session,sessions_by_2026_01_31,math_outcome_measure_2,math_outcome_measure_3");
    expect(lines[1]).toBe("2298363942,5,false,33,1871,13,33,699,723");
    const run = await runContract(c.ir!, source, [{ label: "students.csv", text: res.csv.text, dataSet: "students" }], { asOf: "2026-02-01" });
    expect(run.ok).toBe(true);
    expect(run.problems).toEqual([]);
    // independently: 487 identified students with 20+ sessions by Jan 31; 67 with 36 h over 12+ weeks
    expect(run.result!.totals.byClause).toMatchObject({ early_start: "73050.00", high_dosage: "40200.00", math_growth: "0.00" });
  });
});

// ───────────────────────────── vendor exports (real) ─────────────────────────────

describe.skipIf(!hasVendor)("vendor exports (../shared/data/vendor-exports)", () => {
  it("NWEA MAP Growth: MM/DD/YYYY dates, subjects, growth flag; a short last row is reported, not dropped", async () => {
    const r = await adaptFiles(inputs("nwea", VENDOR, ["nwea-map-growth.csv"]), { keep: true });
    const f = r.quality.files[0];
    expect(f).toMatchObject({ rowsRead: 7, rowsAccepted: 7, rowsRejected: 0 });
    expect(f.cellProblems).toEqual([{ file: "nwea-map-growth.csv", row: 8, column: "(row)", rule: "too-few-cells" }]);
    expect(f.droppedColumns).toContain("DistrictName");
    expect(f.droppedColumns).toContain("Goal1Name");
    expect(r.bundle.assessments.map((a) => [a.key, a.subject, a.window, a.adminDate, a.scaleScore, a.validity?.countsForGrowth])).toEqual([
      ["605000", "science", "fall", "2021-09-16", 208, true],
      ["605001", "math", "fall", "2021-09-16", 233, true],
      ["605002", "science", "fall", "2021-09-16", 208, true],
      ["605003", "math", "fall", "2021-09-16", 233, true],
      ["605004", "science", "fall", "2021-09-16", 208, true],
      ["605005", "math", "fall", "2021-09-16", 233, true],
      ["605000", "ela", "fall", "2021-09-20", 165, false],
    ]);
    expect(r.bundle.assessments[0].schoolYear).toBe(2022);
    expect(rec(r, "605001")).toMatchObject({ mathfallscore: 233, mathfallpercentile: 32, mathfalllevel: "LoAvg", mathfalllevelordinal: 2, nweamathfallsem: 3.3 });
    // the test type and NWEA's typical growth per span
    expect(rec(r, "605001")).toMatchObject({ mathfalltesttype: "Survey With Goals", mathfalltospringtypicalgrowth: 6, nweamathfalltospringtypicalgrowth: 6 });
    expect(rec(r, "605000")).toMatchObject({ elafalltesttype: "Survey", sciencefalltesttype: "Survey With Goals", sciencefalltofalltypicalgrowth: 3, sciencefalltospringtypicalgrowth: 5 });
    const byState = await adaptFiles(inputs("nwea", VENDOR, ["nwea-map-growth.csv"]), { idField: "state" });
    expect([...byState.records.records.keys()]).toEqual(["604821", "604822", "604823", "604824", "604825", "604826"]);
  });

  it("i-Ready: the BOM is stripped, names and usernames are not read, flags and growth are kept", async () => {
    const r = await adaptFiles(inputs("iready", VENDOR, ["iready-diagnostic-ela.csv", "iready-diagnostic-math.csv"]), { keep: true });
    for (const f of r.quality.files) {
      expect(f).toMatchObject({ rowsRead: 5, rowsAccepted: 5, rowsRejected: 0, cellProblems: [] });
      for (const h of ["Last Name", "First Name", "User Name", "Class Teacher(s)", "Sex", "Race"]) expect(f.droppedColumns).toContain(h);
    }
    expect(r.bundle.assessments.map((a) => a.subject)).toEqual(["ela", "ela", "ela", "ela", "ela", "math", "math", "math", "math", "math"]);
    expect(rec(r, "605002")).toMatchObject({
      elafallscore: 572,
      elafalldate: "2025-08-27",
      elawinterscore: 593,
      elawinterobservedgrowth: 21,
      elaspringscore: 575,
      elaspringpcttypicalgrowth: 25,
      elabaselinescore: 572,
      elamostrecentscore: 575,
      mathmostrecentscore: 507,
      mathfalllevel: "Early On Grade Level",
      mathfalllevelordinal: 4,
    });
    expect(rec(r, "605001")).toMatchObject({ elabaselinescore: 424, elabaselinedate: "2026-01-13", elamostrecentscore: 468, mathspringscore: 432 });
    // the grade, typical and stretch growth and the progress to each (the file's program flags are blank: missing)
    expect(rec(r, "605002")).toMatchObject({
      ireadygrade: 6,
      grade: 6,
      elaspringgrade: 6,
      elaspringtypicalgrowth: 12,
      elaspringstretchgrowth: 26,
      elaspringpcttypicalgrowth: 25,
      elaspringpctstretchgrowth: 12,
      mathspringtypicalgrowth: 13,
      mathspringstretchgrowth: 25,
      mathspringpctstretchgrowth: 44,
    });
    expect(rec(r, "605001")).toMatchObject({ grade: 3, elaspringpctstretchgrowth: 70, mathspringstretchgrowth: 43, mathspringpctstretchgrowth: 65 });
    expect(rec(r, "605001")["englishlearner"]).toBeUndefined();
    expect(rec(r, "605001")["elafallscore"]).toBeUndefined();
  });

  it("Star: subject from the file name, local dates, SGP spans; student names, e-mails and birth dates not read", async () => {
    const r = await adaptFiles(inputs("star", VENDOR, ["renaissance-star-reading.csv"]), { keep: true });
    const f = r.quality.files[0];
    expect(f).toMatchObject({ rowsRead: 5, rowsAccepted: 5, rowsRejected: 0 });
    for (const h of ["StudentFirstName", "StudentLastName", "StudentEmail", "BirthDate", "TeacherEmail", "StudentUserID", "TakenAtByIPAddress"]) expect(f.droppedColumns).toContain(h);
    expect(rec(r, "605003")).toMatchObject({ elafallscore: 723, elafallpercentile: 40, elafalldate: "2023-08-23", elafalllevel: "At/Above Benchmark", elafalllevelordinal: 4 });
    expect(rec(r, "605004")).toMatchObject({ elafalltofallsgp: 91, elafallcurrentsgp: 90, elaspringtofallsgp: 90 });
    // two spans end in the fall: no ambiguous "ela_fall_sgp"
    expect(rec(r, "605004")["elafallsgp"]).toBeUndefined();
    expect(rec(r, "605002")).toMatchObject({ elafallsgp: 85 });
    // Unified Score and the grade at the test
    expect(rec(r, "605003")).toMatchObject({ elafallunifiedscore: 1075, starelafallunifiedscore: 1075, elafallgrade: 7, stargrade: 7, grade: 7 });
    expect(rec(r, "605000")).toMatchObject({ elafallunifiedscore: 615, grade: 4 });
    expect(JSON.stringify(r.bundle)).not.toMatch(/email@email\.com|2014-01-01|Teacher/);
  });
});

// ───────────────────────────── Ed-Fi (real XML) ─────────────────────────────

describe.skipIf(!hasEdfi)("Ed-Fi Grand Bend interchanges (../shared/data/edfi-grand-bend)", () => {
  let r: Awaited<ReturnType<typeof adaptFiles>>;
  beforeAll(async () => {
    // given in an awkward order: the metadata is read first anyway
    r = await adaptFiles(
      inputs("edfi", EDFI, ["StudentAssessment-Benchmarks-3rdGradeMath.xml", "Student.xml", "StudentSchoolAttendance.xml", "StudentIntervention.xml", "AssessmentMetadata-Benchmarks-3rdGradeMath.xml"]),
      { keep: true },
    );
  });
  it("reads 960 students, 160 assessment results, 1,917 attendance events and 25 interventions", () => {
    expect(r.bundle.students.length).toBe(960);
    expect(r.bundle.assessments.length).toBe(160);
    expect(r.bundle.attendanceEvents.length).toBe(1917);
    expect(r.bundle.interventions.length).toBe(25);
    const byFile = Object.fromEntries(r.quality.files.map((f) => [f.file, f]));
    expect(byFile["Student.xml"]).toMatchObject({ kind: "students", rowsRead: 963, rowsAccepted: 960, excluded: { "not-student-data": 3 } });
    expect(byFile["StudentAssessment-Benchmarks-3rdGradeMath.xml"]).toMatchObject({ kind: "assessments", rowsAccepted: 160, rowsRejected: 0 });
    expect(r.quality.clean).toBe(true);
  });
  it("never stores names or birth dates", () => {
    const dump = JSON.stringify({ s: r.bundle.students, a: r.bundle.assessments });
    for (const v of ["Tyrone", "Dyer", "2014-11-13", "Woods", "Lisarae"]) expect(dump).not.toContain(v);
  });
  it("names windows from the assessment titles and sums attendance exactly", () => {
    expect(rec(r, "605475")).toMatchObject({ math1stsixweeksscore: 4, math1stsixweeksdate: "2021-09-28", math2ndsixweeksscore: 1 });
    expect(rec(r, "604822")).toMatchObject({ absences: 4, excusedabsences: 4, attendanceevents: 5, interventions: 1, interventiondosageminutes: 10 });
    const sum = (k: string) => [...r.records.records.values()].reduce((a, m) => a + Number(m.get(k) ?? 0), 0);
    expect(sum("excusedabsences")).toBe(1077);
    expect(sum("unexcusedabsences")).toBe(773);
    expect(sum("tardies")).toBe(66);
    expect(sum("interventiondosageminutes")).toBe(315);
    expect(new Set(r.bundle.attendanceEvents.map((e) => e.key)).size).toBe(227);
  });
  it("rejects results whose assessment metadata is missing, by line", async () => {
    const alone = await adaptFiles(inputs("edfi", EDFI, ["StudentAssessment-Benchmarks-3rdGradeMath.xml"]));
    const f = alone.quality.files[0];
    expect(f).toMatchObject({ rowsRead: 160, rowsAccepted: 0, rowsRejected: 160 });
    expect(f.rejections[0]).toEqual({ file: "StudentAssessment-Benchmarks-3rdGradeMath.xml", row: 3, column: "AssessmentIdentifier", rule: "unknown-assessment" });
  });
});

// ───────────────────────────── fixtures ─────────────────────────────

describe("Ed-Fi API JSON (fixtures)", () => {
  it("reads every resource shape and joins them by studentUniqueId", async () => {
    const files = ["studentAssessments.json", "studentSchoolAttendanceEvents.json", "students.json", "studentSchoolAssociations.json", "assessments.json", "studentInterventionAssociations.json", "studentInterventionAttendanceEvents.json"];
    const r = await adaptFiles(inputs("edfi", join(FIX, "edfi-json"), files), { keep: true });
    const byFile = Object.fromEntries(r.quality.files.map((f) => [f.file, f]));
    expect(byFile["students.json"]).toMatchObject({ kind: "students", rowsRead: 4, rowsAccepted: 3, rowsRejected: 1 });
    expect(byFile["students.json"].rejections).toEqual([{ file: "students.json", row: 4, column: "StudentUniqueId", rule: "missing-key" }]);
    expect(byFile["studentAssessments.json"]).toMatchObject({ rowsRead: 4, rowsAccepted: 3, rowsRejected: 1 });
    expect(byFile["studentAssessments.json"].rejections[0]).toMatchObject({ row: 4, rule: "unknown-assessment" });
    expect(rec(r, "00951")).toMatchObject({
      gradelevel: "03",
      grade: 3,
      schoolid: "255901001",
      mathfallscore: 188,
      mathfallpercentile: 41,
      mathfalllevel: "Approaches",
      mathspringscore: 203,
      absences: 1.5,
      tardies: 0,
      interventiondosageminutes: 1800,
      interventionsessions: 2,
      sessions: 2,
      attendedminutes: 85,
      entrydate: "2021-08-23",
    });
    expect(rec(r, "00952")).toMatchObject({ exitdate: "2022-01-14", absences: 1, tardies: 1, sessions: 1 });
    // "*" as a score is missing, never 0
    expect(rec(r, "00952")["mathfallscore"]).toBeUndefined();
    expect(JSON.stringify(r.bundle.students)).not.toMatch(/Wilhelmina|Ostrogoth|2014-02-11/);
  });
});

describe("Ed-Fi files in any encoding a data file may have (node/data-file.ts decides)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-edfi-enc-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const utf16 = (text: string, order: "le" | "be") => {
    const le = Buffer.from("\ufeff" + text, "utf16le");
    return order === "le" ? le : Buffer.from(le.map((_, i) => le[i ^ 1]!));
  };
  const cp1252 = (text: string) => Buffer.from([...text].map((c) => (c === "é" ? 0xe9 : c === "’" ? 0x92 : c.charCodeAt(0))));

  it("reads UTF-16 (LE and BE, with their byte-order mark), UTF-8 with a BOM and Windows-1252 JSON as the same records", async () => {
    const files = ["students.json", "studentSchoolAssociations.json", "studentAssessments.json", "assessments.json"];
    const plain = await adaptFiles(inputs("edfi", join(FIX, "edfi-json"), files), { keep: true });
    const encodings = [(t: string) => utf16(t, "le"), (t: string) => utf16(t, "be"), (t: string) => Buffer.from("\ufeff" + t, "utf8"), cp1252];
    for (const [k, f] of files.entries()) await writeFile(join(dir, f), encodings[k]!(readFileSync(join(FIX, "edfi-json", f), "utf8")));
    const encoded = await adaptFiles(inputs("edfi", dir, files), { keep: true });
    expect(encoded.quality.files.map((f) => [f.file, f.kind, f.rowsRead, f.rowsAccepted, f.rejections])).toEqual(plain.quality.files.map((f) => [f.file, f.kind, f.rowsRead, f.rowsAccepted, f.rejections]));
    expect([...encoded.records.records.keys()]).toEqual([...plain.records.records.keys()]);
    expect(rec(encoded, "00951")).toEqual(rec(plain, "00951"));
    expect(rec(encoded, "00951")).toMatchObject({ gradelevel: "03", mathfallscore: 188, entrydate: "2021-08-23" });
  });

  it("reads a UTF-16 XML interchange (declared so) and a Windows-1252 one, and refuses one that is not text", async () => {
    const xml = (decl: string) => `<?xml version="1.0" encoding="${decl}"?>
<InterchangeStudentEnrollment xmlns="http://ed-fi.org/0220">
  <!-- École Saint-Benoît’s enrollments -->
  <StudentSchoolAssociation>
    <StudentReference><StudentIdentity><StudentUniqueId>604821</StudentUniqueId></StudentIdentity></StudentReference>
    <SchoolReference><SchoolIdentity><SchoolId>255901001</SchoolId></SchoolIdentity></SchoolReference>
    <EntryDate>2021-08-23</EntryDate>
    <EntryGradeLevel>Third grade</EntryGradeLevel>
  </StudentSchoolAssociation>
</InterchangeStudentEnrollment>
`;
    await writeFile(join(dir, "enrollment-utf16.xml"), utf16(xml("UTF-16"), "le"));
    await writeFile(join(dir, "enrollment-1252.xml"), cp1252(xml("windows-1252")));
    await writeFile(join(dir, "enrollment-utf8.xml"), xml("UTF-8"));
    for (const f of ["enrollment-utf16.xml", "enrollment-1252.xml", "enrollment-utf8.xml"]) {
      const r = await adaptFiles(inputs("edfi", dir, [f]), { keep: true });
      expect(r.quality.files[0]).toMatchObject({ file: f, kind: "students", rowsRead: 1, rowsAccepted: 1, rejections: [] });
      expect(rec(r, "604821")).toMatchObject({ schoolid: "255901001", entrydate: "2021-08-23", gradelevel: "03" });
    }
    await writeFile(join(dir, "enrollment.xml"), Buffer.concat([Buffer.from(xml("UTF-8").slice(0, 60)), Buffer.from([0, 1, 2, 3, 0, 0x1b, 0x7f, 0])]));
    await expect(adaptFiles(inputs("edfi", dir, ["enrollment.xml"]))).rejects.toMatchObject({ problem: { code: "OBC5015", file: "enrollment.xml" } });
  });
});

describe("OneRoster CSV (fixtures)", () => {
  it("1.1: students only, ids from identifier, grades and schools through orgs, demographics for equity only", async () => {
    const dir = join(FIX, "oneroster-1.1");
    const r = await adaptFiles(inputs("oneroster", dir, ["enrollments.csv", "demographics.csv", "users.csv", "orgs.csv", "manifest.csv"]), { keep: true });
    expect(r.bundle.students.map((s) => [s.key, s.gradeLevel, s.schoolId])).toEqual([
      ["00731", "08", "0601001"],
      ["00732", "08", "0601001"],
      ["00733", "09", "0601002"],
      ["00735", "KG", "0601001"],
    ]);
    const byFile = Object.fromEntries(r.quality.files.map((f) => [f.file, f]));
    expect(byFile["users.csv"]).toMatchObject({ rowsRead: 7, rowsAccepted: 4, rowsRejected: 1, excluded: { tobedeleted: 1, "not-a-student": 1 } });
    expect(byFile["users.csv"].rejections).toEqual([{ file: "users.csv", row: 8, column: "identifier", rule: "missing-key" }]);
    for (const h of ["username", "givenName", "familyName", "middleName", "email", "phone", "password", "userIds"]) expect(byFile["users.csv"].droppedColumns).toContain(h);
    expect(byFile["enrollments.csv"]).toMatchObject({ rowsAccepted: 4, rowsRejected: 1, excluded: { "not-a-student": 1 } });
    expect(byFile["enrollments.csv"].rejections).toEqual([{ file: "enrollments.csv", row: 6, column: "userSourcedId", rule: "unknown-student" }]);
    expect(byFile["demographics.csv"].droppedColumns).toEqual(expect.arrayContaining(["birthDate", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth"]));
    expect(rec(r, "00731")).toMatchObject({ sex: "male", race: "White", hispanicorlatino: "true", entrydate: "2025-08-20", enrollments: 1 });
    expect(rec(r, "00732")).toMatchObject({ race: "Two or More Races", exitdate: "2026-01-15" });
    expect(rec(r, "00733")).toMatchObject({ entrydate: "2025-08-20" });
    const dump = JSON.stringify(r.bundle);
    for (const v of ["Zebulon", "Quixote", "zebulon.quixote@example.org", "2012-03-14", "555-0101", "Pueblo", "zquixote"]) expect(dump).not.toContain(v);
  });
  it("1.2: roles from roles.csv, primaryOrgSourcedId; pronouns and preferred names not read", async () => {
    const dir = join(FIX, "oneroster-1.2");
    const r = await adaptFiles(inputs("oneroster", dir, ["users.csv", "enrollments.csv", "demographics.csv", "roles.csv", "manifest.csv"]));
    expect(r.records.roster.map((s) => s.key)).toEqual(["04101", "04102"]);
    expect(rec(r, "04101")).toMatchObject({ grade: 7, schoolid: "org-s1", sex: "female", race: "White" });
    expect(rec(r, "04102")).toMatchObject({ exitdate: "2026-03-01" });
    const users = r.quality.files.find((f) => f.file === "users.csv")!;
    expect(users.excluded).toEqual({ "not-a-student": 1 });
    for (const h of ["pronouns", "preferredGivenName", "userMasterIdentifier", "email"]) expect(users.droppedColumns).toContain(h);
  });
});

describe("vendor exports with several results per window (fixtures)", () => {
  it("NWEA: GrowthMeasureYN decides, else the latest valid; * is missing; rapid guessing invalidates", async () => {
    const r = await adaptFiles([{ format: "nwea", path: join(FIX, "vendor/nwea-several.csv"), label: "nwea-several.csv" }]);
    expect(r.quality.files[0]).toMatchObject({ rowsRead: 8, rowsAccepted: 8, rowsRejected: 0, cellProblems: [] });
    expect(r.quality.files[0].droppedColumns).toEqual(["StudentLastName", "StudentFirstName", "StudentDateOfBirth"]);
    expect(rec(r, "00881")).toMatchObject({ mathfallscore: 201, mathfalldate: "2025-09-10", mathspringscore: 214, mathfalltospringcgp: 71, mathspringobservedgrowth: 13, mathfalltospringmetprojectedgrowth: true });
    expect(rec(r, "00882")).toMatchObject({ mathfallscore: 193, mathspringscore: 199, mathspringcgp: 52 });
    expect(rec(r, "00883")["elafallscore"]).toBeUndefined();
    expect(r.quality.selections).toEqual([
      { file: "nwea-several.csv", rule: "nwea-growth-measure-yn", groups: 1, notChosen: 1 },
      { file: "nwea-several.csv", rule: "latest-valid", groups: 2, notChosen: 2 },
      { file: "nwea-several.csv", rule: "no-valid-result", groups: 1, notChosen: 1 },
    ]);
  });
  it("i-Ready: BOM, M/D/YYYY, leading zeros; Most Recent then Baseline flags; a rushed test never counts", async () => {
    const r = await adaptFiles([{ format: "iready", path: join(FIX, "vendor/iready-several.csv"), label: "iready-several.csv" }], { keep: true });
    expect(r.quality.files[0]).toMatchObject({ rowsRead: 7, rowsAccepted: 7, rowsRejected: 0 });
    expect(r.records.roster.map((s) => s.key)).toEqual(["00771", "00772"]);
    expect(rec(r, "00771")).toMatchObject({ elafallscore: 480, elawinterscore: 500, elaspringscore: 522, elabaselinescore: 480, elamostrecentscore: 522, elaspringobservedgrowth: 42 });
    expect(rec(r, "00772")).toMatchObject({ elafallscore: 470, elafalldate: "2025-09-03", elamostrecentscore: 488, elawinterscore: 488 });
    const rules = Object.fromEntries(r.quality.selections.map((s) => [s.rule, s.groups]));
    expect(rules).toEqual({ "iready-baseline-flag": 2 });
    const chosen = r.bundle.assessments.filter((a) => a.choice).map((a) => [a.key, a.window, a.scaleScore, a.choice!.rule]);
    expect(chosen).toContainEqual(["00771", "fall", 480, "iready-baseline-flag"]);
  });
  it("i-Ready: grade and program flags for students no roster describes; a roster's own values win", async () => {
    const file: AdaptInput = { format: "iready", path: join(FIX, "vendor/iready-flags-math.csv"), label: "iready-flags-math.csv" };
    const r = await adaptFiles([file]);
    expect(r.quality.files[0]).toMatchObject({ rowsRead: 3, rowsAccepted: 3, rowsRejected: 0, cellProblems: [] });
    expect(rec(r, "00991")).toMatchObject({
      grade: 5,
      englishlearner: true,
      ell: true,
      iep: false,
      economicdisadvantage: true,
      ireadygrade: 5,
      ireadyenglishlearner: true,
      ireadyiep: false,
      mathspringtypicalgrowth: 20,
      mathspringstretchgrowth: 35,
      mathspringpctstretchgrowth: 86,
      mathmostrecentscore: 470,
    });
    expect(rec(r, "00992")).toMatchObject({ grade: 0, gradelevel: "KG", englishlearner: false, iep: true });
    expect(rec(r, "00992")["economicdisadvantage"]).toBeUndefined();

    // a roster (a mapped CSV of plain values is not one; DATAS students.csv is) keeps its own grade and flags
    const dir = await mkdtemp(join(tmpdir(), "obc-roster-"));
    try {
      await writeFile(join(dir, "students.csv"), "student_id,current_grade_level,ell,iep,economic_disadvantage\n00991,6,FALSE,TRUE,\n");
      const both = await adaptFiles([{ format: "datas", path: join(dir, "students.csv"), label: "students.csv" }, file]);
      expect(rec(both, "00991")).toMatchObject({ grade: 6, englishlearner: false, iep: true, economicdisadvantage: true, ireadygrade: 5, ireadyenglishlearner: true });
      // a student only the vendor names is still not on the roster
      expect(both.records.roster.map((s) => s.key)).toEqual(["00991"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("Star: the latest valid result (a deactivated test never counts); tests outside screening windows are left out", async () => {
    const r = await adaptFiles([{ format: "star", path: join(FIX, "vendor/star-math-several.csv"), label: "star-math-several.csv" }]);
    expect(r.quality.files[0]).toMatchObject({ rowsRead: 5, rowsAccepted: 4, rowsRejected: 0, excluded: { "outside-screening-window": 1 } });
    expect(rec(r, "00661")).toMatchObject({ mathfallscore: 600, mathspringscore: 690, mathfalltospringsgp: 66, mathspringcurrentsgp: 66 });
    expect(rec(r, "00662")).toMatchObject({ mathfallscore: 550 });
    expect(rec(r, "00662")["mathfallpercentile"]).toBeUndefined();
  });
  it("chooseResult records its rule and never picks an invalid result", () => {
    const base = { key: "k", instrument: "STAR", subject: "math", window: "fall", src: { format: "x", fileSha256: "0", row: 1 } };
    expect(chooseResult([{ ...base, scaleScore: 1, validity: { invalidReason: "deactivated" } }])).toEqual({ rule: "no-valid-result" });
    const a = { ...base, scaleScore: 1, adminDate: "2025-09-01" };
    const b = { ...base, scaleScore: 2, adminDate: "2025-09-02", src: { ...base.src, row: 2 } };
    expect(chooseResult([b, a])).toEqual({ chosen: b, rule: "latest-valid" });
  });
});

describe("the fields each format yields (node/adapters/fields.ts)", () => {
  it("lists every value the adapters produce from the test files", async () => {
    const sets: [FormatId, string, string[]][] = [
      ["clever", join(FIX, "clever"), ["students.csv"]],
      ["iready", join(FIX, "vendor"), ["iready-several.csv", "iready-flags-math.csv"]],
      ["nwea", join(FIX, "vendor"), ["nwea-several.csv"]],
      ["star", join(FIX, "vendor"), ["star-math-several.csv"]],
      ["oneroster", join(FIX, "oneroster-1.2"), readdirSync(join(FIX, "oneroster-1.2")).filter((f) => f.endsWith(".csv"))],
      ["edfi", join(FIX, "edfi-json"), readdirSync(join(FIX, "edfi-json")).filter((f) => f.endsWith(".json"))],
      ...(hasVendor
        ? ([
            ["iready", VENDOR, ["iready-diagnostic-ela.csv", "iready-diagnostic-math.csv"]],
            ["nwea", VENDOR, ["nwea-map-growth.csv"]],
            ["star", VENDOR, ["renaissance-star-reading.csv"]],
          ] as [FormatId, string, string[]][])
        : []),
      ...(hasDatas ? ([["datas", DATAS, ["students.csv", "sessions.csv"]]] as [FormatId, string, string[]][]) : []),
      ...(hasEdfi ? ([["edfi", EDFI, ["Student.xml", "StudentAssessment-Benchmarks-3rdGradeMath.xml", "AssessmentMetadata-Benchmarks-3rdGradeMath.xml", "StudentIntervention.xml", "StudentSchoolAttendance.xml"]]] as [FormatId, string, string[]][]) : []),
    ];
    for (const [format, dir, files] of sets) {
      const r = await adaptFiles(inputs(format, dir, files), { windows: [{ name: "by_jan31", through: "2026-01-31" }] });
      const names = new Set<string>();
      for (const m of r.records.records.values()) for (const k of m.keys()) names.add(k);
      expect(names.size, `${format} ${files.join(" ")}`).toBeGreaterThan(3);
      expect([...names].filter((k) => !isListedField(format, k)).map((k) => r.records.names.get(k) ?? k), `${format} ${files.join(" ")}`).toEqual([]);
    }
  }, 120_000);
});

describe("Clever roster CSV (fixture)", () => {
  it("reads ids, schools, grades and flags; names, birth dates, addresses, e-mails and passwords are never read", async () => {
    const r = await adaptFiles([{ format: "clever", path: join(FIX, "clever/students.csv"), label: "students.csv" }]);
    const f = r.quality.files[0]!;
    expect(f).toMatchObject({ kind: "students", rowsRead: 7, rowsAccepted: 5, rowsRejected: 2 });
    expect(f.rejections.map((x) => [x.row, x.rule])).toEqual([
      [6, "missing-key"],
      [7, "duplicate"],
    ]);
    expect(f.cellProblems.map((x) => [x.row, x.column, x.rule])).toEqual([
      [8, "Ell_status", "not-a-yes-no"],
      [8, "Frl_status", "not-a-yes-no"],
    ]);
    for (const h of ["Last_name", "First_name", "DOB", "Student_street", "Student_email", "Username", "Password", "Unweighted_gpa"]) expect(f.droppedColumns).toContain(h);
    expect(r.records.roster.map((s) => s.key)).toEqual(["007001", "007002", "007003", "007004", "007007"]);
    expect(rec(r, "007001")).toMatchObject({ schoolid: "S100", grade: 0, gradelevel: "KG", englishlearner: true, economicdisadvantage: true, iep: false, section504: "N", gender: "F" });
    expect(rec(r, "007002")).toMatchObject({ grade: 7, englishlearner: false, economicdisadvantage: false, iep: true });
    expect(rec(r, "007003")).toMatchObject({ grade: -1, economicdisadvantage: true, section504: "Y" });
    // "Other": unknown, not false; a blank flag is missing
    expect(rec(r, "007004")).toMatchObject({ grade: 12, economicdisadvantage: null });
    expect(rec(r, "007004")["englishlearner"]).toBeUndefined();
    expect(JSON.stringify([...r.records.records.values()].map((m) => [...m]))).not.toMatch(/Quillfeather|Rosalind|2019-04-02|example\.org|secret|Elm St/);
    const byState = await adaptFiles([{ format: "clever", path: join(FIX, "clever/students.csv"), label: "students.csv" }], { idField: "state" });
    expect(byState.records.roster.map((s) => s.key)).toEqual(["TX9001", "TX9002", "TX9003", "TX9005", "TX9006", "TX9007"]);
  });
});

describe("generic CSV with a column mapping (fixture)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-adapt-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it("reads only the mapped columns, keeps leading zeros, turns M/D/YYYY into ISO and * into missing", async () => {
    const g = join(FIX, "generic");
    const { out, io: cio } = io();
    const code = await adaptCommand(
      { format: "csv", files: [join(g, "district-export.csv")], contract: join(g, "contract.obc"), dataSet: "students", mapping: join(g, "mapping.json"), out: join(dir, "students.csv"), quality: join(dir, "quality.json") },
      cio,
    );
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "students.csv"), "utf8")).toBe("student_id,grade,eoy_score,exit_date\n000417,8,72,\n000418,8,,2026-01-15\n000419,9,,\n");
    const q = JSON.parse(readFileSync(join(dir, "quality.json"), "utf8"));
    expect(q.files[0]).toMatchObject({ rowsRead: 5, rowsAccepted: 3, rowsRejected: 2, duplicates: 1 });
    expect(q.files[0].rejections).toEqual([
      { file: join(g, "district-export.csv"), row: 5, column: "student_id", rule: "duplicate" },
      { file: join(g, "district-export.csv"), row: 6, column: "student_id", rule: "missing-key" },
    ]);
    expect(q.files[0].droppedColumns).toEqual(["Last Name", "First Name", "Email", "Counselor"]);
    expect(out.stderr).toContain("5 read, 3 accepted, 2 rejected, 1 duplicates");
    expect(out.stderr + readFileSync(join(dir, "quality.json"), "utf8")).not.toMatch(/Ostrogoth|Wilhelmina|wo@example\.org|000417/);
  });
  it("--strict writes nothing and exits 3 when a row is rejected", async () => {
    const g = join(FIX, "generic");
    const { out, io: cio } = io();
    const code = await adaptCommand(
      { format: "csv", files: [join(g, "district-export.csv")], contract: join(g, "contract.obc"), dataSet: "students", mapping: join(g, "mapping.json"), strict: true, out: join(dir, "strict.csv") },
      cio,
    );
    expect(code).toBe(3);
    expect(existsSync(join(dir, "strict.csv"))).toBe(false);
    expect(out.stderr).toContain("--strict: 2 rejected rows");
  });
  it("a mapping may not read personal data", async () => {
    const mapping = join(dir, "bad-mapping.json");
    await writeFile(mapping, JSON.stringify({ dataSet: "students", columns: { student_id: "Student Number", grade: "Last Name" } }));
    const r = await adaptFiles([{ format: "csv", path: join(FIX, "generic/district-export.csv"), label: "export.csv" }], { mapping: JSON.parse(readFileSync(mapping, "utf8")) });
    expect(r.quality.files[0].rejections).toEqual([{ file: "export.csv", column: "grade", rule: "personal-data-column" }]);
    expect(r.records.roster).toEqual([]);
  });
});

describe("toDataSetCsv", () => {
  it("writes the key, then the declared fields in order; unknown fields are reported; --map renames a source", () => {
    const c = compileSource(`contract "T" {
  parties { district "D"  provider "P" }
  data students keyed by sid {
    sessions: count
    hours: decimal
    english_learner: optional boolean
    mystery: optional score
  }
  payment "X" pays $1 per student when sessions >= 1
}`);
    expect(c.ok).toBe(true);
    const ds = c.ir!.dataSets[0];
    const records = new Map([
      ["007", new Map<string, string | number | boolean | null>([["sessions", 3], ["hours", 1.5], ["englishlearner", null], ["mathsessions", 2]])],
      ["a,b", new Map<string, string | number | boolean | null>([["sessions", 0], ["hours", 0], ["englishlearner", true], ["mathsessions", 0]])],
    ]);
    const out = toDataSetCsv(ds, [{ key: "007" }, { key: "a,b" }], records);
    expect(out.text).toBe('sid,sessions,hours,english_learner\n007,3,1.5,\n"a,b",0,0,true\n');
    expect(out.unmapped).toEqual(["mystery"]);
    const mapped = toDataSetCsv(ds, [{ key: "007" }], records, { map: { sessions: "math_sessions", mystery: "hours" } });
    expect(mapped.text).toBe("sid,sessions,hours,english_learner,mystery\n007,2,1.5,,1.5\n");
  });
});

describe("obc adapt", () => {
  const PRIV = join(ROOT, "test/fixtures/privacy");
  it("reads FORMAT:path files in their own format, and shows progress only on a terminal", async () => {
    const run = async (tty: boolean) => {
      const { out, io: cio } = io();
      const code = await adaptCommand(
        { format: "datas", files: [join(PRIV, "students.csv"), join(PRIV, "sessions.csv"), `star:${join(FIX, "vendor/star-math-several.csv")}`], contract: join(PRIV, "contract.obc"), dataSet: "students" },
        { ...cio, stderrIsTTY: tty },
      );
      return { code, ...out };
    };
    const piped = await run(false);
    expect(piped.code).toBe(0);
    expect(piped.stdout.split("\n")[0]).toBe("student_id,grade,english_learner,sessions,attended_minutes");
    expect(piped.stderr).toContain("star-math-several.csv (star, assessments): 5 read, 4 accepted, 0 rejected");
    expect(piped.stderr).toMatch(/star-math-several\.csv: 4 rows name 2 students who are not in \S*students\.csv\n/);
    expect(piped.stderr).toMatch(/sessions\.csv: 1 row names 1 student who is not in \S*students\.csv\n/);
    expect(piped.stderr).not.toContain("\r");
    const tty = await run(true);
    expect(tty.stderr).toMatch(/\r\x1b\[2Kreading .*sessions\.csv: 100% \(\d+ B of \d+ B\)/);
    expect(tty.stdout).toBe(piped.stdout);
  });
  it("exits 2 for an unknown format or data set, 1 for an invalid contract, 4 for a missing file, 3 for an unprovided field", async () => {
    const PRIVC = join(PRIV, "contract.obc");
    const files = [join(PRIV, "students.csv")];
    const code = async (o: Partial<Parameters<typeof adaptCommand>[0]>) => {
      const { out, io: cio } = io();
      return [await adaptCommand({ format: "datas", files, contract: PRIVC, dataSet: "students", ...o }, cio), out.stderr] as const;
    };
    expect(await code({ format: "sis" })).toEqual([2, "obc adapt: unknown format sis; use one of datas, nwea, iready, star, edfi, oneroster, clever, csv\n"]);
    expect((await code({ dataSet: "sessions" }))[0]).toBe(2);
    expect((await code({ contract: join(FIX, "README.md") }))[0]).toBe(1);
    expect(await code({ files: ["no-such.csv"] })).toEqual([4, "obc adapt: cannot read no-such.csv: no such file\n"]);
    const [c, err] = await code({});
    expect(c).toBe(3);
    // the message names what the files give and how to list it, never a source file of obc
    expect(err).toContain("obc adapt: no input provides sessions, attended_minutes of the data set students");
    expect(err).toContain(`name a source with --map FIELD=NAME, from the names these files give: obc adapt datas ${files[0]} --fields`);
    expect(err).not.toMatch(/\.ts\b/);
    expect(await code({ contract: undefined })).toEqual([2, "obc adapt: give the contract and its data set: --contract FILE --data-set NAME (or --fields to list what the files give)\n"]);
  });

  it("--json: the quality report and errors as JSON on stderr, never a value", async () => {
    const { out, io: cio } = io();
    const files = [join(PRIV, "students.csv"), join(PRIV, "sessions.csv")];
    expect(await adaptCommand({ format: "datas", files, contract: join(PRIV, "contract.obc"), dataSet: "students", json: true }, cio)).toBe(0);
    const report = JSON.parse(out.stderr) as { quality: { schema: string; files: { file: string; rowsRead: number }[] } };
    expect(report.quality.schema).toBe("obc.adapt-quality/1");
    expect(report.quality.files.map((f) => f.rowsRead)).toEqual([4, 6]);
    const failed = io();
    expect(await adaptCommand({ format: "datas", files: ["no-such.csv"], contract: join(PRIV, "contract.obc"), dataSet: "students", json: true }, failed.io)).toBe(4);
    expect(JSON.parse(failed.out.stderr)).toEqual({ error: { command: "adapt", code: "file", exitCode: 4, message: "cannot read no-such.csv: no such file" } });
    const missing = io();
    expect(await adaptCommand({ format: "datas", files: [files[0]!], contract: join(PRIV, "contract.obc"), dataSet: "students", json: true }, missing.io)).toBe(3);
    const lines = missing.out.stderr.trim().split("\n").map((l) => JSON.parse(l) as Record<string, { code?: string }>);
    expect(lines.map((l) => Object.keys(l)[0])).toEqual(["quality", "error"]);
    expect(lines[1]!["error"]!.code).toBe("missing-field");
  });

  it("reads - from standard input, as it reads a file", async () => {
    const { Readable } = await import("node:stream");
    const text = readFileSync(join(PRIV, "sessions.csv"));
    const viaStdin = io();
    const args = { format: "datas", contract: join(PRIV, "contract.obc"), dataSet: "students" };
    expect(await adaptCommand({ ...args, files: [join(PRIV, "students.csv"), "-"] }, { ...viaStdin.io, stdin: Readable.from([text]) })).toBe(0);
    const viaFile = io();
    expect(await adaptCommand({ ...args, files: [join(PRIV, "students.csv"), join(PRIV, "sessions.csv")] }, viaFile.io)).toBe(0);
    expect(viaStdin.out.stdout).toBe(viaFile.out.stdout);
    expect(viaStdin.out.stderr).toContain("(standard input) (datas, sessions): 6 read");
    const twice = io();
    expect(await adaptCommand({ ...args, files: ["-", "-"] }, twice.io)).toBe(2);
  });

  it("--fields lists what a format yields, and what given files yield for how many students", async () => {
    const table = io();
    expect(await adaptCommand({ format: "iready", files: [], fields: true }, table.io)).toBe(0);
    expect(table.out.stdout).toContain("  <subject>_<window>_score  (also iready_<subject>_<window>_score)\n");
    expect(table.out.stdout).toContain("  iready_english_learner\n");
    expect(table.out.stdout).toContain("  <subject>_<from>_to_<to>_stretch_growth  (also iready_<subject>_<from>_to_<to>_stretch_growth)\n");
    const clever = io();
    expect(await adaptCommand({ format: "clever", files: [join(FIX, "clever/students.csv")], fields: true }, clever.io)).toBe(0);
    const rows = Object.fromEntries(clever.out.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s{2,}/)));
    // unknown ("Other") and unreadable cells are not values
    expect(rows).toMatchObject({ english_learner: "3", economic_disadvantage: "3", grade: "5", section_504: "4", student_id: "5" });
    expect(clever.out.stdout.split("\n")[0]).toMatch(/^name +students with a value \(of 5\)$/);
  });
});
