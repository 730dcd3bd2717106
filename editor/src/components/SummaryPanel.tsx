/** The plain-language summary: one sentence per clause; a click selects the clause in the code. */
import type { SummarySentence } from "../summary.ts";

export interface SummaryPanelProps {
  title?: string;
  sentences: SummarySentence[];
  activeId?: string;
  onSelect: (sentence: SummarySentence) => void;
}

export function SummaryPanel({ title, sentences, activeId, onSelect }: SummaryPanelProps) {
  return (
    <section className="summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">In plain words{title ? `: ${title}` : ""}</h2>
      {sentences.length === 0 ? (
        <p className="muted">The summary appears here once the text holds a contract with clauses.</p>
      ) : (
        <ol className="sentences">
          {sentences.map((s) => (
            <li key={`${s.id}:${s.span.start}`}>
              <button
                type="button"
                className={s.id === activeId ? "sentence active" : "sentence"}
                aria-current={s.id === activeId ? "true" : undefined}
                data-sentence={s.id}
                onClick={() => onSelect(s)}
              >
                {s.text}
              </button>
            </li>
          ))}
        </ol>
      )}
      <p className="muted small">
        Each sentence quotes the amounts and conditions as the contract writes them. Click a sentence to select its clause.
      </p>
    </section>
  );
}
