/** Format document (Shift+Alt+F): the formatter runs in the language worker. */
import type { LanguageClient } from "../worker-client.ts";
import { LANGUAGE_ID } from "./language.ts";
import type { Monaco, monaco as M } from "./setup.ts";

export function registerFormatting(monaco: Monaco, client: LanguageClient, onError: (message: string) => void): M.IDisposable {
  return monaco.languages.registerDocumentFormattingEditProvider(LANGUAGE_ID, {
    displayName: "OBC formatter",
    async provideDocumentFormattingEdits(model) {
      const version = model.getVersionId();
      const answer = await client.format(model.getValue());
      if (answer.value === undefined) {
        onError(answer.error ?? "The contract could not be formatted.");
        return [];
      }
      if (model.getVersionId() !== version || answer.value === model.getValue()) return [];
      return [{ range: model.getFullModelRange(), text: answer.value }];
    },
  });
}
