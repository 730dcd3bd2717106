// Bundles the benchmarks with esbuild (installed with vite) into bench/dist/ (git-ignored):
// run.mjs, e2e.mjs and node-worker.mjs. Bundled code runs without tsx, whose keepNames wrapping
// halves Chevrotain's parsing speed (see /work/shared/toolchain.md §4).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: {
    run: "bench/run.ts",
    e2e: "bench/e2e.ts",
    "node-worker": "engine/fast/node-worker.ts",
  },
  outdir: "bench/dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // json-rules-engine and papaparse are CommonJS: give the ESM bundle a `require`
  banner: { js: "import { createRequire as __obcCreateRequire } from 'node:module'; const require = __obcCreateRequire(import.meta.url);" },
  // native (better-sqlite3) or loaded at run time (pg): required from node_modules, not bundled
  external: ["better-sqlite3", "pg"],
  logLevel: "warning",
});
console.log("bench: built bench/dist/run.mjs, e2e.mjs, node-worker.mjs");
