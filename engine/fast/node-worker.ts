/**
 * A worker thread of node-parallel.ts (Node only): decides chunks of roster rows.
 * workerData: a `WorkerSetup`; messages in: `{ id, job }`; messages out: `{ id, result }`
 * (typed arrays transferred) or `{ id, error }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BulkEvaluator } from "./bulk.ts";
import { decodeExtras, evaluateChunk, type ChunkJob, type WorkerSetup } from "./parallel.ts";

const setup = workerData as WorkerSetup;
const ev = new BulkEvaluator(setup.ir, setup.compiled, setup.asOf);
const extras = decodeExtras(setup.extras);

parentPort!.on("message", (msg: { id: number; job: ChunkJob }) => {
  try {
    const result = evaluateChunk(ev, msg.job, extras);
    const transfer = [result.lineStart.buffer, result.clause.buffer, result.status.buffer, result.amount.buffer] as ArrayBuffer[];
    parentPort!.postMessage({ id: msg.id, result }, transfer);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
