/** Go to definition: fields, metrics (and lets and measures), parties, data sets, groups and quoted clause names. */
import type { AnalysisStore } from "../store.ts";
import type { Span } from "../service/protocol.ts";
import { LANGUAGE_ID } from "./language.ts";
import type { Monaco, monaco as M } from "./setup.ts";
import { quotedAt, spanToRange } from "./text.ts";

/** Where a name at a position is declared, if it is a declared name. */
export function definitionSpan(store: AnalysisStore, model: M.editor.ITextModel, position: M.IPosition): Span | undefined {
  const analysis = store.get().analysis;
  if (!analysis) return undefined;
  const symbols = analysis.symbols;
  const quoted = quotedAt(model, position);
  if (quoted) return symbols.clauses.find((c) => c.name === quoted.value)?.nameSpan;
  const word = model.getWordAtPosition(position)?.word;
  if (!word) return undefined;
  const line = model.getLineContent(position.lineNumber);
  const offset = model.getOffsetAt(position);
  const population = symbols.populations.find((p) => p.which === word);
  if (population && /\bper\s+\w+\s+student/.test(line)) return population.span;
  // a let or measure is found in its own cohort clause or escalation first, then student-level names
  const metrics = symbols.metrics.filter((m) => m.name === word);
  const block = analysis.outline.find((o) => (o.kind === "cohort" || o.kind === "escalation") && o.span.start <= offset && offset <= o.span.end);
  const local = block ? metrics.find((m) => m.scope === block.name) : undefined;
  return (
    local?.nameSpan ??
    metrics.find((m) => m.scope === "students")?.nameSpan ??
    symbols.fields.find((f) => f.name === word)?.nameSpan ??
    symbols.parties.find((p) => p.id === word)?.span ??
    symbols.dataSets.find((d) => d.name === word)?.nameSpan ??
    metrics[0]?.nameSpan
  );
}

export function registerDefinition(monaco: Monaco, store: AnalysisStore): M.IDisposable {
  return monaco.languages.registerDefinitionProvider(LANGUAGE_ID, {
    provideDefinition(model, position) {
      const span = definitionSpan(store, model, position);
      return span ? { uri: model.uri, range: spanToRange(model, span) } : null;
    },
  });
}
