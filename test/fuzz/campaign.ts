/**
 * A fuzz campaign: contract cases and data cases, in worker threads watched for hangs (a case
 * that runs past its time bound is stopped and counted as a hang), or in this thread for the
 * bounded campaign of `npm test`.
 */
import { Worker } from "node:worker_threads";
import { contractSeeds } from "./contracts.ts";
import { contractCase, dataCase, dataSeeds, type CaseResult, type Failure } from "./check.ts";

export type CaseKind = "contract" | "data";

export interface Figures {
  kind: CaseKind;
  cases: number;
  /** contract cases that compiled without errors */
  compiled: number;
  /** cases whose run was made and checked */
  ran: number;
  /** data cases whose run stopped on the data */
  refused: number;
  /** the slowest case, in milliseconds */
  slowestMs: number;
  slowestId: string;
  failures: Failure[];
  wallMs: number;
}

export interface CampaignOptions {
  seed: number;
  /** a case running longer than this (ms) is a hang */
  boundMs: number;
}

function emptyFigures(kind: CaseKind): Figures {
  return { kind, cases: 0, compiled: 0, ran: 0, refused: 0, slowestMs: 0, slowestId: "", failures: [], wallMs: 0 };
}

/** Adds one case's result to the figures. */
export function tally(f: Figures, id: string, r: CaseResult, ms: number): void {
  f.cases++;
  if (r.compiled) f.compiled++;
  if (r.ran) f.ran++;
  if (r.refused) f.refused++;
  if (ms > f.slowestMs) {
    f.slowestMs = ms;
    f.slowestId = id;
  }
  f.failures.push(...r.failures);
}

/** Runs cases [from, to) of one kind in this thread, calling `each` after every case. */
export async function runCases(kind: CaseKind, from: number, to: number, opts: CampaignOptions, each?: (index: number, r: CaseResult, ms: number) => void): Promise<Figures> {
  const started = performance.now();
  const seeds = contractSeeds();
  const data = kind === "data" ? dataSeeds(seeds) : [];
  const f = emptyFigures(kind);
  for (let i = from; i < to; i++) {
    const t0 = performance.now();
    const r = kind === "contract" ? await contractCase(seeds, opts.seed, i) : await dataCase(data, opts.seed, i);
    const ms = performance.now() - t0;
    if (ms > opts.boundMs) r.failures.push({ kind: "hang", id: `${kind}:${i}`, detail: `took ${Math.round(ms)} ms (bound ${opts.boundMs} ms)`, input: "" });
    tally(f, `${kind}:${i}`, r, ms);
    each?.(i, r, ms);
  }
  f.wallMs = performance.now() - started;
  return f;
}

/** Messages from a worker. */
type FromWorker =
  | { type: "start"; index: number }
  | { type: "done"; index: number; result: CaseResult; ms: number }
  | { type: "idle" };

/**
 * Runs `cases` cases of one kind in `workers` worker threads. A case still running after the
 * bound is a hang: its worker is stopped and replaced, and the campaign goes on after it.
 */
export async function runCampaign(kind: CaseKind, cases: number, workers: number, opts: CampaignOptions, progress?: (done: number, failures: number) => void): Promise<Figures> {
  const started = performance.now();
  const f = emptyFigures(kind);
  // a few blocks per worker: a worker's start (loading the sources, reading the seeds) is paid per block
  const BLOCK = Math.max(250, Math.min(5_000, Math.ceil(cases / (Math.max(1, workers) * 4))));
  const queue: [number, number][] = [];
  for (let i = 0; i < cases; i += BLOCK) queue.push([i, Math.min(cases, i + BLOCK)]);
  const script = new URL("./worker.mjs", import.meta.url);

  await new Promise<void>((resolveAll, rejectAll) => {
    let live = 0;
    const spawn = () => {
      const range = queue.shift();
      if (!range) {
        if (live === 0) resolveAll();
        return;
      }
      live++;
      const w = new Worker(script, { workerData: { kind, seed: opts.seed, from: range[0], to: range[1] } });
      let current = -1;
      let since = performance.now();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(watch);
        live--;
        spawn();
      };
      const watch = setInterval(() => {
        if (current >= 0 && performance.now() - since > opts.boundMs) {
          const i = current;
          current = -1;
          f.failures.push({ kind: "hang", id: `${kind}:${i}`, detail: `still running after ${opts.boundMs} ms: stopped`, input: "" });
          f.cases++;
          if (i + 1 < range[1]) queue.unshift([i + 1, range[1]]);
          void w.terminate().then(end);
        }
      }, 250);
      w.on("message", (m: FromWorker) => {
        if (m.type === "start") {
          current = m.index;
          since = performance.now();
        } else if (m.type === "done") {
          current = -1;
          tally(f, `${kind}:${m.index}`, m.result, m.ms);
          progress?.(f.cases, f.failures.length);
        } else {
          void w.terminate().then(end);
        }
      });
      w.on("error", (e) => {
        // a worker that dies (out of memory, a crash of the thread itself) is a crash of its case
        f.failures.push({ kind: "crash", id: `${kind}:${current}`, detail: `the worker died: ${String(e)}`, input: "" });
        if (current >= 0) {
          f.cases++;
          if (current + 1 < range[1]) queue.unshift([current + 1, range[1]]);
        }
        current = -1;
        end();
      });
      w.on("exit", () => end());
    };
    try {
      for (let k = 0; k < Math.max(1, workers); k++) spawn();
    } catch (e) {
      rejectAll(e);
    }
  });
  f.wallMs = performance.now() - started;
  return f;
}
