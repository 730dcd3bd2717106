/**
 * `obc run --bulk`: large cohorts on every core. The fast engine decides the students in
 * worker threads and the parts are merged in roster order, so the output is the same for
 * any number of workers. Reasons are not kept. The output is one total per student as CSV
 * (`student_id,total`, nothing else, so any CSV reader takes it as it is), with the totals (per
 * clause and per payer) in `summary`, for stderr; or everything as JSON.
 */
import type { ContractIR } from "../language/check/ir.ts";
import type { DataFile } from "../engine/inputs.ts";
import { centsToString } from "../engine/money.ts";
import type { BulkResult } from "../engine/fast/bulk.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { runBulkParallelFromFiles, type DataPath } from "../node/bulk-stream.ts";
import { renderInternalError } from "./report.ts";

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

/** What `obc run --bulk` prints: `output` (stdout or --out) and `summary` (stderr). */
export interface BulkRunOutput {
  ok: boolean;
  /** OBC broke one of its own guarantees (OBC9001): nothing may be written */
  internal?: boolean;
  output: string;
  summary?: string;
}

export async function bulkRun(ir: ContractIR, source: string, files: DataFile[], opts: BulkRunOptions): Promise<BulkRunOutput> {
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
): Promise<BulkRunOutput> {
  const r = await runBulkParallelFromFiles(ir, source, filePaths, {
    ...runOptions(opts),
    ...(progress ? { onProgress: (read: number, size: number) => progress.update("reading the roster", read, size) } : {}),
  });
  progress?.done();
  return bulkOutput(r, opts);
}

function bulkOutput(r: BulkResult, opts: BulkRunOptions): BulkRunOutput {
  if (r.internalError) return { ok: false, internal: true, output: renderInternalError(r.internalError) };
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
  r.ids.forEach((id, i) => out.push(`${/[",\r\n]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id},${totals(i)}`));
  const list = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");
  const summary = [
    `obc: ${r.count} students; paid ${r.totals.paid} of ${r.totals.uncapped} before caps`,
    `obc: by clause: ${list(r.totals.byClause)}`,
    `obc: by payer: ${list(r.totals.byPayer)}`,
  ];
  return { ok: true, output: out.join("\n") + "\n", summary: summary.join("\n") + "\n" };
}
