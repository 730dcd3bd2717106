/**
 * The dashboard, end to end in Debian Chromium: builds it (vite build), serves a synthetic
 * portfolio with `startService` and the desk's routes (as `obc serve --portfolio` does) on a
 * free port, and drives the page: the portfolio table and charts, a contract's page, recording
 * a new drop (an Excel workbook and a CSV), attesting and settling a drop, and downloading statements whose contents are
 * checked against the ledger. Screenshots go to test-artifacts/dashboard-*.png.
 *
 * Uses the browser tests' shared Chromium (test/browser/setup.ts); skipped with it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { strFromU8, unzipSync } from "fflate";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { generatePortfolio, writePortfolio } from "../../node/portfolio/generate.ts";
import { loadPortfolio, type Portfolio } from "../../node/portfolio/format.ts";
import { openLedger } from "../../node/ledger/index.ts";
import { attestPortfolio, settlePortfolio } from "../../node/portfolio/settle.ts";
import { startService, type RunningService } from "../../node/service/server.ts";
import { deskRoutes } from "../../node/portfolio/http.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ARTIFACTS = join(ROOT, "test-artifacts");
const served = inject("editor");
const NOW = "2027-03-12T10:00:00Z";

/** Builds dashboard/dist as users get it (production React). */
function buildDashboard(): void {
  const built = spawnSync(process.execPath, [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--config", join(ROOT, "dashboard", "vite.config.ts"), "--logLevel", "warn"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
}

describe.skipIf(!served)("the dashboard (Chromium)", () => {
  let dir: string;
  let p: Portfolio;
  let svc: RunningService;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    buildDashboard();
    dir = mkdtempSync(join(tmpdir(), "obc-dashboard-"));
    writePortfolio(dir, generatePortfolio({ seed: 5, districts: 2, providers: 2, students: 240 }));
    p = loadPortfolio(join(dir, "portfolio.json")).portfolio!;
    // the drops through January are attested and settled; February's has arrived, not attested
    const ledger = await openLedger(join(dir, "ledger.sqlite"), { create: true });
    for (const date of ["2026-10-10", "2026-11-20", "2026-12-10", "2027-01-10", "2027-02-10"]) {
      const now = `${date}T12:00:00Z`;
      for (const d of p.districts) await attestPortfolio(p, ledger, { date, by: `${d.name} data office`, role: "district", at: now, only: new Set(p.contracts.filter((c) => c.district.id === d.id).map((c) => c.id)) });
      await settlePortfolio(p, ledger, { date, now, accept: new Map(p.contracts.map((c) => [c.id, "district corrected first-session dates"])) });
    }
    await ledger.close();
    svc = await startService({ port: 0, isolation: "inline", extra: await deskRoutes({ portfolio: join(dir, "portfolio.json"), ledger: join(dir, "ledger.sqlite"), now: () => NOW }) });
    browser = await chromium.connect(served!.wsEndpoint);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T,>(path: string) => (await (await fetch(`${svc.url}/portfolio/api/${path}`)).json()) as T;

  it("opens the portfolio: every contract, the totals, the rollups and the forecast ranges", async () => {
    await page.goto(`${svc.url}/`);
    await page.waitForSelector("[data-testid=portfolio-table]");
    const status = await api<{ date: string; total: { paid: string }; contracts: { id: string }[] }>("status");
    expect(status.date).toBe(NOW.slice(0, 10));
    const rows = await page.$$eval("[data-testid=portfolio-table] tbody tr", (trs) => trs.map((t) => t.getAttribute("data-testid")));
    expect(rows).toEqual(p.contracts.map((c) => `row-${c.id}`));
    const paid = await page.textContent("[data-testid=kpi-paid] .value");
    expect(paid).toBe(`$${Number(status.total.paid).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    await page.waitForSelector("[data-testid=chart-forecast] circle", { timeout: 120_000 });
    expect(await page.$$eval("[data-testid=chart-forecast] circle.expected", (c) => c.length)).toBe(p.contracts.length);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-portfolio.png"), fullPage: true });
  }, 180_000);

  it("drills into a contract: paid and contingent over time, forecast, escalation timeline, subgroups, drops", async () => {
    const id = p.contracts[0]!.id;
    await page.click(`[data-testid=row-${id}] a`);
    await page.waitForSelector("[data-testid=contract-title]");
    expect(await page.textContent("[data-testid=contract-title]")).toBe(p.contracts[0]!.title);
    await page.waitForSelector("[data-testid=chart-over-time] polyline");
    await page.waitForSelector("[data-testid=forecast-text]", { timeout: 120_000 });
    expect(await page.textContent("[data-testid=forecast-text]")).toMatch(/^Expected \$[\d,]+\.\d\d; 90% between \$[\d,]+\.\d\d and \$[\d,]+\.\d\d; \$[\d,]+\.\d\d already certain\.$/);
    // one cell per monthly checkpoint so far (September to February)
    expect(await page.$$eval("[data-testid=chart-escalation] .cell", (c) => c.length)).toBe(6);
    expect(await page.$$eval("[data-testid=chart-equity] h4", (h) => h.map((x) => x.textContent))).toEqual(["English learners", "Students with disabilities", "Economically disadvantaged", "Grade"]);
    // the February drop has arrived and is not attested yet
    expect(await page.textContent("[data-testid=drop-2027-02]")).toMatch(/not recorded/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-contract.png"), fullPage: true });
  }, 180_000);

  it("records a corrected drop, attests it and settles it", async () => {
    const c = p.contracts[0]!;
    const before = await api<{ status: { paid: string } }>(`contracts/${c.id}`);
    // the district corrects February: one student's sessions by February 28 were missing
    const feb = readFileSync(join(c.dropsDir, "2027-02", "students.csv"), "utf8").split("\n");
    const head = feb[0]!.split(",");
    const col = head.indexOf("sessions_by_feb28");
    const row = feb.findIndex((l, i) => i > 0 && l !== "" && Number(l.split(",")[col]) < 30 && Number(l.split(",")[head.indexOf("boy_score")]) < 60);
    const cells = feb[row]!.split(",");
    cells[col] = "34";
    feb[row] = cells.join(",");
    // sent as the district's Excel workbook: numbers, dates and true/false as Excel holds them
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("students");
    for (const line of feb.filter((l) => l !== "")) {
      ws.addRow(line.split(",").map((t, i) => (i === 0 || feb[0] === line || t === "" ? t || null : /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : /^\d{4}-\d\d-\d\d$/.test(t) ? new Date(`${t}T00:00:00Z`) : /^(true|false)$/.test(t) ? t === "true" : t)));
    }
    const fixed = join(dir, "students.xlsx");
    await wb.xlsx.writeFile(fixed);
    await page.click("details.upload summary");
    await page.setInputFiles("[data-testid=upload-students]", fixed);
    await page.setInputFiles("[data-testid=upload-checkpoints]", join(c.dropsDir, "2027-02", "checkpoints.csv"));
    await page.fill("[data-testid=upload] input[name=asOf]", "2027-02-28");
    await page.selectOption("[data-testid=upload] select[name=supersedes]", "2027-02");
    await page.fill("[data-testid=upload] input[name=reason]", "one student's February sessions were missing");
    await page.click("[data-testid=upload] button[type=submit]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await page.textContent("[data-testid=notice]")).toMatch(/^Drop 2027-02-corrected recorded in the ledger as drop \d+, with its files' hashes/);
    await page.waitForSelector("[data-testid=drop-2027-02-corrected]");
    await page.waitForSelector("[data-testid=drop-2027-02].superseded");
    expect(await page.textContent("[data-testid=drop-2027-02-corrected]")).toMatch(/replaces 2027-02: one student's February sessions were missing/);
    // the workbook is kept byte for byte
    expect(readFileSync(join(c.dropsDir, "2027-02-corrected", "students.xlsx")).equals(readFileSync(fixed))).toBe(true);
    // a workbook no run could read is refused before anything is written: the cell named, no value
    ws.getCell("B2").value = { formula: "B3+1" } as ExcelJS.CellFormulaValue;
    const refused = await fetch(`${svc.url}/portfolio/api/contracts/${c.id}/drops`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ asOf: "2027-02-28", suppliedBy: "Lakeview", drop: "2027-02-bad", files: { students: { name: "students.xlsx", base64: Buffer.from(await wb.xlsx.writeBuffer()).toString("base64") } } }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      "The workbook students.xlsx cannot be read: the formula in students!B2 has no value saved with it. To use it, open the workbook in Excel (which calculates it) and save it again. Nothing in this file was used.",
    );
    expect(existsSync(join(c.dropsDir, "2027-02-bad"))).toBe(false);
    // nothing is settled from unattested data
    await page.click("[data-testid=settle]");
    await page.waitForSelector("[data-testid=error]");
    expect(await page.textContent("[data-testid=error]")).toMatch(/has not been attested/);
    // attest it for the district, then settle
    await page.fill("[data-testid=attest-by]", "M. Okafor, Lakeview data office");
    await page.click("[data-testid=attest-2027-02-corrected]");
    await page.waitForFunction(() => /attested by M\. Okafor/.test(document.querySelector("[data-testid=notice]")?.textContent ?? ""));
    await page.waitForFunction(() => /M\. Okafor, Lakeview data office \(district\), 2027-03-12/.test(document.querySelector("[data-testid=drop-2027-02-corrected]")?.textContent ?? ""));
    await page.click("[data-testid=settle]");
    await page.waitForFunction(() => /^Settlement \d+ recorded from drop 2027-02-corrected/.test(document.querySelector("[data-testid=notice]")?.textContent ?? ""));
    const after = await api<{ status: { paid: string; owed: string; drop: { id: string; ledger: { settlements: number[] } } } }>(`contracts/${c.id}`);
    expect(after.status.owed).toBe("0.00");
    expect(after.status.drop.id).toBe("2027-02-corrected");
    // the dosage milestone, due February 28, is paid now
    expect(Number(after.status.paid)).toBeGreaterThan(Number(before.status.paid));
    expect(after.status.drop.ledger.settlements).toHaveLength(1);
    await page.waitForFunction((v) => document.querySelector("[data-testid=contract-paid] .value")?.textContent === v, `$${Number(after.status.paid).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-settled.png"), fullPage: true });
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  }, 180_000);

  it("downloads statements whose figures are the ledger's", async () => {
    const c = p.contracts[0]!;
    const key = c.ir.parties.find((x) => x.role === "district")!.id;
    await page.fill("[data-testid=statement-month]", "2027-03");
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid=statement-${key}-csv]`)]);
    expect(csv.suggestedFilename()).toBe("statement-LUSD-2027-03.csv");
    await csv.saveAs(join(dir, "statement.csv"));
    const text = readFileSync(join(dir, "statement.csv"), "utf8");
    const json = await api<{ number: string; net: string; closing: string; ledger: { reconciles: boolean } }>(
      `statement?payer=${encodeURIComponent(c.district.name)}&from=2027-03-01&to=2027-03-31&format=json`,
    );
    expect(json.ledger.reconciles).toBe(true);
    expect(Number(json.net)).toBeGreaterThan(0);
    const rows = text.trim().split("\n").map((l) => l.split(","));
    expect(rows.find((r) => r[4] === "all contracts" && r[5] === "net this period")![11]).toBe(json.net);
    expect(rows.find((r) => r[4] === "all contracts" && r[5] === "settled to date")![11]).toBe(json.closing);
    const [word] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid=statement-${key}-docx]`)]);
    expect(word.suggestedFilename()).toBe("statement-LUSD-2027-03.docx");
    await word.saveAs(join(dir, "statement.docx"));
    const files = unzipSync(new Uint8Array(readFileSync(join(dir, "statement.docx"))));
    const doc = strFromU8(files["word/document.xml"]!);
    expect(doc).toContain("Statement LUSD-2027-03");
    expect(doc).toContain(`$${Number(json.net).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  }, 120_000);
});
