/** Diagnostics: the code registry, building, positions, suggestions and rendering. */
export type { Diagnostic, Label, Severity, Suggestion } from "./types.ts";
export { CODES, codeInfo, diag, fillTemplate, placeholders } from "./codes.ts";
export type { CodeInfo, DiagOptions, Params } from "./codes.ts";
export { LineIndex } from "./source.ts";
export type { Position } from "./source.ts";
export { editDistance, didYouMean } from "./suggest.ts";
export { renderText, sortDiagnostics, toJson, toRanges } from "./render.ts";
export type { DiagnosticRange, JsonDiagnostic, JsonLabel, JsonPosition, JsonSuggestion } from "./render.ts";
