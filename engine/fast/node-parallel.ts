/**
 * Bulk runs on every core (Node only): the roster CSV is split into chunks of whole lines,
 * worker threads decide the chunks (node-worker.ts), and the parts are merged in row order
 * (parallel.ts), then settled once. The result is the same whatever the number of workers:
 * `runBulkParallel(…, { workers: n })` equals `runBulk(…)` for every n (test/fast.test.ts).
 *
 * Chunks end where records end, by the reader's rules (engine/csv.ts), so quoted line breaks and
 * any line endings split exactly. A roster with an id repeated across chunks is run in one part
 * by `runBulk`.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ContractIR } from "../../language/check/ir.ts";
import { compositeIR } from "../amendments.ts";
import { compileContract } from "../compile.ts";
import type { DataRow } from "../data.ts";
import { loadMatched, matchFiles, type DataFile, type MatchedFile } from "../inputs.ts";
import { BulkEvaluator, finishBulk, runBulk, type BulkOptions, type BulkResult } from "./bulk.ts";
import type { FieldSlot } from "./expr.ts";
import { bareValue, DataSetLoader } from "../load.ts";
import { encodeExtras, mergeRosters, splitCsv, type ChunkJob, type ChunkResult, type RosterPlan, type WorkerSetup } from "./parallel.ts";
import { joinedRows } from "../run.ts";

export interface ParallelOptions extends BulkOptions {
  /** worker threads (default: the available cores) */
  workers?: number;
  /** chunks per worker, for balance (default 4) */
  chunksPerWorker?: number;
  /** the worker script (default: node-worker.ts through tsx from sources, node-worker.mjs beside a bundle) */
  workerUrl?: URL;
  /** told how the run was split: chunks and threads, or why it ran in one part */
  onPlan?: (plan: { chunks: number; workers: number; onePart?: string }) => void;
}

/** The worker script beside this module, whether it runs from the sources, the package's build or a bundle. */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  // sources (through tsx): a starter that registers tsx; the package's build: node-worker.js; a bundle: node-worker.mjs
  return new URL(here.endsWith(".ts") ? "./node-worker-tsx.mjs" : here.endsWith(".js") ? "./node-worker.js" : "./node-worker.mjs", here);
}

/** Runs chunk jobs on `n` worker threads; results in job order. */
export async function runPool(url: URL, setup: WorkerSetup, jobs: ChunkJob[], n: number): Promise<ChunkResult[]> {
  const results: ChunkResult[] = new Array<ChunkResult>(jobs.length);
  if (jobs.length === 0) return results;
  const workers = Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, () => new Worker(url, { workerData: setup }));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= jobs.length) return resolve();
              const id = next++;
              w.postMessage({ id, job: jobs[id] });
            };
            w.on("message", (m: { id: number; result?: ChunkResult; error?: string }) => {
              if (m.error !== undefined) return reject(new Error(`worker: ${m.error}`));
              results[m.id] = m.result!;
              give();
            });
            w.on("error", reject);
            w.on("exit", (code) => (code !== 0 ? reject(new Error(`worker exited with code ${code}`)) : undefined));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** The joined rows of other per-student data sets as slot values, by key. */
export function extrasBySlots(ir: ContractIR, rows: Map<string, DataRow[]>, fields: Map<string, FieldSlot>): Map<string, [number, unknown][][]> {
  const out = new Map<string, [number, unknown][][]>();
  for (const [key, joined] of joinedRows(ir, rows)) {
    out.set(
      key,
      joined.map((r) => {
        const vals: [number, unknown][] = [];
        for (const k in r.values) {
          const s = fields.get(k);
          if (s) vals.push([s.slot, bareValue(r.values[k]!)]);
        }
        return vals;
      }),
    );
  }
  return out;
}

/** `runBulk` with the roster decided on worker threads. Never throws for bad data. */
export async function runBulkParallel(contract: ContractIR, source: string, files: DataFile[], opts: ParallelOptions = {}): Promise<BulkResult> {
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const composite = compositeIR(contract, opts.asOf);
  const ir = composite.ir;
  const strict = !!opts.strict;
  const { matched, fileProblems } = matchFiles(ir, files);
  const roster = ir.dataSets.find((d) => d.roster);
  const isStreamed = (m: MatchedFile) => m.kind === "csv" && !!roster && m.ds === roster;
  const sets = loadMatched(matched, fileProblems, { strict }, isStreamed);
  const compiled = compileContract(ir, source);
  const ev = new BulkEvaluator(ir, compiled, opts.asOf);
  const extras = extrasBySlots(ir, sets.rows, ev.prog.fields);
  // plan the chunks of every roster file
  const plans: RosterPlan[] = [];
  const jobs: ChunkJob[] = [];
  for (let i = 0; i < matched.length; i++) {
    const m = matched[i]!;
    if (!isStreamed(m) || m.kind !== "csv") continue;
    const loader = new DataSetLoader(m.ds.decl, m.csv.header, m.file.label, { strict, roster: true, slots: ev.prog.fields });
    const ids: number[] = [];
    for (const chunk of splitCsv(m.csv, nWorkers * (opts.chunksPerWorker ?? 4))) {
      ids.push(jobs.length);
      jobs.push({ dataSet: m.ds.name, label: m.file.label, strict, chunk });
    }
    plans.push({ m, index: i, loader, jobs: ids });
  }
  const setup: WorkerSetup = { ir, compiled, asOf: opts.asOf, extras: encodeExtras(extras) };
  const results = await runPool(opts.workerUrl ?? defaultWorkerUrl(), setup, jobs, nWorkers);
  const rosterIds = mergeRosters(ev, sets, plans, results);
  if (!rosterIds) {
    opts.onPlan?.({ chunks: jobs.length, workers: 0, onePart: "a student id repeats across chunks" });
    return runBulk(contract, source, files, opts);
  }
  opts.onPlan?.({ chunks: jobs.length, workers: Math.min(nWorkers, jobs.length) });
  return finishBulk(ir, source, matched, sets, rosterIds, ev, ev.aggregates(), opts, composite.clauseVersions);
}
