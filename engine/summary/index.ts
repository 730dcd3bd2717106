/**
 * Plain-language summaries and contract analysis for a cohort (browser-safe).
 *
 *   analyzeContract(ir, { cohortSize })            → ContractAnalysis (plain JSON)
 *   buildWorkedExamples(ir, source)                → Promise<WorkedExamples | undefined>
 *   summarize(ir, source, { cohortSize, examples }) → SummaryDoc
 *   summarizeContract(ir, source, opts)            → Promise<SummaryDoc> (examples included)
 *   toMarkdown(doc) / toHtml(doc) / toDocx(doc) / sourceMap(doc)
 */
import type { ContractIR } from "../../language/check/ir.ts";
import { buildWorkedExamples, type ExampleOptions } from "./examples.ts";
import type { SummaryDoc } from "./model.ts";
import { summarize, type SummaryOptions } from "./summary.ts";

export { analyzeContract, type ContractAnalysis, type AnalysisOptions } from "./analysis.ts";
export { buildWorkedExamples, type WorkedExamples, type ExampleOptions, type ExampleStudent, type ExampleTable } from "./examples.ts";
export { summarize, type SummaryOptions } from "./summary.ts";
export { sourceMap, plainText, type SummaryDoc, type Section, type Block, type Sentence, type Cell, type SourceMapEntry } from "./model.ts";
export { toMarkdown, toHtml } from "./render.ts";
export { toDocx } from "./docx.ts";
export { conditionText, valueText, exprText, type EnglishContext } from "./english.ts";

/** The summary with worked examples computed by the engine: what `obc summary` prints. */
export async function summarizeContract(ir: ContractIR, source: string, opts: Omit<SummaryOptions, "examples"> & ExampleOptions & { examples?: boolean } = {}): Promise<SummaryDoc> {
  const examples = opts.examples === false ? undefined : await buildWorkedExamples(ir, source, { ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(opts.maxStudents ? { maxStudents: opts.maxStudents } : {}) });
  return summarize(ir, source, {
    ...(opts.cohortSize !== undefined ? { cohortSize: opts.cohortSize } : {}),
    ...(opts.sourceName ? { sourceName: opts.sourceName } : {}),
    ...(examples ? { examples } : {}),
  });
}
