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
import { buildWorkedExamples, type ExampleOptions, type WorkedExamples } from "./examples.ts";
import type { SummaryDoc } from "./model.ts";
import { summarize, type SummaryOptions } from "./summary.ts";
import { versionsInForce } from "./versions.ts";

export { analyzeContract, type ContractAnalysis, type AnalysisOptions } from "./analysis.ts";
export { buildWorkedExamples, type WorkedExamples, type ExampleOptions, type ExampleStudent, type ExampleTable } from "./examples.ts";
export { summarize, type SummaryOptions } from "./summary.ts";
export { sourceMap, plainText, type SummaryDoc, type Section, type Block, type Sentence, type Cell, type SourceMapEntry } from "./model.ts";
export { toMarkdown, toHtml } from "./render.ts";
export { toDocx } from "./docx.ts";
export { versionsInForce, versionOn, versionLabel, type VersionInForce } from "./versions.ts";
export { conditionText, valueText, exprText, type EnglishContext } from "./english.ts";

/**
 * The summary with worked examples computed by the engine: what `obc summary` prints. A
 * contract with amendments gets worked examples for each version in force.
 */
export async function summarizeContract(
  ir: ContractIR,
  source: string,
  opts: Omit<SummaryOptions, "examples" | "versionExamples"> & ExampleOptions & { examples?: boolean } = {},
): Promise<SummaryDoc> {
  const { examples, maxStudents, ...rest } = opts;
  const versionExamples: (WorkedExamples | undefined)[] = [];
  if (examples !== false) {
    // one version at a time: each search runs the engine many times
    for (const v of versionsInForce(ir)) {
      versionExamples.push(await buildWorkedExamples(v.ir, source, { ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(maxStudents ? { maxStudents } : {}) }));
    }
  }
  return summarize(ir, source, { ...rest, ...(examples !== false ? { versionExamples } : {}) });
}
