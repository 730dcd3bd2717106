/**
 * `obc summary` and `obc diff`: the plain-language documents for the people who sign.
 * Both render one document model to Markdown, standalone HTML or Word (.docx); the Word form
 * of a comparison is a redline with tracked changes.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ContractIR } from "../language/check/ir.ts";
import { diffContracts, diffDocument } from "../engine/diff/index.ts";
import { redlineDocument } from "../engine/diff/redline.ts";
import { sourceMap, summarizeContract, toDocx, toHtml, toMarkdown, type SummaryDoc } from "../engine/summary/index.ts";
import type { DocumentFlags } from "./document-options.ts";

export type DocFormat = "md" | "html" | "docx";

export interface DocIO {
  out: (s: string) => void;
  cwd: string;
}

async function emit(doc: SummaryDoc, format: DocFormat, outFile: string | undefined, io: DocIO, date?: string): Promise<void> {
  if (format === "docx") {
    if (!outFile) throw new Error("a .docx is binary: give a file with --out");
    await writeFile(resolve(io.cwd, outFile), await toDocx(doc, date ? { date } : {}));
    return;
  }
  const text = format === "html" ? toHtml(doc) : toMarkdown(doc);
  if (outFile) await writeFile(resolve(io.cwd, outFile), text, "utf8");
  else io.out(text);
}

/** The options every signed document shares, as the engine takes them. */
function signed(opts: DocumentFlags & { obcVersion?: string }) {
  return {
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.exhibit ? { exhibit: opts.exhibit } : {}),
    ...(opts.paper ? { paper: opts.paper } : {}),
    ...(opts.obcVersion ? { obcVersion: opts.obcVersion } : {}),
    ...(opts.date ? { generated: opts.date } : {}),
  };
}

export interface SummaryOptions extends DocumentFlags {
  format: DocFormat;
  out?: string;
  cohort?: number;
  asOf?: string;
  sourceMap?: boolean;
  examples: boolean;
  prevails?: string;
  obcVersion?: string;
}

export async function summaryCommand(ir: ContractIR, source: string, file: string, opts: SummaryOptions, io: DocIO): Promise<void> {
  const doc = await summarizeContract(ir, source, {
    cohortSize: opts.cohort,
    sourceName: file,
    asOf: opts.asOf,
    examples: opts.examples,
    ...signed(opts),
    ...(opts.prevails ? { prevails: opts.prevails } : {}),
  });
  if (opts.sourceMap) {
    const map = JSON.stringify(sourceMap(doc), null, 2) + "\n";
    if (opts.out) await writeFile(resolve(io.cwd, opts.out), map, "utf8");
    else io.out(map);
    return;
  }
  await emit(doc, opts.format, opts.out, io, opts.date);
}

export interface DiffCommandOptions extends DocumentFlags {
  format: DocFormat;
  out?: string;
  json?: boolean;
  effective?: string;
  author?: string;
  obcVersion?: string;
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
  const doc = opts.format === "docx"
    ? redlineDocument(older, newer, result, {
      oldName: older.file,
      newName: newer.file,
      ...(opts.effective ? { effective: opts.effective } : {}),
      ...(opts.author ? { author: opts.author } : {}),
      ...signed(opts),
    })
    : diffDocument(result, { oldName: older.file, newName: newer.file });
  await emit(doc, opts.format, opts.out, io, opts.date);
  return result.equal;
}
