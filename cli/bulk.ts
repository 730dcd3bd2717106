/**
 * `obc run --bulk`: large cohorts on every core. The fast engine decides the students in
 * worker threads and the parts are merged in roster order, so the output is the same for
 * any number of workers. Reasons are not kept; the output is the totals and one total per
 * student (CSV), or the same as JSON.
 */
import type { ContractIR } from "../language/check/ir.ts";
import type { DataFile } from "../engine/inputs.ts";
import { centsToString } from "../engine/money.ts";
import type { BulkResult } from "../engine/fast/bulk.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { runBulkParallelFromFiles, type DataPath } from "../engine/fast/node-stream.ts";

export interface BulkRunOptions {
  asOf?: string;
  strict?: boolean;
  workers?: number;
  json?: boolean;
}

const runOptions = (opts: BulkRunOptions) => ({
  ...(opts.asOf ? { asOf: opts.asOf } : {}),
  ...(opts.strict ? { strict: true } : {}),
  ...(opts.workers ? { workers: opts.workers } : {}),
});

export async function bulkRun(ir: ContractIR, source: string, files: DataFile[], opts: BulkRunOptions): Promise<{ ok: boolean; output: string }> {
  return bulkOutput(await runBulkParallel(ir, source, files, runOptions(opts)), opts);
}

/**
 * `bulkRun` on files read from disk, with the roster CSV streamed in chunks (its text is never
 * held whole). The same output as `bulkRun` on the files' texts. Throws the `fs` error when a
 * file cannot be read.
 */
export async function bulkRunFiles(
  ir: ContractIR,
  source: string,
  filePaths: DataPath[],
  opts: BulkRunOptions,
  progress?: { update: (label: string, done: number, total?: number) => void; done: () => void },
): Promise<{ ok: boolean; output: string }> {
  const r = await runBulkParallelFromFiles(ir, source, filePaths, {
    ...runOptions(opts),
    ...(progress ? { onProgress: (read: number, size: number) => progress.update("reading the roster", read, size) } : {}),
  });
  progress?.done();
  return bulkOutput(r, opts);
}

function bulkOutput(r: BulkResult, opts: BulkRunOptions): { ok: boolean; output: string } {
  if (!r.ok || !r.totals) {
    const lines = r.problems.filter((p) => p.severity === "error").map((p) => `  ${p.file}${p.row ? `:${p.row}` : ""}  ${p.column ?? ""}  ${p.rule}  ${p.message}`);
    return { ok: false, output: `data errors:\n${lines.join("\n")}\n` };
  }
  const totals = (i: number) => centsToString(BigInt(Math.round(r.studentTotals[i]!)));
  if (opts.json) {
    const students = r.ids.map((id, i) => ({ id, total: totals(i) }));
    return {
      ok: true,
      output: JSON.stringify({ schema: "obc.bulk/1", contract: r.contract, students: r.count, totals: r.totals, cohorts: r.cohorts, escalations: r.escalations, dataQuality: r.dataQuality, studentTotals: students }, null, 2) + "\n",
    };
  }
  const out: string[] = ["student_id,total"];
  r.ids.forEach((id, i) => out.push(`${/[",\n]/.test(id) ? JSON.stringify(id) : id},${totals(i)}`));
  out.push("");
  out.push(`# ${r.count} students; paid ${r.totals.paid} of ${r.totals.uncapped} before caps`);
  for (const [clause, amount] of Object.entries(r.totals.byClause)) out.push(`# clause ${clause}: ${amount}`);
  for (const [payer, amount] of Object.entries(r.totals.byPayer)) out.push(`# payer ${payer}: ${amount}`);
  return { ok: true, output: out.join("\n") + "\n" };
}
