/**
 * Monaco, bundled locally: the editor API and only the editor features the OBC editor uses
 * (none of Monaco's ~80 languages, no inline completions, folding, sticky scroll, colour
 * picker, code lens, links…). Import this module before any other use of Monaco.
 *
 * Features, by what they give the user: completion (suggest), hovers, quick fixes
 * (codeAction), Format document, go to definition (F12, Ctrl+click), next problem (F8), find
 * and replace, go to line, comments (Ctrl+/), clipboard, the context menu, bracket matching,
 * cursor undo, line and word operations (Alt+Up, Ctrl+Backspace…), multiple cursors, snippets
 * (template arguments), indentation, and Ctrl+M (Tab moves the focus out of the editor).
 */
import * as monaco from "monaco-editor/editor";
import "monaco-editor/editor/contrib/suggest/browser/suggestController.js";
import "monaco-editor/features/hover/register";
import "monaco-editor/features/codeAction/register";
import "monaco-editor/features/format/register";
import "monaco-editor/features/gotoSymbol/register";
import "monaco-editor/features/gotoError/register";
import "monaco-editor/features/find/register";
import "monaco-editor/features/gotoLine/register";
import "monaco-editor/features/comment/register";
import "monaco-editor/features/clipboard/register";
import "monaco-editor/features/contextmenu/register";
import "monaco-editor/features/bracketMatching/register";
import "monaco-editor/features/cursorUndo/register";
import "monaco-editor/features/linesOperations/register";
import "monaco-editor/features/wordOperations/register";
import "monaco-editor/features/multicursor/register";
import "monaco-editor/features/snippet/register";
import "monaco-editor/features/indentation/register";
import "monaco-editor/features/toggleTabFocusMode/register";
import "monaco-editor/features/codicon/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
export type Monaco = typeof monaco;
