/**
 * The main thread's side of the language worker: sends edits, and returns promises for
 * runs, formatting, the template library and comparisons. Answers to an older version of
 * the text are dropped.
 */
import ObcWorker from "./obc.worker.ts?worker";
import type {
  AnalysisMessage, BoundsMessage, DiagnosticsMessage, DiffMessage, DiffSide, FormatMessage, LibraryMessage, ProjectFiles, RunFile, RunMessage,
  SimulateMessage, SimulationOptions, SummaryMessage, WorkerRequest, WorkerResponse,
} from "./service/protocol.ts";

export interface WorkerListeners {
  onDiagnostics(message: DiagnosticsMessage): void;
  onAnalysis(message: AnalysisMessage): void;
  onSummary(message: SummaryMessage): void;
  onBounds(message: BoundsMessage): void;
}

type Answer = RunMessage | FormatMessage | LibraryMessage | DiffMessage | SimulateMessage;

export interface AnalyzeOptions {
  fileName: string;
  project: ProjectFiles;
  /** the cohort size of the summary's exposure figures */
  cohortSize?: number;
}

export class LanguageClient {
  private readonly worker: Worker;
  private nextId = 1;
  private latestVersion = -1;
  private readonly waiting = new Map<number, (m: Answer) => void>();

  constructor(private readonly listeners: WorkerListeners) {
    this.worker = new ObcWorker();
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
  }

  /** Sends the text of an edit; answers for older versions are ignored. */
  analyze(version: number, text: string, options: AnalyzeOptions): void {
    this.latestVersion = version;
    const { fileName, project, cohortSize } = options;
    this.send({ type: "analyze", version, text, fileName, project, ...(cohortSize !== undefined ? { cohortSize } : {}) });
  }

  run(text: string, files: RunFile[], fileName: string, project: ProjectFiles, asOf?: string): Promise<RunMessage> {
    const id = this.nextId++;
    return this.request<RunMessage>({ type: "run", id, text, files, fileName, project, ...(asOf ? { asOf } : {}) }, id);
  }

  format(text: string): Promise<FormatMessage> {
    const id = this.nextId++;
    return this.request<FormatMessage>({ type: "format", id, text }, id);
  }

  /** The template library: names, parameters and docs (read once by the worker). */
  library(): Promise<LibraryMessage> {
    const id = this.nextId++;
    return this.request<LibraryMessage>({ type: "library", id }, id);
  }

  /** The changes from `old` to `new`, as sentences. */
  diff(old: DiffSide, next: DiffSide): Promise<DiffMessage> {
    const id = this.nextId++;
    return this.request<DiffMessage>({ type: "diff", id, old, new: next }, id);
  }

  /** Pricing by simulation, in the worker. */
  simulate(text: string, options: SimulationOptions, fileName: string, project: ProjectFiles): Promise<SimulateMessage> {
    const id = this.nextId++;
    return this.request<SimulateMessage>({ type: "simulate", id, text, options, fileName, project }, id);
  }

  dispose(): void {
    this.worker.terminate();
  }

  private request<T extends Answer>(message: WorkerRequest, id: number): Promise<T> {
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (m: Answer) => void);
      this.send(message);
    });
  }

  private send(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private receive(m: WorkerResponse): void {
    switch (m.type) {
      case "diagnostics":
        if (m.version === this.latestVersion) this.listeners.onDiagnostics(m);
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
