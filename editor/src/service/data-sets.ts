/**
 * Which data sets a data file could hold, for the Run panel's chooser. The engine reads a file
 * as the data set the user names, else the one named like the file, else the one its columns
 * fit best (engine/inputs.ts `matchOpened`). When that last choice is between several data sets
 * whose required columns the file all has, the engine's pick is a guess: the panel flags the
 * file so that the user says which data set it holds.
 */
import type { ContractIR } from "../../../language/check/ir.ts";
import { columnsOf, dataSetNamedLike, fit, openFile } from "../../../engine/inputs.ts";
import type { RunFile } from "./protocol.ts";

/** The data sets whose every required column (key and period included) the file has. */
export function dataSetsFitting(ir: ContractIR, file: RunFile): string[] {
  const opened = openFile(file);
  if (opened.kind === "skip") return [];
  const cols = columnsOf(opened);
  return ir.dataSets.filter((d) => fit(d, cols) >= 1).map((d) => d.name);
}

/**
 * The files the engine matched by their columns alone although several data sets fit them
 * (neither chosen by the user nor named after a data set), with those data sets.
 */
export function filesFittingSeveral(ir: ContractIR, files: readonly RunFile[]): { file: string; dataSets: string[] }[] {
  const out: { file: string; dataSets: string[] }[] = [];
  for (const f of files) {
    if (f.dataSet || dataSetNamedLike(ir, f.label)) continue;
    const dataSets = dataSetsFitting(ir, f);
    if (dataSets.length > 1) out.push({ file: f.label, dataSets });
  }
  return out;
}
