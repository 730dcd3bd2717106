/**
 * Running a portfolio's contracts on their drops.
 *
 *   runDrop(contract, drop)             → ContractRun (the run of one drop, with its files' hashes)
 *   runPortfolio(portfolio, date)       → one ContractRun per contract: its latest drop in force on `date`
 *
 * A drop is run with its own as-of date as the run's clock (the day its data describe). Files
 * are read as bytes and hashed (sha256), so a settlement records exactly which bytes it paid
 * from. Nothing here writes: settling is in settle.ts.
 */
import type { ContractIR } from "../../language/check/ir.ts";
import type { DataRow, Value } from "../../engine/data.ts";
import { runContract, type DataProblem, type RunResult } from "../../engine/index.ts";
import { loadInputs, type DataFile } from "../../engine/inputs.ts";
import { compositeIR } from "../../engine/amendments.ts";
import { latestDrop, type Drop, type Portfolio, type PortfolioContract } from "./format.ts";
import { readDropFiles } from "./ledger.ts";

export interface DropInput {
  label: string;
  sha256: string;
}

export interface ContractRun {
  contract: PortfolioContract;
  /** the drop run (absent: no drop has arrived yet) */
  drop?: Drop;
  inputs: DropInput[];
  /** the run (absent when there is no drop, or the data stopped the run) */
  result?: RunResult;
  problems: DataProblem[];
  /** false when the data stopped the run */
  ok: boolean;
}

/** Reads a drop's files as every command does (node/data-file.ts decodes the bytes), with the sha256 of each. */
export async function readDrop(drop: Drop): Promise<{ files: DataFile[]; inputs: DropInput[] }> {
  const read = await readDropFiles(drop);
  return { files: read.map((f) => f.data), inputs: read.map((f) => ({ label: f.drop.label, sha256: f.drop.sha256 })) };
}

/** Runs one contract on one drop, with the drop's as-of date as the clock. */
export async function runDrop(c: PortfolioContract, drop: Drop): Promise<ContractRun> {
  const { files, inputs } = await readDrop(drop);
  const out = await runContract(c.ir, c.source, files, { asOf: drop.asOf });
  return { contract: c, drop, inputs, ...(out.result ? { result: out.result } : {}), problems: out.problems, ok: out.ok && !!out.result };
}

/** Runs every contract (or those `only` names) on its latest drop in force on `date`. */
export async function runPortfolio(p: Portfolio, date: string | undefined, only?: ReadonlySet<string>): Promise<ContractRun[]> {
  const runs: ContractRun[] = [];
  for (const c of p.contracts) {
    if (only && !only.has(c.id)) continue;
    const drop = latestDrop(c, date);
    runs.push(drop ? await runDrop(c, drop) : { contract: c, inputs: [], problems: [], ok: true });
  }
  return runs;
}


/**
 * The values of a drop's students: every field of every per-student data set, by student key
 * (the roster's order), and the per-period rows. For forecasts and subgroup reports; payments
 * come from runs.
 */
export async function studentValues(ir: ContractIR, drop: Drop): Promise<{ roster: string[]; values: Map<string, Record<string, Value>>; period: Map<string, DataRow[]> }> {
  const { files } = await readDrop(drop);
  const loaded = loadInputs(ir, files);
  const values = new Map<string, Record<string, Value>>();
  const roster: string[] = [];
  const period = new Map<string, DataRow[]>();
  for (const ds of ir.dataSets) {
    const rows = loaded.rows.get(ds.name) ?? [];
    if (ds.kind !== "student") {
      period.set(ds.name, rows);
      continue;
    }
    for (const r of rows) {
      if (r.key === undefined) continue;
      if (ds.roster && !values.has(r.key)) roster.push(r.key);
      values.set(r.key, { ...(values.get(r.key) ?? {}), ...r.values });
    }
  }
  return { roster, values, period };
}

/** The values of each run's drop (for subgroups), by contract id. */
export async function latestValues(runs: readonly Pick<ContractRun, "contract" | "drop">[]): Promise<Map<string, Map<string, Record<string, Value>>>> {
  const values = new Map<string, Map<string, Record<string, Value>>>();
  for (const r of runs) if (r.drop) values.set(r.contract.id, (await studentValues(compositeIR(r.contract.ir, r.drop.asOf).ir, r.drop)).values);
  return values;
}
