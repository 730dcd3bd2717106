/**
 * The messages between the editor (main thread) and its two workers: the check worker
 * (diagnostics and names, on every keystroke: service/check.ts) and the document worker
 * (summary, bounds, runs, comparisons, simulation: service/documents.ts).
 *
 * Everything here is plain, structured-clone-safe data: spans are 0-based UTF-16 offsets
 * into the text the worker analysed (the `version` tells which text), ranges are 1-based
 * Monaco positions.
 */
import type { Severity } from "../../../language/diagnostics/types.ts";
import type { DataProblem, RunResult } from "../../../engine/index.ts";
import type { ChangeArea, DiffResult } from "../../../engine/diff/diff.ts";
import type { SummaryDoc } from "../../../engine/summary/model.ts";
import type { SimulationOptions, SimulationResult } from "../../../engine/fast/simulate.ts";

export type { SimulationOptions, SimulationResult };

export type { ChangeArea, DiffResult, SummaryDoc };

export interface Span {
  start: number;
  end: number;
}

export interface RangeDTO {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** One diagnostic, ready for a Monaco marker, a quick fix and the problems list. */
export interface DiagnosticDTO extends RangeDTO {
  code: string;
  severity: Severity;
  /** the same sentence the CLI prints */
  message: string;
  /** the label under the caret in the CLI frame */
  label: string;
  help?: string;
  clause?: string;
  related: { range: RangeDTO; label: string }[];
  suggestions: { message: string; range: RangeDTO; replacement: string }[];
}

export type OutlineKind = "base" | "milestone" | "outcome" | "partial" | "bonus" | "penalty" | "payment" | "cohort" | "escalation";

export interface OutlineItem {
  /** the clause id used in outputs (`algebra_ready`) */
  id: string;
  name: string;
  kind: OutlineKind;
  /** a short detail, e.g. "$900 per identified student" */
  detail: string;
  /** the whole statement */
  span: Span;
  /** the clause name in quotes */
  nameSpan: Span;
  /** set for clauses inside an amendment: its version */
  amendment?: string;
}

export interface FieldSymbol {
  name: string;
  type: string;
  optional: boolean;
  dataSet: string;
  nameSpan: Span;
}

export interface MetricSymbol {
  name: string;
  /** metric, condition, let (in a cohort clause) or measure (in an escalation) */
  kind: string;
  /** the definition as written */
  definition: string;
  nameSpan: Span;
  /** where the name can be used: "students", or the clause or escalation it belongs to */
  scope: string;
}

export interface ClauseSymbol {
  id: string;
  name: string;
  kind: OutlineKind;
  nameSpan: Span;
  span: Span;
}

export interface PartySymbol {
  id: string;
  role: string;
  name: string;
  span: Span;
}

export interface PopulationSymbol {
  which: string;
  condition: string;
  span: Span;
}

export interface DataSetSymbol {
  name: string;
  kind: string;
  key?: string;
  period?: string;
  nameSpan: Span;
}

export interface Symbols {
  fields: FieldSymbol[];
  metrics: MetricSymbol[];
  clauses: ClauseSymbol[];
  parties: PartySymbol[];
  populations: PopulationSymbol[];
  dataSets: DataSetSymbol[];
}

export interface ClauseBoundsDTO {
  id: string;
  name: string;
  /** money as "1080.00"; undefined when unbounded */
  min?: string;
  max?: string;
}

/** What one student can earn, from the contract alone (engine/analysis.ts). */
export interface BoundsDTO {
  clauses: ClauseBoundsDTO[];
  /** the most one student can be paid, after the student cap; undefined when unbounded */
  maxPerStudent?: string;
  /** the least, after the floor */
  minPerStudent?: string;
  /** the sum of the clauses that give the maximum, before the student cap */
  uncappedMax?: string;
  maxClauses: string[];
  studentCap?: string;
  contractCap?: string;
  floor?: string;
  /** names of cohort clauses, which pay per cohort and are not in the per-student figures */
  cohortClauses: string[];
}

/**
 * The answer to an edit: the check worker sends the diagnostics and the analysis; the
 * document worker the summary, the bounds, then (for a contract without errors, once the
 * user pauses) the summary again with its worked examples. Its later steps are skipped when a
 * newer edit waits.
 */
export interface DiagnosticsMessage {
  type: "diagnostics";
  version: number;
  ok: boolean;
  diagnostics: DiagnosticDTO[];
  /** the diagnostics as the CLI prints them (`obc check`) */
  cliText: string;
  /** milliseconds spent compiling */
  compileMs: number;
}

export interface AnalysisMessage {
  type: "analysis";
  version: number;
  title?: string;
  /** the contract's currency code (USD unless stated) */
  currency?: string;
  outline: OutlineItem[];
  symbols: Symbols;
}

/** The plain-language summary of the analysed text (engine/summary), sentences linked to spans. */
export interface SummaryMessage {
  type: "summary";
  version: number;
  /** undefined when the text holds no contract (or the summary failed: see error) */
  doc?: SummaryDoc;
  /** true when the doc has its worked examples (computed by the engine, after a pause) */
  examples: boolean;
  /**
   * Why no worked examples will follow this summary: the contract has errors, or it is too
   * large to run them after every pause (see EXAMPLES_MAX_CLAUSES); undefined when they will.
   */
  examplesLeftOut?: "errors" | "too-large";
  /** the cohort size of the exposure figures */
  cohortSize: number;
  /** milliseconds spent building this summary in the worker */
  ms: number;
  error?: string;
}

/** Sent last: the bounds take longest (every set of clauses that can pay together is tried). */
export interface BoundsMessage {
  type: "bounds";
  version: number;
  /** undefined when the text holds no contract */
  bounds?: BoundsDTO;
}

export interface RunFile {
  label: string;
  text: string;
  /** the data set the file holds, as chosen by the user; matched by the engine when absent */
  dataSet?: string;
}

export interface RunMessage {
  type: "run";
  id: number;
  ok: boolean;
  /** why the run could not start or stopped, in plain words */
  error?: string;
  result?: RunResult;
  problems: DataProblem[];
  /**
   * Files read as the data set their columns fit best although they have every required
   * column of several (service/data-sets.ts): the user should say which one they hold.
   */
  fitsSeveral?: { file: string; dataSets: string[] }[];
}

export interface FormatMessage {
  type: "format";
  id: number;
  /** the formatted text; undefined when the text cannot be formatted */
  value?: string;
  error?: string;
}

/** One parameter of a library template. */
export interface TemplateParamInfo {
  name: string;
  /** the parameter's type: a data type, number, field, condition or population */
  type: string;
  /** the default as written (`identified`, `$0`); undefined when the argument is required */
  default?: string;
  doc: string;
}

/** A template of the library (`stdlib/templates/<name>.obc`), read by the worker's parser. */
export interface TemplateInfo {
  name: string;
  version?: string;
  /** the lead of its header comment, e.g. "Benchmark attainment" */
  title: string;
  /** what it is for: the first paragraph of its header comment */
  purpose: string;
  /** the `use …` line of its `// Example:` comment */
  example?: string;
  /** the example's arguments as written, by parameter name */
  exampleArgs: Record<string, string>;
  params: TemplateParamInfo[];
  /** a whole contract (parties, data, clauses), not one clause */
  wholeContract: boolean;
}

export interface LibraryMessage {
  type: "library";
  id: number;
  /** the library's version, for `import … from stdlib version "…"` */
  stdlibVersion: string;
  templates: TemplateInfo[];
  /** the language's functions, for completion and hover */
  functions: FunctionInfo[];
}

/**
 * A function of the language (language/check/functions.ts, read by the check worker: the
 * registry brings the type checker with it, which the page does not load).
 */
export interface FunctionInfo {
  name: string;
  /** the names of its parameters, in order */
  params: string[];
  /** what it gives: a type, or "the unit of its values" */
  result: string;
  doc: string;
  /** a call written out */
  usage: string;
}

/** One side of a comparison. */
export interface DiffSide {
  text: string;
  fileName?: string;
  project?: ProjectFiles;
}

export interface DiffMessage {
  type: "diff";
  id: number;
  /** diffContracts(old, new): the changes as sentences, with their spans on each side */
  result?: DiffResult;
  /** the number of errors in each version (the comparison may be incomplete when not 0) */
  oldErrors: number;
  newErrors: number;
  /** why there is no result, in plain words */
  error?: string;
  ms: number;
}

/** Pricing by simulation (engine/fast/simulate.ts), as `obc simulate`. */
export interface SimulateMessage {
  type: "simulate";
  id: number;
  ok: boolean;
  /** why there is no result, in plain words */
  error?: string;
  result?: SimulationResult;
  /** the total paid to each simulated cohort, in dollars, in run order (for the histogram) */
  totals?: number[];
  ms: number;
}

/** A document made for download: the summary or a comparison, as `obc summary` / `obc diff` write it. */
export interface ExportMessage {
  type: "export";
  id: number;
  /** text (Markdown, HTML) or bytes (Word) */
  content?: string | Uint8Array;
  /** why there is no document, in plain words */
  error?: string;
}

export type DocFormat = "md" | "html" | "docx";

/** What the check worker answers. */
export type CheckResponse = DiagnosticsMessage | AnalysisMessage | FormatMessage | LibraryMessage;
/** What the document worker answers. */
export type DocumentResponse = SummaryMessage | BoundsMessage | RunMessage | DiffMessage | SimulateMessage | ExportMessage;
export type WorkerResponse = CheckResponse | DocumentResponse;

/**
 * The other `.obc` files of the contract's folder, by path relative to it
 * ("clauses/attendance_escalation.obc"), for `import … from "./clauses/…"`.
 */
export type ProjectFiles = Record<string, string>;

/** The text being edited, as both workers receive it. */
export interface EditedText {
  /** the editor model's version of the text */
  version: number;
  text: string;
  fileName?: string;
  project?: ProjectFiles;
}

export type CheckRequest =
  | ({ type: "check" } & EditedText)
  | { type: "format"; id: number; text: string }
  | { type: "library"; id: number };

export type DocumentRequest =
  | ({ type: "document"; cohortSize?: number } & EditedText)
  | { type: "run"; id: number; text: string; files: RunFile[]; asOf?: string; fileName?: string; project?: ProjectFiles }
  | { type: "diff"; id: number; old: DiffSide; new: DiffSide }
  | { type: "simulate"; id: number; text: string; options: SimulationOptions; fileName?: string; project?: ProjectFiles }
  /** `obc summary FILE --format F [--cohort N]` */
  | { type: "export-summary"; id: number; format: DocFormat; text: string; fileName: string; project?: ProjectFiles; cohortSize?: number }
  /** `obc diff OLD NEW --format F` */
  | { type: "export-diff"; id: number; format: DocFormat; old: DiffSide & { name: string }; new: DiffSide & { name: string } };
