/**
 * The editor on a laptop (Chromium at 1280×800): the Total column of the students' table in
 * view, a toolbar whose height does not change with the status, a divider that a mouse or the
 * arrow keys move, shortcut hints as on this platform (Linux), and every part reachable by the
 * keyboard. Saves test-artifacts/editor-1280.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { cursorAfter, disconnect, errorsOf, markersOf, openEditor, screenshot, skipBrowser, waitForDiagnostics } from "./harness.ts";

describe.skipIf(skipBrowser)("laptop layout (Chromium, 1280×800)", () => {
  let context: BrowserContext | undefined;
  let page: Page;
  const panelsWidth = () => page.locator("#panels").evaluate((e) => e.getBoundingClientRect().width);

  beforeAll(async () => {
    ({ context, page } = await openEditor({ viewport: { width: 1280, height: 800 } }));
  });

  afterAll(async () => {
    expect(errorsOf(page)).toEqual([]);
    await context?.close();
    await disconnect();
  });

  it("keeps the Total column of a run within the window", async () => {
    await page.click("#tab-run");
    await page.selectOption("#panel-run select", "03-algebra-pilot");
    await page.click("#panel-run button.primary");
    await page.locator(".students-table").waitFor();
    await page.locator(".students-table tfoot").scrollIntoViewIfNeeded();
    for (const cell of [".students-table thead th.sticky-end", ".students-table tfoot td.sticky-end"]) {
      const box = (await page.locator(cell).boundingBox())!;
      expect(box.x).toBeGreaterThan(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1280);
      // nothing covers it
      const seen = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest("th, td")?.className, [box.x + box.width / 2, box.y + box.height / 2]);
      expect(seen).toContain("sticky-end");
    }
    expect(await page.locator(".students-table tfoot td.sticky-end").textContent()).toBe("$5,560.00");
    await screenshot(page, "editor-1280.png");
  });

  it("keeps the toolbar's height whatever the status says", async () => {
    const toolbar = page.locator(".toolbar");
    const size = () => toolbar.evaluate((e) => ({ height: e.getBoundingClientRect().height, overflow: e.scrollWidth > e.clientWidth }));
    const before = await size();
    await cursorAfter(page, "when sessions_by_feb28 >= 30");
    await page.keyboard.type(" and sesions_by_feb28 >= 1 and nothing_here > 2");
    await expect.poll(async () => (await markersOf(page)).length).toBeGreaterThan(1);
    await waitForDiagnostics(page);
    expect(await page.locator(".status-pill").textContent()).toMatch(/errors/);
    expect(await size()).toEqual(before);
    expect(before.overflow).toBe(false);
    for (let i = 0; i < " and sesions_by_feb28 >= 1 and nothing_here > 2".length; i++) await page.keyboard.press("Backspace");
    await expect.poll(() => page.locator(".status-pill").textContent()).toMatch(/No problems/);
    expect(await size()).toEqual(before);
  });

  it("moves the divider with the mouse and with the arrow keys", async () => {
    const start = await panelsWidth();
    const divider = page.locator("[data-testid=divider]");
    const box = (await divider.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + 200, { steps: 4 });
    await page.mouse.up();
    await expect.poll(panelsWidth).toBeCloseTo(start + 120, -1);
    await divider.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect.poll(panelsWidth).toBeCloseTo(start + 120 - 48, -1);
    expect(Number(await divider.getAttribute("aria-valuenow"))).toBeCloseTo(start + 72, -1);
  });

  it("shows the keys of this platform (Linux): Format is Ctrl+Shift+I, and it formats", async () => {
    expect(await page.getByRole("button", { name: "Format" }).getAttribute("title")).toContain("Ctrl+Shift+I");
    expect(await page.locator(".keys").textContent()).toContain("Ctrl+Shift+I format");
    expect(await page.locator(".keys").textContent()).toContain("Ctrl+S save");
  });

  it("reaches every part with the keyboard: toolbar, editor, problems, divider, tabs", async () => {
    const seen: string[] = [];
    const describe = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return e ? `${e.getAttribute("role") ?? e.tagName.toLowerCase()}:${(e.getAttribute("aria-label") ?? e.textContent ?? "").trim().slice(0, 40)}` : "";
      });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press("Tab");
      seen.push(await describe());
    }
    // in the editor, Ctrl+M lets Tab move on
    await cursorAfter(page, "rounding half up to the cent");
    await page.keyboard.press("Control+m");
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      seen.push(await describe());
    }
    await page.keyboard.press("Control+m");
    for (const part of ["button:Open…", "button:Save", "button:Share link", "button:Format", "button:Compare…", "separator:Width of the panels", "tab:", "button:Run"]) {
      expect(seen.some((s) => s.startsWith(part)), `${part} in ${seen.join(" | ")}`).toBe(true);
    }
  });
});
