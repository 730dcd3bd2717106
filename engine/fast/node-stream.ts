/**
 * Bulk runs from files on disk (Node only), with the roster CSV streamed: it is read with
 * `fs.createReadStream`, cut at line boundaries into chunks of about `chunkBytes`, and each
 * chunk goes to the worker pool as soon as it is read, with a bounded number of chunks in
 * flight, so the roster's text is never held whole. The chunk results are merged in roster
 * order by `mergeChunks`, exactly as `runBulkParallel` does, so the result is the same as
 * `runBulkParallel` on the files' whole texts, for any number of workers and any chunk size.
 *
 * Chunks are about `chunkBytes` (default 4 MiB), smaller when the file is small so that every
 * worker gets about `chunksPerWorker` of them; threads start as chunks arrive.
 *
 * Other data sets' files (small) are read whole. Whenever the streamed chunker cannot split a
 * roster file exactly (quoted cells, carriage returns, no header, an unnamed column, a student
 * id repeated across chunks), the run falls back to reading every file whole and calling
 * `runBulkParallel`, which makes the same decisions as today.
 */
import { createReadStream } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ContractIR } from "../../language/check/ir.ts";
import { compositeIR } from "../amendments.ts";
import { compileContract } from "../compile.ts";
import type { DataProblem } from "../data.ts";
import type { DataFile } from "../inputs.ts";
import { BulkEvaluator, finishBulk, loadNonRoster, type BulkResult } from "./bulk.ts";
import { matchFiles, RowLoader, type MatchedFile } from "./load.ts";
import { extrasBySlots, runBulkParallel, type ParallelOptions } from "./node-parallel.ts";
import { encodeExtras, mergeChunks, type ChunkJob, type ChunkResult, type WorkerSetup } from "./parallel.ts";

export interface DataPath {
  /** where the file is (absolute, or relative to the process's working directory) */
  path: string;
  /** the file name as the user gave it; used in every message */
  label: string;
  /** the data set the file holds; matched automatically when absent */
  dataSet?: string;
}

export interface StreamOptions extends ParallelOptions {
  /** characters per roster chunk (default 4 MiB) */
  chunkBytes?: number;
  /** roster chunks read but not yet decided, at most (default 2 per worker) */
  maxInFlight?: number;
  /** told how much of the roster has been read: characters so far, and the file's size in bytes */
  onProgress?: (read: number, size: number) => void;
}

function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("./node-worker-tsx.mjs", here) : new URL("./node-worker.mjs", here);
}

/** A file's text as `obc run` reads it: UTF-8, without a byte-order mark. */
async function readWhole(path: string): Promise<string> {
  return (await readFile(path, "utf8")).replace(/^\ufeff/, "");
}

const blankCells = (cells: string[]) => cells.every((c) => c.trim() === "");

/**
 * The start of a file up to and including its header line (the first non-blank line), read
 * without reading the rest; undefined when the header is not within `limit` characters or the
 * start has a quote or a carriage return (the file is then read whole).
 */
async function readHead(path: string, limit = 1 << 20): Promise<{ text: string; headerEnd: number; line: number } | undefined> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(Math.min(limit, 64 * 1024));
    let bytes: Buffer = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, bytes.length);
      bytes = Buffer.concat([bytes, buf.subarray(0, bytesRead)]);
      let text = bytes.toString("utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      // the header: the first non-blank line that ends with a newline (or the end of the file)
      let pos = 0;
      let line = 1;
      while (pos < text.length) {
        const nl = text.indexOf("\n", pos);
        if (nl < 0 && bytesRead > 0) break; // an incomplete line: read more
        const end = nl < 0 ? text.length : nl;
        const lineText = text.slice(pos, end);
        pos = end + 1;
        line++;
        if (lineText.includes('"') || lineText.includes("\r")) return undefined;
        if (!blankCells(lineText.split(","))) return { text: text.slice(0, Math.min(pos, text.length)), headerEnd: pos, line };
      }
      if (bytesRead === 0 || bytes.length >= limit) return undefined;
    }
  } finally {
    await fh.close();
  }
}

/** Worker threads taking chunk jobs one at a time as they are read; results by job id. */
class StreamPool {
  readonly results: ChunkResult[] = [];
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; job: ChunkJob }[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly url: URL, private readonly setup: WorkerSetup, private readonly n: number, private readonly maxInFlight: number) {}

  /** Starts one more thread (threads start as chunks arrive, never more than `n`). */
  private spawn() {
    const w = new Worker(this.url, { workerData: this.setup });
    w.on("message", (m: { id: number; result?: ChunkResult; error?: string }) => {
      if (m.error !== undefined) this.fail(new Error(`worker: ${m.error}`));
      else {
        this.results[m.id] = m.result!;
        this.inFlight--;
      }
      this.idle.push(w);
      this.pump();
    });
    w.on("error", (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    w.on("exit", (code) => (code !== 0 ? this.fail(new Error(`worker exited with code ${code}`)) : undefined));
    this.workers.push(w);
    this.idle.push(w);
  }

  private fail(e: Error) {
    this.failure ??= e;
    this.notify();
  }

  private notify() {
    const f = this.wake;
    this.wake = undefined;
    f?.();
  }

  private pump() {
    if (this.idle.length === 0 && this.queue.length > 0 && this.workers.length < this.n) this.spawn();
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      w.postMessage(this.queue.shift()!);
    }
    this.notify();
  }

  private async waitUntil(ok: () => boolean): Promise<void> {
    while (!ok()) {
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.wake = r));
    }
    if (this.failure) throw this.failure;
  }

  /** Queues a job; waits while `maxInFlight` jobs are queued or running. */
  async submit(id: number, job: ChunkJob): Promise<void> {
    await this.waitUntil(() => this.inFlight < this.maxInFlight);
    this.inFlight++;
    this.queue.push({ id, job });
    this.pump();
  }

  /** Waits for every job. */
  async drain(): Promise<void> {
    await this.waitUntil(() => this.inFlight === 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The streamed chunker could not split a file exactly: run on the whole texts instead. */
class OnePart extends Error {}

/**
 * Reads a roster CSV from `start` (the first character after the header line) and submits
 * chunks of whole lines. Throws OnePart when the file has a quote or a carriage return.
 */
async function streamChunks(
  path: string,
  headerEnd: number,
  firstLine: number,
  chunkChars: number,
  send: (text: string, firstLine: number) => Promise<void>,
  onRead?: (chars: number) => void,
): Promise<void> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: Math.max(64 * 1024, Math.min(chunkChars, 1 << 20)) });
  let skip = headerEnd; // characters of the (BOM-less) head still to drop
  let first = true;
  let buf = "";
  let line = firstLine;
  const emit = async (text: string) => {
    await send(text, line);
    let count = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
    line += count;
  };
  try {
    let read = 0;
    for await (const piece of stream as AsyncIterable<string>) {
      read += piece.length;
      onRead?.(read);
      let s = piece;
      if (first) {
        first = false;
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      }
      if (skip > 0) {
        const drop = Math.min(skip, s.length);
        skip -= drop;
        s = s.slice(drop);
      }
      if (s.includes('"') || s.includes("\r")) throw new OnePart("the file has quoted cells or carriage returns");
      buf += s;
      while (buf.length >= chunkChars) {
        const nl = buf.lastIndexOf("\n");
        if (nl < 0) break;
        const text = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        await emit(text);
      }
    }
    if (buf.length > 0) await emit(buf);
  } finally {
    stream.destroy();
  }
}

/**
 * `runBulkParallel` on files read from disk, with the roster streamed. Never throws for bad
 * data; throws when a file cannot be read (the error of `fs`).
 */
export async function runBulkParallelFromFiles(contract: ContractIR, source: string, paths: DataPath[], opts: StreamOptions = {}): Promise<BulkResult> {
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const maxChunk = Math.max(1, Math.floor(opts.chunkBytes ?? 4 << 20));
  const composite = compositeIR(contract, opts.asOf);
  const ir = composite.ir;
  const strict = !!opts.strict;
  const roster = ir.dataSets.find((d) => d.roster);
  const label = (p: DataPath) => ({ label: p.label, ...(p.dataSet !== undefined ? { dataSet: p.dataSet } : {}) });
  const whole = async (): Promise<DataFile[]> => Promise.all(paths.map(async (p) => ({ ...label(p), text: await readWhole(p.path) })));
  const onePart = async (): Promise<BulkResult> => runBulkParallel(contract, source, await whole(), opts);
  if (!roster) return onePart();

  // which files are roster CSVs: matched on their header alone
  const heads = await Promise.all(paths.map((p) => (p.label.toLowerCase().endsWith(".json") ? undefined : readHead(p.path))));
  const probe = matchFiles(ir, paths.map((p, i) => ({ ...label(p), text: heads[i]?.text ?? "[]" })));
  const streamed = new Set<number>();
  probe.matched.forEach((m, i) => {
    if (heads[i] && m.kind === "csv" && m.ds === roster) streamed.add(i);
  });
  if (streamed.size === 0) return onePart();

  // the other files whole; the streamed ones by their header (what matching reads)
  const files: DataFile[] = await Promise.all(paths.map(async (p, i) => ({ ...label(p), text: streamed.has(i) ? heads[i]!.text : await readWhole(p.path) })));
  const { matched, problems: matchProblems } = matchFiles(ir, files);
  // a roster CSV that cannot be streamed (no clean header at its start): every file whole
  if (matched.some((m, i) => m.kind === "csv" && m.ds === roster && !streamed.has(i))) return onePart();
  const isStreamed = (m: MatchedFile) => streamed.has(matched.indexOf(m));
  const sets = loadNonRoster(ir, matched, strict, isStreamed);
  const compiled = compileContract(ir, source);
  const ev = new BulkEvaluator(ir, compiled, opts.asOf);
  const extras = extrasBySlots(ir, sets.rows, ev.prog.fields);

  const plans: { m: MatchedFile; index: number; loader: RowLoader; jobs: number[] }[] = [];
  for (const i of streamed) {
    const m = matched[i]!;
    if (m.kind !== "csv" || !m.csv.header) return onePart();
    const loader = new RowLoader(m.ds.decl, m.csv.header, m.file.label, strict, ev.prog.fields);
    if (!loader.supported) {
      opts.onPlan?.({ chunks: 0, workers: 0, onePart: "the header has an unnamed column" });
      return onePart();
    }
    plans.push({ m, index: i, loader, jobs: [] });
  }
  const setup: WorkerSetup = { ir, compiled, asOf: opts.asOf, extras: encodeExtras(extras) };
  const pool = new StreamPool(opts.workerUrl ?? defaultWorkerUrl(), setup, nWorkers, Math.max(1, opts.maxInFlight ?? 2 * nWorkers));
  let nJobs = 0;
  try {
    for (const p of plans) {
      const m = p.m as Extract<MatchedFile, { kind: "csv" }>;
      const head = heads[p.index]!;
      // chunks of about `chunkBytes`, but enough of them to keep every worker busy on smaller files
      const size = (await stat(paths[p.index]!.path)).size;
      const chunkChars = Math.max(64 * 1024, Math.min(maxChunk, Math.ceil(size / (nWorkers * (opts.chunksPerWorker ?? 4)))));
      await streamChunks(paths[p.index]!.path, head.headerEnd, head.line, opts.chunkBytes !== undefined ? maxChunk : chunkChars, async (text, firstLine) => {
        const id = nJobs++;
        p.jobs.push(id);
        await pool.submit(id, { dataSet: m.ds.name, label: m.file.label, header: m.csv.header!, strict, text, firstLine });
      }, (chars) => opts.onProgress?.(chars, size));
    }
    await pool.drain();
  } catch (e) {
    if (!(e instanceof OnePart)) throw e;
    opts.onPlan?.({ chunks: 0, workers: 0, onePart: e.message });
    await pool.close();
    return onePart();
  } finally {
    await pool.close();
  }

  const rosterIds = new Map<MatchedFile, string[]>();
  for (const p of plans) {
    const carried: DataProblem[] = [];
    const ids = mergeChunks(ev, p.loader, carried, p.jobs.map((j) => pool.results[j]!));
    if (!ids) {
      opts.onPlan?.({ chunks: nJobs, workers: 0, onePart: "a student id repeats across chunks" });
      return onePart();
    }
    sets.reports[p.index] = p.loader.report(carried);
    if (!sets.rows.has(p.m.kind === "csv" ? p.m.ds.name : "")) sets.rows.set(p.m.kind === "csv" ? p.m.ds.name : "", []);
    rosterIds.set(p.m, ids);
  }
  opts.onPlan?.({ chunks: nJobs, workers: Math.min(nWorkers, nJobs) });
  return finishBulk(ir, source, matched, sets, matchProblems, rosterIds, ev, ev.aggregates(), opts, composite.clauseVersions);
}
