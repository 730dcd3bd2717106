/**
 * Monaco, bundled locally: the editor API without Monaco's ~80 languages, its editor
 * features (find, suggest, hover, folding, code actions, …) and its own worker.
 * Import this module before any other use of Monaco.
 */
import * as monaco from "monaco-editor/editor";
import "monaco-editor/features/register.all";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
export type Monaco = typeof monaco;
