/** Diagnostics as Monaco markers, with their codes, the CLI's messages and help, and related places. */
import type { DiagnosticDTO } from "../service/protocol.ts";
import type { Monaco, monaco as M } from "./setup.ts";

export const MARKER_OWNER = "obc";

export function setMarkers(monaco: Monaco, model: M.editor.ITextModel, diagnostics: readonly DiagnosticDTO[]): void {
  const severity = { error: monaco.MarkerSeverity.Error, warning: monaco.MarkerSeverity.Warning, info: monaco.MarkerSeverity.Info } as const;
  monaco.editor.setModelMarkers(
    model,
    MARKER_OWNER,
    diagnostics.map((d) => ({
      startLineNumber: d.startLineNumber,
      startColumn: d.startColumn,
      endLineNumber: d.endLineNumber,
      endColumn: d.endColumn,
      message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
      code: d.code,
      severity: severity[d.severity],
      source: "obc",
      relatedInformation: d.related.map((r) => ({ resource: model.uri, message: r.label, ...r.range })),
    })),
  );
}
