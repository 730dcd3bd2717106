/**
 * Data for the fuzz campaigns: valid tables generated from a contract's data declarations, and
 * a malformed-data generator that breaks them the ways district and vendor exports break (stray
 * and unclosed quotes, line endings, blank lines, byte-order marks, missing or repeated headers,
 * cells added or missing, binary content, other encodings, truncation, bad values).
 *
 * Every generated id and text cell is distinctive (letters and digits that appear nowhere in
 * OBC's messages), so a campaign can check that no message repeats one.
 */
import type { ContractIR, DataSetIR, FieldInfo } from "../../language/check/ir.ts";
import type { Rng } from "./rng.ts";

/** One data set's table, as generated (before any damage). */
export interface Table {
  dataSet: string;
  header: string[];
  rows: string[][];
}

/** What the generator knows about the student data it wrote: the values no message may repeat. */
export interface Secrets {
  /** student ids, and text cells of 6 characters or more */
  values: Set<string>;
}

const LETTERS = "BCDFGHJKLMNPQRSTVWXZ";

/** An id no message can contain by chance: two letters, five digits, a letter ("QX40213K"). */
function distinctiveId(rng: Rng): string {
  let s = LETTERS[rng.int(LETTERS.length)]! + LETTERS[rng.int(LETTERS.length)]!;
  for (let i = 0; i < 5; i++) s += String(rng.int(10));
  return s + LETTERS[rng.int(LETTERS.length)]!;
}

const pad = (n: number) => String(n).padStart(2, "0");

function dateIn(rng: Rng, ir: ContractIR): string {
  const start = Date.parse(ir.term?.start ?? "2026-09-01");
  const end = Date.parse(ir.term?.end ?? "2027-06-30");
  const span = Number.isFinite(start) && Number.isFinite(end) && end > start ? end - start : 300 * 86_400_000;
  const d = new Date((Number.isFinite(start) ? start : Date.parse("2026-09-01")) + rng.int(Math.floor(span / 86_400_000) + 30) * 86_400_000);
  return rng.chance(0.15)
    ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`
    : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A valid cell for a field (sometimes empty when the field is optional). */
function cellFor(f: FieldInfo, rng: Rng, ir: ContractIR, secrets: Secrets): string {
  if (f.optional && rng.chance(0.2)) return "";
  switch (f.type) {
    case "integer":
      return String(rng.between(-2, 14));
    case "count":
      return String(rng.between(0, 60));
    case "decimal":
      return (rng.int(2000) / 100).toFixed(rng.pick([0, 1, 2]));
    case "score":
      return String(rng.chance(0.5) ? rng.between(0, 100) : (rng.int(10_000) / 100).toFixed(2));
    case "percent":
      return rng.chance(0.5) ? `${rng.between(0, 100)}%` : String(rng.between(0, 100));
    case "money":
      return rng.chance(0.5) ? `$${rng.between(0, 9_000).toLocaleString("en-US")}` : (rng.int(900_000) / 100).toFixed(2);
    case "boolean":
      return rng.pick(["true", "false", "TRUE", "False", "yes", "no", "1", "0", "Y", "N"]);
    case "date":
      return dateIn(rng, ir);
    case "text": {
      const v = `${distinctiveId(rng).toLowerCase()} ${distinctiveId(rng)}`;
      secrets.values.add(v);
      return v;
    }
  }
}

function periodsFor(ds: DataSetIR, ir: ContractIR, rng: Rng): string[] {
  const start = ir.term?.start ?? "2026-09-01";
  const y = Number(start.slice(0, 4)) || 2026;
  const m = Number(start.slice(5, 7)) || 9;
  const n = rng.between(1, 10);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (ds.period === "month") {
      const k = m - 1 + i;
      out.push(`${y + Math.floor(k / 12)}-${pad((k % 12) + 1)}`);
    } else {
      out.push(`${y + i}-${pad((y + i + 1) % 100)}`);
    }
  }
  return out;
}

/**
 * Valid tables for every data set of a contract, with `students` students.
 * @returns the tables, in the contract's order, and the values no message may contain
 */
export function tablesFor(ir: ContractIR, rng: Rng, students: number): { tables: Table[]; secrets: Secrets } {
  const secrets: Secrets = { values: new Set() };
  const ids = Array.from({ length: students }, () => distinctiveId(rng));
  for (const id of ids) secrets.values.add(id);
  const tables = ir.dataSets.map((ds): Table => {
    const key = ds.key ?? (ds.period ? undefined : "student_id");
    const period = ds.period;
    const header = [...(key !== undefined ? [key] : []), ...(period !== undefined ? [period] : []), ...ds.fields.map((f) => f.name)];
    const rows: string[][] = [];
    const periods = period !== undefined ? periodsFor(ds, ir, rng) : [undefined];
    const keys = key !== undefined ? ids : [undefined];
    for (const k of keys) {
      for (const p of periods) {
        if (k !== undefined && p !== undefined && rng.chance(0.2)) continue;
        rows.push([...(k !== undefined ? [k] : []), ...(p !== undefined ? [p] : []), ...ds.fields.map((f) => cellFor(f, rng, ir, secrets))]);
      }
    }
    return { dataSet: ds.name, header, rows };
  });
  return { tables, secrets };
}

/** RFC 4180 quoting of one cell where it needs it. */
function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** A table as CSV text. */
export function csvText(t: Table, newline = "\n"): string {
  return [t.header, ...t.rows].map((r) => r.map(quote).join(",")).join(newline) + newline;
}

// ───────────── damage ─────────────

/** What one damaged file is expected to do. */
export interface Damaged {
  bytes: Uint8Array;
  /** the damage done, for the failure report */
  damage: string[];
  /**
   * the number of data records the file holds when it is read as intended (its rows); the reader
   * must either read exactly this many rows or refuse the file with a file-level error
   */
  records: number | undefined;
}

const enc = new TextEncoder();

/** Breaks one cell's quoting the way spreadsheets and hand edits do. */
function badQuote(rng: Rng, cell: string): string {
  return rng.pick([
    `=HYPERLINK("https://sis.example/s/"&A3,"profile")`,
    `"${cell}`,
    `${cell}"x`,
    `"${cell}"x`,
    `a"b`,
    `"`,
    `"${cell}""`,
  ]);
}

/**
 * A malformed (or valid) version of a table as file bytes: 0 to 3 kinds of damage, chosen at
 * random; the header and rows are kept in the same order so the expected row count is known.
 */
export function damage(t: Table, rng: Rng): Damaged {
  const rows = t.rows.map((r) => [...r]);
  let header: string[] | undefined = [...t.header];
  const done: string[] = [];
  let newline = "\n";
  let prefix = "";
  let suffix = "";
  let records: number | undefined = rows.length;
  /** cells broken on purpose: written as they are, never quoted */
  const broken = new Set<string>();
  let raw: ((text: string) => Uint8Array) | undefined;
  /** edits of the written text, in order */
  const textEdits: ((text: string) => string)[] = [];
  let emptied = false;
  /** a row to damage: never a blank line (damaging one would make it a row) */
  const dataRow = (): number | undefined => {
    const full = rows.flatMap((r, i) => (r.length > 0 ? [i] : []));
    return full.length > 0 ? rng.pick(full) : undefined;
  };
  const n = rng.pick([0, 1, 1, 2, 2, 3]);
  for (let k = 0; k < n; k++) {
    const kind = rng.int(16);
    switch (kind) {
      case 0: { // a stray or unclosed quote in a cell
        const r = dataRow();
        if (r !== undefined) {
          const c = rng.int(rows[r]!.length);
          rows[r]![c] = badQuote(rng, rows[r]![c]!);
          broken.add(`${r}:${c}`);
          done.push(`bad quote in row ${r + 2} cell ${c + 1}`);
        }
        break;
      }
      case 1:
        newline = rng.pick(["\r\n", "\r", "\n"]);
        done.push(`newline ${JSON.stringify(newline)}`);
        break;
      case 2:
        prefix = rng.pick(["\uFEFF", "\n", "\uFEFF\n", "\r\n\r\n", "   \n"]) + prefix;
        done.push(`prefix ${JSON.stringify(prefix)}`);
        break;
      case 3: // no header
        header = undefined;
        done.push("no header");
        break;
      case 4: // a column renamed, repeated or dropped in the header
        if (header && header.length > 0) {
          const c = rng.int(header.length);
          const how = rng.int(3);
          if (how === 0) header[c] = header[c]!.toUpperCase().replace(/_/g, " ");
          else if (how === 1) header.push(header[c]!);
          else header[c] = "notes";
          done.push(`header column ${c + 1} ${["respelt", "repeated", "renamed"][how]}`);
        }
        break;
      case 5: { // a row with a cell too many or too few
        const r = dataRow();
        if (r !== undefined) {
          if (rng.chance(0.5)) rows[r]!.push("extra");
          else rows[r]!.pop();
          done.push(`row ${r + 2} has the wrong number of cells`);
        }
        break;
      }
      case 6: // blank lines between rows
        if (rows.length > 1) {
          const r = rng.int(rows.length);
          rows.splice(r, 0, []);
          for (const b of [...broken]) {
            const [br, bc] = b.split(":").map(Number) as [number, number];
            if (br >= r) {
              broken.delete(b);
              broken.add(`${br + 1}:${bc}`);
            }
          }
          done.push(`blank line before row ${r + 2}`);
        }
        break;
      case 7: { // a value of the wrong kind
        const r = dataRow();
        if (r !== undefined && rows[r]!.length > 1) {
          const c = 1 + rng.int(rows[r]!.length - 1);
          rows[r]![c] = rng.pick(["n/a", "-", "12,5", "1e400", "2027-02-30", "13/45/2026", "$-0", "TRUE?", "∞", "NaN", "-0", "0x1F", " 45 ", "4 5"]);
          done.push(`bad value in row ${r + 2} cell ${c + 1}`);
        }
        break;
      }
      case 8: { // a repeated key
        const r = dataRow();
        if (r !== undefined) {
          rows.push([...rows[r]!]);
          if (records !== undefined) records++;
          done.push("a repeated row");
        }
        break;
      }
      case 9: // a binary file
        raw = () =>
          rng.pick([
            () => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...enc.encode("[Content_Types].xml xl/workbook.xml"), 0, 0, 1, 2]),
            () => enc.encode("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n"),
            () => Uint8Array.from({ length: 300 }, () => rng.int(256)),
            () => Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
            () => Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]),
            () => enc.encode("SQLite format 3\0"),
          ])();
        done.push("binary");
        break;
      case 10: // another encoding
        raw = (text) => {
          const how = rng.int(3);
          if (how === 0) {
            const b = new Uint8Array(text.length * 2 + 2);
            b[0] = 0xff;
            b[1] = 0xfe;
            for (let i = 0; i < text.length; i++) {
              b[2 + 2 * i] = text.charCodeAt(i) & 0xff;
              b[3 + 2 * i] = text.charCodeAt(i) >> 8;
            }
            return b;
          }
          if (how === 1) {
            // UTF-16 LE without its mark: refused (or read when it can be told)
            const b = new Uint8Array(text.length * 2);
            for (let i = 0; i < text.length; i++) b[2 * i] = text.charCodeAt(i) & 0xff;
            return b;
          }
          // Windows-1252: an é in a text cell
          return Uint8Array.from([...enc.encode(text.replace(/[^\x00-\x7f]/g, "?"))].flatMap((c) => (c === 0x65 && rng.chance(0.05) ? [0xe9] : [c])));
        };
        done.push("other encoding");
        break;
      case 11: // NUL or control bytes inside the text
        textEdits.push((text) => {
          const i = rng.int(text.length + 1);
          return text.slice(0, i) + rng.pick(["\0", "\0\0\0", "\x07", "\x1b[2J"]) + text.slice(i);
        });
        // between a CR and its LF, it makes two line breaks of one
        records = undefined;
        done.push("control characters");
        break;
      case 12: // truncated in the middle
        textEdits.push((text) => text.slice(0, rng.int(text.length + 1)));
        records = undefined;
        done.push("truncated");
        break;
      case 13: { // a quoted cell that legitimately holds a line break
        const r = dataRow();
        if (r !== undefined && rows[r]!.length > 1) {
          const c = rows[r]!.length - 1;
          rows[r]![c] = `line one${rng.pick(["\n", "\r\n"])}line two`;
          broken.delete(`${r}:${c}`);
          done.push(`line break inside row ${r + 2} cell ${c + 1}`);
        }
        break;
      }
      case 14: // an empty file, or only the header
        if (rng.chance(0.5)) {
          textEdits.push(() => "");
          emptied = true;
        } else rows.length = 0;
        if (records !== undefined) records = 0;
        done.push("empty");
        break;
      case 15: // another delimiter
        textEdits.push((text) => text.replace(/,/g, rng.pick([";", "\t", "|"])));
        done.push("another delimiter");
        break;
    }
  }
  const lines = [...(header ? [header.map(quote)] : []), ...rows.map((r, i) => r.map((c, j) => (broken.has(`${i}:${j}`) ? c : quote(c))))];
  let text = prefix + lines.map((r) => r.join(",")).join(newline) + newline;
  for (const edit of textEdits) text = edit(text);
  // an emptied text holds no row, unless another edit wrote into it again
  if (emptied) records = textEdits.length === 1 ? 0 : undefined;
  const bytes = raw ? raw(text) : enc.encode(text);
  return { bytes, damage: done, records };
}
