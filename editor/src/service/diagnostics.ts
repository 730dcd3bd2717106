/**
 * Diagnostics for the editor: the compiler's diagnostics as Monaco ranges (via `toRanges`),
 * with their help, labels and quick fixes, and the CLI's text rendering of the same list.
 */
import { LineIndex } from "../../../language/diagnostics/source.ts";
import { renderText, sortDiagnostics, toRanges } from "../../../language/diagnostics/render.ts";
import type { Diagnostic } from "../../../language/diagnostics/types.ts";
import type { DiagnosticDTO, RangeDTO, Span } from "./protocol.ts";

function rangeOf(index: LineIndex, span: Span): RangeDTO {
  const start = index.position(span.start);
  const end = index.position(span.end);
  return { startLineNumber: start.line, startColumn: start.column, endLineNumber: end.line, endColumn: end.column };
}

/**
 * @param diags the compiler's diagnostics
 * @param source the text they point into
 * @returns one DTO per diagnostic, in the CLI's order
 */
export function diagnosticsToDTO(diags: readonly Diagnostic[], source: string): DiagnosticDTO[] {
  const sorted = sortDiagnostics(diags);
  const ranges = toRanges(sorted, source);
  const index = new LineIndex(source);
  return sorted.map((d, i) => ({
    ...ranges[i]!,
    label: d.primary.label,
    ...(d.help !== undefined ? { help: d.help } : {}),
    ...(d.clause !== undefined ? { clause: d.clause } : {}),
    related: d.related.map((r) => ({ range: rangeOf(index, r.span), label: r.label })),
    suggestions: d.suggestions.map((s) => ({ message: s.message, range: rangeOf(index, s.span), replacement: s.replacement })),
  }));
}

/** The diagnostics exactly as `obc check` prints them (without colours). */
export function cliText(diags: readonly Diagnostic[], source: string, fileName: string): string {
  return renderText(diags, source, fileName);
}
