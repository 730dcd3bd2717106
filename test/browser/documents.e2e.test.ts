/**
 * No work is lost (Chromium): the text is kept in the browser and comes back after a reload,
 * the browser warns before leaving with unsaved edits, another contract takes the editor only
 * after a confirmation (the edited one stays in Recent contracts), .obc files open and save,
 * and a share link carries the contract in its fragment to another browser profile.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { cursorAfter, disconnect, downloaded, editorUrl, errorsOf, openEditor, screenshot, skipBrowser, textOf, waitForDiagnostics } from "./harness.ts";

const pilot = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
const duval = readFileSync("examples/01-duval-2022/contract.obc", "utf8");

describe.skipIf(skipBrowser)("keeping work (Chromium)", () => {
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await disconnect();
  });

  it("keeps an edit in the browser, warns before leaving, and restores it after a reload", async () => {
    const { context, page } = await openEditor();
    contexts.push(context);
    expect(await textOf(page)).toBe(pilot);
    await cursorAfter(page, '"Algebra ready" pays $9');
    await page.keyboard.type("5");
    const edited = pilot.replace('"Algebra ready" pays $900', '"Algebra ready" pays $9500');
    expect(await textOf(page)).toBe(edited);
    await expect.poll(() => page.locator(".unsaved").count()).toBe(1);
    // kept a moment after the edit
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("obc.doc.")).map((k) => JSON.parse(localStorage.getItem(k)!).text as string))).toContain(edited);

    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.type());
      void d.accept();
    });
    await page.reload();
    expect(dialogs).toEqual(["beforeunload"]);
    await page.waitForFunction(() => (window as unknown as { __obc?: unknown }).__obc !== undefined);
    await waitForDiagnostics(page);
    expect(await textOf(page)).toBe(edited);
    // still unsaved (not saved to a file): the warning stays armed
    expect(await page.locator(".unsaved").count()).toBe(1);
    expect(errorsOf(page)).toEqual([]);
  });

  it("asks before another contract takes the editor; the edited one stays in Recent contracts", async () => {
    const { context, page } = await openEditor();
    contexts.push(context);
    await cursorAfter(page, "cap $1,600 per student");
    await page.keyboard.press("Enter");
    await page.keyboard.type("// a note");
    const edited = await textOf(page);

    // Cancel keeps everything as it is
    await page.selectOption("[data-testid=start-from]", "example:01-duval-2022/contract.obc");
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.textContent()).toContain("has changes that are not saved to a file");
    await screenshot(page, "editor-confirm.png");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await textOf(page)).toBe(edited);

    await page.selectOption("[data-testid=start-from]", "example:01-duval-2022/contract.obc");
    await dialog.getByRole("button", { name: /^Start from the example/ }).click();
    await expect.poll(() => textOf(page)).toBe(duval);
    // the edited pilot is in Recent contracts: opening it brings the edit back (no question: Duval is unedited)
    const recent = page.locator("[data-testid=recent] option", { hasText: "Algebra readiness pilot" });
    expect(await recent.count()).toBe(1);
    await page.selectOption("[data-testid=recent]", { label: (await recent.textContent())! });
    await expect.poll(() => textOf(page)).toBe(edited);
    expect(errorsOf(page)).toEqual([]);
  });

  it("saves and opens .obc files", async () => {
    const { context, page } = await openEditor();
    contexts.push(context);
    const [saved] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Save", exact: true }).click()]);
    expect(saved.suggestedFilename()).toBe("contract.obc");
    expect((await downloaded(saved)).toString("utf8")).toBe(pilot);

    await page.locator("input[type=file][accept^='.obc']").first().setInputFiles({ name: "duval.obc", mimeType: "text/plain", buffer: Buffer.from(duval) });
    await expect.poll(() => textOf(page)).toBe(duval);
    expect(await page.locator(".file-name").textContent()).toContain("duval.obc");
    // Ctrl+S saves too, under the file's name
    await page.locator(".monaco-editor textarea").focus();
    const [again] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Control+s")]);
    expect(again.suggestedFilename()).toBe("duval.obc");
    expect((await downloaded(again)).toString("utf8")).toBe(duval);
  });

  it("shares the contract in a link's fragment: another browser profile opens the same text", async () => {
    const { context, page } = await openEditor();
    contexts.push(context);
    await cursorAfter(page, '"Dosage" due 2027-02-28 pays $3');
    await page.keyboard.type("3");
    const edited = await textOf(page);
    await page.getByRole("button", { name: "Share link" }).click();
    const link = await page.locator("[data-testid=share-link]").inputValue();
    await screenshot(page, "editor-share.png");
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(new URL(editorUrl()).origin + new URL(editorUrl()).pathname);
    expect(url.hash).toMatch(/^#obc=[A-Za-z0-9_-]+&name=contract\.obc$/);
    expect(link.length).toBeLessThan(edited.length); // compressed

    // a new profile: no storage, nothing but the link; the server only ever sees the path
    const requests: string[] = [];
    const other = await openEditor({ path: `${url.search}${url.hash}` });
    contexts.push(other.context);
    other.page.on("request", (r) => requests.push(r.url()));
    expect(await textOf(other.page)).toBe(edited);
    expect(await other.page.evaluate(() => location.hash)).toBe("");
    expect(requests.every((r) => !r.includes("obc="))).toBe(true);
    await expect.poll(() => other.page.locator(".notice").textContent()).toContain("Opened the contract in the link");
  });
});
