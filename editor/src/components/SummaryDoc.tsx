/**
 * A `SummaryDoc` (engine/summary/model.ts) in React: the title block, numbered sections,
 * paragraphs, lists, definitions and tables. Every sentence (and table cell) with a source
 * range is a link to the contract: a click, Enter or Space selects its source; arrow keys
 * move between the sentences (one tab stop for the whole document).
 *
 * Sentence ids are their positions in reading order, the order of `summaryEntries(doc)`
 * and of `sourceMap(doc)`.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import type { Block, Cell, Section, Sentence, SummaryDoc } from "../../../engine/summary/model.ts";
import { summaryEntries } from "../summary-map.ts";

export interface SummaryDocViewProps {
  doc: SummaryDoc;
  /** the ids of the sentences to highlight */
  active?: ReadonlySet<number>;
  /** the id of the sentence to bring into view (when it changes) */
  reveal?: number;
  /** a sentence was chosen: its id */
  onSelect: (index: number) => void;
  /** show the title and subtitle (default true) */
  heading?: boolean;
  /** the heading level of the top sections (default 3) */
  level?: number;
  /** a label for the sentences, read by screen readers: "Select in the contract" */
  linkLabel?: string;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
/** the height (px) of a sticky header over the scrolled panel */
const STICKY_TOP = 48;

function scrollParent(el: HTMLElement): HTMLElement | undefined {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const overflow = getComputedStyle(p).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && p.scrollHeight > p.clientHeight) return p;
  }
  return undefined;
}

export function SummaryDocView({ doc, active, reveal, onSelect, heading = true, level = 3, linkLabel = "select its source in the contract" }: SummaryDocViewProps) {
  const root = useRef<HTMLDivElement>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const total = useMemo(() => summaryEntries(doc).length, [doc]);
  // the one sentence in the tab order
  const tabStop = focusIndex < total ? focusIndex : 0;

  // bring the sentence into view when it changes, centred, unless it is already in view
  useEffect(() => {
    if (reveal === undefined) return;
    const el = root.current?.querySelector<HTMLElement>(`[data-i="${reveal}"]`);
    if (!el || el.offsetParent === null) return; // the panel is hidden
    const scroller = scrollParent(el);
    if (!scroller) return;
    const box = scroller.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    // the panel's sticky tab list covers its top
    if (r.top < box.top + STICKY_TOP || r.bottom > box.bottom) el.scrollIntoView({ block: "center" });
  }, [reveal]);

  let counter = 0;
  const link = (s: { text: string; span?: unknown }, children?: ReactNode): ReactNode => {
    if (!s.span) return children ?? s.text;
    const i = counter++;
    const on = active?.has(i) ?? false;
    return (
      <span
        key={`s${i}`}
        className={on ? "s active" : "s"}
        data-i={i}
        role="button"
        tabIndex={i === tabStop ? 0 : -1}
        aria-current={on ? "true" : undefined}
        aria-description={linkLabel}
      >
        {children ?? s.text}
      </span>
    );
  };
  const sentences = (ss: Sentence[]): ReactNode[] => ss.flatMap((s, i) => (i === 0 ? [link(s)] : [" ", link(s)]));

  const block = (b: Block, key: string): ReactNode => {
    switch (b.type) {
      case "paragraph":
        return <p key={key}>{sentences(b.sentences)}</p>;
      case "definition": {
        const [first, ...rest] = b.sentences;
        const quoted = `\u201c${b.term}\u201d`;
        const head = first && first.text.startsWith(quoted)
          ? link(first, <><strong className="term">{quoted}</strong>{first.text.slice(quoted.length)}</>)
          : first ? link(first) : null;
        return <p key={key} className="definition">{head}{rest.length > 0 ? [" ", ...sentences(rest)] : null}</p>;
      }
      case "list": {
        const items = b.items.map((item, i) => (
          <li key={i}>
            {b.style === "letters" ? <span className="list-label">({LETTERS[i % 26]}) </span> : null}
            {sentences(item)}
          </li>
        ));
        if (b.style === "bullets") return <ul key={key}>{items}</ul>;
        return <ol key={key} className={b.style === "letters" ? "letters" : undefined}>{items}</ol>;
      }
      case "table":
        return (
          <div className="table-scroll" key={key}>
            <table className="data">
              {b.caption ? <caption>{b.caption}</caption> : null}
              {b.header.length > 0 && (
                <thead>
                  <tr>{b.header.map((h, i) => <th key={i} scope="col">{h}</th>)}</tr>
                </thead>
              )}
              <tbody>
                {b.rows.map((r: Cell[], i) => (
                  <tr key={i}>{r.map((c, j) => <td key={j}>{link(c)}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        );
    }
  };

  const section = (s: Section, depth: number): ReactNode => {
    const H = `h${Math.min(6, level + depth)}` as "h3";
    return (
      <section key={s.number} className="doc-section">
        <H>
          <span className="num">{s.number}{s.number.includes(".") ? "" : "."}</span> {s.title}
        </H>
        {s.blocks.map((b, i) => block(b, `b${i}`))}
        {s.sections.map((sub) => section(sub, depth + 1))}
      </section>
    );
  };

  const titleRows = doc.titleBlock.map((r, i) => (
    <tr key={i}>
      <th scope="row">{r.label}</th>
      <td>{link(r.value)}</td>
    </tr>
  ));
  const body = doc.sections.map((s) => section(s, 0));

  const items = () => [...(root.current?.querySelectorAll<HTMLElement>("[data-i]") ?? [])];
  const indexOf = (el: EventTarget | null): number | undefined => {
    const target = (el as HTMLElement | null)?.closest?.("[data-i]");
    return target ? Number(target.getAttribute("data-i")) : undefined;
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const i = indexOf(e.target);
    if (i === undefined) return;
    setFocusIndex(i);
    onSelect(i);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = indexOf(e.target);
    if (i === undefined) return;
    const all = items();
    const at = all.findIndex((el) => Number(el.getAttribute("data-i")) === i);
    const move = e.key === "ArrowDown" || e.key === "ArrowRight" ? 1 : e.key === "ArrowUp" || e.key === "ArrowLeft" ? -1 : 0;
    let next: HTMLElement | undefined;
    if (move !== 0) next = all[Math.max(0, Math.min(all.length - 1, at + move))];
    else if (e.key === "Home") next = all[0];
    else if (e.key === "End") next = all[all.length - 1];
    else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onSelect(i);
      return;
    } else return;
    e.preventDefault();
    if (next) {
      setFocusIndex(Number(next.getAttribute("data-i")));
      next.focus();
    }
  };

  return (
    // the sentences inside are the controls; their clicks and keys are handled here (event delegation)
    <div className="summary-doc" ref={root} onClick={onClick} onKeyDown={onKeyDown}>
      {heading && (
        <>
          <p className="doc-title">{doc.title}</p>
          <p className="muted small">{doc.subtitle}</p>
        </>
      )}
      {titleRows.length > 0 && (
        <table className="data title-block">
          <tbody>{titleRows}</tbody>
        </table>
      )}
      {body}
    </div>
  );
}
