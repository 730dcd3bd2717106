/**
 * One editing session: the Monaco editor on a model of the contract, the language worker
 * behind it, and the providers. Each edit is sent to the worker after a short pause
 * (debounced); its answers become markers and the store's analysis.
 */
import type { ProjectFiles, RunFile, RunMessage, SimulateMessage, SimulationOptions } from "../service/protocol.ts";
import { AnalysisStore } from "../store.ts";
import { LanguageClient } from "../worker-client.ts";
import { registerCodeActions } from "./code-actions.ts";
import { registerCompletion } from "./completion.ts";
import { registerDefinition } from "./definition.ts";
import { registerFormatting } from "./formatting.ts";
import { registerHover } from "./hover.ts";
import { LANGUAGE_ID, registerLanguage, THEME_ID } from "./language.ts";
import { setMarkers } from "./markers.ts";
import { monaco } from "./setup.ts";
import { spanToRange } from "./text.ts";

export const DEBOUNCE_MS = 150;

export interface SessionOptions {
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
  readonly store = new AnalysisStore();
  readonly client: LanguageClient;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly model: monaco.editor.ITextModel;
  private fileName: string;
  /** the other .obc files of the contract's folder, for relative imports (bundled examples only) */
  private project: ProjectFiles = {};
  /** the cohort size of the summary's exposure figures */
  private cohortSize: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: monaco.IDisposable[] = [];

  constructor(container: HTMLElement, private readonly options: SessionOptions) {
    registerLanguage(monaco);
    this.fileName = options.fileName;
    this.project = options.project ?? {};
    this.client = new LanguageClient({
      onDiagnostics: (m) => {
        if (m.version !== this.model.getVersionId()) return;
        setMarkers(monaco, this.model, m.diagnostics);
        this.store.setDiagnostics(m);
      },
      onAnalysis: (m) => {
        if (m.version === this.model.getVersionId()) this.store.setAnalysis(m);
      },
      onSummary: (m) => {
        if (m.version === this.model.getVersionId()) this.store.setSummary(m);
      },
      onBounds: (m) => {
        if (m.version === this.model.getVersionId()) this.store.setBounds(m);
      },
    });
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
      ariaLabel: "Contract text (OBC). Press Ctrl+M to let Tab move the focus out of the editor, Alt+F1 for accessibility help.",
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
      this.model.onDidChangeContent(() => this.schedule()),
      this.editor.onDidChangeCursorPosition((e) => options.onCursor?.(this.model.getOffsetAt(e.position))),
    );
    this.analyzeNow();
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
    this.schedule();
  }

  /** Replaces the whole text (open a file, load an example); undo still works. */
  setText(text: string, fileName: string, project: ProjectFiles = {}): void {
    this.fileName = fileName;
    this.project = project;
    this.editor.pushUndoStop();
    this.editor.executeEdits("load", [{ range: this.model.getFullModelRange(), text }]);
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

  async format(): Promise<void> {
    await this.editor.getAction("editor.action.formatDocument")?.run();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.editor.dispose();
    this.model.dispose();
    this.client.dispose();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.analyzeNow(), DEBOUNCE_MS);
  }

  private analyzeNow(): void {
    this.client.analyze(this.model.getVersionId(), this.model.getValue(), {
      fileName: this.fileName,
      project: this.project,
      ...(this.cohortSize !== undefined ? { cohortSize: this.cohortSize } : {}),
    });
  }
}
