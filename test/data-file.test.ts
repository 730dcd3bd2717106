/**
 * Data files from disk as text (node/data-file.ts): UTF-8 with or without a byte-order mark,
 * UTF-16 with one, Windows-1252 when the bytes are not UTF-8, and refusals of everything that is
 * not text; the whole-file and the streamed reading decide alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBytes, inspectFile, readDataFile, readHeadText, textPieces } from "../node/data-file.ts";

const dir = mkdtempSync(join(tmpdir(), "obc-data-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CSV = "student_id,name,grade\r\nS1,Zoë Müller,8\r\nS2,Łukasz,9\r\n";

function utf16(text: string, be: boolean): Buffer {
  const le = Buffer.from(text, "utf16le");
  if (be) for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), le]);
}

/** The same file read whole, and inspected then streamed. */
async function both(name: string, bytes: Uint8Array) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const whole = decodeBytes(bytes, name);
  const facts = await inspectFile(path, name);
  let streamed = "";
  if (facts.encoding) for await (const p of textPieces(path, facts.encoding)) streamed += p;
  return { whole, facts, streamed };
}

describe("decoding data files", () => {
  it("reads UTF-8 with and without a byte-order mark, and UTF-16 LE and BE with one", async () => {
    const cases: [string, Uint8Array, string][] = [
      ["utf8.csv", Buffer.from(CSV, "utf8"), "utf-8"],
      ["bom.csv", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, "utf8")]), "utf-8-bom"],
      ["le.csv", utf16(CSV, false), "utf-16le"],
      ["be.csv", utf16(CSV, true), "utf-16be"],
    ];
    for (const [name, bytes, encoding] of cases) {
      const { whole, facts, streamed } = await both(name, bytes);
      expect(whole, name).toEqual({ text: CSV, encoding });
      expect(facts.encoding, name).toBe(encoding);
      expect(facts.newline, name).toBe("\r\n");
      expect(streamed, name).toBe(CSV);
    }
  });

  it("reads bytes that are not UTF-8 as Windows-1252, and the run's file report says so", async () => {
    const bytes = Buffer.from("student_id,name,note\nS1,Zo\xeb,\x93ok\x94 \x80 5\n", "latin1");
    const { whole, facts, streamed } = await both("cp1252.csv", bytes);
    expect(whole).toEqual({ text: "student_id,name,note\nS1,Zoë,“ok” € 5\n", encoding: "windows-1252" });
    expect(facts.encoding).toBe("windows-1252");
    expect(streamed).toBe("student_id,name,note\nS1,Zoë,“ok” € 5\n");
    const { file } = await readDataFile(join(dir, "cp1252.csv"), "cp1252.csv");
    expect(file.encoding).toBe("windows-1252");
    const plain = await readDataFile(join(dir, "utf8.csv"), "utf8.csv");
    expect(plain.file.encoding).toBeUndefined();
  });

  it("a UTF-8 character cut between the pieces of a large file is still UTF-8", async () => {
    const big = "student_id,name\n" + "S1,é€😀\n".repeat(300_000);
    const { facts, streamed } = await both("big.csv", Buffer.from(big, "utf8"));
    expect(facts.encoding).toBe("utf-8");
    expect(streamed).toBe(big);
  });

  it("refuses what is not text, saying what it looks like and what to do", async () => {
    const zip = (names: string[]) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), ...names.map((n) => Buffer.from(n + "\0\0\x01\x02\xff\xfe", "latin1"))]);
    const cases: [string, Uint8Array, string][] = [
      ["book.xlsx", zip(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]), "is an Excel workbook, not a CSV file. To use it, save it as CSV"],
      ["letter.docx", zip(["[Content_Types].xml", "word/document.xml"]), "is a Word document"],
      ["old.xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), "is an old-format Office file"],
      ["report.pdf", Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "latin1"), "is a PDF document"],
      ["data.csv.gz", Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), "is a compressed (gzip) file"],
      ["nul.csv", Buffer.from("student_id,grade\nS1,8\0\0\0\n", "latin1"), "is a binary file, not text"],
      ["utf16-no-bom.csv", Buffer.from(CSV, "utf16le"), "is text in UTF-16 without a byte-order mark"],
      ["utf32.csv", Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from("s\0\0\0", "latin1")]), "is text in UTF-32"],
      ["noise.bin", Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256).filter((b) => b !== 0)), "is a binary file, not text"],
    ];
    for (const [name, bytes, says] of cases) {
      const { whole, facts } = await both(name, bytes);
      expect("refusal" in whole && whole.refusal.message, name).toContain(`The file ${name} ${says}`);
      expect(facts.refusal, name).toEqual("refusal" in whole ? whole.refusal : undefined);
      expect(facts.encoding, name).toBeUndefined();
      const { file } = await readDataFile(join(dir, name), name);
      // a file that looks like a workbook is read as one (node/workbook.ts): this one is only its names
      expect(file.refusal?.code, name).toBe(name.endsWith(".xlsx") ? "OBC5019" : "OBC5015");
      expect(file.text).toBe("");
    }
  });

  it("decodes the head of a file as the whole file would be decoded", async () => {
    writeFileSync(join(dir, "head-le.csv"), utf16(CSV, false));
    expect(await readHeadText(join(dir, "head-le.csv"), 20)).toBe(CSV.slice(0, 9));
    writeFileSync(join(dir, "head-cut.csv"), Buffer.from("id,name\nS1,é€\n", "utf8"));
    // 13 bytes end inside "€": the cut character is left out
    expect(await readHeadText(join(dir, "head-cut.csv"), 13)).toBe("id,name\nS1,é");
  });
});
