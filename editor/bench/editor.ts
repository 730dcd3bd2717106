/**
 * The editor's speed as a user meets it, measured in headless Chromium on the production build
 * served by `vite preview` (precompressed assets):
 *
 *   - time to first diagnostics: from navigation to the first diagnostics drawn in the editor
 *     (the app's `obc:first-diagnostics` performance mark), each load in a fresh browser context
 *     (empty cache); and the JavaScript loaded by then, the page's (the initial JavaScript) and
 *     the workers' apart (gzip size of each file, and the bytes actually transferred, Brotli);
 *   - keystroke to marker: from the keydown event (its timestamp) to the squiggle appearing or
 *     disappearing in the editor's DOM, typing a character that makes an error and Backspace
 *     that removes it, with pauses of 60–250 ms between keys as a person types, on the 90-line
 *     algebra pilot and a generated 500-line contract; and the check's own time in the worker.
 *
 *   npx tsx editor/bench/editor.ts [--no-build] [--loads 7] [--edits 40]
 *
 * Prints a Markdown table. Figures on a shared machine vary: compare runs made in one sitting.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { generateContract } from "./generate.ts";
import { buildEditor, CHROMIUM, CHROMIUM_FLAGS, startPreview } from "./serve.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIST = join(ROOT, "editor", "dist");
const FIRST_DIAGNOSTICS_MARK = "obc:first-diagnostics";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
/** kilobytes of 1,000 bytes */
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

interface Script {
  path: string;
  transferred: number;
  /** a worker's script, else the page's */
  worker: boolean;
}

/** the app's marks on the way to the first diagnostics drawn, in order */
const STEPS = [
  ["obc:first-check", "the check worker's first diagnostics received"],
  ["obc:app-loaded", "the app's JavaScript (React, Monaco) loaded and run"],
  ["obc:editor-created", "the editor created"],
] as const;

interface Load {
  firstDiagnosticsMs: number;
  /** the time of each of STEPS */
  steps: number[];
  /** the JavaScript files loaded before the first diagnostics */
  scripts: Script[];
}

/** Opens the editor in a fresh context and waits for its first diagnostics. */
async function load(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const scripts: (Script & { done: Promise<void> })[] = [];
  const workers = new Set<string>();
  page.on("worker", (w) => void workers.add(new URL(w.url()).pathname));
  // scripts of the page and of its workers
  context.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (!path.endsWith(".js")) return;
    const entry = { path, transferred: 0, worker: false, done: Promise.resolve() };
    entry.done = response.request().sizes().then((s) => void (entry.transferred = s.responseBodySize)).catch(() => {});
    scripts.push(entry);
  });
  await page.goto(`${url}?test`);
  const handle = await page.waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, FIRST_DIAGNOSTICS_MARK, { timeout: 60_000, polling: 20 });
  const firstDiagnosticsMs = (await handle.jsonValue()) as number;
  const steps = await page.evaluate((names) => names.map((n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN), STEPS.map(([mark]) => mark));
  const loaded = [...scripts];
  await Promise.all(loaded.map((s) => s.done));
  await context.close();
  return { firstDiagnosticsMs, steps, scripts: loaded.map(({ path, transferred }) => ({ path, transferred, worker: workers.has(path) })) };
}

/** Sets the text and waits for its diagnostics. */
async function setText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const hook = (window as unknown as { __obc: { session: { setText(t: string, f: string): void } } }).__obc;
    hook.session.setText(t, "contract.obc");
  }, text);
  await page.waitForFunction(() => {
    const { session } = (window as unknown as { __obc: { session: { store: { get(): { diagnostics?: { version: number } } }; model: { getVersionId(): number } } } }).__obc;
    return session.store.get().diagnostics?.version === session.model.getVersionId();
  });
}

interface Latency {
  keyToMarker: number[];
  checkInWorker: number[];
}

/**
 * Types `key` after `anchor` (an error appears), then Backspace (it goes), `edits` times in
 * all, and measures each keystroke to the squiggle's change in the DOM.
 */
async function latency(page: Page, text: string, anchor: string, edits: number): Promise<Latency> {
  await setText(page, text);
  await page.evaluate((a) => {
    type Ed = { getModel(): { findMatches(s: string, a: boolean, b: boolean, c: boolean, d: null, e: boolean): { range: { endLineNumber: number; endColumn: number } }[] }; setPosition(p: object): void; revealLineInCenter(l: number): void; focus(): void };
    const { editor } = (window as unknown as { __obc: { editor: Ed } }).__obc;
    const m = editor.getModel().findMatches(a, false, false, true, null, false)[0]!;
    editor.setPosition({ lineNumber: m.range.endLineNumber, column: m.range.endColumn });
    editor.revealLineInCenter(m.range.endLineNumber);
    editor.focus();
    // keydown timestamp → the squiggle's change in the DOM
    const w = window as unknown as { __lat: number[]; __key?: number; __squiggle: boolean; __check: number[] };
    w.__lat = [];
    w.__check = [];
    w.__squiggle = false;
    const root = document.querySelector(".monaco-editor")!;
    window.addEventListener("keydown", (e) => void (w.__key = e.timeStamp), true);
    new MutationObserver(() => {
      const now = !!root.querySelector(".squiggly-error");
      if (now === w.__squiggle) return;
      w.__squiggle = now;
      if (w.__key !== undefined) w.__lat.push(performance.now() - w.__key);
      w.__key = undefined;
    }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
  }, anchor);
  const checkTimes: number[] = [];
  for (let i = 0; i < edits; i++) {
    const error = i % 2 === 0;
    await page.keyboard.press(error ? "x" : "Backspace");
    await page.waitForFunction((want) => (window as unknown as { __squiggle: boolean }).__squiggle === want, error, { polling: "raf" });
    checkTimes.push(await page.evaluate(() => (window as unknown as { __obc: { session: { store: { get(): { diagnostics?: { compileMs: number } } } } } }).__obc.session.store.get().diagnostics?.compileMs ?? NaN));
    // a person's pause between keys
    await page.waitForTimeout(60 + Math.round(190 * ((i * 0.618) % 1)));
  }
  const keyToMarker = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat);
  return { keyToMarker, checkInWorker: checkTimes };
}

async function main(): Promise<void> {
  const loads = arg("loads", 7);
  const edits = arg("edits", 40);
  if (!process.argv.includes("--no-build")) buildEditor();
  const preview = await startPreview();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    const first = await load(browser, preview.url); // warms the server's and the system's file caches
    const runs: Load[] = [];
    for (let i = 0; i < loads; i++) runs.push(await load(browser, preview.url));
    const times = runs.map((r) => r.firstDiagnosticsMs);
    const scripts = [...new Map(first.scripts.map((s) => [s.path, s])).values()];
    const gzip = (path: string) => statSync(join(DIST, `${path}.gz`), { throwIfNoEntry: false })?.size ?? statSync(join(DIST, path)).size;
    const total = (list: Script[]) => ({ gzip: list.reduce((sum, s) => sum + gzip(s.path), 0), transferred: list.reduce((sum, s) => sum + s.transferred, 0) });
    const page = total(scripts.filter((s) => !s.worker));
    const workers = total(scripts.filter((s) => s.worker));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const editor = await context.newPage();
    await editor.goto(`${preview.url}?test`);
    await editor.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_DIAGNOSTICS_MARK);
    const pilot = readFileSync(join(ROOT, "examples/03-algebra-pilot/contract.obc"), "utf8");
    const small = await latency(editor, pilot, "when sessions_by_feb28", edits);
    const large = await latency(editor, generateContract(500), "when score_5 >= 54 and grade", edits);
    await context.close();

    const row = (name: string, values: number[]) => `| ${name} | ${ms(percentile(values, 50))} | ${ms(percentile(values, 95))} | ${values.length} |`;
    console.log(`Editor in Chromium (${CHROMIUM}), production build served precompressed by vite preview, viewport 1280×800`);
    console.log("");
    console.log("| measure | median | p95 | samples |");
    console.log("|---|---:|---:|---:|");
    console.log(row("navigation → first diagnostics drawn", times));
    STEPS.forEach(([, name], i) => console.log(row(`  of which: navigation → ${name}`, runs.map((r) => r.steps[i]!))));
    console.log(row(`keystroke → marker, ${pilot.split("\n").length - 1}-line contract`, small.keyToMarker));
    console.log(row("keystroke → marker, 500-line contract", large.keyToMarker));
    console.log(row("check in the worker, 500-line contract", large.checkInWorker));
    console.log("");
    console.log(`Initial JavaScript (the page's, loaded before the first diagnostics): ${kb(page.gzip)} gzip (${kb(page.transferred)} transferred, Brotli)`);
    console.log(`and the workers' scripts loaded by then: ${kb(workers.gzip)} gzip`);
    for (const s of scripts) console.log(`  ${s.path}${s.worker ? " (worker)" : ""}: ${kb(gzip(s.path))} gzip, ${kb(s.transferred)} transferred`);
  } finally {
    await browser.close();
    preview.close();
  }
}

await main();
