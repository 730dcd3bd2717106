/**
 * What the editor's browser tests share: the editor served once (setup.ts), one Chromium
 * per run, and helpers that read and drive the page through its test hook (`window.__obc`,
 * exposed at `/?test`).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { chromium, type Browser, type BrowserContext, type Download, type Page } from "playwright-core";

export const ARTIFACTS = "test-artifacts";

const served = inject("editor");
/** true when the browser tests cannot run here (no Chromium, not CI): see setup.ts */
export const skipBrowser = !served;

/** A marker as Monaco reports it. */
export interface Marker {
  message: string;
  code?: string | { value: string };
  severity: number;
  startLineNumber: number;
  startColumn: number;
}

type Range = { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number };

/** The parts of the page's test hook (`window.__obc`) the tests use. */
export interface Hook {
  __obc: {
    editor: {
      getModel(): {
        uri: unknown;
        getValue(): string;
        getLineContent(line: number): string;
        getValueInRange(r: unknown): string;
        findMatches(s: string, a: boolean, b: boolean, c: boolean, d: null, e: boolean): { range: Range }[];
      };
      setPosition(p: { lineNumber: number; column: number }): void;
      getPosition(): { lineNumber: number; column: number };
      getSelection(): unknown;
      revealLineInCenterIfOutsideViewport(line: number): void;
      trigger(source: string, handlerId: string, payload: unknown): void;
      focus(): void;
      executeEdits(source: string, edits: { range: unknown; text: string }[]): boolean;
    };
    monaco: { editor: { getModelMarkers(filter: { resource?: unknown }): Marker[] } };
    session: {
      setText(text: string, fileName: string): void;
      text: string;
      model: { getVersionId(): number };
      store: {
        get(): {
          diagnostics?: { version: number; ok: boolean; diagnostics: { severity: string; code: string }[] };
          summary?: { version: number; ms: number; examples: boolean; doc?: unknown };
        };
      };
    };
  };
}

let browser: Promise<Browser> | undefined;

/** The run's Chromium (connected once per test file). */
function connect(): Promise<Browser> {
  if (!served) throw new Error("the browser tests are skipped here");
  browser ??= chromium.connect(served.wsEndpoint);
  return browser;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** the address after the editor's root, e.g. "?test" or "?test#c=…" */
  path?: string;
  /** an existing context (its storage is kept), e.g. to open the editor again */
  context?: BrowserContext;
}

/** The editor's root address. */
export function editorUrl(): string {
  if (!served) throw new Error("the browser tests are skipped here");
  return served.url;
}

/** A new browser context (its own storage) with the editor open and its first diagnostics shown. */
export async function openEditor(options: OpenOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = options.context ?? (await (await connect()).newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, acceptDownloads: true }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  pageErrors.set(page, errors);
  await page.goto(`${editorUrl()}${options.path ?? "?test"}`);
  await page.waitForSelector(".monaco-editor .view-lines");
  await page.waitForFunction(() => (window as unknown as Partial<Hook>).__obc !== undefined);
  await waitForDiagnostics(page);
  return { context, page };
}

const pageErrors = new WeakMap<Page, string[]>();

/** The errors the page logged or threw so far. */
export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** Closes the file's connection to Chromium (call in afterAll). */
export async function disconnect(): Promise<void> {
  const b = browser;
  browser = undefined;
  if (b) await (await b).close();
}

/** The editor's text. */
export function textOf(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as Hook).__obc.editor.getModel().getValue());
}

/** The markers on the contract. */
export function markersOf(page: Page): Promise<Marker[]> {
  return page.evaluate(() => {
    const { editor, monaco } = (window as unknown as Hook).__obc;
    return monaco.editor.getModelMarkers({ resource: editor.getModel().uri });
  });
}

/** Waits until the worker's diagnostics are for the text in the editor now. */
export async function waitForDiagnostics(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const { session } = (window as unknown as Hook).__obc;
    return session.store.get().diagnostics?.version === session.model.getVersionId();
  });
}

/** Replaces the text (as "open" does) and waits for its diagnostics. */
export async function setText(page: Page, text: string, fileName = "contract.obc"): Promise<void> {
  await page.evaluate(([t, f]) => (window as unknown as Hook).__obc.session.setText(t!, f!), [text, fileName]);
  await waitForDiagnostics(page);
}

/** Moves the cursor to the end of the first match of `text` and focuses the editor. */
export async function cursorAfter(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const { editor } = (window as unknown as Hook).__obc;
    const m = editor.getModel().findMatches(t, false, false, true, null, false)[0];
    if (!m) throw new Error(`not in the text: ${t}`);
    editor.setPosition({ lineNumber: m.range.endLineNumber, column: m.range.endColumn });
    editor.revealLineInCenterIfOutsideViewport(m.range.endLineNumber);
    editor.focus();
  }, text);
}

/** The selected text of the editor. */
export function selectedText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { editor } = (window as unknown as Hook).__obc;
    return editor.getModel().getValueInRange(editor.getSelection());
  });
}

/** Saves a screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path });
  return path;
}

/** The bytes of a file the page downloaded (read through the connection to Chromium). */
export async function downloaded(d: Download): Promise<Buffer> {
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
