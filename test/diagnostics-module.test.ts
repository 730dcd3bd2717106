import { describe, expect, it } from "vitest";
import {
  CODES,
  LineIndex,
  codeInfo,
  diag,
  didYouMean,
  editDistance,
  fillTemplate,
  placeholders,
  renderText,
  toJson,
  toRanges,
  type Diagnostic,
} from "../language/diagnostics/index.ts";

describe("LineIndex", () => {
  it("maps offsets to 1-based line and column with LF", () => {
    const idx = new LineIndex("ab\ncd\n");
    expect(idx.lineCount).toBe(3);
    expect(idx.position(0)).toEqual({ line: 1, column: 1 });
    expect(idx.position(2)).toEqual({ line: 1, column: 3 }); // the "\n"
    expect(idx.position(3)).toEqual({ line: 2, column: 1 });
    expect(idx.position(4)).toEqual({ line: 2, column: 2 });
    expect(idx.position(6)).toEqual({ line: 3, column: 1 }); // end, after the final newline
    expect(idx.lineText(2)).toBe("cd");
    expect(idx.lineText(3)).toBe("");
  });

  it("handles CRLF line breaks", () => {
    const idx = new LineIndex("ab\r\ncd\r\nef");
    expect(idx.lineCount).toBe(3);
    expect(idx.position(4)).toEqual({ line: 2, column: 1 });
    expect(idx.position(8)).toEqual({ line: 3, column: 1 });
    expect(idx.lineText(1)).toBe("ab");
    expect(idx.lineText(2)).toBe("cd");
    expect(idx.lineText(3)).toBe("ef");
  });

  it("handles a last line without newline and clamps offsets", () => {
    const idx = new LineIndex("x\nlast");
    expect(idx.position(6)).toEqual({ line: 2, column: 5 }); // offset == length
    expect(idx.position(100)).toEqual({ line: 2, column: 5 });
    expect(idx.position(-3)).toEqual({ line: 1, column: 1 });
    expect(idx.lineText(2)).toBe("last");
    expect(idx.lineText(9)).toBe("");
    expect(idx.offset(2, 3)).toBe(4);
  });

  it("counts columns in UTF-16 units and handles empty text", () => {
    expect(new LineIndex("😀x").position(2)).toEqual({ line: 1, column: 3 });
    const empty = new LineIndex("");
    expect(empty.lineCount).toBe(1);
    expect(empty.position(0)).toEqual({ line: 1, column: 1 });
  });
});

describe("editDistance / didYouMean", () => {
  it("computes optimal-string-alignment distance, ignoring case", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("Score", "score")).toBe(0);
    expect(editDistance("ca", "ac")).toBe(1); // one adjacent swap
    expect(editDistance("ca", "abc")).toBe(3); // OSA, not unrestricted Damerau (2)
    expect(editDistance("eoy_scor", "eoy_score")).toBe(1);
    expect(editDistance("grwoth", "growth")).toBe(1);
  });

  it("suggests close names", () => {
    expect(didYouMean("eoy_scor", ["boy_score", "eoy_score"])).toBe("eoy_score");
    expect(didYouMean("grwoth", ["growth", "grade"])).toBe("growth");
    expect(didYouMean("EOY_Score", ["eoy_score"])).toBe("eoy_score");
    expect(didYouMean("eoyscore", ["eoy_score"])).toBe("eoy_score");
    expect(didYouMean("EoyScore", ["grade", "eoy_score"])).toBe("eoy_score");
  });

  it("breaks ties by candidate order", () => {
    expect(didYouMean("cat", ["bat", "hat"])).toBe("bat");
    expect(didYouMean("cat", ["hat", "bat"])).toBe("hat");
  });

  it("does not suggest distant names or the name itself", () => {
    expect(didYouMean("attendance", ["grade", "eoy_score"])).toBeUndefined();
    expect(didYouMean("ab", ["xy"])).toBeUndefined(); // limit 1 for short names
    expect(didYouMean("growth", ["growth", "grow"])).toBeUndefined();
    expect(didYouMean("x", [])).toBeUndefined();
  });
});

describe("code registry and diag()", () => {
  it("has well-formed, range-consistent entries", () => {
    const names = new Set<string>();
    for (const [code, info] of Object.entries(CODES)) {
      expect(code).toMatch(/^OBC[1-59]\d{3}$/); // OBC9xxx: internal errors of OBC itself
      expect(info.code).toBe(code);
      expect(info.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(names.has(info.name)).toBe(false);
      names.add(info.name);
      expect(info.title.length).toBeGreaterThan(0);
      expect(info.message.length).toBeGreaterThan(0);
    }
    expect(codeInfo("OBC2001").name).toBe("unknown-name");
    expect(codeInfo("OBC4005").severity).toBe("warning");
    expect(codeInfo("OBC5006").severity).toBe("warning");
    expect(() => codeInfo("OBC9999")).toThrow(/OBC9999/);
  });

  it("fills templates and finds placeholders", () => {
    expect(fillTemplate("{a} and {b}, {a}", { a: 1, b: "two" })).toBe("1 and two, 1");
    expect(fillTemplate("left {x} alone", {})).toBe("left {x} alone");
    expect(placeholders(CODES.OBC1007.message)).toEqual([]); // "{ … }" is literal text
    expect(placeholders("{a} {b} {a}")).toEqual(["a", "b"]);
  });

  it("builds diagnostics with help only when its placeholders are given", () => {
    const primary = { span: { start: 3, end: 11 }, label: "not declared" };
    const withHelp = diag("OBC2001", { name: "eoy_scor", suggestion: "eoy_score" }, primary, { clause: "Algebra ready" });
    expect(withHelp).toEqual({
      code: "OBC2001",
      severity: "error",
      message: "I can't find a field, metric or condition named eoy_scor.",
      primary,
      related: [],
      suggestions: [],
      help: "Did you mean eoy_score?",
      clause: "Algebra ready",
    });
    const noHelp = diag("OBC2001", { name: "zzz" }, primary);
    expect(noHelp.help).toBeUndefined();
    expect("help" in noHelp).toBe(false);
    expect("clause" in noHelp).toBe(false);

    const viaHelpParams = diag("OBC1005", { found: "pay" }, primary, { helpParams: { keywords: "parties, term" } });
    expect(viaHelpParams.message).toBe("I don't recognise the statement starting with pay.");
    expect(viaHelpParams.help).toBe("Statements inside a contract start with one of: parties, term.");

    expect(diag("OBC4005", {}, primary).severity).toBe("warning");
    expect(diag("OBC4005", {}, primary, { severity: "error" }).severity).toBe("error");
    expect(diag("OBC5002", { row: 7, column: "grade", file: "s.csv", type: "integer" }, primary).message).toBe(
      "Row 7, column grade of s.csv: this is not a valid integer.",
    );
  });
});

// 13 filler lines, then the clause, so the clause body is on line 14.
const SOURCE = [
  'contract "Pilot" {', // 1
  "  data students keyed by student_id {", // 2
  "    student_id: text", // 3
  "    eoy_score: score", // 4
  "\teoy_score: score", // 5 (tab-indented)
  "  }", // 6
  "", // 7
  "", // 8
  "", // 9
  "", // 10
  "", // 11
  "", // 12
  '  outcome "Algebra ready" pays $900 per served student', // 13
  "    when eoy_scor >= 70", // 14
  "}", // 15
].join("\n");

const at = (needle: string, from = 0) => SOURCE.indexOf(needle, from);
const typo = at("eoy_scor >=");
const first = at("eoy_score");
const second = at("eoy_score", first + 1);

function example(): Diagnostic[] {
  // given out of order on purpose: rendering sorts by position
  return [
    diag(
      "OBC2001",
      { name: "eoy_scor", suggestion: "eoy_score" },
      { span: { start: typo, end: typo + 8 }, label: "not declared" },
      {
        clause: "Algebra ready",
        suggestions: [{ message: "Replace with 'eoy_score'", span: { start: typo, end: typo + 8 }, replacement: "eoy_score" }],
      },
    ),
    diag(
      "OBC2004",
      { name: "eoy_score" },
      { span: { start: second, end: second + 9 }, label: "declared again here" },
      { related: [{ span: { start: first, end: first + 9 }, label: "first declared here" }], severity: "warning" },
    ),
  ];
}

describe("renderText", () => {
  it("renders exact frames, sorted, with a summary", () => {
    expect(renderText(example(), SOURCE, "examples/pilot.obc")).toBe(
      [
        "warning[OBC2004]: eoy_score is declared twice.",
        " --> examples/pilot.obc:5:2",
        "  |",
        "5 |     eoy_score: score",
        "  |     ^^^^^^^^^ declared again here",
        "  |",
        "note: first declared here",
        " --> examples/pilot.obc:4:5",
        "  |",
        "4 |     eoy_score: score",
        "  |     ^^^^^^^^^",
        "  |",
        "  = help: Rename one of them or remove the extra declaration.",
        "",
        "error[OBC2001]: I can't find a field, metric or condition named eoy_scor.",
        "  --> examples/pilot.obc:14:10 (in clause 'Algebra ready')",
        "   |",
        "14 |     when eoy_scor >= 70",
        "   |          ^^^^^^^^ not declared",
        "   |",
        "   = help: Did you mean eoy_score?",
        "",
        "1 error, 1 warning",
        "",
      ].join("\n"),
    );
  });

  it("renders zero-width spans at end of file and multi-line spans", () => {
    const src = "a {\n  b\n}";
    const eof = diag("OBC1002", { what: "the contract", expected: "}" }, { span: { start: src.length, end: src.length }, label: "here" });
    const multi = diag("OBC1009", { what: "the block" }, { span: { start: 2, end: src.length }, label: "" }, { severity: "info" });
    expect(renderText([eof, multi], src, "f.obc")).toBe(
      [
        "info[OBC1009]: The file ends before the block is closed: a closing } is missing.",
        " --> f.obc:1:3",
        "  |",
        "1 | a {",
        "  |   ^",
        "  |",
        "  = help: Add the missing } where the block should end.",
        "",
        "error[OBC1002]: The file ended before the contract was finished. I expected }.",
        " --> f.obc:3:2",
        "  |",
        "3 | }",
        "  |  ^ here",
        "",
        "1 error, 1 info",
        "",
      ].join("\n"),
    );
  });

  it("returns nothing for no diagnostics and colours only on request", () => {
    expect(renderText([], SOURCE, "x.obc")).toBe("");
    expect(renderText(example(), SOURCE, "x.obc")).not.toContain("\x1b[");
    const colored = renderText(example(), SOURCE, "x.obc", { color: true });
    expect(colored).toContain("\x1b[1;31merror[OBC2001]\x1b[0m");
    expect(colored).toContain("\x1b[1;33mwarning[OBC2004]\x1b[0m");
  });
});

describe("toJson / toRanges", () => {
  it("produces sorted plain objects with positions and a fixed key order", () => {
    const json = toJson(example(), SOURCE, "examples/pilot.obc");
    expect(json.map((j) => j.code)).toEqual(["OBC2004", "OBC2001"]);
    expect(Object.keys(json[0])).toEqual([
      "code", "name", "severity", "message", "file", "start", "end", "label", "related", "help", "suggestions",
    ]);
    expect(json[1]).toEqual({
      code: "OBC2001",
      name: "unknown-name",
      severity: "error",
      message: "I can't find a field, metric or condition named eoy_scor.",
      file: "examples/pilot.obc",
      start: { line: 14, column: 10, offset: typo },
      end: { line: 14, column: 18, offset: typo + 8 },
      label: "not declared",
      related: [],
      help: "Did you mean eoy_score?",
      suggestions: [
        {
          message: "Replace with 'eoy_score'",
          replacement: "eoy_score",
          start: { line: 14, column: 10, offset: typo },
          end: { line: 14, column: 18, offset: typo + 8 },
        },
      ],
      clause: "Algebra ready",
    });
    expect(Object.keys(json[1]).at(-1)).toBe("clause");
    expect(json[0].related).toEqual([
      { start: { line: 4, column: 5, offset: first }, end: { line: 4, column: 14, offset: first + 9 }, label: "first declared here" },
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("produces 1-based editor ranges", () => {
    expect(toRanges(example(), SOURCE)).toEqual([
      { startLineNumber: 5, startColumn: 2, endLineNumber: 5, endColumn: 11, message: "eoy_score is declared twice.", code: "OBC2004", severity: "warning" },
      {
        startLineNumber: 14, startColumn: 10, endLineNumber: 14, endColumn: 18,
        message: "I can't find a field, metric or condition named eoy_scor.", code: "OBC2001", severity: "error",
      },
    ]);
  });
});
