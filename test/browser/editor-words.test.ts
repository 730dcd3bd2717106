/**
 * The editor's static word lists (editor/src/words.ts) equal the parser's: the highlighter
 * and completion read them on the main thread, which must not load the parser library; the
 * functions' docs come from the check worker.
 */
import { describe, expect, it } from "vitest";
import { FREQUENCIES as RULE_FREQUENCIES } from "../../language/check/rules.ts";
import { CHANGE_WORDS } from "../../language/syntax/parser.ts";
import { keywordTokens, statementWords } from "../../language/syntax/tokens.ts";
import { AMENDMENT_WORDS, FREQUENCIES, KEYWORDS, STATEMENT_WORDS } from "../../editor/src/words.ts";
import { keywordMarkdown } from "../../editor/src/docs.ts";
import { createCheckService } from "../../editor/src/service/check.ts";
import type { CheckResponse, LibraryMessage } from "../../editor/src/service/protocol.ts";
import { FUNCTIONS } from "../../language/check/functions.ts";

describe("editor word lists", () => {
  it("KEYWORDS equals keywordTokens", () => {
    expect(KEYWORDS, "update editor/src/words.ts").toEqual(keywordTokens.map((t) => String(t.name).toLowerCase()));
  });

  it("STATEMENT_WORDS equals statementWords", () => {
    expect(STATEMENT_WORDS, "update editor/src/words.ts").toEqual(statementWords);
  });

  it("AMENDMENT_WORDS equals the parser's CHANGE_WORDS", () => {
    expect(AMENDMENT_WORDS, "update editor/src/words.ts").toEqual(CHANGE_WORDS);
  });

  it("FREQUENCIES equals the checker's", () => {
    expect(FREQUENCIES, "update editor/src/words.ts").toEqual(RULE_FREQUENCIES);
  });

  it("every function of the language has its hover: what it gives and how it is written (from the check worker)", () => {
    const answers: CheckResponse[] = [];
    createCheckService().handle({ type: "library", id: 1 }, (m) => answers.push(m));
    const { functions } = answers[0] as LibraryMessage;
    expect(functions.map((f) => f.name)).toEqual([...FUNCTIONS.keys()]);
    for (const f of FUNCTIONS.values()) {
      const md = keywordMarkdown(f.name, functions);
      expect(md, f.name).toContain(`**${f.name}** (function)`);
      expect(md, f.name).toContain(f.usage);
    }
    expect(keywordMarkdown("days")).toContain("a date moved by whole days");
  });
});
