/**
 * Settling from files, in one call: read a drop's files (checking they are the bytes recorded),
 * run the contract on them strictly, refuse a run that cannot be trusted, and settle it.
 * `obc settle` and the portfolio use these, so the rules are the same for one contract or many.
 *
 *   const files = await readDataFiles([{ path: "/data/students.csv", label: "students.csv", dataSet: "students" }]);
 *   const drop = await ledger.addDrop({ contract: ir, files: files.map((f) => f.drop), suppliedBy, suppliedAt, recordedAt });
 *   await ledger.attestDrop({ drop: drop.id, by, role: "district", at });
 *   await settleFromFiles(ledger, { source, ir, drop: drop.id, files, asOf, createdAt });
 */
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import type { ContractIR } from "../../language/check/ir.ts";
import { runContract, type RunOutput } from "../../engine/index.ts";
import type { DataFile } from "../../engine/inputs.ts";
import { dataFileFromBytes } from "../data-file.ts";
import { LedgerRefusal, type DropFile, type DropRecord, type Ledger, type NewAttestation, type SettleOptions, type SettleOutcome } from "./index.ts";

/** A data file read for a drop: the engine's input and the drop's record of it. */
export interface ReadFile {
  data: DataFile;
  drop: DropFile;
}

/** Reads files (bytes hashed as read; decoded for the engine as every data file is, see node/data-file.ts). Throws the fs error of a file that cannot be read. */
export async function readDataFiles(files: readonly { path: string; label: string; dataSet?: string }[]): Promise<ReadFile[]> {
  const out: ReadFile[] = [];
  for (const f of files) out.push(await fileFromBytes(await readFile(f.path), f.label, f.dataSet));
  return out;
}

/** A data file's bytes (read from disk, or sent to the HTTP service) as a drop's file: hashed, and decoded for the engine. */
export async function fileFromBytes(bytes: Uint8Array, label: string, dataSet?: string): Promise<ReadFile> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return {
    data: await dataFileFromBytes(bytes, label, dataSet),
    drop: { label, ...(dataSet !== undefined ? { dataSet } : {}), sha256, bytes: bytes.length },
  };
}

/** Refuses files that are not exactly the drop's: same hashes, nothing missing, nothing added. */
export function checkFilesAreDrop(files: readonly ReadFile[], drop: DropRecord): void {
  const recorded = new Map(drop.files.map((f) => [f.sha256, f.label]));
  for (const f of files) {
    if (!recorded.has(f.drop.sha256)) throw new LedgerRefusal("drop", `${f.drop.label} is not a file of drop ${drop.id}: its contents differ from every file recorded with the drop`);
  }
  const given = new Set(files.map((f) => f.drop.sha256));
  for (const [sha, label] of recorded) {
    if (!given.has(sha)) throw new LedgerRefusal("drop", `the file ${label} of drop ${drop.id} is missing (or its contents changed since the drop was recorded)`);
  }
}

/**
 * Why a run must not be settled, or undefined when it may: an internal error (OBC9001) was
 * reported (kind "internal": a bug in OBC, exit 70), or the run stopped, the data has errors
 * or rows were rejected (kind "data", exit 3).
 */
export function runRefusal(out: RunOutput): { kind: "internal" | "data"; message: string } | undefined {
  const problems = [...out.problems, ...(out.result?.dataQuality.problems ?? [])];
  if (problems.some((p) => p.code === "OBC9001") || out.result?.internalError) {
    return { kind: "internal", message: "the run reported an internal error (OBC9001), so its payments cannot be trusted; nothing was settled (please report it)" };
  }
  const errors = new Set(problems.filter((p) => p.severity === "error").map((p) => JSON.stringify([p.code, p.file, p.row ?? null, p.column ?? null, p.rule])));
  const rejected = (out.result?.dataQuality.files ?? []).filter((f) => f.rowsRejected > 0);
  const nRejected = rejected.reduce((a, f) => a + f.rowsRejected, 0);
  if (!out.ok || !out.result || errors.size > 0 || nRejected > 0) {
    const parts = [
      errors.size > 0 ? `${errors.size} data error${errors.size === 1 ? "" : "s"}` : "",
      nRejected > 0 ? `${nRejected} rejected row${nRejected === 1 ? "" : "s"} (${rejected.map((f) => f.file).join(", ")})` : "",
    ].filter(Boolean);
    return {
      kind: "data",
      message: `the data has ${parts.length > 0 ? parts.join(" and ") : "problems that stopped the run"}; settlement needs every row accepted, so nothing was settled (see obc run --json for where)`,
    };
  }
  return undefined;
}

export interface SettleFromFilesInput {
  source: string;
  ir: ContractIR;
  /** an attested drop of this contract */
  drop: number;
  /** the drop's files, as read by {@link readDataFiles} */
  files: readonly ReadFile[];
  asOf: string;
  createdAt: string;
  maxShrink?: number;
  accept?: string;
}

/** Runs the contract strictly on a drop's files and settles the run. Throws LedgerRefusal when anything is not to be trusted. */
export async function settleFromFiles(ledger: Ledger, input: SettleFromFilesInput, opts: SettleOptions = {}): Promise<SettleOutcome & { run: RunOutput }> {
  const drop = await ledger.drop(input.drop);
  if (!drop) throw new LedgerRefusal("drop", `there is no drop ${input.drop}`);
  checkFilesAreDrop(input.files, drop);
  const run = await strictRun(input.ir, input.source, input.files, input.asOf);
  const outcome = await ledger.settle(
    {
      contractSource: input.source, ir: input.ir, result: run.result!, drop: input.drop, asOf: input.asOf, createdAt: input.createdAt,
      ...(input.maxShrink !== undefined ? { maxShrink: input.maxShrink } : {}),
      ...(input.accept !== undefined ? { accept: input.accept } : {}),
    },
    opts,
  );
  return { ...outcome, run };
}

/** The run settlement uses: strict (a doubtful row stops it), refused unless every row was accepted. */
export async function strictRun(ir: ContractIR, source: string, files: readonly ReadFile[], asOf: string): Promise<RunOutput> {
  const run = await runContract(ir, source, files.map((f) => f.data), { asOf, strict: true });
  const refusal = runRefusal(run);
  if (refusal) throw Object.assign(new LedgerRefusal(refusal.kind, refusal.message), { run });
  return run;
}

export interface SettleNewDropInput {
  source: string;
  ir: ContractIR;
  /** the files, as read by {@link readDataFiles} or {@link fileFromBytes} */
  files: readonly ReadFile[];
  asOf: string;
  /** when the drop, its attestation and the settlement are recorded */
  now: string;
  /** who supplied the files, and when (default: now) */
  suppliedBy: string;
  suppliedAt?: string;
  /** who attests them, as what */
  attestedBy: string;
  role: NewAttestation["role"];
  maxShrink?: number;
  accept?: string;
}

/**
 * Records files as a new drop, its attestation and its settlement at once (`obc settle --data`
 * and `POST /settle`): the contract run strictly on the files, refused (LedgerRefusal, with the
 * run when the data is the reason) unless every row was accepted; all three records, or none.
 */
export async function settleNewDrop(ledger: Ledger, input: SettleNewDropInput, opts: SettleOptions = {}): Promise<SettleOutcome & { drop: number; run: RunOutput }> {
  const run = await strictRun(input.ir, input.source, input.files, input.asOf);
  const outcome = await ledger.settleNewDrop(
    { files: input.files.map((f) => f.drop), suppliedBy: input.suppliedBy, suppliedAt: input.suppliedAt ?? input.now, recordedAt: input.now },
    { by: input.attestedBy, role: input.role, at: input.now },
    {
      contractSource: input.source, ir: input.ir, result: run.result!, asOf: input.asOf, createdAt: input.now,
      ...(input.maxShrink !== undefined ? { maxShrink: input.maxShrink } : {}),
      ...(input.accept !== undefined ? { accept: input.accept } : {}),
    },
    opts,
  );
  return { ...outcome, run };
}
