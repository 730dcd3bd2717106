/** The contract's clauses, cohort clauses and escalations; a click reveals one in the code. */
import type { OutlineItem } from "../service/protocol.ts";

export interface OutlineProps {
  items: OutlineItem[];
  activeId?: string;
  onSelect: (item: OutlineItem) => void;
}

export function Outline({ items, activeId, onSelect }: OutlineProps) {
  return (
    <nav className="outline" aria-labelledby="outline-heading">
      <h2 id="outline-heading">Clauses</h2>
      {items.length === 0 ? (
        <p className="muted">No clauses yet.</p>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={`${item.amendment ?? ""}:${item.id}:${item.span.start}`}>
              <button
                type="button"
                className={item.id === activeId ? "outline-item active" : "outline-item"}
                aria-current={item.id === activeId ? "true" : undefined}
                onClick={() => onSelect(item)}
                title={item.detail}
              >
                <span className="outline-name">{item.name}</span>
                <span className={`kind kind-${item.kind}`}>{item.kind}</span>
                <span className="outline-detail">
                  {item.detail}
                  {item.amendment ? ` · amendment ${item.amendment}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
