/**
 * Honest results and exports (Chromium): a run on data with a rejected row and a missing
 * value shows each student's cells exactly as `obc run` prints them, a warning by the totals
 * that links to the rejected row, the CLI's data-quality report; and every export is the file
 * the CLI or the engine writes: results as CSV and JSON, the summary as Markdown, HTML and
 * Word (`obc summary`), the comparison as Markdown and Word (`obc diff`).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { compileSource } from "../../language/driver.ts";
import { runContract, type RunResult } from "../../engine/index.ts";
import { allProblems, formatMoney, problemWhere, resultsCsv } from "../../engine/report.ts";
import { summarizeContract, toDocx, toHtml, toMarkdown } from "../../engine/summary/index.ts";
import { diffContracts, diffDocument } from "../../engine/diff/index.ts";
import { renderRunReport } from "../../cli/report.ts";
import { cursorAfter, disconnect, downloaded, errorsOf, openEditor, screenshot, skipBrowser, textOf } from "./harness.ts";

const dir = "examples/03-algebra-pilot";
const pilot = readFileSync(`${dir}/contract.obc`, "utf8");
// P2 without an end-of-year score (missing), P4 with a grade that is not a number (rejected)
const students = readFileSync(`${dir}/students.csv`, "utf8")
  .replace(/^(P2,(?:[^,\n]*,){7})71,/m, "$1,")
  .replace(/^P4,9,/m, "P4,nine,");
const files = [
  { label: "students.csv", text: students },
  { label: "checkpoints.csv", text: readFileSync(`${dir}/checkpoints.csv`, "utf8") },
];

/** The students of `obc run`'s report: id → [clause cells…, total]. */
function cliStudents(report: string): Map<string, string[]> {
  const lines = report.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Students"));
  const out = new Map<string, string[]>();
  for (const line of lines.slice(start + 3)) {
    if (/^\s*-+/.test(line)) break;
    const cells = line.trim().split(/\s{2,}/);
    out.set(cells[0]!, cells.slice(1));
  }
  return out;
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: d.suggestedFilename(), bytes: await downloaded(d) };
}

describe.skipIf(skipBrowser)("results and exports (Chromium)", () => {
  let context: BrowserContext | undefined;
  let page: Page;
  let result: RunResult;
  const ir = compileSource(pilot).ir!;

  beforeAll(async () => {
    ({ context, page } = await openEditor());
    const run = await runContract(ir, pilot, files);
    result = run.result!;
  });

  afterAll(async () => {
    expect(errorsOf(page)).toEqual([]);
    await context?.close();
    await disconnect();
  });

  it("shows missing / not met cells as obc run prints them, a warning linking to the rejected row, and the CLI's data-quality report", async () => {
    await page.click("#tab-run");
    await page.selectOption("#panel-run select", "disk");
    await page.locator("#panel-run input[type=file]").setInputFiles(files.map((f) => ({ name: f.label, mimeType: "text/csv", buffer: Buffer.from(f.text) })));
    await page.click("#panel-run button.primary");
    await page.locator("[data-testid=total-paid]").waitFor();

    // the grid: every student's clause cells and total, as the CLI's report
    const cli = cliStudents(renderRunReport(result));
    const rows = await page.$$eval(".students-table tbody tr:not(.reasons)", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim())));
    expect(rows.length).toBe(cli.size);
    for (const row of rows) {
      const id = row[0]!.split(/\s/).pop()!;
      const clauses = row.slice(1, -2);
      const total = row[row.length - 1]!;
      const expected = cli.get(id)!;
      expect([...clauses, total], id).toEqual(expected.slice(0, clauses.length + 1));
    }
    expect(rows.some((r) => r.includes("missing"))).toBe(true);
    expect(rows.some((r) => r.slice(1).includes("-"))).toBe(true);

    // the warning by the totals, linking to the rejected row
    const warning = page.locator("[data-testid=data-warning]");
    const rejectedRows = result.dataQuality.files.reduce((n, f) => n + f.rowsRejected, 0);
    const missing = result.students.filter((s) => s.lines.some((l) => l.status === "missing")).length;
    expect(missing).toBeGreaterThan(0);
    const text = await warning.textContent();
    expect(text).toContain(`${missing} student${missing === 1 ? " has" : "s have"} missing data`);
    expect(text).toContain(rejectedRows > 0 ? `${rejectedRows} row` : "the data has 1 error");
    const rejected = allProblems(result).find((p) => p.severity === "error" && p.row !== undefined)!;
    await screenshot(page, "editor-run-warning.png");
    await warning.getByRole("link", { name: problemWhere(rejected) }).click();
    expect(await page.evaluate(() => document.activeElement?.children[1]?.textContent)).toBe(problemWhere(rejected));

    // the data-quality report: the CLI's problems, in its order
    const problems = await page.$$eval(".problems-table tbody tr", (trs) => trs.map((tr) => [...tr.children].slice(0, 4).map((c) => c.textContent!)));
    expect(problems).toEqual(allProblems(result).map((p) => [p.severity, problemWhere(p), p.column ?? "", p.rule]));
  });

  it("flags a file that matches no data set and lets the user choose its data set", async () => {
    // the roster under another name, its key column named differently: no data set fits it
    const roster = { name: "roster.csv", mimeType: "text/csv", buffer: Buffer.from(students.replace(/^student_id,/, "id,")) };
    const checkpoints = { name: "checkpoints.csv", mimeType: "text/csv", buffer: Buffer.from(files[1]!.text) };
    await page.locator("#panel-run input[type=file]").setInputFiles([roster, checkpoints]);
    await page.click("#panel-run button.primary");
    const table = page.locator("[data-testid=file-sets]");
    await expect.poll(() => table.locator("tr.unmatched th").allTextContents()).toEqual(["roster.csv"]);
    // the run stopped there: nothing was read
    expect(await table.locator("tr", { hasText: "checkpoints.csv" }).textContent()).toMatch(/—$/);
    // the editor's words, not the command line's
    const message = await page.locator(".problems-table tbody tr", { hasText: "roster.csv" }).first().textContent();
    expect(message).toContain("Choose the data set it holds in the table of files above");
    expect(message).not.toContain("--data");
    await screenshot(page, "editor-data-set-chooser.png");

    await page.getByLabel("Data set of roster.csv").selectOption("students");
    await page.click("#panel-run button.primary");
    // read as students, every row lacks the key column: the run stops (OBC5020) and the report says why
    await expect.poll(() => page.locator(".problems-table").textContent()).toContain("no-usable-student");
    expect(await page.locator(".problems-table").textContent()).toContain("missing-column");
    expect(await table.locator("tr.unmatched").count()).toBe(0);
    expect(await page.getByLabel("Data set of roster.csv").inputValue()).toBe("students");

  });

  it("flags a file whose columns fit several data sets and lets the user choose", async () => {
    // one export with the roster's columns and the monthly checkpoints' columns
    const [roster, months] = files.map((f) => f.text.trimEnd().split("\n"));
    const both = roster!.map((line, i) => `${line},${months![i === 0 ? 0 : 1]}`).join("\n") + "\n";
    await page.locator("#panel-run input[type=file]").setInputFiles([
      { name: "export.csv", mimeType: "text/csv", buffer: Buffer.from(both) },
      { name: "checkpoints.csv", mimeType: "text/csv", buffer: Buffer.from(files[1]!.text) },
    ]);
    await page.click("#panel-run button.primary");
    const table = page.locator("[data-testid=file-sets]");
    await expect.poll(() => table.locator("tr.ambiguous th").allTextContents()).toEqual(["export.csv"]);
    expect(await table.locator("tr.ambiguous td").last().textContent()).toBe("its columns fit several data sets (students, checkpoints): read as students; choose the one it holds");
    expect(await table.locator("tr", { hasText: "checkpoints.csv" }).textContent()).toContain("read as checkpoints");
    await screenshot(page, "editor-data-set-several.png");

    await page.getByLabel("Data set of export.csv").selectOption("students");
    await page.click("#panel-run button.primary");
    await expect.poll(() => table.locator("tr.ambiguous").count()).toBe(0);
    expect(await table.locator("tr", { hasText: "export.csv" }).textContent()).toContain("read as students");

    // back to the files of the first test, for the exports
    await page.locator("#panel-run input[type=file]").setInputFiles(files.map((f) => ({ name: f.label, mimeType: "text/csv", buffer: Buffer.from(f.text) })));
    await page.click("#panel-run button.primary");
    await expect.poll(() => page.locator("[data-testid=total-paid]").textContent()).toBe(formatMoney(result.totals.paid));
  });

  it("exports the results as CSV and as obc run --json", async () => {
    const csv = await download(page, () => page.getByRole("button", { name: "CSV", exact: true }).click());
    expect(csv.name).toBe("contract-results.csv");
    expect(csv.bytes.toString("utf8")).toBe(resultsCsv(result));
    expect(csv.bytes.toString("utf8").split("\n")[0]).toMatch(/^student_id,clause,clause_name,kind,period,status,/);
    const json = await download(page, () => page.getByRole("button", { name: "JSON", exact: true }).click());
    expect(json.name).toBe("contract-results.json");
    expect(json.bytes.toString("utf8")).toBe(JSON.stringify(result, null, 2) + "\n");
  });

  it("exports the summary as obc summary writes it: Markdown, HTML and Word", async () => {
    await page.click("#tab-summary");
    const doc = await summarizeContract(ir, pilot, { sourceName: "contract.obc" });
    const md = await download(page, () => page.getByRole("button", { name: "Markdown", exact: true }).click());
    expect(md.name).toBe("contract-summary.md");
    expect(md.bytes.toString("utf8")).toBe(toMarkdown(doc));
    const html = await download(page, () => page.getByRole("button", { name: "HTML", exact: true }).click());
    expect(html.bytes.toString("utf8")).toBe(toHtml(doc));
    const word = await download(page, () => page.getByRole("button", { name: "Word", exact: true }).click());
    expect(word.name).toBe("contract-summary.docx");
    expect(word.bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(Buffer.from(await toDocx(doc, {})).equals(word.bytes)).toBe(true);
  });

  it("exports a comparison as obc diff writes it: Markdown and Word", async () => {
    await cursorAfter(page, '"Algebra ready" pays $9');
    await page.keyboard.press("Delete");
    await page.keyboard.type("5");
    const edited = await textOf(page);
    await page.getByRole("button", { name: "Compare…" }).click();
    await expect.poll(() => page.locator(".compare-changes").textContent(), { timeout: 10_000 }).toContain("rises from $900.00 to $950.00");
    const expected = diffDocument(diffContracts(ir, pilot, compileSource(edited).ir!, edited), { oldName: "03-algebra-pilot/contract.obc", newName: "contract.obc" });
    const bar = page.locator(".compare-bar");
    const md = await download(page, () => bar.getByRole("button", { name: "Markdown" }).click());
    expect(md.name).toBe("contract-comparison.md");
    expect(md.bytes.toString("utf8")).toBe(toMarkdown(expected));
    const word = await download(page, () => bar.getByRole("button", { name: "Word" }).click());
    expect(word.name).toBe("contract-comparison.docx");
    expect(Buffer.from(await toDocx(expected, {})).equals(word.bytes)).toBe(true);
    await page.getByRole("button", { name: "Close comparison" }).click();
  });
});
