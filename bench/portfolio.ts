/**
 * The desk's benchmark: the synthetic portfolio (25 contracts, 5,000 students, seed 1) settled
 * month by month through the school year, on SQLite and on PostgreSQL, and the calibration of
 * the forecasts.
 *
 *   tsx bench/portfolio.ts [--quick] [--postgres URL] [--json FILE]
 *
 * Each month: the districts attest their drops (not timed), then `settlePortfolio` settles every
 * contract's latest drop: reading and hashing its files, the strict run, the ledger's
 * difference and its transaction (wall time, target under 5 s; this process's CPU time beside it,
 * as this shared machine's load swings wall times by 5× or more). The correction of the October drop
 * is settled with its reason on the day it arrives. PostgreSQL: the URL given, else
 * OBC_BENCH_POSTGRES, else postgres://obc:obc@127.0.0.1:5432/obc_test, in a schema of its own
 * (dropped first); skipped with a note when no server answers.
 * Forecasts: as of three days in the year, how many contracts' final figures fall within their
 * 90% ranges (300 simulated outcomes each), and the time to forecast the portfolio.
 * `--quick`: 1,000 students, forecasts as of one day.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { loadPortfolio, type Portfolio } from "../node/portfolio/format.ts";
import { forecastContract } from "../node/portfolio/forecast.ts";
import { DROP_DATES, generatePortfolio, writePortfolio } from "../node/portfolio/generate.ts";
import { runPortfolio } from "../node/portfolio/run.ts";
import { attestPortfolio, settlePortfolio } from "../node/portfolio/settle.ts";
import { openLedger, owedByRun } from "../node/ledger/index.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const pgUrl = arg("--postgres") ?? process.env["OBC_BENCH_POSTGRES"] ?? "postgres://obc:obc@127.0.0.1:5432/obc_test";
const jsonOut = arg("--json");
const log = (s: string) => process.stderr.write(s + "\n");
const students = quick ? 1000 : 5000;
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Month {
  date: string;
  /** wall time */
  ms: number;
  /** this process's CPU time (a PostgreSQL server's is not counted) */
  cpuMs: number;
  lines: number;
}

const dir = mkdtempSync(join(os.tmpdir(), "obc-bench-portfolio-"));
const results: Record<string, unknown> = {};
const rows: string[][] = [];
try {
  const g = generatePortfolio({ seed: 1, students });
  writePortfolio(dir, g);
  const loaded = loadPortfolio(join(dir, "portfolio.json"));
  if (!loaded.portfolio) throw new Error("the generated portfolio has errors");
  const p: Portfolio = loaded.portfolio;
  const corrected = p.contracts.find((c) => c.id === g.correction!.contract)!;
  const fixDay = corrected.drops.find((d) => d.id === g.correction!.corrected)!.received.slice(0, 10);
  const dates = [...DROP_DATES.map((d) => addDays(d, 10)), fixDay].sort();

  /** Settles the year into a ledger; the time of each month's settlement. */
  async function year(target: string): Promise<Month[]> {
    const ledger = await openLedger(target, { create: true });
    const out: Month[] = [];
    try {
      for (const date of dates) {
        const now = `${date}T12:00:00Z`;
        for (const d of p.districts) {
          await attestPortfolio(p, ledger, { date, by: `${d.name} data office`, role: "district", at: now, only: new Set(p.contracts.filter((c) => c.district.id === d.id).map((c) => c.id)) });
        }
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const settled = await settlePortfolio(p, ledger, { date, now, accept: new Map([[corrected.id, "the district corrected the first-session dates"]]) });
        const ms = performance.now() - t0;
        const used = process.cpuUsage(c0);
        const cpuMs = (used.user + used.system) / 1000;
        const bad = settled.filter((x) => x.status === "refused" || x.status === "unattested");
        if (bad.length) throw new Error(`not settled on ${date}: ${bad.map((x) => `${x.contract}: ${x.reason}`).join("; ")}`);
        out.push({ date, ms, cpuMs, lines: settled.reduce((a, x) => a + x.lines, 0) });
        log(`  ${date}: ${s(ms)} (${s(cpuMs)} CPU), ${out[out.length - 1]!.lines} lines`);
      }
    } finally {
      await ledger.close();
    }
    return out;
  }

  const report = (backend: string, months: Month[]) => {
    const sorted = [...months].sort((a, b) => a.ms - b.ms);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const worst = sorted[sorted.length - 1]!;
    const cpu = [...months].sort((a, b) => a.cpuMs - b.cpuMs);
    results[backend] = months;
    rows.push([
      `monthly settle, ${backend}, ${p.contracts.length} contracts, ${students.toLocaleString("en-US")} students`,
      `median ${s(median.ms)}, slowest ${s(worst.ms)} (${worst.date}, ${worst.lines.toLocaleString("en-US")} lines); this process's CPU: median ${s(cpu[Math.floor(cpu.length / 2)]!.cpuMs)}, most ${s(cpu[cpu.length - 1]!.cpuMs)}; ${months.length} settlements`,
      "< 5 s",
      worst.ms < 5000 ? "met" : "missed",
    ]);
  };

  log(`SQLite (${dir}/ledger.sqlite):`);
  report("SQLite", await year(join(dir, "ledger.sqlite")));

  let pg: typeof import("pg") | undefined;
  try {
    pg = await import("pg");
    const client = new pg.default.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.query("DROP SCHEMA IF EXISTS obc_bench_portfolio CASCADE");
    await client.end();
  } catch (e) {
    pg = undefined;
    rows.push(["monthly settle, PostgreSQL", `skipped: no PostgreSQL server answered at ${pgUrl.replace(/:[^:@/]*@/, ":…@")} (${(e as Error).message.split("\n")[0]})`, "< 5 s", ""]);
  }
  if (pg) {
    const target = `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}schema=obc_bench_portfolio`;
    log("PostgreSQL:");
    report("PostgreSQL", await year(target));
  }

  // forecasts: calibration against each contract's final figure
  const finals = new Map((await runPortfolio(p, "2027-07-31")).map((r) => [r.contract.id, [...owedByRun(r.result!).values()].reduce((a, o) => a + o.cents, 0n)]));
  const days = quick ? ["2027-02-15"] : ["2026-12-15", "2027-02-15", "2027-04-15"];
  const coverage: Record<string, unknown> = {};
  for (const day of days) {
    const t0 = performance.now();
    let inside = 0;
    for (const c of p.contracts) {
      const f = await forecastContract(c, day, { runs: 300 });
      const fin = finals.get(c.id)!;
      if (f.p5 <= fin && fin <= f.p95) inside++;
    }
    const ms = performance.now() - t0;
    coverage[day] = { inside, contracts: p.contracts.length, ms };
    rows.push([`forecast as of ${day}, 300 outcomes per contract`, `${inside} of ${p.contracts.length} final figures within the 90% range; ${s(ms)} for the portfolio`, "", ""]);
    log(`  forecast ${day}: ${inside}/${p.contracts.length} in range, ${s(ms)}`);
  }
  results["forecast"] = coverage;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${os.availableParallelism()} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the end`;
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length), ["portfolio benchmark", "result", "target", ""][i]!.length));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
let out = `\nmachine: ${machine}${quick ? "  (--quick: 1,000 students)" : ""}\n\n`;
out += line(["portfolio benchmark", "result", "target", ""]) + "\n" + widths.map((w) => "-".repeat(w)).join("  ") + "\n";
for (const r of rows) out += line(r) + "\n";
process.stdout.write(out);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine, ...results }, null, 2) + "\n");
