/**
 * Completion never fights typing (Chromium): whole contracts typed key by key, as a person
 * types them (Enter at each line end, the indentation adjusted with spaces or Backspace where
 * the editor's differs), come out exactly as typed; the list of suggestions opens with nothing
 * selected (Enter starts a new line, Tab or Down then Enter accept), and nothing is offered
 * after a closing quote or for a word already typed in full.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { cursorAfter, disconnect, errorsOf, markersOf, openEditor, setText, skipBrowser, textOf, waitForDiagnostics, type Hook } from "./harness.ts";

/** Types `text` line by line as a person does, watching the indentation the editor gives. */
async function typeLikeAPerson(page: Page, text: string): Promise<void> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press("Enter");
    const line = lines[i]!;
    const indent = /^ */.exec(line)![0].length;
    // the indentation the editor put on the new line
    for (;;) {
      const current = await page.evaluate(() => {
        const { editor } = (window as unknown as Hook).__obc;
        const p = editor.getPosition();
        return { before: editor.getModel().getLineContent(p.lineNumber).slice(0, p.column - 1) };
      });
      if (!/^ *$/.test(current.before)) throw new Error(`line ${i + 1}: the editor put ${JSON.stringify(current.before)} before the cursor`);
      if (current.before.length > indent) await page.keyboard.press("Backspace");
      else {
        if (current.before.length < indent) await page.keyboard.type(" ".repeat(indent - current.before.length));
        break;
      }
    }
    await page.keyboard.type(line.slice(indent));
  }
}

async function suggestionsShown(page: Page): Promise<string[]> {
  return page.$$eval(".suggest-widget.visible .monaco-list-row", (rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
}

/** Lets the editor react to what was typed (the worker answers, quick suggestions open after 10 ms). */
async function settle(page: Page): Promise<void> {
  await waitForDiagnostics(page);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 150)));
}

describe.skipIf(skipBrowser)("typing in the editor (Chromium)", () => {
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    ({ context, page } = await openEditor());
  });

  afterAll(async () => {
    expect(errorsOf(page)).toEqual([]);
    await context?.close();
    await disconnect();
  });

  it("types a whole contract key by key: the text is exactly what was typed, without errors", async () => {
    // the Duval contract written with library templates (parties, data, groups, imports, uses
    // with named arguments, caps), without its explanatory comments
    const source = readFileSync("examples/08-duval-templates/contract.obc", "utf8").replace(/^(\/\/.*\n)+/, "");
    await setText(page, "");
    await page.evaluate(() => (window as unknown as Hook).__obc.editor.focus());
    await typeLikeAPerson(page, source);
    expect(await textOf(page)).toBe(source);
    await waitForDiagnostics(page);
    expect((await markersOf(page)).filter((m) => m.severity === 8)).toEqual([]);
  }, 90_000);

  it("opens the list with nothing selected: Enter starts a new line, Tab and Down+Enter accept", async () => {
    const source = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
    const typeAfter = async (anchor: string, text: string) => {
      await setText(page, source);
      await cursorAfter(page, anchor);
      await page.keyboard.type(text);
      await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    };
    const anchor = "when sessions_by_feb28 >= 30";

    // Enter while the list is open: a new line, the word as typed
    await typeAfter(anchor, " and eoy_s");
    expect((await suggestionsShown(page)).some((l) => l.startsWith("eoy_score"))).toBe(true);
    expect(await page.locator(".suggest-widget.visible .monaco-list-row.focused").count()).toBe(0);
    await page.keyboard.press("Enter");
    expect(await textOf(page)).toContain(`${anchor} and eoy_s\n`);

    // Tab accepts the first suggestion
    await typeAfter(anchor, " and eoy_s");
    await page.keyboard.press("Tab");
    expect(await textOf(page)).toContain(`${anchor} and eoy_score\n`);

    // Down moves into the list, where Enter accepts
    await page.keyboard.type(" >= 1 and score_gr");
    await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    expect(await textOf(page)).toContain(`${anchor} and eoy_score >= 1 and score_growth\n`);
  });

  it("offers nothing after a closing quote, for a word typed in full, or inside a new clause's name", async () => {
    const source = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
    await setText(page, source);
    await cursorAfter(page, "rounding half up to the cent");
    await page.keyboard.press("Enter");
    // a new clause's name: not a reference, no clause names offered
    await page.keyboard.type('outcome "Alg');
    await settle(page);
    expect(await suggestionsShown(page)).toEqual([]);
    await page.keyboard.type('ebra"');
    await settle(page);
    expect(await suggestionsShown(page)).toEqual([]);
    // a word typed in full
    await page.keyboard.type(" pays");
    await settle(page);
    expect(await suggestionsShown(page)).toEqual([]);
    // a clause reference: clause names, and a name typed in full closes the list
    await page.keyboard.type(' $1 per identified student when not "Gro');
    await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    expect(await suggestionsShown(page)).toEqual([expect.stringMatching(/^"Growth"/)]);
    await page.keyboard.type("wth");
    await settle(page);
    expect(await suggestionsShown(page)).toEqual([]);
    expect(await textOf(page)).toContain('outcome "Algebra" pays $1 per identified student when not "Growth"');
  });
});
