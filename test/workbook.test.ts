/**
 * Excel workbooks (.xlsx) as data files: every cell read exactly into the rows the CSV reader
 * gives, or the workbook refused with one line (OBC5019); and end to end through the command
 * line: `obc run` (whole and --bulk), `obc adapt` and `obc portfolio drop`/settle give the same
 * results from a workbook as from the same table in CSV. Workbooks are written here by exceljs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { dataFileFromBytes } from "../node/data-file.ts";
import { plainDecimal, shiftPoint, workbookCsv } from "../node/workbook.ts";
import { runCli } from "./helpers.ts";

const ROOT = join(import.meta.dirname, "..");
const PILOT = join(ROOT, "examples", "03-algebra-pilot");

const scratch: string[] = [];
const tempDir = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `obc-${name}-`));
  scratch.push(d);
  return d;
};
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Typer = (column: string, text: string) => ExcelJS.CellValue;

/** A sheet holding a CSV text (simple CSV: no quoted cells), each cell typed by `type`. */
function addCsvSheet(wb: ExcelJS.Workbook, name: string, csv: string, type: Typer = (_c, t) => t): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  const [header, ...rows] = csv.trimEnd().split("\n").map((l) => l.split(","));
  ws.addRow(header!);
  for (const r of rows) ws.addRow(r.map((t, i) => (t === "" ? null : type(header![i]!, t))));
  return ws;
}

const bytesOf = async (wb: ExcelJS.Workbook) => Buffer.from(await wb.xlsx.writeBuffer());

/** The text a workbook becomes, or its refusal's message. */
async function read(wb: ExcelJS.Workbook, dataSet?: string): Promise<string> {
  const f = await dataFileFromBytes(await bytesOf(wb), "book.xlsx", dataSet);
  return f.refusal ? `REFUSED ${f.refusal.code} ${f.refusal.rule}: ${f.refusal.message}` : f.text;
}

const isoDate = (t: string) => new Date(`${t}T00:00:00Z`);

/** The algebra pilot's students typed as Excel holds them: numbers, true/false, dates, a formula. */
const pilotStudents: Typer = (column, t) => {
  if (column === "student_id") return t;
  if (/^(true|false)$/.test(t)) return t === "true";
  if (/^\d{4}-\d\d-\d\d$/.test(t)) return isoDate(t);
  if (column === "boy_score") return { formula: `${t}*1`, result: Number(t) } as ExcelJS.CellFormulaValue;
  return Number(t);
};
const pilotCheckpoints: Typer = (column, t) => (column === "month" ? t : Number(t));

describe("a workbook's cells, read exactly", () => {
  it("numbers as Excel keeps them, percentages as percent points, dates as ISO dates, formulas by their saved value", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Sheet1");
    ws.addRow(["id", "n", "pct", "pct2", "sum", "tiny", "big", "date", "when", "flag", "f", "rich", "link", "zip", "text"]);
    ws.addRow(["A", 85.5, 0.07, 1.255, 0.1 + 0.2, 1e-7, 123456789012345, isoDate("2026-09-15"), new Date(Date.UTC(2026, 8, 15, 10, 30)), true,
      { formula: "B2*2", result: 171 }, { richText: [{ text: "Ann" }, { text: "-Marie" }] }, { text: "site", hyperlink: "https://example.org" }, 417, "00417"]);
    ws.getCell("C2").numFmt = "0%";
    ws.getCell("D2").numFmt = "0.0%";
    ws.getCell("N2").numFmt = "000000";
    ws.getCell("H2").numFmt = "yyyy-mm-dd";
    ws.getCell("I2").numFmt = "yyyy-mm-dd hh:mm";
    expect(await read(wb)).toBe("id,n,pct,pct2,sum,tiny,big,date,when,flag,f,rich,link,zip,text\nA,85.5,7%,125.5%,0.3,0.0000001,123456789012345,2026-09-15,2026-09-15T10:30:00,true,171,Ann-Marie,site,000417,00417\n");
  });

  it("keeps the worksheet's row numbers (a blank row stays a blank record), quotes what needs quoting, pads short rows", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("data");
    ws.getCell("A1").value = "id";
    ws.getCell("B1").value = "note";
    ws.getCell("C1").value = "n";
    ws.getCell("A2").value = "A";
    ws.getCell("B2").value = 'says "hi", twice\nand more';
    ws.getCell("C2").value = 1;
    ws.getCell("A4").value = "B";
    ws.getCell("A5").value = "C";
    ws.getCell("D5").value = 9;
    expect(await read(wb)).toBe('id,note,n\nA,"says ""hi"", twice\nand more",1\n\nB,,\nC,,,9\n');
    // the extra cell on row 5 is the CSV reader's ragged row, numbered as in Excel
    const f = await dataFileFromBytes(await bytesOf(wb), "book.xlsx");
    const { parseCsv } = await import("../engine/data.ts");
    expect(parseCsv(f.text, "book.xlsx").problems.map((p) => [p.code, p.row])).toEqual([["OBC5008", 5]]);
  });

  it("reads dates in the 1904 date system", async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    addCsvSheet(wb, "s", "id,d\nA,2027-02-28\n", (c, t) => (c === "d" ? isoDate(t) : t));
    expect(await read(wb)).toBe("id,d\nA,2027-02-28\n");
  });

  it("reads the one sheet with data, or the sheet named after the data set; refuses to guess among several", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Cover");
    addCsvSheet(wb, "Students", "id,n\nA,1\n");
    expect(await read(wb)).toBe("id,n\nA,1\n");
    addCsvSheet(wb, "Notes", "remark\nSecret-note\n");
    expect(await read(wb, "students")).toBe("id,n\nA,1\n");
    const refused = await read(wb);
    expect(refused).toBe(
      'REFUSED OBC5019 workbook-several-sheets: The workbook book.xlsx cannot be read: 2 of its sheets hold data ("Students", "Notes") and it is not clear which to read. To use it, keep the data in one sheet, or name the sheet after its data set and give it as --data NAME=FILE (e.g. a sheet "students" with --data students=FILE). Nothing in this file was used.',
    );
    expect(await read(wb, "checkpoints")).toMatch(/^REFUSED OBC5019 workbook-several-sheets: .* To use it, name the sheet to read "checkpoints", or keep the data in one sheet\./);
    const empty = new ExcelJS.Workbook();
    empty.addWorksheet("Sheet1");
    expect(await read(empty)).toBe("");
  });

  it("refuses, naming the cell and never its value: a formula without a saved value, an error, merged cells, a number too long, a damaged workbook", async () => {
    const cases: [string, (ws: ExcelJS.Worksheet) => void, RegExp][] = [
      ["formula-without-value", (ws) => (ws.getCell("B3").value = { formula: "B2*3" } as ExcelJS.CellFormulaValue), /the formula in S!B3 has no value saved with it\. To use it, open the workbook in Excel \(which calculates it\) and save it again\./],
      ["error-value", (ws) => (ws.getCell("B3").value = { error: "#DIV/0!" } as ExcelJS.CellErrorValue), /the cell S!B3 holds the error #DIV\/0!/],
      ["error-value", (ws) => (ws.getCell("B3").value = { formula: "1/0", result: { error: "#DIV/0!" } } as ExcelJS.CellFormulaValue), /the cell S!B3 holds the error #DIV\/0!/],
      ["merged-cells", (ws) => ws.mergeCells("A3:B3"), /cells A3:B3 of the sheet "S" are merged\. To use it, unmerge them/],
      ["number-too-long", (ws) => (ws.getCell("B3").value = 12345678901234567890), /the number in S!B3 is too long for a workbook to keep exactly\. To use it, store long numbers such as ids as text/],
    ];
    for (const [rule, spoil, message] of cases) {
      const wb = new ExcelJS.Workbook();
      const ws = addCsvSheet(wb, "S", "id,score\nSECRET-1,41\nSECRET-2,42\n", (c, t) => (c === "score" ? Number(t) : t));
      spoil(ws);
      const text = await read(wb);
      expect(text).toMatch(new RegExp(`^REFUSED OBC5019 workbook-${rule}: The workbook book\\.xlsx cannot be read: `));
      expect(text).toMatch(message);
      expect(text).not.toMatch(/SECRET|41|42/);
    }
    const good = await bytesOf(addCsvSheet(new ExcelJS.Workbook(), "S", "id\nA\n").workbook);
    const cut = await dataFileFromBytes(good.subarray(0, good.length - 30), "book.xlsx");
    expect(cut.refusal?.rule).toBe("workbook-damaged");
    expect(cut.refusal?.message).toMatch(/^The workbook book\.xlsx cannot be read: it is damaged/);
  });

  it("refuses a workbook whose parts expand beyond the limit, whatever sizes its zip claims", async () => {
    // one part, "xl/workbook.xml", of 2 MB of zeros deflated to a few KB, that claims to be 100 bytes
    const name = Buffer.from("xl/workbook.xml");
    const data = deflateRawSync(Buffer.alloc(2 << 20));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(100, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(100, 24);
    central.writeUInt16LE(name.length, 28);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(30 + name.length + data.length, 16);
    const bomb = Buffer.concat([local, name, data, central, name, end]);
    const refused = await workbookCsv(bomb, "bomb.xlsx", undefined, 1 << 20);
    expect("refusal" in refused && refused.refusal.message).toBe("The workbook bomb.xlsx cannot be read: it expands to more than 1 MB. To use it, save the sheet as CSV UTF-8 and give that file. Nothing in this file was used.");
    // under the limit, it is read, and is no workbook
    expect((await dataFileFromBytes(bomb, "bomb.xlsx")).refusal?.rule).toBe("workbook-damaged");
  });

  it("plain decimals: exponents written out, points shifted on the digits", () => {
    expect(plainDecimal("1.5e-7")).toBe("0.00000015");
    expect(plainDecimal("-2.5e+3")).toBe("-2500");
    expect(plainDecimal("12.50")).toBe("12.5");
    expect(shiftPoint("0.07", 2)).toBe("7");
    expect(shiftPoint("-0.0005", 2)).toBe("-0.05");
    expect(shiftPoint("3", 2)).toBe("300");
  });
});

describe("workbooks through the command line", () => {
  it("obc run: the algebra pilot from workbooks pays what it pays from CSV, whole and --bulk; a workbook of two sheets by data set", async () => {
    const dir = tempDir("xlsx-run");
    const studentsCsv = readFileSync(join(PILOT, "students.csv"), "utf8");
    const checkpointsCsv = readFileSync(join(PILOT, "checkpoints.csv"), "utf8");
    const s = new ExcelJS.Workbook();
    addCsvSheet(s, "Sheet1", studentsCsv, pilotStudents);
    await s.xlsx.writeFile(join(dir, "students.xlsx"));
    const c = new ExcelJS.Workbook();
    addCsvSheet(c, "Sheet1", checkpointsCsv, pilotCheckpoints);
    await c.xlsx.writeFile(join(dir, "checkpoints.xlsx"));
    const both = new ExcelJS.Workbook();
    addCsvSheet(both, "students", studentsCsv, pilotStudents);
    addCsvSheet(both, "checkpoints", checkpointsCsv, pilotCheckpoints);
    await both.xlsx.writeFile(join(dir, "pilot.xlsx"));
    const contract = join(PILOT, "contract.obc");
    const asOf = ["--as-of", "2027-07-01"];
    const [fromCsv, fromXlsx, fromBook, bulkCsv, bulkXlsx, ambiguous] = await Promise.all([
      runCli(["run", contract, "--data", join(PILOT, "students.csv"), "--data", join(PILOT, "checkpoints.csv"), ...asOf, "--json"]),
      runCli(["run", contract, "--data", "students.xlsx", "--data", "checkpoints.xlsx", ...asOf, "--json"], { cwd: dir }),
      runCli(["run", contract, "--data", "students=pilot.xlsx", "--data", "checkpoints=pilot.xlsx", ...asOf, "--json"], { cwd: dir }),
      runCli(["run", contract, "--bulk", "--workers", "1", "--data", join(PILOT, "students.csv"), "--data", join(PILOT, "checkpoints.csv"), ...asOf]),
      runCli(["run", contract, "--bulk", "--workers", "1", "--data", "students.xlsx", "--data", "checkpoints.xlsx", ...asOf], { cwd: dir }),
      runCli(["run", contract, "--data", "pilot.xlsx", ...asOf], { cwd: dir }),
    ]);
    for (const r of [fromCsv, fromXlsx, fromBook, bulkCsv, bulkXlsx]) expect(r.code, r.stderr).toBe(0);
    const total = (r: { stdout: string }) => (JSON.parse(r.stdout) as { totals: { paid: string } }).totals.paid;
    expect(Number(total(fromCsv))).toBeGreaterThan(0);
    // the same run, the files' names apart
    const labels = (t: string) => t.replaceAll(join(PILOT, "students.csv"), "S").replaceAll(join(PILOT, "checkpoints.csv"), "C").replace(/students\.xlsx|pilot\.xlsx(?=".{0,40}students)/g, "S");
    expect(JSON.parse(fromXlsx.stdout.replaceAll("students.xlsx", "S").replaceAll("checkpoints.xlsx", "C"))).toEqual(JSON.parse(labels(fromCsv.stdout)));
    expect(total(fromBook)).toBe(total(fromCsv));
    expect(bulkXlsx.stdout).toBe(bulkCsv.stdout);
    expect(bulkXlsx.stderr).toBe(bulkCsv.stderr);
    expect(ambiguous.code).toBe(3);
    expect(ambiguous.stderr).toContain('The workbook pilot.xlsx cannot be read: 2 of its sheets hold data ("students", "checkpoints")');
    expect(ambiguous.stderr).not.toMatch(/\bP\d+\b/);
  }, 120_000);

  it("obc run refuses a workbook with a formula Excel never calculated: exit 3, the cell named, no value", async () => {
    const dir = tempDir("xlsx-run-refused");
    const wb = new ExcelJS.Workbook();
    const ws = addCsvSheet(wb, "Roster", readFileSync(join(PILOT, "students.csv"), "utf8"), pilotStudents);
    ws.getCell("H3").value = { formula: "G3*2" } as ExcelJS.CellFormulaValue;
    await wb.xlsx.writeFile(join(dir, "students.xlsx"));
    const r = await runCli(["run", join(PILOT, "contract.obc"), "--data", "students.xlsx", "--data", join(PILOT, "checkpoints.csv"), "--as-of", "2027-07-01"], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error +students\.xlsx +workbook-formula-without-value +The workbook students\.xlsx/);
    expect(r.stderr).toContain("The workbook students.xlsx cannot be read: the formula in Roster!H3 has no value saved with it.");
    expect(r.stderr).not.toMatch(/\bP\d+\b/);
  }, 60_000);

  it("obc adapt: a district export as a workbook (ids as numbers shown with leading zeros, dates) adapts as the CSV does", async () => {
    const dir = tempDir("xlsx-adapt");
    const g = join(ROOT, "test", "fixtures", "adapters", "generic");
    const exportCsv = readFileSync(join(g, "district-export.csv"), "utf8");
    const wb = new ExcelJS.Workbook();
    const ws = addCsvSheet(wb, "Export", exportCsv, (c, t) => {
      if (c === "Student Number" || c === "Grade") return Number(t);
      if (c === "Exit Date") {
        const [m, d, y] = t.split("/");
        return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
      }
      if (c === "Reading Score (Spring)" && /^\d+$/.test(t)) return Number(t);
      return t;
    });
    ws.getColumn(1).numFmt = "000000";
    await wb.xlsx.writeFile(join(dir, "export.xlsx"));
    const adapt = (file: string, out: string) => runCli(["adapt", "csv", file, "--contract", join(g, "contract.obc"), "--data-set", "students", "--mapping", join(g, "mapping.json"), "--out", join(dir, out)], { cwd: dir });
    const [a, b] = await Promise.all([adapt(join(g, "district-export.csv"), "from-csv.csv"), adapt("export.xlsx", "from-xlsx.csv")]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const fromCsv = readFileSync(join(dir, "from-csv.csv"), "utf8");
    expect(fromCsv.startsWith("student_id,grade,eoy_score,exit_date\n000417,8,72,\n")).toBe(true);
    expect(readFileSync(join(dir, "from-xlsx.csv"), "utf8")).toBe(fromCsv);
  }, 60_000);

  it("obc portfolio drop: a district's workbooks are dropped, attested and settled to the cent as their CSV; a workbook that cannot be read is refused at the drop", async () => {
    const settled: Record<string, unknown> = {};
    for (const kind of ["csv", "xlsx"] as const) {
      const dir = tempDir(`xlsx-drop-${kind}`);
      const run = (args: string[]) => runCli(args, { cwd: dir, timeoutMs: 60_000 });
      let r = await run(["portfolio", "generate", "demo", "--seed", "4", "--districts", "1", "--providers", "2", "--students", "60"]);
      expect(r.code, r.stderr).toBe(0);
      const month = join(dir, "demo/drops/lakeview-brightpath/2026-11");
      const files: Record<string, string> = {};
      for (const set of ["students", "checkpoints"]) {
        const csv = readFileSync(join(month, `${set}.csv`), "utf8");
        if (kind === "csv") {
          writeFileSync(join(dir, `${set}.csv`), csv);
          files[set] = `${set}.csv`;
        } else {
          const wb = new ExcelJS.Workbook();
          addCsvSheet(wb, set, csv, (_c, t) => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : /^\d{4}-\d\d-\d\d$/.test(t) ? isoDate(t) : t));
          await wb.xlsx.writeFile(join(dir, `${set}.xlsx`));
          files[set] = `${set}.xlsx`;
        }
      }
      const common = ["--ledger", "l.sqlite"];
      r = await run(["portfolio", "drop", "demo/portfolio.json", "lakeview-brightpath", "--data", `students=${files["students"]}`, "--data", `checkpoints=${files["checkpoints"]}`, "--as-of", "2026-11-30", "--supplied-by", "Lakeview Unified School District", "--id", "2026-11-resent", ...common, "--now", "2026-12-20T08:00:00Z"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-11-resent/drop.json"), "utf8")).files).toEqual({ students: files["students"], checkpoints: files["checkpoints"] });
      r = await run(["portfolio", "attest", "demo/portfolio.json", "--as-of", "2026-12-20", "--by", "J. Rivera", "--district", "lakeview", ...common, "--now", "2026-12-20T09:00:00Z"]);
      expect(r.code, r.stderr).toBe(0);
      r = await run(["portfolio", "settle", "demo/portfolio.json", "--as-of", "2026-12-20", ...common, "--now", "2026-12-20T10:00:00Z"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/lakeview-brightpath\s+2026-11-resent\s+recorded/);
      r = await run(["portfolio", "status", "demo/portfolio.json", "--as-of", "2026-12-20", "--json", ...common]);
      expect(r.code, r.stderr).toBe(0);
      const status = JSON.parse(r.stdout) as { total: { paid: string }; contracts: { id: string; paid: string }[] };
      expect(Number(status.total.paid)).toBeGreaterThan(0);
      settled[kind] = { total: status.total, contracts: status.contracts.map((c) => [c.id, c.paid]) };
      if (kind === "xlsx") {
        // a workbook whose formula was never calculated: refused at the drop, nothing written or recorded
        const wb = new ExcelJS.Workbook();
        const ws = addCsvSheet(wb, "students", readFileSync(join(month, "students.csv"), "utf8"));
        ws.getCell("B2").value = { formula: "1+1" } as ExcelJS.CellFormulaValue;
        mkdirSync(join(dir, "bad"));
        await wb.xlsx.writeFile(join(dir, "bad/students.xlsx"));
        r = await run(["portfolio", "drop", "demo/portfolio.json", "lakeview-brightpath", "--data", "students=bad/students.xlsx", "--as-of", "2026-12-31", "--supplied-by", "Lakeview Unified School District", "--id", "2026-12-bad", ...common, "--now", "2026-12-21T08:00:00Z"]);
        expect(r.code).toBe(3);
        expect(r.stderr).toBe("obc portfolio drop: The workbook bad/students.xlsx cannot be read: the formula in students!B2 has no value saved with it. To use it, open the workbook in Excel (which calculates it) and save it again. Nothing in this file was used.\n");
        expect(() => readFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-12-bad/drop.json"))).toThrow();
      }
    }
    expect(settled["xlsx"]).toEqual(settled["csv"]);
  }, 240_000);
});
