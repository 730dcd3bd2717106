/**
 * `obc summary` and `obc diff`: the plain-language documents for the people who sign.
 * Both render one document model to Markdown, standalone HTML or Word (.docx).
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ContractIR } from "../language/check/ir.ts";
import { diffContracts, diffDocument } from "../engine/diff/index.ts";
import { sourceMap, summarizeContract, toDocx, toHtml, toMarkdown, type SummaryDoc } from "../engine/summary/index.ts";

export type DocFormat = "md" | "html" | "docx";

export interface DocIO {
  out: (s: string) => void;
  cwd: string;
}

async function emit(doc: SummaryDoc, format: DocFormat, outFile: string | undefined, io: DocIO, date?: string): Promise<void> {
  if (format === "docx") {
    if (!outFile) throw new Error("a .docx is binary: give a file with --out");
    await writeFile(resolve(io.cwd, outFile), await toDocx(doc, { date }));
    return;
  }
  const text = format === "html" ? toHtml(doc) : toMarkdown(doc);
  if (outFile) await writeFile(resolve(io.cwd, outFile), text, "utf8");
  else io.out(text);
}

export interface SummaryOptions {
  format: DocFormat;
  out?: string;
  cohort?: number;
  asOf?: string;
  sourceMap?: boolean;
  examples: boolean;
}

export async function summaryCommand(ir: ContractIR, source: string, file: string, opts: SummaryOptions, io: DocIO): Promise<void> {
  const doc = await summarizeContract(ir, source, {
    cohortSize: opts.cohort,
    sourceName: file,
    asOf: opts.asOf,
    examples: opts.examples,
  });
  if (opts.sourceMap) {
    const map = JSON.stringify(sourceMap(doc), null, 2) + "\n";
    if (opts.out) await writeFile(resolve(io.cwd, opts.out), map, "utf8");
    else io.out(map);
    return;
  }
  await emit(doc, opts.format, opts.out, io, opts.asOf);
}

export interface DiffCommandOptions {
  format: DocFormat;
  out?: string;
  json?: boolean;
}

/** Compares two versions; returns true when they are equal in business terms. */
export async function diffCommand(
  older: { ir: ContractIR; source: string; file: string },
  newer: { ir: ContractIR; source: string; file: string },
  opts: DiffCommandOptions,
  io: DocIO,
): Promise<boolean> {
  const result = diffContracts(older.ir, older.source, newer.ir, newer.source);
  if (opts.json) {
    const json = JSON.stringify({ equal: result.equal, changes: result.changes.map((c) => ({ area: c.area, kind: c.kind, text: c.text })) }, null, 2) + "\n";
    if (opts.out) await writeFile(resolve(io.cwd, opts.out), json, "utf8");
    else io.out(json);
    return result.equal;
  }
  await emit(diffDocument(result, { oldName: older.file, newName: newer.file }), opts.format, opts.out, io);
  return result.equal;
}
