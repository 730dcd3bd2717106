/**
 * The editor as users get it, for the browser tests and the benchmark: the production build
 * (`vite build`), served by `vite preview` on a free port of 127.0.0.1 (precompressed assets),
 * and Debian's Chromium driven by playwright-core. Node only.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserServer } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VITE = join(ROOT, "node_modules", "vite", "bin", "vite.js");
const CONFIG = join(ROOT, "editor", "vite.config.ts");

/** Chromium without anything that would reach the network or slow a headless run. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Builds editor/dist as users get it (vitest sets NODE_ENV=test, which would keep React's development code). */
export function buildEditor(): void {
  const built = spawnSync(process.execPath, [VITE, "build", "--config", CONFIG, "--logLevel", "warn"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`vite preview did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Preview {
  /** the editor's address, ending in "/" */
  url: string;
  close(): void;
}

/** Serves editor/dist with `vite preview` on a free port of 127.0.0.1. */
export async function startPreview(): Promise<Preview> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [VITE, "preview", "--config", CONFIG, "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: ROOT,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitForServer(url, 15_000);
  return { url, close: () => void child.kill() };
}

/** One headless Chromium that test files and the benchmark connect to (`chromium.connect(wsEndpoint)`). */
export async function launchChromium(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}
