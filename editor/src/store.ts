/**
 * The latest answers of the language worker, shared by the Monaco providers (which read
 * it synchronously) and the React panels (which subscribe to it).
 */
import type { AnalysisMessage, BoundsMessage, DiagnosticsMessage, LibraryMessage, SummaryMessage } from "./service/protocol.ts";
import { summaryEntries, type SummaryEntry } from "./summary-map.ts";

export interface Snapshot {
  diagnostics?: DiagnosticsMessage;
  analysis?: AnalysisMessage;
  summary?: SummaryMessage;
  /** the summary's linked sentences, in reading order */
  summaryEntries?: SummaryEntry[];
  bounds?: BoundsMessage;
  /** the template library (once, at start) */
  library?: LibraryMessage;
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
    this.set({ diagnostics });
  }

  setAnalysis(analysis: AnalysisMessage): void {
    this.set({ analysis });
  }

  /** A summary without a document (no contract) keeps nothing of the previous one. */
  setSummary(summary: SummaryMessage): void {
    this.set({ summary, summaryEntries: summaryEntries(summary.doc) });
  }

  setBounds(bounds: BoundsMessage): void {
    this.set({ bounds });
  }

  setLibrary(library: LibraryMessage): void {
    this.set({ library });
  }

  private set(part: Partial<Snapshot>): void {
    this.snapshot = { ...this.snapshot, ...part };
    for (const l of this.listeners) l();
  }
}
