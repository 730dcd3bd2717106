/**
 * The package as another project uses it: `npm pack`, the tarball installed in a new project,
 * imported from `.mjs` and from a strict `.ts` file (type-checked with this project's compiler),
 * an example contract compiled and run, and its payments compared with the ones the sources
 * compute. Every example of docs/api.md runs there and must print the output shown after it.
 *
 * Install scripts are skipped in the new project: better-sqlite3 would compile SQLite for
 * minutes; its compiled module is copied from this project's install instead (same version).
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PILOT = "examples/03-algebra-pilot";
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): Promise<Result> {
  return new Promise((done) =>
    execFile(cmd, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

const npm = (args: string[], cwd: string) => run(process.platform === "win32" ? "npm.cmd" : "npm", args, cwd);

/** The ```js example=NAME blocks of docs/api.md, each with the ```text output=NAME block after it. */
export function apiExamples(markdown: string): { name: string; code: string; output: string }[] {
  const blocks = [...markdown.matchAll(/```(\w+) (example|output)=([\w-]+)\n([\s\S]*?)```/g)];
  const outputs = new Map(blocks.filter((b) => b[2] === "output").map((b) => [b[3], b[4]]));
  return blocks
    .filter((b) => b[2] === "example")
    .map((b) => ({ name: b[3]!, code: b[4]!, output: outputs.get(b[3]!) ?? "(no output block)" }));
}

let tmp: string;
let project: string;
let tarballFiles: string[];
let tarballBytes: number;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "obc-package-"));
  // the build is current (test/global-setup.ts): pack it as it is
  const packed = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
  tarballFiles = info!.files.map((f) => f.path).sort();
  tarballBytes = info!.size;

  project = join(tmp, "consumer");
  await mkdir(project);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  const installed = await npm(["install", join(tmp, info!.filename), "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], project);
  expect(installed.code, installed.stderr).toBe(0);
  const sqlite = join("node_modules", "better-sqlite3", "build", "Release");
  await mkdir(join(project, sqlite), { recursive: true });
  await cp(join(ROOT, sqlite, "better_sqlite3.node"), join(project, sqlite, "better_sqlite3.node"));
  await cp(join(ROOT, PILOT), join(project, PILOT), { recursive: true });
}, 600_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The pilot's payments as the sources compute them: total, per payer, per student. */
async function expectedPayments(): Promise<string> {
  const source = await readFile(join(ROOT, PILOT, "contract.obc"), "utf8");
  const files = await Promise.all(
    ["students.csv", "checkpoints.csv"].map(async (label) => ({ label, text: await readFile(join(ROOT, PILOT, label), "utf8") })),
  );
  const run = await runContract(compileSource(source).ir!, source, files, { asOf: "2027-07-01" });
  return JSON.stringify({ paid: run.result!.totals.paid, byPayer: run.result!.totals.byPayer, students: run.result!.students.map((s) => [s.id, s.total]) });
}

/** The same computation, as a consumer writes it (the .mjs and the strict .ts file). */
const CONSUMER = (types: boolean) => `import { readFile } from "node:fs/promises";
import { compileSource, runContract${types ? ", type DataFile, type RunOutput" : ""} } from "obc";

const dir = "${PILOT}";
const source = await readFile(\`\${dir}/contract.obc\`, "utf8");
const compiled = compileSource(source);
if (!compiled.ok || !compiled.ir) throw new Error("the contract has errors");
const files${types ? ": DataFile[]" : ""} = await Promise.all(
  ["students.csv", "checkpoints.csv"].map(async (label) => ({ label, text: await readFile(\`\${dir}/\${label}\`, "utf8") })),
);
const run${types ? ": RunOutput" : ""} = await runContract(compiled.ir, source, files, { asOf: "2027-07-01" });
if (!run.result) throw new Error("the run stopped");
const totals = run.result.totals;
console.log(JSON.stringify({ paid: totals.paid, byPayer: totals.byPayer, students: run.result.students.map((s) => [s.id, s.total]) }));
`;

describe("the package", () => {
  it("holds only what runs: the launcher, the built modules and their declarations, the template library", () => {
    const outside = tarballFiles.filter(
      (f) =>
        !["package.json", "README.md", "bin/obc.mjs", "dist/node/service/worker.mjs"].includes(f) &&
        !/^dist\/.*\.(js|d\.ts)$/.test(f) &&
        !/^dist\/stdlib\/templates\/\w+\.obc$/.test(f) &&
        !/^dist\/dashboard\/dist\/(index\.html|assets\/[\w-]+\.(js|css))$/.test(f),
    );
    expect(outside).toEqual([]);
    expect(tarballFiles.filter((f) => /(^|\/)(test|bench|editor|examples)\//.test(f) || f.endsWith(".test.js"))).toEqual([]);
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "dist/engine/fast/node-worker.js", "dist/stdlib/templates/benchmark_attainment.obc", "dist/dashboard/dist/index.html"]) {
      expect(tarballFiles).toContain(f);
    }
    // about 400 kB today: a bound that catches a folder shipped by mistake
    expect(tarballBytes).toBeLessThan(2_000_000);
  });

  it("serves the dashboard obc serve --portfolio shows from the installed package", async () => {
    // not an entry point: the module is found by its path in the installed package
    const http = join(project, "node_modules", "obc", "dist", "node", "portfolio", "http.js");
    await writeFile(join(project, "dashboard.mjs"), `import { DASHBOARD_DIR } from ${JSON.stringify(http)}; console.log(DASHBOARD_DIR);\n`);
    const r = await run(process.execPath, ["dashboard.mjs"], project);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(join(project, "node_modules", "obc", "dist", "dashboard", "dist"));
    const page = await readFile(join(r.stdout.trim(), "index.html"), "utf8");
    expect(page).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it("keeps react, react-dom and tsx out of the runtime dependencies", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const dev of ["react", "react-dom", "tsx", "vite", "vitest", "typescript"]) expect(pkg.dependencies).not.toHaveProperty(dev);
  });

  it("is imported from an .mjs file and pays what the sources pay", async () => {
    await writeFile(join(project, "consumer.mjs"), CONSUMER(false));
    const r = await run(process.execPath, ["consumer.mjs"], project);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(await expectedPayments());
  });

  it("type-checks in a strict TypeScript project and pays what the sources pay", async () => {
    await writeFile(join(project, "consumer.ts"), CONSUMER(true));
    // Node's types from this project's install: the consumer has no @types/node of its own
    const compilerOptions = {
      strict: true,
      target: "ES2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      skipLibCheck: false,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      outDir: "out",
      typeRoots: [join(ROOT, "node_modules", "@types")],
      types: ["node"],
    };
    await writeFile(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts"] }, null, 2));
    const tsc = await run(process.execPath, [TSC, "-p", "tsconfig.json"], project);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
    const r = await run(process.execPath, [join("out", "consumer.js")], project);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(await expectedPayments());
  });

  it("type-checks the browser-safe entry points without Node's types, and every entry point with them", async () => {
    await writeFile(
      join(project, "browser.ts"),
      `import { compileSource, format, runContract, type RunOutput } from "obc";
import { renderText } from "obc/language";
import { compileRules } from "obc/engine";
const c = compileSource("contract \\"x\\" version \\"1\\" { }");
const rules = c.ir ? compileRules(c.ir, "") : undefined;
export const out: [string, string, unknown, typeof runContract, RunOutput | undefined] = [format("").value, renderText(c.diagnostics, "", "x.obc"), rules, runContract, undefined];
`,
    );
    const base = { strict: true, target: "ES2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: false, noEmit: true, lib: ["ES2023", "DOM"] };
    await writeFile(join(project, "tsconfig.browser.json"), JSON.stringify({ compilerOptions: { ...base, types: [] }, files: ["browser.ts"] }, null, 2));
    const browser = await run(process.execPath, [TSC, "-p", "tsconfig.browser.json"], project);
    expect(browser.stdout + browser.stderr).toBe("");

    await writeFile(
      join(project, "all.ts"),
      `import * as a from "obc"; import * as b from "obc/language"; import * as c from "obc/engine"; import * as d from "obc/node";
import * as e from "obc/node/ledger"; import * as f from "obc/node/service"; import * as g from "obc/cli";
export const all = [a, b, c, d, e, f, g];
`,
    );
    const node = { ...base, typeRoots: [join(ROOT, "node_modules", "@types")], types: ["node"] };
    await writeFile(join(project, "tsconfig.all.json"), JSON.stringify({ compilerOptions: node, files: ["all.ts"] }, null, 2));
    const all = await run(process.execPath, [TSC, "-p", "tsconfig.all.json"], project);
    expect(all.stdout + all.stderr).toBe("");
  });

  it("runs the obc command from the built JavaScript, loading no contract machinery for --version", async () => {
    const bin = join(project, "node_modules", ".bin", "obc");
    const version = await run(bin, ["--version"], project);
    expect(version).toEqual({ code: 0, stdout: JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version + "\n", stderr: "" });

    // every module --version loads, listed by a module hook: commander and the CLI's own files only
    await writeFile(join(project, "list-hooks.mjs"), 'export async function load(url, c, next) { if (!url.startsWith("node:")) process.stderr.write(url + "\\n"); return next(url, c); }\n');
    await writeFile(join(project, "list.mjs"), 'import { register } from "node:module"; register(new URL("./list-hooks.mjs", import.meta.url));\n');
    const listed = await run(process.execPath, ["--import", "./list.mjs", join(project, "node_modules", "obc", "bin", "obc.mjs"), "--version"], project);
    const loaded = listed.stderr.trim().split("\n").map((u) => u.replace(/^.*\/node_modules\//, ""));
    expect(loaded.filter((u) => !u.startsWith("obc/") && !u.startsWith("commander/"))).toEqual([]);
    expect(loaded.filter((u) => /^obc\/dist\/(language|engine)\//.test(u))).toEqual([]);

    const runArgs = ["run", `${PILOT}/contract.obc`, "--data", `${PILOT}/students.csv`, "--data", `${PILOT}/checkpoints.csv`, "--as-of", "2027-07-01"];
    const installed = await run(bin, runArgs, project);
    const repo = await run(process.execPath, [join(ROOT, "bin", "obc.mjs"), ...runArgs], ROOT);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toBe(repo.stdout);
    expect(installed.stdout).toContain("$5,560.00");
  });

  it("runs every example of docs/api.md against the installed package, with the output shown", async () => {
    const examples = apiExamples(await readFile(join(ROOT, "docs", "api.md"), "utf8"));
    expect(examples.map((e) => e.name)).toEqual(["language", "engine", "node", "ledger", "service", "cli"]);
    for (const ex of examples) {
      await writeFile(join(project, `${ex.name}.mjs`), ex.code);
      const r = await run(process.execPath, [`${ex.name}.mjs`], project);
      expect({ name: ex.name, stderr: r.stderr, stdout: r.stdout }).toEqual({ name: ex.name, stderr: "", stdout: ex.output });
    }
  });
});

describe("docs/api.md", () => {
  it("names every entry point of the package's exports map", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const doc = await readFile(join(ROOT, "docs", "api.md"), "utf8");
    for (const entry of Object.keys(pkg.exports).filter((e) => e !== "./package.json")) {
      expect(doc).toContain("`" + join("obc", entry) + "`");
    }
    // the entry points' files exist in the build
    for (const target of Object.values(pkg.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t as Record<string, string>)))) {
      expect(await readdir(join(ROOT, target, ".."))).toContain(target.split("/").pop());
    }
  });
});
