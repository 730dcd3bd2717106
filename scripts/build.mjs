// Builds the package into dist/ (npm run build; run by `npm install` and before `npm pack`):
//   1. tsc -p tsconfig.build.json: JavaScript and declaration files, one module per source file,
//      without the name-keeping wrappers that tsx adds (they halve Chevrotain's parsing speed);
//   2. the files read at run time beside the modules: the template library (stdlib/templates/*.obc)
//      and the service's worker starter (node/service/worker.mjs);
//   3. Chevrotain from its single-module build under Node (language/syntax/chevrotain-node.ts);
//   4. the dashboard that `obc serve --portfolio` serves, built with Vite into dist/dashboard/dist
//      (where node/portfolio/http.ts finds it from the built modules).
// `--if-stale` builds only when a source is newer than the last build (the tests run it first,
// so the CLI they start is always built from the sources under test).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const stamp = join(dist, ".built");
const started = Date.now();

/** The newest modification time of the build's inputs. */
function newestSource() {
  let newest = 0;
  const walk = (p) => {
    const st = statSync(p);
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) for (const f of readdirSync(p)) if (f !== "node_modules" && f !== "dist") walk(join(p, f));
  };
  for (const p of ["index.ts", "language", "engine", "node", "cli", "stdlib", "dashboard", "package.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.mjs"]) {
    walk(join(root, p));
  }
  return newest;
}

if (process.argv.includes("--if-stale") && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);

// built beside dist/ and swapped in at the end, so a CLI started meanwhile (another test run)
// finds the previous build whole rather than none
const out = join(root, `dist.building-${process.pid}`);
rmSync(out, { recursive: true, force: true });
// the compiler's launcher, found from its package.json (its "exports" does not list bin/)
const tsc = join(createRequire(import.meta.url).resolve("typescript/package.json"), "..", "bin", "tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out], { stdio: "inherit" });
if (compiled.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  console.error("build: tsc failed");
  process.exit(1);
}

const templates = join(root, "stdlib", "templates");
mkdirSync(join(out, "stdlib", "templates"), { recursive: true });
for (const f of readdirSync(templates).filter((f) => f.endsWith(".obc"))) {
  copyFileSync(join(templates, f), join(out, "stdlib", "templates", f));
}
copyFileSync(join(root, "node", "service", "worker.mjs"), join(out, "node", "service", "worker.mjs"));
writeFileSync(
  join(out, "language", "syntax", "chevrotain.js"),
  "// Built package: Chevrotain's single-module build under Node (see chevrotain-node.js).\nexport * from \"./chevrotain-node.js\";\n",
);

// the dashboard: Vite (a development dependency) bundles it; a build without Vite ships no dashboard
const viteBin = join(root, "node_modules", "vite", "bin", "vite.js");
if (existsSync(viteBin)) {
  const dash = spawnSync(process.execPath, [viteBin, "build", "--config", join(root, "dashboard", "vite.config.ts"), "--outDir", join(out, "dashboard", "dist"), "--emptyOutDir", "--logLevel", "warn"], { stdio: "inherit" });
  if (dash.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    console.error("build: the dashboard's build failed");
    process.exit(1);
  }
} else console.warn("build: vite is not installed; the build has no dashboard");

writeFileSync(join(out, ".built"), "");
const old = `${dist}.old-${process.pid}`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(out, dist);
rmSync(old, { recursive: true, force: true });
console.log(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
