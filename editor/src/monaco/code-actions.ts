/** Quick fixes: each diagnostic's suggestions (e.g. "Replace with 'eoy_score'") as code actions. */
import type { AnalysisStore } from "../store.ts";
import { LANGUAGE_ID } from "./language.ts";
import type { Monaco, monaco as M } from "./setup.ts";

export function registerCodeActions(monaco: Monaco, store: AnalysisStore): M.IDisposable {
  return monaco.languages.registerCodeActionProvider(
    LANGUAGE_ID,
    {
      provideCodeActions(model, range, context) {
        const diagnostics = store.get().diagnostics;
        if (!diagnostics || diagnostics.version !== model.getVersionId()) return { actions: [], dispose() {} };
        const actions: M.languages.CodeAction[] = [];
        for (const d of diagnostics.diagnostics) {
          if (d.suggestions.length === 0 || !monaco.Range.areIntersectingOrTouching(d, range)) continue;
          const marker = context.markers.find((m) => m.code === d.code && m.startLineNumber === d.startLineNumber && m.startColumn === d.startColumn);
          d.suggestions.forEach((s, i) => {
            actions.push({
              title: s.message,
              kind: "quickfix",
              isPreferred: i === 0,
              ...(marker ? { diagnostics: [marker] } : {}),
              edit: { edits: [{ resource: model.uri, textEdit: { range: s.range, text: s.replacement }, versionId: model.getVersionId() }] },
            });
          });
        }
        return { actions, dispose() {} };
      },
    },
    { providedCodeActionKinds: ["quickfix"] },
  );
}
