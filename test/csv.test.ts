/**
 * The one CSV reader (engine/csv.ts): line endings, quotes, byte-order marks, binary content,
 * headers, limits, and chunks read exactly as the whole text, by example and by property
 * (random tables written with random quoting and line endings read back as written).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  columnPositions,
  CsvReader,
  csvSource,
  detectNewline,
  LineEndings,
  looksLikeData,
  MAX_RECORD_LINES,
  readChunk,
  readCsv,
  sniffText,
  type CsvChunk,
  type CsvRow,
  type Newline,
} from "../engine/csv.ts";

const cellsOf = (rows: CsvRow[]) => rows.map((r) => [r.row, ...r.cells]);

/** Reads `text` in pieces of `piece` characters (chunk mode with `chunkChars`), then each chunk as a worker does. */
function readInChunks(text: string, file: string, piece: number, chunkChars: number): { header: string[] | undefined; rows: CsvRow[]; problems: unknown[]; fatal: unknown } {
  const chunks: CsvChunk[] = [];
  const reader = new CsvReader(file, { newline: detectNewline(text), chunkChars, onChunk: (c) => chunks.push(c) });
  for (let i = 0; i < text.length; i += piece) reader.push(text.slice(i, i + piece));
  reader.end();
  const rows: CsvRow[] = [];
  const problems: unknown[] = [];
  let fatal: unknown = reader.fatal;
  for (const c of chunks) {
    if (fatal) break;
    const r = readChunk(c, file, (row) => rows.push(row));
    problems.push(...r.problems);
    fatal = r.fatal;
  }
  return { header: fatal ? undefined : reader.header, rows: fatal ? [] : rows, problems: fatal ? [] : problems, fatal };
}

/** The whole-text reading, in the same shape. */
function readWhole(text: string, file: string) {
  const t = readCsv(text, file);
  return { header: t.fatal ? undefined : t.header, rows: t.fatal ? [] : t.rows, problems: t.fatal ? [] : t.problems, fatal: t.fatal };
}

describe("line endings", () => {
  const table = ["student_id,grade", "S1,8", "S2,9", "S3,7"];
  it("reads LF, CRLF and CR files alike, with and without a final line ending", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      for (const final of ["", nl]) {
        const t = readCsv(table.join(nl) + final, "s.csv");
        expect(t.header).toEqual(["student_id", "grade"]);
        expect(cellsOf(t.rows)).toEqual([[2, "S1", "8"], [3, "S2", "9"], [4, "S3", "7"]]);
        expect(t.problems).toEqual([]);
      }
    }
  });

  it("detects the line ending on the whole text, after a byte-order mark and blank lines (F04)", () => {
    const f04 = "\ufeff\n" + table.join("\r");
    expect(detectNewline(f04)).toBe("mixed");
    const t = readCsv(f04, "s.csv");
    expect(t.header).toEqual(["student_id", "grade"]);
    expect(cellsOf(t.rows)).toEqual([[3, "S1", "8"], [4, "S2", "9"], [5, "S3", "7"]]);
    // a CRLF header then CR rows, and every other mix
    expect(cellsOf(readCsv(table[0] + "\r\n" + table.slice(1).join("\r"), "s.csv").rows)).toEqual([[2, "S1", "8"], [3, "S2", "9"], [4, "S3", "7"]]);
    expect(cellsOf(readCsv("\r\n\n" + table.join("\n") + "\r", "s.csv").rows)).toEqual([[4, "S1", "8"], [5, "S2", "9"], [6, "S3", "7"]]);
  });

  it("classifies line endings the same on a whole text, its pieces, and its bytes", () => {
    const cases: [string, Newline][] = [["a\nb\n", "\n"], ["a\r\nb\r\n", "\r\n"], ["a\rb\r", "\r"], ["a\r\nb\n", "mixed"], ["a\rb\n", "mixed"], ["ab", "\n"], ["a\r", "\r"]];
    for (const [text, want] of cases) {
      expect(detectNewline(text), JSON.stringify(text)).toBe(want);
      for (let cut = 0; cut <= text.length; cut++) {
        const pieces = new LineEndings();
        pieces.add(text.slice(0, cut));
        pieces.add(text.slice(cut));
        expect(pieces.result(), `${JSON.stringify(text)} cut at ${cut}`).toBe(want);
        const bytes = new LineEndings();
        bytes.add(new TextEncoder().encode(text.slice(0, cut)));
        bytes.add(new TextEncoder().encode(text.slice(cut)));
        expect(bytes.result()).toBe(want);
      }
    }
  });
});

describe("quotes", () => {
  it("reads delimiters, doubled quotes and line breaks inside quoted cells", () => {
    const t = readCsv('id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,x', "f.csv");
    expect(cellsOf(t.rows)).toEqual([[2, "1", "a, b"], [3, "2", 'say "hi"'], [4, "3", "two\nlines"], [5, "4", "x"]]);
    expect(t.problems).toEqual([]);
    // quotes inside an unquoted cell are text
    expect(cellsOf(readCsv('id,size\n1,5" screen\n', "f.csv").rows)).toEqual([[2, "1", '5" screen']]);
  });

  it("reports a quote problem within one line on its row (OBC5002), and keeps the rows after it", () => {
    const t = readCsv('id,note\n1,"a"b"\n2,x\n3,"unclosed', "f.csv");
    expect(t.problems.map((p) => [p.code, p.rule, p.row])).toEqual([["OBC5002", "bad-quotes", 2], ["OBC5002", "bad-quotes", 4]]);
    expect(t.rows.map((r) => [r.row, r.carried])).toEqual([[2, "bad-quotes"], [3, undefined], [4, "bad-quotes"]]);
  });

  it("refuses a file where a quote swallows the lines after it (F03), naming the row, the line and the lines swallowed", () => {
    const f03 = "student_id,grade,notes\nP1,8,ok\nP2,8,=HYPERLINK(\"https://sis.example/s/\"&A3,\"profile\")\nP3,9,\nP4,8,\nP5,9,\n";
    const t = readCsv(f03, "students.csv");
    expect(t.fatal).toMatchObject({ code: "OBC5014", rule: "unclosed-quote", row: 3, severity: "error" });
    expect(t.fatal!.message).toBe(
      "Row 3 of students.csv (line 3) opens a quoted cell that is not closed properly: it would swallow the next 3 lines. " +
        'Check the quotes on that row: a cell that starts with a quote must end with a quote followed by a comma or the end of the line, and a quote inside such a cell is written twice (""). Nothing in this file was used.',
    );
    for (const v of ["P3", "P4", "HYPERLINK", "profile", "sis.example"]) expect(t.fatal!.message).not.toContain(v);
    // the line is told apart from the row when an earlier cell holds a line break
    const shifted = readCsv('id,note\n1,"two\nlines"\n2,"open\n3,x\n', "f.csv");
    expect(shifted.fatal).toMatchObject({ row: 3 });
    expect(shifted.fatal!.message).toContain("Row 3 of f.csv (line 4)");
    expect(shifted.fatal!.message).toContain("the next line.");
  });

  it("refuses a quoted line break that closes properly but leaves its row with the wrong number of cells", () => {
    const t = readCsv('id,note,score\n1,"abc,5\n2,x",7,9\n3,y,8\n', "f.csv");
    expect(t.fatal).toMatchObject({ code: "OBC5014", row: 2 });
    expect(t.fatal!.message).toContain("the next line");
  });

  it(`refuses a record that runs past ${MAX_RECORD_LINES} lines, read whole or streamed in pieces`, () => {
    const lines = ["id,note", '1,"never closed'];
    for (let i = 0; i < MAX_RECORD_LINES + 50; i++) lines.push(`${i},x`);
    const text = lines.join("\n") + "\n";
    const whole = readWhole(text, "f.csv");
    expect(whole.fatal).toMatchObject({ code: "OBC5014", row: 2 });
    expect((whole.fatal as { message: string }).message).toContain("it would swallow more than 1,000 lines");
    for (const piece of [7, 100, 5000]) expect(readInChunks(text, "f.csv", piece, 64).fatal, `pieces of ${piece}`).toEqual(whole.fatal);
  });
});

describe("what the text is", () => {
  const cases: [string, string, string][] = [
    ["PK\u0003\u0004\u0014\u0000\u0006\u0000[Content_Types].xml…xl/workbook.xml", "an Excel workbook", "save it as CSV"],
    ["PK\u0003\u0004\u0014\u0000word/document.xml", "a Word document", "save it as CSV UTF-8"],
    ["PK\u0003\u0004\u0014\u0000data.csv", "a zip archive", "unzip it"],
    ["%PDF-1.7\n%\u00e2\u00e3\n1 0 obj", "a PDF document", "export the data"],
    ["\u001f\ufffd\b\u0000\u0000\u0000", "a compressed (gzip) file", "decompress it"],
    ["\ufffdPNG\r\n\u001a\n\u0000\u0000", "an image", "give the data as a CSV file"],
    ["SQLite format 3\u0000\u0010\u0000", "a SQLite database", "export the table"],
    ["s\u0000t\u0000u\u0000d\u0000e\u0000n\u0000t\u0000_\u0000i\u0000d\u0000\n\u0000", "text in UTF-16 without a byte-order mark", "save it as CSV UTF-8"],
    ["student_id,grade\nS1,8\u0000\u0000\u0001\u0002\n", "a binary file, not text", "give the data as a CSV file"],
  ];
  it("refuses content that is not CSV text, saying what it looks like and what to do", () => {
    for (const [text, what, action] of cases) {
      const t = readCsv(text, "data.csv");
      expect(t.fatal, what).toMatchObject({ code: "OBC5015", severity: "error" });
      expect(t.fatal!.message, what).toContain(`The file data.csv is ${what}, not a CSV file.`);
      expect(t.fatal!.message, what).toContain(action);
      expect(t.rows).toEqual([]);
    }
    expect(sniffText("student_id,grade\nS1,8\n")).toBeUndefined();
    expect(sniffText("\ufeffstudent_id,name\nS1,Zoë\n")).toBeUndefined();
  });

  it("refuses NUL characters met anywhere, also when the text comes in pieces", () => {
    const text = "student_id,grade\n" + "S1,8\n".repeat(500) + "S2,\u00009\n";
    expect(readWhole(text, "s.csv").fatal).toMatchObject({ code: "OBC5015", rule: "not-text-binary" });
    expect(readInChunks(text, "s.csv", 600, 100).fatal).toMatchObject({ code: "OBC5015", rule: "not-text-binary" });
  });
});

describe("the header", () => {
  it("is the first non-blank record; blank records keep their numbers but are not data", () => {
    const t = readCsv("\r\n  \r\nid,score\r\n,\r\n1,5\r\n\r\n\r\n", "f.csv");
    expect(t.header).toEqual(["id", "score"]);
    expect(cellsOf(t.rows)).toEqual([[5, "1", "5"]]);
  });

  it("refuses a first row that holds data (F05), naming column positions and never the cells", () => {
    const t = readCsv("P1,8,false,false,2026-09-20,2026-10-01,34,50,72,\nP2,8,true,false,2026-09-25,2026-10-10,31,45,71,\n", "students.csv");
    expect(t.fatal).toMatchObject({ code: "OBC5016", rule: "header-looks-like-data" });
    expect(t.fatal!.message).toBe(
      "The first row of students.csv looks like data, not column names: columns 2–9 of it hold numbers, dates or true/false values. " +
        "The first row must name the columns (such as student_id); add it above the data. Nothing in this file was used.",
    );
    expect(t.header).toBeUndefined();
    expect(readCsv("id,2026-09-01,score\n", "f.csv").fatal!.message).toContain(": column 2 of it hold");
  });

  it("tells values from column names", () => {
    for (const v of ["45", "-3.5", "1,234", "$1,200.50", "12%", "2026-09-20", "9/20/2026", "2026-09-20T10:00", "TRUE", "false"]) expect(looksLikeData(v), v).toBe(true);
    for (const v of ["student_id", "grade", "2024_score", "Q1", "EOY Score", "", "S-0001", "P1"]) expect(looksLikeData(v), v).toBe(false);
    expect(columnPositions([3])).toBe("column 3");
    expect(columnPositions([2, 5])).toBe("columns 2 and 5");
    expect(columnPositions([1, 3, 6, 7, 8])).toBe("columns 1, 3 and 6–8");
  });

  it("reports ragged rows against the header: too few (error), too many with data (error), too many but blank (warning)", () => {
    const t = readCsv("a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n1,2,3\n", "r.csv");
    expect(t.problems.map((p) => [p.rule, p.row, p.severity])).toEqual([["too-few-cells", 2, "error"], ["too-many-cells", 3, "error"], ["too-many-cells", 4, "warning"]]);
    expect(t.rows.map((r) => r.carried)).toEqual(["too-few-cells", "too-many-cells", undefined, undefined]);
  });
});

describe("chunks", () => {
  it("cut where records end: a chunked read equals the whole read, for any piece and chunk size", () => {
    const rows = ["student_id,note,score"];
    for (let i = 0; i < 300; i++) rows.push(i % 11 === 4 ? `S${i},"a ""quoted"" note\r\non two lines, with a comma",${i}` : i % 13 === 6 ? `S${i},"x",` : `S${i},,${i}`);
    const text = "\ufeff\r\n" + rows.join("\r\n") + "\r\n";
    const whole = readWhole(text, "s.csv");
    expect(whole.rows).toHaveLength(300);
    expect(whole.rows[4]!.cells[1]).toBe('a "quoted" note\r\non two lines, with a comma');
    for (const [piece, chunk] of [[1, 1], [13, 50], [97, 333], [4096, 1000], [1 << 20, 1 << 20]] as const) {
      expect(readInChunks(text, "s.csv", piece, chunk), `pieces ${piece}, chunks ${chunk}`).toEqual(whole);
    }
  });

  it("a source's body is one chunk, and reading it gives the rows", () => {
    const src = csvSource("\n\nid,x\n1,a\n2,b\n", "s.csv");
    expect(src.header).toEqual(["id", "x"]);
    expect(src.body).toMatchObject({ row: 4, line: 4 });
    const rows: CsvRow[] = [];
    src.forEachRow((r) => rows.push(r));
    expect(cellsOf(rows)).toEqual([[4, "1", "a"], [5, "2", "b"]]);
  });
});

// ───────────── properties ─────────────

/** A cell as a spreadsheet might hold it: letters, digits, spaces, commas, quotes and line breaks. */
const cell = fc.array(fc.constantFrom("a", "Z", "é", "7", " ", ",", '"', "\n", "-", "x"), { maxLength: 8 }).map((cs) => cs.join(""));
const tableArb = fc
  .integer({ min: 1, max: 5 })
  .chain((width) =>
    fc.record({
      header: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z_]{0,6}$/), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }).filter((r) => r.some((c) => c.trim() !== "")), { maxLength: 25 }),
      nl: fc.constantFrom("\n", "\r\n", "\r"),
      quoteAll: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      bom: fc.boolean(),
      blankLines: fc.integer({ min: 0, max: 2 }),
      finalNewline: fc.boolean(),
      piece: fc.integer({ min: 1, max: 200 }),
      chunk: fc.integer({ min: 1, max: 300 }),
    }),
  );

/** Writes a table as CSV: cells that need quotes are quoted, others at random; line breaks in cells are the file's. */
function writeCsv(t: { header: string[]; rows: string[][]; nl: string; quoteAll: boolean[]; bom: boolean; blankLines: number; finalNewline: boolean }): { text: string; rows: string[][] } {
  let k = 0;
  const rows = t.rows.map((r) => r.map((c) => c.replace(/\n/g, t.nl)));
  const write = (c: string) => {
    const must = /[",\r\n]/.test(c);
    return must || t.quoteAll[k++ % t.quoteAll.length] ? `"${c.replace(/"/g, '""')}"` : c;
  };
  const lines = [t.header.join(","), ...rows.map((r) => r.map(write).join(","))];
  const text = (t.bom ? "\ufeff" : "") + t.nl.repeat(t.blankLines) + lines.join(t.nl) + (t.finalNewline ? t.nl : "");
  return { text, rows };
}

describe("properties", () => {
  it("a random table written with random quoting and line endings reads back as written, whole or in chunks", () => {
    fc.assert(
      fc.property(tableArb, (t) => {
        const { text, rows } = writeCsv(t);
        const whole = readWhole(text, "p.csv");
        expect(whole.fatal).toBeUndefined();
        expect(whole.header).toEqual(t.header);
        expect(whole.rows.map((r) => r.cells)).toEqual(rows);
        expect(whole.problems).toEqual([]);
        // rows are numbered as records after the blank lines, from the header's row
        expect(whole.rows.map((r) => r.row)).toEqual(rows.map((_, i) => t.blankLines + 2 + i));
        expect(readInChunks(text, "p.csv", t.piece, t.chunk)).toEqual(whole);
      }),
      { numRuns: 150, seed: 20261203 },
    );
  });

  it("every line is accounted for: each is blank, in the header, or in a row, or the file is refused", () => {
    // a quote inserted anywhere: the rows are read with every line, or the file is refused; never lines lost
    fc.assert(
      fc.property(tableArb, fc.integer({ min: 0, max: 10_000 }), (t, at) => {
        const { text } = writeCsv({ ...t, bom: false, finalNewline: true });
        const pos = at % (text.length + 1);
        const broken = text.slice(0, pos) + '"' + text.slice(pos);
        const whole = readWhole(broken, "p.csv");
        expect(readInChunks(broken, "p.csv", t.piece, t.chunk)).toEqual(whole);
        if (whole.fatal) return;
        // the quote may have split a CRLF: the file then mixes line endings, read as LF
        const mixed = detectNewline(broken) === "mixed";
        const nl = mixed ? "\n" : t.nl;
        const read = mixed ? broken.replace(/\r\n?/g, "\n") : broken;
        const lines = (read.endsWith(nl) ? read.slice(0, -nl.length) : read).split(nl);
        const covered = new Set<number>();
        for (const r of whole.rows) {
          const span = 1 + r.cells.reduce((m, c) => m + c.split(nl).length - 1, 0);
          for (let l = r.line; l < r.line + span; l++) {
            expect(covered.has(l)).toBe(false);
            covered.add(l);
          }
          expect(r.cells.length === t.header.length || span === 1).toBe(true);
        }
        const firstRow = whole.rows[0]?.line ?? lines.length + 1;
        lines.forEach((l, i) => {
          const n = i + 1;
          if (!covered.has(n) && n > firstRow) expect(l.replace(/"/g, "").split(",").every((c) => c.trim() === ""), `line ${n} of ${JSON.stringify(read)}`).toBe(true);
        });
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe("the engine's API (editor, HTTP): no bytes, only text", () => {
  it("a workbook read as text is refused with the advice to save it as CSV, and the run stops", async () => {
    const { readFileSync } = await import("node:fs");
    const { compileSource } = await import("../language/driver.ts");
    const { runContract } = await import("../engine/index.ts");
    const source = readFileSync(new URL("../examples/03-algebra-pilot/contract.obc", import.meta.url), "utf8");
    const ir = compileSource(source).ir!;
    // what a browser's file.text() gives for an .xlsx: the zip's bytes read as UTF-8
    const xlsx = "PK\u0003\u0004\u0014\u0000\u0006\u0000\b\u0000\u0000\u0000!\u0000\ufffd\ufffd[Content_Types].xml \ufffd\u0004(\ufffd xl/workbook.xml";
    const checkpoints = readFileSync(new URL("../examples/03-algebra-pilot/checkpoints.csv", import.meta.url), "utf8");
    const out = await runContract(ir, source, [{ label: "students.xlsx", text: xlsx }, { label: "checkpoints.csv", text: checkpoints }]);
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => [p.code, p.file, p.severity])).toEqual([["OBC5015", "students.xlsx", "error"]]);
    expect(out.problems[0]!.message).toBe("The file students.xlsx is an Excel workbook, not a CSV file. To use it, save it as CSV (in Excel: File, Save As, CSV UTF-8) and give that file.");
  });
});
