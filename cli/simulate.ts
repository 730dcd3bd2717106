/**
 * `obc simulate CONTRACT [--cohort 500] [--runs 1000] [--seed 1] [--baseline mean,sd]
 *   [--growth mean,sd] [--attendance mean,sd] [--missing 0.05] [--p-true 0.5] [--as-of DATE] [--json] [-o FILE]`
 *
 * Prices a contract by simulation: draws synthetic cohorts from the stated assumptions (see
 * engine/fast/simulate.ts for how each field is drawn), runs the fast engine on each, and
 * reports the distribution of the total per cohort, of what one student is paid, and of each
 * clause's total, and how often each cap binds. Deterministic for a seed.
 *
 * Exit codes: 0 done; 1 the contract has errors; 2 a bad option value; 4 a file could not be
 * read or written; 70 internal error.
 */
import { writeFile } from "node:fs/promises";
import { CommandError, EXIT, fsReason, loadContract, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { DEFAULTS, simulate, type Dist, type SimulationResult, type Stats } from "../engine/fast/simulate.ts";
import { renderTable } from "./table.ts";

export interface SimulateCommandOptions {
  /** CONTRACT */
  contract: string;
  /** --cohort N: students per simulated cohort (default 500) */
  cohort?: string | number;
  /** --runs N: simulated cohorts (default 1000) */
  runs?: string | number;
  /** --seed N (default 1) */
  seed?: string | number;
  /** --baseline mean,sd: scores at the start (default 50,10) */
  baseline?: string;
  /** --growth mean,sd: growth over the year in score points (default 8,6) */
  growth?: string;
  /** --attendance mean,sd: counts such as sessions attended (default 30,8) */
  attendance?: string;
  /** --missing share: the share of optional values that are missing (default 0.05) */
  missing?: string | number;
  /** --p-true share: the probability of a yes/no field being true (default 0.5) */
  pTrue?: string | number;
  /** --as-of DATE: the run's clock */
  asOf?: string;
  /** --json: print the result as JSON */
  json?: boolean;
  /** -o FILE: write the output to a file */
  out?: string;
}

function whole(name: string, v: string | number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) throw new CommandError(EXIT.usage, `${name} must be a whole number, e.g. ${name} ${dflt}`);
  const n = Number(s);
  if (n < min || n > max) throw new CommandError(EXIT.usage, `${name} must be between ${min} and ${max}`);
  return n;
}

function share(name: string, v: string | number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(String(v).trim());
  if (String(v).trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new CommandError(EXIT.usage, `${name} must be a share between 0 and 1, e.g. ${name} ${dflt}`);
  return n;
}

function dist(name: string, v: string | undefined, dflt: Dist): Dist {
  if (v === undefined) return dflt;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) throw new CommandError(EXIT.usage, `${name} takes a mean and a standard deviation, e.g. ${name} ${dflt.mean},${dflt.sd}`);
  return { mean: Number(m[1]), sd: Number(m[2]) };
}

/** "$1,234.50" from decimal text in major units. */
function dollars(s: string, currency: string): string {
  const neg = s.startsWith("-");
  const [w, f] = (neg ? s.slice(1) : s).split(".");
  const body = `${w!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
  const sym = currency === "USD" ? "$" : `${currency} `;
  return `${neg ? "-" : ""}${sym}${body}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The simulation as text: assumptions, then the distributions, then the caps. */
export function renderSimulation(r: SimulationResult): string {
  const a = r.assumptions;
  const c = r.contract.currency;
  const row = (label: string, s: Stats) => [label, dollars(s.mean, c), dollars(s.p5, c), dollars(s.p50, c), dollars(s.p95, c)];
  let out = `${r.contract.title}${r.contract.version ? ` (version ${r.contract.version})` : ""}: ${a.runs} simulated cohorts of ${a.cohort} students, seed ${a.seed}\n`;
  out += `assumptions: baseline ${a.baseline.mean} ± ${a.baseline.sd}, growth ${a.growth.mean} ± ${a.growth.sd}, attendance ${a.attendance.mean} ± ${a.attendance.sd}, ` +
    `yes/no values true ${pct(a.pTrue)}, optional values missing ${pct(a.missing)}${a.asOf ? `, as of ${a.asOf}` : ""}\n\n`;
  const rows = [row("total per cohort", r.total), row("per student", r.perStudent), ...Object.entries(r.byClause).map(([id, s]) => row(`  clause ${id} (per cohort)`, s))];
  out += renderTable(["", "mean", "5th pct", "median", "95th pct"], rows, { align: ["left", "right", "right", "right", "right"] });
  if (r.caps.length) {
    out += "\n";
    out += renderTable(
      ["cap", "binds in", "students at the cap"],
      r.caps.map((k) => [k.cap, `${pct(k.bindsInRuns)} of cohorts`, k.studentsAtCap !== undefined ? pct(k.studentsAtCap) : ""]),
      { align: ["left", "right", "right"] },
    );
  }
  if (r.divisionsByZero > 0) out += `\nnote: ${r.divisionsByZero} divisions by zero were read as missing values\n`;
  return out;
}

/** Runs `obc simulate`. Never throws; returns the exit code. */
export async function simulateCommand(opts: SimulateCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("simulate", io, async () => {
    const cohort = whole("--cohort", opts.cohort, DEFAULTS.cohort, 1, 1_000_000);
    const runs = whole("--runs", opts.runs, DEFAULTS.runs, 1, 10_000_000);
    if (cohort * runs > 200_000_000) throw new CommandError(EXIT.usage, "--cohort × --runs must be at most 200,000,000 students");
    const seed = whole("--seed", opts.seed, DEFAULTS.seed, 0, 4294967295);
    const baseline = dist("--baseline", opts.baseline, DEFAULTS.baseline);
    const growth = dist("--growth", opts.growth, DEFAULTS.growth);
    const attendance = dist("--attendance", opts.attendance, DEFAULTS.attendance);
    const missing = share("--missing", opts.missing, DEFAULTS.missing);
    const pTrue = share("--p-true", opts.pTrue, DEFAULTS.pTrue);
    if (opts.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new CommandError(EXIT.usage, "--as-of: write the date as YYYY-MM-DD");
    const { text, ir } = await loadContract(io, opts.contract);
    const result = simulate(ir, text, { cohort, runs, seed, baseline, growth, attendance, missing, pTrue, ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}) });
    const output = opts.json ? JSON.stringify(result, null, 2) + "\n" : renderSimulation(result);
    if (opts.out !== undefined) {
      try {
        await writeFile(resolvePath(io, opts.out), output, "utf8");
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot write ${opts.out}: ${fsReason(e)}`);
      }
    } else io.stdout(output);
    return EXIT.ok;
  });
}
