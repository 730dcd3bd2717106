/**
 * The browser editor, end to end in Chromium (the build served by `vite preview`, see
 * setup.ts and harness.ts): live diagnostics, quick fixes, definitions, formatting,
 * completion, the summary and its links to the code, the comparison of two versions,
 * starting from a template, a run on example data and a simulation. Saves screenshots to
 * test-artifacts/ (editor.png: the main screen; editor-compare.png; editor-run.png;
 * editor-simulation.png).
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { compileSource } from "../../language/driver.ts";
import { format } from "../../language/format/index.ts";
import { simulate } from "../../engine/fast/simulate.ts";
import { formatMoney } from "../../editor/src/money.ts";
import { SIM_BINS } from "../../editor/src/service/simulation.ts";
import { cursorAfter as cursorAfterIn, disconnect, errorsOf, openEditor, screenshot, selectedText as selectedTextIn, skipBrowser, textOf, waitForDiagnostics, type Hook, type Marker } from "./harness.ts";

describe.skipIf(skipBrowser)("browser editor (Chromium)", () => {
  let context: BrowserContext | undefined;
  let page: Page;
  let original = "";

  /** Puts the example back, and waits until the worker has answered for it. */
  async function reset(): Promise<void> {
    await page.evaluate((text) => {
      const { session } = (window as unknown as Hook).__obc;
      session.setText(text, "contract.obc");
    }, original);
    await waitForDiagnostics(page);
    expect(await page.evaluate(() => {
      const { editor, monaco } = (window as unknown as Hook).__obc;
      return monaco.editor.getModelMarkers({ resource: editor.getModel().uri }).length;
    })).toBe(0);
  }

  const cursorAfter = (text: string) => cursorAfterIn(page, text);
  const selectedText = () => selectedTextIn(page);

  beforeAll(async () => {
    ({ context, page } = await openEditor());
    await page.waitForSelector(".summary-doc .s");
    original = await textOf(page);
  }, 60_000);

  afterAll(async () => {
    expect(errorsOf(page)).toEqual([]);
    await context?.close();
    await disconnect();
  });

  it("typing a mistake shows a marker with the CLI's message", async () => {
    await cursorAfter("when sessions_by_feb28 >= 30");
    await page.keyboard.type(" and sesions_by_feb28 >= 1");
    // the markers of the text as typed, not of a text on the way there
    await waitForDiagnostics(page);
    const { text, markers } = await page.evaluate(() => {
      const { editor, monaco } = (window as unknown as Hook).__obc;
      return { text: editor.getModel().getValue(), markers: monaco.editor.getModelMarkers({ resource: editor.getModel().uri }) };
    });
    const expected = compileSource(text).diagnostics;
    expect(markers.map((m) => (typeof m.code === "object" ? m.code.value : m.code))).toEqual(expected.map((d) => d.code));
    const marker = markers.find((m) => m.code === "OBC2001")!;
    expect(marker.message.split("\n")[0]).toBe("I can't find a field, metric or condition named 'sesions_by_feb28'.");
    expect(marker.message).toContain("help: Did you mean 'sessions_by_feb28'?");

    // the quick fix applies the suggestion
    await cursorAfter(" and sesi");
    await page.keyboard.press("Control+.");
    await page.waitForSelector(".action-widget .action-list-item, .action-widget [role=option]");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.evaluate(() => (window as unknown as Hook).__obc.editor.getModel().getValue()))
      .toContain("when sessions_by_feb28 >= 30 and sessions_by_feb28 >= 1");
    await reset();
  });

  it("goes to the definition of a metric", async () => {
    await cursorAfter("and score_growth");
    const line = await page.evaluate(async () => {
      const { editor } = (window as unknown as Hook).__obc;
      editor.trigger("test", "editor.action.revealDefinition", {});
      await new Promise((r) => setTimeout(r, 300));
      return editor.getPosition().lineNumber;
    });
    expect(original.split("\n")[line - 1]).toMatch(/^\s*metric score_growth =/);
  });

  it("formats the document with the formatter", async () => {
    const messy = original.replace('milestone "Dosage"', 'milestone   "Dosage"').replace("cap $1,600 per student", "    cap   $1600 per student");
    await page.evaluate((text) => (window as unknown as Hook).__obc.session.setText(text, "contract.obc"), messy);
    await page.getByRole("button", { name: "Format" }).click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as Hook).__obc.editor.getModel().getValue()))
      .toBe(format(messy).value);
    await reset();
  });

  it("completion offers a declared field", async () => {
    await cursorAfter("when sessions_by_feb28 >= 30");
    await page.keyboard.type(" and eoy_s");
    await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    const labels = await page.$$eval(".suggest-widget.visible .monaco-list-row", (rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
    expect(labels.some((l) => l.startsWith("eoy_score"))).toBe(true);
    await page.keyboard.press("Escape");
    await reset();
  });

  it("completion offers the language's functions, with their docs from the check worker", async () => {
    await cursorAfter("when sessions_by_feb28 >= 30");
    await page.keyboard.type(" and days_betw");
    await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    const labels = await page.$$eval(".suggest-widget.visible .monaco-list-row", (rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
    expect(labels.some((l) => l.startsWith("days_between"))).toBe(true);
    // Tab takes it: the call with its parameters to fill in
    await page.keyboard.press("Tab");
    expect(await textOf(page)).toContain("and days_between(from, to)");
    await page.keyboard.press("Escape");
    await reset();
  });

  it("the summary follows an edit", async () => {
    const sentence = (amount: string) => page.locator(".summary-doc .s", { hasText: `a milestone payment of ${amount} is payable when the number of sessions` });
    await expect.poll(() => sentence("$300.00").count()).toBe(1);
    await cursorAfter('"Dosage" due 2027-02-28 pays $3');
    await page.keyboard.press("Delete");
    await page.keyboard.type("5");
    await expect.poll(() => sentence("$350.00").count(), { timeout: 5_000 }).toBe(1);
    await reset();
    await expect.poll(() => sentence("$300.00").count()).toBe(1);
  });

  it("a click on a summary sentence selects its clause; the cursor highlights its sentences", async () => {
    await page.locator(".summary-doc .s", { hasText: "an outcome payment of $900.00 is payable" }).click();
    const selected = await selectedText();
    expect(selected).toMatch(/^outcome "Algebra ready" pays \$900 per identified student/);
    expect(selected.trimEnd()).toMatch(/if missing: not met$/);

    await cursorAfter('partial "Growth" pays $4');
    await expect.poll(() => page.locator(".summary-doc .s.active").allTextContents()).toContain(
      "For each Identified Student, a partial payment of $400.00 is payable when the student does not qualify for “Algebra ready” and is Enrolled for Testing, and Score Growth is at least 10.",
    );
    // the hover shows the same sentence
    await page.evaluate(() => (window as unknown as Hook).__obc.editor.trigger("test", "editor.action.showHover", {}));
    const hover = page.locator(".monaco-hover-content", { hasText: "In plain words" });
    await hover.waitFor();
    expect(await hover.textContent()).toContain("a partial payment of $400.00 is payable");
    await page.keyboard.press("Escape");
  });

  it("compares with the text as opened: the changes in sentences beside the two texts", async () => {
    await cursorAfter('"Algebra ready" pays $9');
    await page.keyboard.press("Delete");
    await page.keyboard.type("5");
    await page.getByRole("button", { name: "Compare…" }).click();
    const changes = page.locator(".compare-changes");
    await expect.poll(() => changes.textContent(), { timeout: 10_000 }).toContain("The 'Algebra ready' payment rises from $900.00 to $950.00 per student.");
    await page.waitForSelector(".compare .monaco-diff-editor .view-lines");
    await page.locator(".compare-changes button.change-text", { hasText: "rises from $900.00 to $950.00" }).click();
    await screenshot(page, "editor-compare.png");
    await page.getByRole("button", { name: "Close comparison" }).click();
    await page.waitForSelector(".compare", { state: "detached" });
    await reset();
  });

  it("starts from a whole-contract template: no errors; completes template names after use", async () => {
    await page.selectOption("[data-testid=start-from]", "template:middle_school_math_contract");
    await page.waitForFunction(() => {
      const { session } = (window as unknown as Hook).__obc;
      const d = session.store.get().diagnostics;
      return session.text.includes("use middle_school_math_contract(") && d?.version === session.model.getVersionId();
    });
    const { ok, errors } = await page.evaluate(() => {
      const { session, editor, monaco } = (window as unknown as Hook).__obc;
      const markers = monaco.editor.getModelMarkers({ resource: editor.getModel().uri }) as (Marker & { severity: number })[];
      return { ok: session.store.get().diagnostics!.ok, errors: markers.filter((m) => m.severity === 8).map((m) => m.message) };
    });
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    await expect.poll(() => page.locator(".outline-name").allTextContents()).toContain("Dosage");

    await cursorAfter("import middle_school_math_contract from stdlib");
    await page.keyboard.press("Enter");
    await page.keyboard.type("use bench");
    await page.waitForSelector(".suggest-widget.visible .monaco-list-row");
    const labels = await page.$$eval(".suggest-widget.visible .monaco-list-row", (rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
    expect(labels.some((l) => l.startsWith("benchmark_attainment"))).toBe(true);
    await page.keyboard.press("Escape");
    // back to the example, through the same menu: the edited text stays in Recent contracts, after a confirmation
    await page.selectOption("[data-testid=start-from]", "example:03-algebra-pilot/contract.obc");
    await page.getByRole("dialog").getByRole("button", { name: /^Start from/ }).click();
    await reset();
  });

  it("runs the algebra pilot on its example data: $5,560.00 in total", async () => {
    await page.click("#tab-run");
    await page.selectOption("#panel-run select", "03-algebra-pilot");
    await page.click("#panel-run button.primary");
    const total = page.locator("[data-testid=total-paid]");
    await total.waitFor();
    expect(await total.textContent()).toBe("$5,560.00");
    expect(await page.locator(".students-table tbody tr").count()).toBe(9);
    await screenshot(page, "editor-run.png");
  });

  it("simulates the Duval contract in the worker: the mean total per cohort equals simulate() in Node; one histogram bar per bin", async () => {
    const duval = readFileSync("examples/01-duval-2022/contract.obc", "utf8");
    const options = { cohort: 60, runs: 25, seed: 42 };
    const ir = compileSource(duval).ir!;
    const expected = simulate(ir, duval, options);
    // the histogram has SIM_BINS bars, one when every cohort is paid the same
    const bars = expected.total.min === expected.total.max ? 1 : SIM_BINS;

    await page.selectOption("[data-testid=start-from]", "example:01-duval-2022/contract.obc");
    await page.waitForFunction(() => {
      const { session } = (window as unknown as Hook).__obc;
      const d = session.store.get().diagnostics;
      return session.text.includes("Duval") && d?.version === session.model.getVersionId() && d.ok;
    });
    await page.click("#tab-simulation");
    const panel = page.locator("#panel-simulation");
    await panel.getByLabel("Cohort size (students)").fill(String(options.cohort));
    await panel.getByLabel("Runs (simulated cohorts)").fill(String(options.runs));
    await panel.getByLabel("Seed").fill(String(options.seed));
    await panel.getByRole("button", { name: "Simulate" }).click();
    const mean = panel.locator("[data-testid=sim-total-mean]");
    await mean.waitFor({ timeout: 10_000 });
    expect(await mean.textContent()).toBe(formatMoney(expected.total.mean, expected.contract.currency));
    expect(await panel.locator("[data-testid=sim-heading]").textContent()).toContain(`${options.runs} simulated cohorts of ${options.cohort} students, seed ${options.seed}`);
    const histogram = panel.getByRole("img", { name: /^Total paid per simulated cohort:/ });
    expect(await histogram.locator("rect.bar").count()).toBe(bars);
    expect(bars).toBe(SIM_BINS);
    await screenshot(page, "editor-simulation.png");

    await page.selectOption("[data-testid=start-from]", "example:03-algebra-pilot/contract.obc");
    await reset();
  }, 20_000);

  it("loads no parser or checker on the page before the first diagnostics: they run in the check worker", () => {
    // the page's entry, the app it loads at once (mount.tsx), and what they import statically
    const dist = "editor/dist";
    const entry = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(readFileSync(`${dist}/index.html`, "utf8"))![1]!;
    const app = readdirSync(`${dist}/assets`).find((f) => /^mount-.*\.js$/.test(f))!;
    const initial = new Set([entry, `assets/${app}`]);
    for (const file of initial) {
      for (const m of readFileSync(`${dist}/${file}`, "utf8").matchAll(/from"\.\/([^"]+\.js)"/g)) initial.add(`assets/${m[1]}`);
    }
    expect(initial.size).toBeGreaterThanOrEqual(3);
    const checkWorker = readdirSync(`${dist}/assets`).find((f) => /^check\.worker-.*\.js$/.test(f))!;
    // a message of the checker (language/diagnostics/codes.ts) and the parser library's own
    for (const mark of ["I can't find a field, metric or condition named", "performSelfAnalysis"]) {
      expect(readFileSync(`${dist}/assets/${checkWorker}`, "utf8"), mark).toContain(mark);
      for (const file of initial) expect(readFileSync(`${dist}/${file}`, "utf8"), `${file}: ${mark}`).not.toContain(mark);
    }
  });

  it("saves a screenshot of the main screen", async () => {
    await page.click("#tab-summary");
    await cursorAfter('outcome "Algebra ready"');
    await page.waitForSelector(".summary-doc .s.active");
    await screenshot(page, "editor.png");
  });
});
