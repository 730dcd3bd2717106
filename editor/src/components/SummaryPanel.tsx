/**
 * The plain-language summary (engine/summary, written by the language worker): the same
 * document as `obc summary`. A click on a sentence selects its clause in the code; the
 * sentences about the text under the cursor are highlighted.
 */
import { useState } from "react";
import { EXAMPLES_MAX_CLAUSES } from "../service/limits.ts";
import type { DocFormat, ExportMessage, SummaryMessage } from "../service/protocol.ts";
import type { SummaryEntry } from "../summary-map.ts";
import { SummaryDocView } from "./SummaryDoc.tsx";

export interface SummaryPanelProps {
  summary?: SummaryMessage;
  entries: readonly SummaryEntry[];
  /** the ids (reading-order indices) of the sentences about the text under the cursor */
  active: ReadonlySet<number>;
  /** the most specific of them, brought into view */
  reveal?: number;
  onSelect: (entry: SummaryEntry) => void;
  /** the summary as `obc summary --format F` writes it, to download */
  onExport: (format: DocFormat) => Promise<ExportMessage>;
  /** saves the exported document */
  onDownload: (format: DocFormat, content: string | Uint8Array) => void;
}

const FORMATS: { format: DocFormat; label: string }[] = [
  { format: "docx", label: "Word" },
  { format: "html", label: "HTML" },
  { format: "md", label: "Markdown" },
];

export function SummaryPanel({ summary, entries, active, reveal, onSelect, onExport, onDownload }: SummaryPanelProps) {
  const [exporting, setExporting] = useState<DocFormat>();
  const [error, setError] = useState<string>();
  const exportAs = async (format: DocFormat) => {
    setExporting(format);
    try {
      const m = await onExport(format);
      setError(m.error);
      if (m.content !== undefined) onDownload(format, m.content);
    } finally {
      setExporting(undefined);
    }
  };
  const doc = summary?.doc;
  const examples = !doc
    ? undefined
    : summary.examples
      ? "The worked examples at the end were computed by the engine on students made up from the contract's thresholds."
      : summary.examplesLeftOut === "errors"
        ? "Worked examples are added once the contract has no errors."
        : summary.examplesLeftOut === "too-large"
          ? `Worked examples are left out while editing a contract with more than ${EXAMPLES_MAX_CLAUSES} clauses (they take too long to compute); obc summary prints them.`
          : "Worked examples are added when you pause typing.";
  return (
    <section className="summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">In plain words</h2>
      <div className="export-bar">
        <span className="small muted">Export the summary (as obc summary writes it):</span>
        {FORMATS.map((f) => (
          <button key={f.format} type="button" disabled={!summary?.doc || exporting !== undefined} onClick={() => void exportAs(f.format)}>
            {exporting === f.format ? "Exporting…" : f.label}
          </button>
        ))}
      </div>
      {error && <p className="error-text small" role="alert">{error}</p>}
      {!doc ? (
        <p className="muted">{summary?.error ?? "The summary appears here once the text holds a contract."}</p>
      ) : (
        <>
          <p className="muted small summary-note">
            Click a sentence to select the clause it renders; the sentences about the text under the cursor are highlighted.
            {" "}Exposure figures are for a cohort of {summary.cohortSize} students (change it in the Analysis tab). {examples}
          </p>
          <SummaryDocView
            doc={doc}
            active={active}
            {...(reveal !== undefined ? { reveal } : {})}
            onSelect={(i) => {
              const entry = entries[i];
              if (entry) onSelect(entry);
            }}
          />
        </>
      )}
    </section>
  );
}
