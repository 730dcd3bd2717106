/**
 * Bulk runs from files on disk (Node only), with the roster CSV streamed: its bytes are decoded
 * piece by piece (node/data-file.ts), cut by the one CSV reader (engine/csv.ts) into chunks of
 * about `chunkBytes` that end where a record ends, and each chunk goes to the worker pool as soon
 * as it is read, with a bounded number of chunks in flight, so the roster's text is never held
 * whole. The chunk results are merged in roster order exactly as `runBulkParallel` merges them,
 * so the result is the same as `runBulkParallel` on the files' whole texts (as `readDataFile`
 * reads them), for any number of workers and any chunk size.
 *
 * Chunks are about `chunkBytes` (default 4 MiB), smaller when the file is small so that every
 * worker gets about `chunksPerWorker` of them; threads start as chunks arrive.
 *
 * Other data sets' files (small) are read whole. A roster whose student ids repeat across chunks
 * is run on the whole texts by `runBulkParallel`.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ContractIR } from "../language/check/ir.ts";
import { compositeIR } from "../engine/amendments.ts";
import { compileContract } from "../engine/compile.ts";
import { CsvReader, type CsvChunk, type CsvSource } from "../engine/csv.ts";
import { loadMatched, matchOpened, openFile, type DataFile, type MatchedFile, type OpenedFile } from "../engine/inputs.ts";
import { BulkEvaluator, finishBulk, type BulkResult } from "../engine/fast/bulk.ts";
import { DataSetLoader } from "../engine/load.ts";
import { defaultWorkerUrl, extrasBySlots, runBulkParallel, type ParallelOptions } from "../engine/fast/node-parallel.ts";
import { encodeExtras, mergeRosters, type ChunkJob, type ChunkResult, type RosterPlan, type WorkerSetup } from "../engine/fast/parallel.ts";
import { inspectFile, readDataFile, reportedEncoding, textPieces } from "./data-file.ts";

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
  /** told how much of the roster has been read: bytes so far, and the file's size in bytes */
  onProgress?: (read: number, size: number) => void;
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

/**
 * A CSV file read from disk in pieces: its header first (to match it to a data set), then, for
 * a roster, its body in chunks.
 */
class StreamedCsv {
  readonly chunks: CsvChunk[] = [];
  readonly reader: CsvReader;
  private done = false;

  constructor(
    readonly file: DataFile,
    private readonly pieces: AsyncGenerator<string>,
    newline: ConstructorParameters<typeof CsvReader>[1]["newline"],
    chunkChars: number,
  ) {
    this.reader = new CsvReader(file.label, { newline, chunkChars, onChunk: (c) => this.chunks.push(c) });
  }

  /** Reads until the header is known (or the file is refused, or ends). */
  async head(): Promise<OpenedFile> {
    while (!this.reader.header && !this.reader.fatal && !this.done) await this.more();
    const r = this.reader;
    if (r.fatal) return { file: this.file, kind: "skip", problem: r.fatal };
    const csv: CsvSource = { file: this.file.label, header: r.header, fatal: undefined, problems: [], body: undefined, forEachRow: () => {} };
    return { file: this.file, kind: "csv", csv };
  }

  /** Reads one more piece (the end of the file, once). */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.pieces.next();
    if (next.done) {
      this.done = true;
      this.reader.end();
    } else this.reader.push(next.value);
    return true;
  }

  async close(): Promise<void> {
    await this.pieces.return(undefined);
  }
}

/**
 * `runBulkParallel` on files read from disk, with the roster streamed. Never throws for bad
 * data; throws when a file cannot be read (the error of `fs`, which names its path).
 */
export async function runBulkParallelFromFiles(contract: ContractIR, source: string, paths: DataPath[], opts: StreamOptions = {}): Promise<BulkResult> {
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const maxChunk = Math.max(1, Math.floor(opts.chunkBytes ?? 4 << 20));
  const composite = compositeIR(contract, opts.asOf);
  const ir = composite.ir;
  const strict = !!opts.strict;
  const roster = ir.dataSets.find((d) => d.roster);
  const whole = async (p: DataPath): Promise<DataFile> => (await readDataFile(p.path, p.label, p.dataSet)).file;
  const onePart = async (): Promise<BulkResult> => runBulkParallel(contract, source, await Promise.all(paths.map(whole)), opts);
  if (!roster) return onePart();

  // every CSV file is opened as a stream and read up to its header; JSON files are read whole
  const streams: (StreamedCsv | undefined)[] = [];
  try {
    const opened: OpenedFile[] = [];
    for (const p of paths) {
      const named = p.dataSet !== undefined ? { dataSet: p.dataSet } : {};
      if (p.label.toLowerCase().endsWith(".json")) {
        opened.push(openFile(await whole(p)));
        streams.push(undefined);
        continue;
      }
      const facts = await inspectFile(p.path, p.label);
      // a workbook is read whole (node/workbook.ts), so the run is too
      if (facts.refusal?.rule === "not-text-xlsx") return await onePart();
      if (!facts.encoding) {
        opened.push({ file: { label: p.label, text: "", ...named, refusal: facts.refusal! }, kind: "skip", problem: facts.refusal! });
        streams.push(undefined);
        continue;
      }
      const file: DataFile = { label: p.label, text: "", ...named, ...reportedEncoding(facts.encoding) };
      // chunks of about `chunkBytes`, but enough of them to keep every worker busy on smaller files
      const chunkChars = opts.chunkBytes !== undefined ? maxChunk : Math.max(64 * 1024, Math.min(maxChunk, Math.ceil(facts.bytes / (nWorkers * (opts.chunksPerWorker ?? 4)))));
      const size = facts.bytes;
      const s = new StreamedCsv(file, textPieces(p.path, facts.encoding, (n) => opts.onProgress?.(n, size)), facts.newline, chunkChars);
      streams.push(s);
      opened.push(await s.head());
    }
    const { matched, fileProblems } = matchOpened(ir, opened);
    // CSV files of other data sets: read whole now (they are small), with the data set already found
    for (let i = 0; i < matched.length; i++) {
      const m = matched[i]!;
      if (m.kind !== "csv" || m.ds === roster || !streams[i]) continue;
      await streams[i]!.close();
      streams[i] = undefined;
      const o = openFile(await whole(paths[i]!));
      if (o.kind === "skip") {
        matched[i] = { file: o.file, kind: "skip" };
        fileProblems[i] = o.problem;
      } else matched[i] = { ...o, ds: m.ds } as MatchedFile;
    }
    const isStreamed = (m: MatchedFile) => m.kind === "csv" && m.ds === roster;
    const sets = loadMatched(matched, fileProblems, { strict }, isStreamed);
    const compiled = compileContract(ir, source);
    const ev = new BulkEvaluator(ir, compiled, opts.asOf);
    const extras = extrasBySlots(ir, sets.rows, ev.prog.fields);

    const plans: RosterPlan[] = [];
    for (let i = 0; i < matched.length; i++) {
      const m = matched[i]!;
      if (m.kind !== "csv" || !isStreamed(m)) continue;
      const loader = new DataSetLoader(m.ds.decl, m.csv.header, m.file.label, { strict, roster: true, slots: ev.prog.fields });
      plans.push({ m, index: i, loader, jobs: [] });
    }
    const setup: WorkerSetup = { ir, compiled, asOf: opts.asOf, extras: encodeExtras(extras) };
    const pool = new StreamPool(opts.workerUrl ?? defaultWorkerUrl(), setup, nWorkers, Math.max(1, opts.maxInFlight ?? 2 * nWorkers));
    let nJobs = 0;
    try {
      for (const p of plans) {
        const s = streams[p.index]!;
        const send = async () => {
          for (const chunk of s.chunks.splice(0)) {
            const id = nJobs++;
            p.jobs.push(id);
            await pool.submit(id, { dataSet: p.m.ds.name, label: p.m.file.label, strict, chunk });
          }
        };
        await send();
        while (!s.reader.fatal && (await s.more())) await send();
        await send();
        // a record that runs past the reader's limits refuses the file, as a whole-text read would
        if (s.reader.fatal) p.fatal = s.reader.fatal;
      }
      await pool.drain();
    } finally {
      await pool.close();
    }
    const rosterIds = mergeRosters(ev, sets, plans, pool.results);
    if (!rosterIds) {
      opts.onPlan?.({ chunks: nJobs, workers: 0, onePart: "a student id repeats across chunks" });
      return onePart();
    }
    opts.onPlan?.({ chunks: nJobs, workers: Math.min(nWorkers, nJobs) });
    return finishBulk(ir, source, matched, sets, rosterIds, ev, ev.aggregates(), opts, composite.clauseVersions);
  } finally {
    for (const s of streams) await s?.close();
  }
}
