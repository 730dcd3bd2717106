/**
 * The language's public API (browser-safe): from `.obc` text to a checked contract and its
 * diagnostics, the formatter, and template resolution from memory.
 *
 *   compileSource(text, { resolver })  → { ast, ir, diagnostics, ok }
 *   format(text)                       → { value, diagnostics }
 *   renderText(diagnostics, text, file) / toJson(…)   code frames or JSON for the diagnostics
 *
 * Published as `obc/language` (see docs/api.md).
 */
export { compileSource, type CompileOptions, type CompileResult } from "./driver.ts";
export { format, type FormatOutput } from "./format/index.ts";
export {
  CODES,
  codeInfo,
  renderText,
  sortDiagnostics,
  toJson,
  toRanges,
  LineIndex,
  type CodeInfo,
  type Diagnostic,
  type DiagnosticRange,
  type JsonDiagnostic,
  type JsonLabel,
  type JsonPosition,
  type JsonSuggestion,
  type Label,
  type Position,
  type Severity,
  type Suggestion,
} from "./diagnostics/index.ts";
export type { ContractIR, DataSetIR, DataSetKind, FieldInfo, PartyIR, ClauseIR, CohortIR, FundingIR, EscalationIR, Ty } from "./check/ir.ts";
export type { SourceFile, Span } from "./ast.ts";
export type { Resolver, TemplateSource } from "./templates/expand.ts";
export { memoryResolver, STDLIB_VERSION } from "../stdlib/index.ts";
