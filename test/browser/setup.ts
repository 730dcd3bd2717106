/**
 * Global setup of the browser tests (vitest project "browser"): builds the editor once,
 * serves it with `vite preview` and starts one headless Chromium that every browser test
 * file connects to. Runs only when browser test files are selected.
 *
 * Without /usr/bin/chromium the browser tests are skipped with a message, except in CI
 * (CI set), where they must run.
 */
import type { TestProject } from "vitest/node";
import { buildEditor, CHROMIUM, hasChromium, launchChromium, startPreview } from "../../editor/bench/serve.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** the editor's address and the Chromium to connect to; absent when the browser tests are skipped */
    editor: { url: string; wsEndpoint: string } | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!hasChromium() && !process.env["CI"]) {
    console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install -y chromium); they always run when CI is set`);
    project.provide("editor", null);
    return async () => {};
  }
  buildEditor();
  const preview = await startPreview();
  const browser = await launchChromium();
  project.provide("editor", { url: preview.url, wsEndpoint: browser.wsEndpoint() });
  return async () => {
    await browser.close();
    preview.close();
  };
}
