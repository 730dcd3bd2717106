/**
 * The main thread's side of the language worker: sends edits, and returns promises for
 * runs and formatting. Answers to an older version of the text are dropped.
 */
import ObcWorker from "./obc.worker.ts?worker";
import type { AnalysisMessage, BoundsMessage, DiagnosticsMessage, FormatMessage, ProjectFiles, RunFile, RunMessage, WorkerRequest, WorkerResponse } from "./service/protocol.ts";

export interface WorkerListeners {
  onDiagnostics(message: DiagnosticsMessage): void;
  onAnalysis(message: AnalysisMessage): void;
  onBounds(message: BoundsMessage): void;
}

export class LanguageClient {
  private readonly worker: Worker;
  private nextId = 1;
  private latestVersion = -1;
  private readonly waiting = new Map<number, (m: RunMessage | FormatMessage) => void>();

  constructor(private readonly listeners: WorkerListeners) {
    this.worker = new ObcWorker();
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
  }

  /** Sends the text of an edit; answers for older versions are ignored. */
  analyze(version: number, text: string, fileName: string, project: ProjectFiles): void {
    this.latestVersion = version;
    this.send({ type: "analyze", version, text, fileName, project });
  }

  run(text: string, files: RunFile[], fileName: string, project: ProjectFiles, asOf?: string): Promise<RunMessage> {
    const id = this.nextId++;
    return this.request<RunMessage>({ type: "run", id, text, files, fileName, project, ...(asOf ? { asOf } : {}) }, id);
  }

  format(text: string): Promise<FormatMessage> {
    const id = this.nextId++;
    return this.request<FormatMessage>({ type: "format", id, text }, id);
  }

  dispose(): void {
    this.worker.terminate();
  }

  private request<T extends RunMessage | FormatMessage>(message: WorkerRequest, id: number): Promise<T> {
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (m: RunMessage | FormatMessage) => void);
      this.send(message);
    });
  }

  private send(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private receive(m: WorkerResponse): void {
    if (m.type === "diagnostics") {
      if (m.version === this.latestVersion) this.listeners.onDiagnostics(m);
    } else if (m.type === "analysis") {
      if (m.version === this.latestVersion) this.listeners.onAnalysis(m);
    } else if (m.type === "bounds") {
      if (m.version === this.latestVersion) this.listeners.onBounds(m);
    } else {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.(m);
    }
  }
}
