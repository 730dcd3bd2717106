/**
 * Vite configuration of the browser editor (root: `editor/`, output: `editor/dist`).
 *
 *   npx vite --config editor/vite.config.ts           dev server on http://127.0.0.1:5173/
 *   npx vite build --config editor/vite.config.ts     static build into editor/dist
 *   npx vite preview --config editor/vite.config.ts   serves editor/dist on http://127.0.0.1:4173/
 *
 * Everything is bundled locally (Monaco included, without the parts it can never run here:
 * monaco-trim.ts): the app needs no network. The build writes
 * a gzip and a Brotli copy of each asset, which the preview server sends (precompress.ts).
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { monacoTrim } from "./monaco-trim.ts";
import { precompress, servePrecompressed } from "./precompress.ts";

const editorRoot = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root: editorRoot,
  base: "./",
  plugins: [react(), monacoTrim(), precompress(), servePrecompressed()],
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 8000 },
  // the app imports language/, engine/, stdlib/ and examples/ from the repository root
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [repoRoot] } },
  preview: { host: "127.0.0.1", port: 4173 },
});
