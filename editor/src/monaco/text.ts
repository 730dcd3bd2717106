/** Small helpers between worker spans and Monaco positions. */
import type { Span } from "../service/protocol.ts";
import type { monaco } from "./setup.ts";

type Model = monaco.editor.ITextModel;

export function spanToRange(model: Model, span: Span): monaco.IRange {
  const start = model.getPositionAt(span.start);
  const end = model.getPositionAt(span.end);
  return { startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column };
}

/** The quoted text around a position on its line, quotes included in the range. */
export function quotedAt(model: Model, position: monaco.IPosition): { value: string; range: monaco.IRange; closed: boolean } | undefined {
  const line = model.getLineContent(position.lineNumber);
  const at = position.column - 1;
  let i = 0;
  while (i < line.length) {
    if (line.startsWith("//", i)) return undefined;
    if (line[i] === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      const closed = j < line.length;
      if (at > i && at <= j) {
        return {
          value: line.slice(i + 1, Math.min(j, line.length)),
          range: { startLineNumber: position.lineNumber, startColumn: i + 1, endLineNumber: position.lineNumber, endColumn: (closed ? j + 1 : j) + 1 },
          closed,
        };
      }
      i = j + 1;
    } else i++;
  }
  return undefined;
}
