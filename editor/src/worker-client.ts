/**
 * The main thread's side of the two workers: each edit goes to the check worker (diagnostics,
 * names), then to the document worker (summary, bounds); runs, formatting, the template library,
 * comparisons and simulations are promises. Answers to an older version of the text are dropped.
 */
import CheckWorker from "./check.worker.ts?worker";
import DocumentWorker from "./documents.worker.ts?worker";
import type {
  AnalysisMessage, BoundsMessage, CheckRequest, DiagnosticsMessage, DiffMessage, DiffSide, DocFormat, DocumentRequest, ExportMessage, FormatMessage, LibraryMessage, ProjectFiles,
  RunFile, RunMessage, SimulateMessage, SimulationOptions, SummaryMessage, WorkerResponse,
} from "./service/protocol.ts";

/** the document worker starts by then even if the editor has not shown diagnostics yet */
const DOCUMENTS_AT_THE_LATEST_MS = 10_000;
/** an edit goes to the document worker by then even if its diagnostics have not come */
const DOCUMENT_AFTER_CHECK_MS = 1000;

export interface WorkerListeners {
  onDiagnostics(message: DiagnosticsMessage): void;
  onAnalysis(message: AnalysisMessage): void;
  onSummary(message: SummaryMessage): void;
  onBounds(message: BoundsMessage): void;
}

type Answer = RunMessage | FormatMessage | LibraryMessage | DiffMessage | SimulateMessage | ExportMessage;

export interface EditOptions {
  fileName: string;
  project: ProjectFiles;
  /** the cohort size of the summary's exposure figures */
  cohortSize?: number;
}

export class LanguageClient {
  private readonly check: Worker;
  /**
   * Started once the first diagnostics are drawn ({@link startDocuments}), or when a run,
   * comparison, simulation or export is asked for, or after {@link DOCUMENTS_AT_THE_LATEST_MS}:
   * its script (the engine, the summary) and its first summary must not delay them.
   */
  private documents: Worker | undefined;
  /** document requests made before then, in order */
  private readonly early: DocumentRequest[] = [];
  /** the newest edit, sent to the document worker once its diagnostics are in */
  private editWaiting: { version: number; text: string; options: EditOptions; timer: ReturnType<typeof setTimeout> } | undefined;
  private nextId = 1;
  private latestVersion = -1;
  private readonly waiting = new Map<number, (m: Answer) => void>();
  private readonly startAtTheLatest: ReturnType<typeof setTimeout>;
  private disposed = false;

  constructor(private readonly listeners: WorkerListeners) {
    this.check = new CheckWorker({ name: "obc-check" });
    this.check.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    this.startAtTheLatest = setTimeout(() => this.startDocuments(), DOCUMENTS_AT_THE_LATEST_MS);
  }

  /** Starts the document worker (once) and sends it the requests made until then. */
  startDocuments(): void {
    if (this.documents || this.disposed) return;
    clearTimeout(this.startAtTheLatest);
    const worker = new DocumentWorker({ name: "obc-documents" });
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    this.documents = worker;
    for (const m of this.early.splice(0)) worker.postMessage(m);
  }

  /**
   * Sends the text of an edit to the check worker, then to the document worker once its
   * diagnostics are in (or after {@link DOCUMENT_AFTER_CHECK_MS}), so that the summary never
   * takes a core from the check of a keystroke; answers for older versions are ignored.
   */
  edit(version: number, text: string, options: EditOptions): void {
    this.latestVersion = version;
    const { fileName, project } = options;
    this.postCheck({ type: "check", version, text, fileName, project });
    if (this.editWaiting) clearTimeout(this.editWaiting.timer);
    this.editWaiting = { version, text, options, timer: setTimeout(() => this.sendWaitingEdit(), DOCUMENT_AFTER_CHECK_MS) };
  }

  private sendWaitingEdit(): void {
    const waiting = this.editWaiting;
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.editWaiting = undefined;
    this.document(waiting.version, waiting.text, waiting.options);
  }

  /** Asks the document worker again for the same text (e.g. another cohort size). */
  document(version: number, text: string, options: EditOptions): void {
    const { fileName, project, cohortSize } = options;
    this.postDocument({ type: "document", version, text, fileName, project, ...(cohortSize !== undefined ? { cohortSize } : {}) });
  }

  run(text: string, files: RunFile[], fileName: string, project: ProjectFiles, asOf?: string): Promise<RunMessage> {
    const id = this.nextId++;
    return this.request<RunMessage>(() => this.postDocument({ type: "run", id, text, files, fileName, project, ...(asOf ? { asOf } : {}) }), id);
  }

  format(text: string): Promise<FormatMessage> {
    const id = this.nextId++;
    return this.request<FormatMessage>(() => this.postCheck({ type: "format", id, text }), id);
  }

  /** The template library: names, parameters and docs (read once by the check worker). */
  library(): Promise<LibraryMessage> {
    const id = this.nextId++;
    return this.request<LibraryMessage>(() => this.postCheck({ type: "library", id }), id);
  }

  /** The changes from `old` to `new`, as sentences. */
  diff(old: DiffSide, next: DiffSide): Promise<DiffMessage> {
    const id = this.nextId++;
    return this.request<DiffMessage>(() => this.postDocument({ type: "diff", id, old, new: next }), id);
  }

  /** Pricing by simulation, in the document worker. */
  simulate(text: string, options: SimulationOptions, fileName: string, project: ProjectFiles): Promise<SimulateMessage> {
    const id = this.nextId++;
    return this.request<SimulateMessage>(() => this.postDocument({ type: "simulate", id, text, options, fileName, project }), id);
  }

  /** The summary as `obc summary --format F` writes it. */
  exportSummary(format: DocFormat, text: string, fileName: string, project: ProjectFiles, cohortSize?: number): Promise<ExportMessage> {
    const id = this.nextId++;
    return this.request<ExportMessage>(() => this.postDocument({ type: "export-summary", id, format, text, fileName, project, ...(cohortSize !== undefined ? { cohortSize } : {}) }), id);
  }

  /** A comparison as `obc diff OLD NEW --format F` writes it. */
  exportDiff(format: DocFormat, old: DiffSide & { name: string }, next: DiffSide & { name: string }): Promise<ExportMessage> {
    const id = this.nextId++;
    return this.request<ExportMessage>(() => this.postDocument({ type: "export-diff", id, format, old, new: next }), id);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.startAtTheLatest);
    if (this.editWaiting) clearTimeout(this.editWaiting.timer);
    this.editWaiting = undefined;
    this.check.terminate();
    this.documents?.terminate();
  }

  private request<T extends Answer>(send: () => void, id: number): Promise<T> {
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (m: Answer) => void);
      send();
    });
  }

  private postCheck(message: CheckRequest): void {
    this.check.postMessage(message);
  }

  private postDocument(message: DocumentRequest): void {
    // a run, comparison, simulation or export: the user waits for the answer
    if (message.type !== "document") this.startDocuments();
    if (this.documents) this.documents.postMessage(message);
    else this.early.push(message);
  }

  private receive(m: WorkerResponse): void {
    switch (m.type) {
      case "diagnostics":
        if (m.version !== this.latestVersion) return;
        this.listeners.onDiagnostics(m);
        if (this.editWaiting?.version === m.version) this.sendWaitingEdit();
        return;
      case "analysis":
        if (m.version === this.latestVersion) this.listeners.onAnalysis(m);
        return;
      case "summary":
        if (m.version === this.latestVersion) this.listeners.onSummary(m);
        return;
      case "bounds":
        if (m.version === this.latestVersion) this.listeners.onBounds(m);
        return;
      default: {
        const resolve = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        resolve?.(m);
      }
    }
  }
}
