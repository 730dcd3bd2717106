/**
 * One editing session: the Monaco editor on a model of the contract, the two workers behind
 * it (through the client) and the providers. Each edit is sent to the workers at once, without
 * waiting for a pause (the check worker drops texts overtaken by newer ones); the diagnostics
 * for the text shown become markers.
 */
import type { DocFormat, ExportMessage, ProjectFiles, RunFile, RunMessage, SimulateMessage, SimulationOptions } from "../service/protocol.ts";
import type { AnalysisStore } from "../store.ts";
import type { LanguageClient } from "../worker-client.ts";
import { registerCodeActions } from "./code-actions.ts";
import { registerCompletion } from "./completion.ts";
import { registerDefinition } from "./definition.ts";
import { registerFormatting } from "./formatting.ts";
import { registerHover } from "./hover.ts";
import { LANGUAGE_ID, registerLanguage, THEME_ID } from "./language.ts";
import { setMarkers } from "./markers.ts";
import { monaco } from "./setup.ts";
import { spanToRange } from "./text.ts";

export interface SessionOptions {
  /** the workers, already asked about `text` as version 1 (see main.tsx) */
  client: LanguageClient;
  /** their answers */
  store: AnalysisStore;
  text: string;
  fileName: string;
  /** the other .obc files of the contract's folder (see ProjectFiles) */
  project?: ProjectFiles;
  /** the cursor moved: its 0-based offset */
  onCursor?: (offset: number) => void;
  /** something to tell the user (e.g. the formatter refused) */
  onNotice?: (message: string) => void;
}

export class EditorSession {
  readonly store: AnalysisStore;
  readonly client: LanguageClient;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly model: monaco.editor.ITextModel;
  private fileName: string;
  /** the other .obc files of the contract's folder, for relative imports (bundled examples only) */
  private project: ProjectFiles = {};
  /** the cohort size of the summary's exposure figures */
  private cohortSize: number | undefined;
  /** an edit is waiting to be sent (edits of one task go together) */
  private editPending = false;
  /** the diagnostics shown as markers */
  private shown: unknown;
  private readonly disposables: monaco.IDisposable[] = [];

  constructor(container: HTMLElement, private readonly options: SessionOptions) {
    registerLanguage(monaco);
    this.fileName = options.fileName;
    this.project = options.project ?? {};
    this.client = options.client;
    this.store = options.store;
    this.model = monaco.editor.createModel(options.text, LANGUAGE_ID);
    this.editor = monaco.editor.create(container, {
      model: this.model,
      theme: THEME_ID,
      automaticLayout: true,
      fontSize: 14,
      lineHeight: 21,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      wordWrap: "on",
      wrappingIndent: "indent",
      tabSize: 2,
      renderWhitespace: "none",
      fixedOverflowWidgets: true,
      ariaLabel: "Contract text (OBC).",
      quickSuggestions: { other: true, comments: false, strings: true },
      // completion never fights typing: the list opens with nothing selected, so Enter starts
      // a new line; Down moves into the list, where Enter accepts; Tab accepts the first item
      suggest: { selectionMode: "never", showWords: false },
      wordBasedSuggestions: "off",
      lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.OnCode },
    });
    this.disposables.push(
      registerCompletion(monaco, this.store),
      registerHover(monaco, this.store),
      registerDefinition(monaco, this.store),
      registerCodeActions(monaco, this.store),
      registerFormatting(monaco, this.client, (msg) => options.onNotice?.(msg)),
      this.model.onDidChangeContent(() => this.edited()),
      this.editor.onDidChangeCursorPosition((e) => options.onCursor?.(this.model.getOffsetAt(e.position))),
    );
    const tabKey = this.shortcut("editor.action.toggleTabFocusMode");
    if (tabKey) this.editor.updateOptions({ ariaLabel: `Contract text (OBC). ${tabKey} lets Tab move the focus out of the editor.` });
    const unsubscribe = this.store.subscribe(() => this.showMarkers());
    this.disposables.push({ dispose: unsubscribe });
    // the workers were asked about the text as version 1 before the editor loaded
    if (this.model.getVersionId() !== 1) this.sendNow();
    performance.mark("obc:editor-created");
    this.showMarkers();
    void this.client.library().then((library) => this.store.setLibrary(library));
  }

  get text(): string {
    return this.model.getValue();
  }

  get file(): { fileName: string; project: ProjectFiles } {
    return { fileName: this.fileName, project: this.project };
  }

  /** The cohort size of the summary's exposure figures; the summary is written again. */
  setCohortSize(cohortSize: number | undefined): void {
    if (cohortSize === this.cohortSize) return;
    this.cohortSize = cohortSize;
    this.client.document(this.model.getVersionId(), this.model.getValue(), this.editOptions());
  }

  /** Replaces the whole text (open a file, load an example); undo still works. */
  setText(text: string, fileName: string, project: ProjectFiles = {}): void {
    this.fileName = fileName;
    this.project = project;
    const version = this.model.getVersionId();
    this.editor.pushUndoStop();
    this.editor.executeEdits("load", [{ range: this.model.getFullModelRange(), text }]);
    // the same text under another name: no edit event, but the workers must know
    if (this.model.getVersionId() === version) this.sendNow();
    this.editor.pushUndoStop();
    this.editor.setPosition({ lineNumber: 1, column: 1 });
    this.editor.revealLine(1);
  }

  /** Selects a span of the text and brings it into view. */
  select(span: { start: number; end: number }, focus = true): void {
    const range = spanToRange(this.model, span);
    this.editor.setSelection(range);
    this.editor.revealRangeInCenterIfOutsideViewport(range);
    if (focus) this.editor.focus();
  }

  reveal(range: monaco.IRange): void {
    this.editor.setSelection(range);
    this.editor.revealRangeInCenterIfOutsideViewport(range);
    this.editor.focus();
  }

  /** Simulates the current text (in the worker). */
  simulate(options: SimulationOptions): Promise<SimulateMessage> {
    return this.client.simulate(this.text, options, this.fileName, this.project);
  }

  /** Runs the current text on data files. */
  run(files: RunFile[], asOf?: string): Promise<RunMessage> {
    return this.client.run(this.text, files, this.fileName, this.project, asOf);
  }

  /**
   * The keys of an editor command as on this platform ("Ctrl+Shift+I" on Linux, "⇧⌥F" on a
   * Mac), from the editor's own keybindings; undefined when it has none.
   */
  shortcut(commandId: string): string | undefined {
    type Keybindings = { lookupKeybinding(id: string): { getLabel(): string | null } | undefined };
    const service = (this.editor as unknown as { _standaloneKeybindingService?: Keybindings })._standaloneKeybindingService;
    return service?.lookupKeybinding(commandId)?.getLabel() ?? undefined;
  }

  /** The summary as `obc summary FILE --format F` (with `--cohort N` once a cohort size is set) writes it. */
  exportSummary(format: DocFormat): Promise<ExportMessage> {
    return this.client.exportSummary(format, this.text, this.fileName, this.project, this.cohortSize);
  }

  async format(): Promise<void> {
    await this.editor.getAction("editor.action.formatDocument")?.run();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.editor.dispose();
    this.model.dispose();
  }

  /** The text changed: it goes to the workers once the current task is done. */
  private edited(): void {
    if (this.editPending) return;
    this.editPending = true;
    queueMicrotask(() => {
      this.editPending = false;
      this.sendNow();
    });
  }

  private sendNow(): void {
    this.client.edit(this.model.getVersionId(), this.model.getValue(), this.editOptions());
  }

  private editOptions() {
    return { fileName: this.fileName, project: this.project, ...(this.cohortSize !== undefined ? { cohortSize: this.cohortSize } : {}) };
  }

  /** Shows the diagnostics of the text in the editor as markers (once per answer). */
  private showMarkers(): void {
    const d = this.store.get().diagnostics;
    if (!d || d === this.shown || d.version !== this.model.getVersionId()) return;
    const first = this.shown === undefined;
    this.shown = d;
    setMarkers(monaco, this.model, d.diagnostics);
    if (first) {
      requestAnimationFrame(() => {
        performance.mark(FIRST_DIAGNOSTICS_MARK);
        // drawn: now the summary's worker may start (after this frame is painted)
        setTimeout(() => this.client.startDocuments(), 0);
      });
      // a hidden tab draws no frame
      if (document.visibilityState === "hidden") this.client.startDocuments();
    }
  }
}

/** The performance mark set when the first diagnostics are drawn (read by the benchmark). */
export const FIRST_DIAGNOSTICS_MARK = "obc:first-diagnostics";
