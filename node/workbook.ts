/**
 * Excel workbooks (.xlsx) as data files (Node only): one worksheet becomes the CSV text the one
 * CSV reader (engine/csv.ts) reads, one record per worksheet row, so a workbook gives the same
 * rows, row numbers and problems as the same table saved as CSV. Called only by the byte decoder
 * (node/data-file.ts); read with exceljs.
 *
 * Every cell is read exactly, or the workbook is refused (OBC5019) with the cell and what to do:
 * - text as written (rich text joined, a link's text); true/false;
 * - numbers as Excel keeps them: whole numbers exactly (beyond 2^53 refused: store such ids as
 *   text), fractions in plain decimal to Excel's 15 significant digits; a cell formatted as a
 *   percentage as percent points with `%` (0.2 shown as 20% → `20%`, as the reader expects); a
 *   whole number formatted with leading zeros (`00000`) with them;
 * - dates as ISO dates (YYYY-MM-DD; with the time when it is not midnight, which a date field
 *   refuses), in the 1900 or the 1904 date system;
 * - a formula by the value Excel saved with it; refused when none was saved, or when the value
 *   is an error (#DIV/0!, #N/A…);
 * - merged cells are refused (a row must hold one record);
 * - the one worksheet that holds data is read; with several, the one named after the data set
 *   (`--data students=book.xlsx` reads the sheet "students"); otherwise refused, naming them.
 * A workbook that expands to more than 256 MB (each part inflated with that limit before exceljs
 * reads it, whatever sizes the zip claims), or that exceljs cannot read, is refused.
 * No message holds a cell's value.
 */
import { inflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { registeredProblem } from "../engine/csv.ts";
import type { DataProblem } from "../engine/data.ts";
import { csvEscape } from "./adapters/canonical.ts";

/** The most a workbook's parts may expand to (bounded work on hostile zips). */
export const WORKBOOK_MAX_EXPANDED = 256 * 1024 * 1024;

class Refusal {
  constructor(
    readonly rule: string,
    readonly reason: string,
    readonly action: string,
  ) {}
}

const resave = "open it in Excel and save it again as .xlsx, or save the sheet as CSV UTF-8 and give that file";

/**
 * The CSV text of a workbook's data sheet, or its refusal (OBC5019).
 * @param dataSet the data set the file was given for, if named: picks the sheet of that name among several
 */
export async function workbookCsv(bytes: Uint8Array, label: string, dataSet?: string, maxExpanded = WORKBOOK_MAX_EXPANDED): Promise<{ text: string } | { refusal: DataProblem }> {
  try {
    return { text: await readWorkbook(bytes, dataSet, maxExpanded) };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return { refusal: registeredProblem("OBC5019", label, `workbook-${e.rule}`, { reason: e.reason, action: e.action }) };
  }
}

async function readWorkbook(bytes: Uint8Array, dataSet: string | undefined, maxExpanded: number): Promise<string> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expanded = expandedSize(buf, maxExpanded);
  if (expanded === undefined) throw new Refusal("damaged", "it is damaged (its zip archive cannot be read)", resave);
  if (expanded > maxExpanded) throw new Refusal("too-large", `it expands to more than ${Math.floor(maxExpanded / 1024 / 1024)} MB`, "save the sheet as CSV UTF-8 and give that file");
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer, { ignoreNodes: ["dataValidations", "conditionalFormatting", "drawing", "picture", "legacyDrawing", "tableParts", "extLst"] } as never);
  } catch {
    throw new Refusal("damaged", "it is damaged or is not a workbook Excel reads", resave);
  }
  const ws = pickSheet(wb, dataSet);
  if (!ws) return "";
  const merges = (ws.model as { merges?: string[] }).merges ?? [];
  if (merges.length > 0) throw new Refusal("merged-cells", `cells ${merges[0]} of the sheet "${ws.name}" are merged`, "unmerge them, so that each row holds one record with one value per column");
  const lines: string[] = [];
  let width = -1;
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.findRow(r);
    const cells: string[] = [];
    if (row) for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c), ws.name));
    while (cells.length > 0 && cells[cells.length - 1] === "") cells.pop();
    if (cells.length > 0) {
      if (width < 0) width = cells.length; // the header
      while (cells.length < width) cells.push("");
    }
    lines.push(cells.map(csvEscape).join(","));
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}

/** The worksheet to read: the only one with data, or the one named after the data set; undefined when none holds data. */
function pickSheet(wb: ExcelJS.Workbook, dataSet: string | undefined): ExcelJS.Worksheet | undefined {
  const withData = wb.worksheets.filter((w) => w.actualRowCount > 0);
  if (withData.length <= 1) return withData[0];
  const norm = (s: string) => s.trim().toLowerCase();
  const named = dataSet !== undefined ? withData.filter((w) => norm(w.name) === norm(dataSet)) : [];
  if (named.length === 1) return named[0];
  const names = withData.map((w) => `"${w.name}"`);
  const list = names.length <= 5 ? names.join(", ") : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
  throw new Refusal(
    "several-sheets",
    `${withData.length} of its sheets hold data (${list}) and it is not clear which to read`,
    dataSet !== undefined
      ? `name the sheet to read "${dataSet}", or keep the data in one sheet`
      : `keep the data in one sheet, or name the sheet after its data set and give it as --data NAME=FILE (e.g. a sheet "students" with --data students=FILE)`,
  );
}

/** One cell as the CSV reader would read it from Excel's own CSV, or a refusal. */
function cellText(cell: ExcelJS.Cell, sheet: string): string {
  const at = `${sheet}!${cell.address}`;
  return valueText(cell.value, cell.numFmt, at);
}

function valueText(v: ExcelJS.CellValue, numFmt: string | undefined, at: string): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return numberText(v, numFmt, at);
  if (v instanceof Date) return dateText(v);
  if (typeof v === "object") {
    if ("error" in v) throw new Refusal("error-value", `the cell ${at} holds the error ${String(v.error)}`, "correct the value or the formula in that cell and save the workbook again");
    if ("richText" in v) return v.richText.map((t) => t.text).join("");
    if ("formula" in v || "sharedFormula" in v) {
      const result = (v as { result?: ExcelJS.CellValue }).result;
      if (result === undefined || result === null) throw new Refusal("formula-without-value", `the formula in ${at} has no value saved with it`, "open the workbook in Excel (which calculates it) and save it again");
      if (typeof result === "object" && !(result instanceof Date) && !("error" in result)) throw new Refusal("cell-kind", `the cell ${at} holds a value of a kind OBC does not read`, resave);
      return valueText(result, numFmt, at);
    }
    if ("hyperlink" in v) return valueText((v as { text?: ExcelJS.CellValue }).text ?? "", numFmt, at);
  }
  throw new Refusal("cell-kind", `the cell ${at} holds a value of a kind OBC does not read`, resave);
}

/** A number as the workbook keeps it, in plain decimal. */
function numberText(v: number, numFmt: string | undefined, at: string): string {
  const tooLong = () => new Refusal("number-too-long", `the number in ${at} is too long for a workbook to keep exactly`, "store long numbers such as ids as text (in Excel: format the column as Text before typing them)");
  if (!Number.isFinite(v)) throw tooLong();
  let text: string;
  if (Number.isInteger(v)) {
    if (!Number.isSafeInteger(v)) throw tooLong();
    text = String(v);
  } else {
    // Excel keeps 15 significant digits; more are the binary fraction's noise (0.1+0.2)
    const shortest = String(v);
    text = significantDigits(shortest) > 15 ? plainDecimal(v.toPrecision(15)) : plainDecimal(shortest);
  }
  const fmt = sectionOf(numFmt ?? "");
  if (fmt.includes("%")) return shiftPoint(text, 2) + "%";
  if (/^0+$/.test(fmt) && Number.isInteger(v) && v >= 0) return text.padStart(fmt.length, "0");
  return text;
}

/** The first section of a number format, without its quoted text and escaped characters. */
function sectionOf(numFmt: string): string {
  return (numFmt.split(";")[0] ?? "").replace(/"[^"]*"/g, "").replace(/\\./g, "").replace(/\[[^\]]*\]/g, "");
}

function significantDigits(s: string): number {
  const mantissa = s.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "");
  return mantissa.replace(/^0+/, "").replace(/0+$/, "").length;
}

/** "1.5e-7" → "0.00000015", "1.25e+21" → "1250000000000000000000", trailing zeros of a fraction dropped. */
export function plainDecimal(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) return s;
  const [, sign, int, frac = "", exp = "0"] = m;
  return sign + shiftDigits(int!, frac, Number(exp));
}

/** The decimal text `s` times 10^places (exactly, on the digits). */
export function shiftPoint(s: string, places: number): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return s;
  return m[1]! + shiftDigits(m[2]!, m[3] ?? "", places);
}

function shiftDigits(int: string, frac: string, places: number): string {
  let digits = int + frac;
  let point = int.length + places;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const rest = digits.slice(point).replace(/0+$/, "");
  return rest ? `${whole}.${rest}` : whole;
}

/** A date as an ISO date; with its time (to the second) when it is not midnight. */
function dateText(d: Date): string {
  const ms = Math.round(d.getTime() / 1000) * 1000;
  const iso = new Date(ms).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19);
}

/**
 * The bytes the parts of a zip expand to, inflating each (deflated) part with a limit, so a
 * part that says it is small but expands without end stops at the limit; undefined when the zip
 * cannot be read. Counts at most `limit + 1`.
 */
function expandedSize(b: Buffer, limit: number): number | undefined {
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const entries = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  let total = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) return undefined;
    const method = b.readUInt16LE(p + 10);
    const compressed = b.readUInt32LE(p + 20);
    const local = b.readUInt32LE(p + 42);
    p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
    if (local + 30 > b.length || b.readUInt32LE(local) !== 0x04034b50) return undefined;
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    if (compressed === 0xffffffff || start + compressed > b.length) return undefined;
    const data = b.subarray(start, start + compressed);
    if (method === 0) total += data.length;
    else if (method === 8) {
      try {
        total += inflateRawSync(data, { maxOutputLength: limit - total + 1 }).length;
      } catch (e) {
        if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return limit + 1;
        return undefined;
      }
    } else return undefined;
    if (total > limit) return total;
  }
  return total;
}
