/**
 * The latest answers of the language worker, shared by the Monaco providers (which read
 * it synchronously) and the React panels (which subscribe to it).
 */
import type { AnalysisMessage, BoundsMessage, DiagnosticsMessage } from "./service/protocol.ts";

export interface Snapshot {
  diagnostics?: DiagnosticsMessage;
  analysis?: AnalysisMessage;
  bounds?: BoundsMessage;
}

export class AnalysisStore {
  private snapshot: Snapshot = {};
  private readonly listeners = new Set<() => void>();

  get = (): Snapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  setDiagnostics(diagnostics: DiagnosticsMessage): void {
    this.snapshot = { ...this.snapshot, diagnostics };
    this.emit();
  }

  setAnalysis(analysis: AnalysisMessage): void {
    this.snapshot = { ...this.snapshot, analysis };
    this.emit();
  }

  setBounds(bounds: BoundsMessage): void {
    this.snapshot = { ...this.snapshot, bounds };
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
