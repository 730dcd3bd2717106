/**
 * Leaves out of the editor's build the parts of Monaco that the OBC editor can never run (a
 * Vite plugin, Node only, build only).
 *
 * Monaco's editor API imports some modules for features that stay off or absent in this
 * editor: the multi-file diff editor (`createMultiFileDiffEditor`, never called), the GPU
 * renderer (only with `experimentalGpuAcceleration: "on"`, never set), tree-sitter tokens (the
 * standalone editor's tree-sitter service supports no language), the main-thread copy of
 * Monaco's editor worker (a fallback for browsers without workers; this editor needs workers
 * for its own checks), and the hover's checks for colour and inlay-hint hovers (no colour or
 * inlay-hint provider is registered). Each is replaced by a small module with the same
 * exports: a class that refuses to be built, or the answer that holds without those
 * providers. About 60 KB gzip less JavaScript before the first diagnostics.
 *
 * Each replacement names the module that imports it; the build fails if one was not used,
 * so a Monaco update that moves these modules is noticed rather than silently bundled again.
 */
import type { Plugin } from "vite";

interface Replacement {
  /** the importing module, by the end of its path inside monaco-editor/esm/vs/ */
  importer: string;
  /** the imported module, by the end of its path */
  module: string;
  /** the replacement's source */
  code: string;
}

const refuse = (name: string, why: string) =>
  `export class ${name} { constructor() { throw new Error(${JSON.stringify(`${name} is not part of the OBC editor's build: ${why}`)}); } }`;

const REPLACEMENTS: Replacement[] = [
  {
    importer: "editor/standalone/browser/standaloneEditor.js",
    module: "multiDiffEditor/multiDiffEditorWidget.js",
    code: refuse("MultiDiffEditorWidget", "the editor never creates a multi-file diff editor."),
  },
  {
    importer: "editor/browser/view.js",
    module: "gpu/viewGpuContext.js",
    code: refuse("ViewGpuContext", "GPU rendering stays off."),
  },
  {
    importer: "editor/browser/view.js",
    module: "viewLinesGpu/viewLinesGpu.js",
    code: refuse("ViewLinesGpu", "GPU rendering stays off."),
  },
  {
    importer: "editor/browser/view.js",
    module: "rulersGpu/rulersGpu.js",
    code: refuse("RulersGpu", "GPU rendering stays off."),
  },
  {
    importer: "editor/browser/view.js",
    module: "gpuMark/gpuMark.js",
    code: refuse("GpuMarkOverlay", "GPU rendering stays off."),
  },
  {
    importer: "editor/common/model/tokens/tokenizationTextModelPart.js",
    module: "treeSitter/treeSitterSyntaxTokenBackend.js",
    code: refuse("TreeSitterSyntaxTokenBackend", "the standalone editor supports no tree-sitter language."),
  },
  {
    importer: "editor/browser/services/editorWorkerService.js",
    module: "common/services/editorWebWorker.js",
    code: refuse("EditorWorker", "Monaco's editor worker runs in a worker, never on the page."),
  },
  {
    // no colour provider is registered, so no text carries a colour decoration
    importer: "editor/contrib/hover/browser/contentHoverController.js",
    module: "hoverColorPicker/hoverColorPicker.js",
    code: "export function isOnColorDecorator() { return false; }",
  },
  {
    // used only in `instanceof InlayHintsHover`; no inlay-hint provider is registered
    importer: "editor/contrib/hover/browser/contentHoverRendered.js",
    module: "inlayHints/browser/inlayHintsHover.js",
    code: "export class InlayHintsHover {}",
  },
  {
    // the paste command asks the editor for this contribution, which is registered only by
    // copyPasteContribution.js (not imported: no paste providers): the answer is always none
    importer: "editor/contrib/clipboard/browser/clipboard.js",
    module: "dropOrPasteInto/browser/copyPasteController.js",
    code: "export class CopyPasteController { static get() { return null; } }",
  },
];

const PREFIX = "\0obc-monaco-trim:";

export function monacoTrim(): Plugin {
  const used = new Set<number>();
  return {
    name: "obc-monaco-trim",
    apply: "build",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer) return null;
      const from = importer.replace(/\\/g, "/");
      if (!from.includes("/monaco-editor/esm/vs/")) return null;
      const i = REPLACEMENTS.findIndex((r) => from.endsWith(`/vs/${r.importer}`) && source.endsWith(r.module));
      if (i < 0) return null;
      used.add(i);
      return `${PREFIX}${i}`;
    },
    load(id) {
      return id.startsWith(PREFIX) ? REPLACEMENTS[Number(id.slice(PREFIX.length))]!.code : null;
    },
    buildEnd(error) {
      if (error) return;
      const unused = REPLACEMENTS.filter((_, i) => !used.has(i));
      if (unused.length) this.error(`monaco-trim: Monaco no longer imports ${unused.map((r) => `${r.module} from ${r.importer}`).join(", ")}: update editor/monaco-trim.ts`);
    },
  };
}
