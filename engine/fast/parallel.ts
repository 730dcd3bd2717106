/**
 * Bulk runs in parts: the roster's CSV rows split into chunks, each chunk decided on its own
 * (in a worker thread, see node-parallel.ts), the parts merged in row order.
 *
 * Why the merge is exact whatever the number of chunks: each student's decision depends only
 * on the student's own row (and the joined rows of other per-student data sets, given to every
 * chunk); every list (students, lines, problems, rejected rows) is concatenated in chunk order,
 * which is row order; counts add up; cohort aggregates over students are partial counts and
 * sums that add up. The one thing a chunk cannot see is a student id repeated from an earlier
 * chunk (the later row is rejected as a repeat): the merge detects it and the caller then runs
 * the file in one part. Settlement always runs once, on the merged lines.
 *
 * Browser-safe: this file only splits, evaluates and merges; threads are node-parallel.ts's.
 */
import type { ContractIR } from "../../language/check/ir.ts";
import type { CompiledContract } from "../compile.ts";
import { CsvReader, readChunk, type CsvChunk, type CsvSource } from "../csv.ts";
import type { DataProblem } from "../data.ts";
import type { RV } from "../evaluate.ts";
import { Rational } from "../rational.ts";
import { withEncoding, type LoadedSets, type MatchedFile } from "../inputs.ts";
import { DataSetLoader, type LoaderPart } from "../load.ts";
import { BulkEvaluator } from "./bulk.ts";
import { mergePartial, type AggregatePartial } from "./expr.ts";

// ───────────── values that cross a thread boundary ─────────────

/** A bare slot value or RV with its Rationals as bigint pairs (structured clone drops classes). */
export function encode(v: unknown): unknown {
  if (v instanceof Rational) return { $r: [v.numerator, v.denominator] };
  if (v && typeof v === "object" && "kind" in v) {
    const rv = v as RV;
    if (rv.kind === "number" || rv.kind === "money" || rv.kind === "percent") return { kind: rv.kind, value: encode(rv.value) };
  }
  return v;
}

export function decode(v: unknown): unknown {
  if (v && typeof v === "object") {
    if ("$r" in v) {
      const [n, d] = (v as { $r: [bigint, bigint] }).$r;
      return Rational.of(n, d);
    }
    if ("kind" in v && "value" in v && typeof (v as { value: unknown }).value === "object") {
      return { kind: (v as { kind: string }).kind, value: decode((v as { value: unknown }).value) };
    }
  }
  return v;
}

// ───────────── splitting ─────────────

/**
 * Cuts a CSV source's body (the rows after its header) into about `n` chunks, each ending
 * where a record ends (the reader's rules: a quoted line break never ends a chunk).
 */
export function splitCsv(csv: CsvSource, n: number): CsvChunk[] {
  const body = csv.body;
  if (!body) return [];
  const chunks: CsvChunk[] = [];
  const size = Math.max(1, Math.ceil(body.text.length / Math.max(1, n)));
  const reader = new CsvReader(csv.file, { newline: body.newline, start: body, chunkChars: size, onChunk: (c) => chunks.push(c) });
  reader.push(body.text);
  reader.end();
  return chunks;
}

// ───────────── one chunk ─────────────

export interface ChunkJob {
  dataSet: string;
  label: string;
  strict: boolean;
  chunk: CsvChunk;
}

export interface ChunkResult {
  ids: string[];
  /** keys of rows seen but rejected (strict mode): a later row with the same key is a repeat */
  seenRejected: string[];
  lineStart: Int32Array;
  clause: Int32Array;
  status: Uint8Array;
  amount: Float64Array;
  /** the reader's row-level problems (ragged rows, quotes within a row), in row order */
  carried: DataProblem[];
  /** a file-level problem found while reading the chunk (a quote that swallows lines): the file is refused */
  fatal?: DataProblem;
  loader: LoaderPart;
  /** divisions by zero and internal disagreements, in row order */
  problems: DataProblem[];
  /** cohort aggregate partials (totals encoded) */
  partials: { rows: number; chosen: number; total: unknown }[];
}

/** Decides one chunk of roster rows: the same steps as `runBulk`'s loop over the file. */
export function evaluateChunk(ev: BulkEvaluator, job: ChunkJob, extras: Map<string, [number, unknown][][]>): ChunkResult {
  const ds = ev.ir.dataSets.find((d) => d.name === job.dataSet)!;
  ev.reset();
  const loader = new DataSetLoader(ds.decl, job.chunk.header, job.label, { strict: job.strict, roster: ds.roster, slots: ev.prog.fields });
  // one slots array for every row: a student's values are read only while it is decided
  const slots = ev.slots();
  const { problems: carried, fatal } = readChunk(job.chunk, job.label, ({ row, cells, carried: carriedError }) => {
    slots.fill(undefined);
    const r = loader.row(row, cells, slots, carriedError);
    if (!r || r.key === undefined) return;
    const x = extras.get(r.key);
    if (x) for (const rowVals of x) for (const [slot, v] of rowVals) slots[slot] = v;
    ev.add(r.key, row, slots);
  });
  const st = ev.store;
  return {
    ids: st.ids.slice(0, st.count),
    seenRejected: loader.seenRejected,
    lineStart: st.lineStart.slice(0, st.count + 1),
    clause: st.clause.slice(0, st.nLines),
    status: st.status.slice(0, st.nLines),
    amount: st.amount.slice(0, st.nLines),
    carried,
    ...(fatal ? { fatal } : {}),
    loader: loader.part(),
    problems: ev.problems,
    partials: ev.agg.partials.map((q) => ({ rows: q.rows, chosen: q.chosen, total: encode(q.total) })),
  };
}

/** The joined rows of other per-student data sets, as slot values by key, ready to cross threads. */
export function encodeExtras(extras: Map<string, [number, unknown][][]>): [string, [number, unknown][][]][] {
  return [...extras].map(([k, rows]) => [k, rows.map((r) => r.map(([s, v]) => [s, encode(v)] as [number, unknown]))]);
}

export function decodeExtras(x: [string, [number, unknown][][]][]): Map<string, [number, unknown][][]> {
  return new Map(x.map(([k, rows]) => [k, rows.map((r) => r.map(([s, v]) => [s, decode(v)] as [number, unknown]))]));
}

// ───────────── merging ─────────────

/**
 * Merges chunk results (in order) into `ev` (its store, problems and aggregates) and `loader`.
 * @returns the ids of the file's students; or the first file-level problem of a chunk (the file
 *   is then refused, as a whole-text read refuses it); or undefined when a student id repeats
 *   one from an earlier chunk (the caller then runs the file in one part)
 */
export function mergeChunks(ev: BulkEvaluator, loader: DataSetLoader, carried: DataProblem[], results: ChunkResult[]): { ids: string[] } | { fatal: DataProblem } | undefined {
  const fatal = results.find((r) => r.fatal)?.fatal;
  if (fatal) return { fatal };
  if (repeatsAcrossChunks(results)) return undefined;
  const st = ev.store;
  const ids: string[] = [];
  for (const r of results) {
    st.appendChunk(r.ids, r.lineStart, r.clause, r.status, r.amount);
    for (const id of r.ids) ids.push(id);
    for (const p of r.carried) carried.push(p);
    loader.absorb(r.loader);
    for (const p of r.problems) ev.problems.push(p);
    r.partials.forEach((q, i) => {
      const mine = ev.agg.partials[i]!;
      const merged = mergePartial(mine, { rows: q.rows, chosen: q.chosen, total: decode(q.total) as RV | undefined }, ev.prog.frame);
      mine.rows = merged.rows;
      mine.chosen = merged.chosen;
      mine.total = merged.total;
    });
  }
  return { ids };
}

/** A roster file decided in chunks: its loader and the ids of its chunk jobs. */
export interface RosterPlan {
  m: Extract<MatchedFile, { kind: "csv" }>;
  index: number;
  loader: DataSetLoader;
  jobs: number[];
  /** a file-level problem found after the chunks were cut (a record running past the reader's limits) */
  fatal?: DataProblem;
}

/**
 * Merges each roster file's chunk results (by job id) into `ev` and `sets`: its report, or its
 * file-level problem when a chunk refused it.
 * @returns each file's student ids, or undefined when a student id repeats across chunks
 */
export function mergeRosters(ev: BulkEvaluator, sets: LoadedSets, plans: RosterPlan[], results: ChunkResult[]): Map<MatchedFile, string[]> | undefined {
  const rosterIds = new Map<MatchedFile, string[]>();
  for (const p of plans) {
    const carried: DataProblem[] = [];
    const merged = mergeChunks(ev, p.loader, carried, p.jobs.map((j) => results[j]!));
    const fatal = merged && "fatal" in merged ? merged.fatal : p.fatal;
    if (fatal) {
      // the first file-level problem in row order: a chunk's, else the one found after the last chunk
      sets.fileProblems[p.index] = fatal;
      continue;
    }
    if (!merged || "fatal" in merged) return undefined;
    sets.reports[p.index] = withEncoding(p.loader.report(carried), p.m.file);
    if (!sets.rows.has(p.m.ds.name)) sets.rows.set(p.m.ds.name, []);
    rosterIds.set(p.m, merged.ids);
  }
  return rosterIds;
}

/** FNV-1a of a string (32 bits). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Whether a key seen in one chunk was seen in an earlier one (each chunk's own repeats are
 * already rejected by its loader). An open-addressing table of key hashes, comparing the keys
 * themselves only when hashes meet.
 */
function repeatsAcrossChunks(results: ChunkResult[]): boolean {
  let n = 0;
  for (const r of results) n += r.ids.length + r.seenRejected.length;
  let size = 1;
  while (size < 2 * n + 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const keys: string[] = [];
  const chunkOf: number[] = [];
  for (let c = 0; c < results.length; c++) {
    const r = results[c]!;
    for (const list of [r.ids, r.seenRejected]) {
      for (const k of list) {
        let i = hash(k) & mask;
        for (;;) {
          const at = table[i]!;
          if (at < 0) {
            table[i] = keys.length;
            keys.push(k);
            chunkOf.push(c);
            break;
          }
          if (keys[at] === k && chunkOf[at] !== c) return true;
          i = (i + 1) & mask;
        }
      }
    }
  }
  return false;
}

/** What a worker needs to decide chunks: the contract (compiled) and the joined rows. */
export interface WorkerSetup {
  ir: ContractIR;
  compiled: CompiledContract;
  asOf?: string;
  extras: [string, [number, unknown][][]][];
}

export type { AggregatePartial };
