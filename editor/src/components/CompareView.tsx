/**
 * "Compare with…": this contract beside another version of it (the text as opened, a
 * bundled example, or a file), as a Monaco diff editor of the two texts and the changes in
 * sentences (engine/diff, computed by the language worker). The contract's side stays
 * editable: the changes follow each edit. A click on a change selects it in both texts.
 */
import { useEffect, useId, useRef, useState } from "react";
import { findExample } from "../examples.ts";
import { ExampleOptions } from "./ExampleOptions.tsx";
import { LANGUAGE_ID, THEME_ID } from "../monaco/language.ts";
import type { EditorSession } from "../monaco/session.ts";
import { monaco } from "../monaco/setup.ts";
import { spanToRange } from "../monaco/text.ts";
import { baseName, download } from "../download.ts";
import type { ChangeArea, DiffMessage, DiffResult, DocFormat, ProjectFiles, Span } from "../service/protocol.ts";

export interface Version {
  name: string;
  text: string;
  project: ProjectFiles;
}

export interface CompareViewProps {
  session: EditorSession;
  fileName: string;
  /** the text as it was opened or loaded */
  opened: Version;
}

/** The areas of a comparison, in the order they are listed, with their headings. */
const AREAS: Record<ChangeArea, string> = {
  contract: "The contract",
  parties: "Parties",
  term: "Term",
  currency: "Currency",
  rounding: "Rounding",
  data: "Data the contract reads",
  groups: "Groups of students",
  definitions: "Definitions",
  clauses: "Payments for each student",
  cohort: "Cohort payments",
  weights: "Weights",
  caps: "Caps",
  floor: "Floor",
  funding: "Funding",
  settlement: "Settlement",
  escalation: "Escalation protocol",
  routines: "Data sharing and check-ins",
  governance: "Governance",
  tracked: "Metrics tracked but not paid",
  templates: "Templates",
  amendments: "Amendments",
  figures: "Effect on the key figures",
};

const DIFF_DEBOUNCE_MS = 250;
const MODEL_GRACE_MS = 10_000;

function versionLabel(v: { title: string; version?: string }): string {
  return `“${v.title}”${v.version ? ` version ${v.version}` : ""}`;
}

function errorsNote(n: number, which: string): string | undefined {
  return n > 0 ? `${which} has ${n} error${n === 1 ? "" : "s"}: the comparison may be incomplete.` : undefined;
}

export function CompareView({ session, fileName, opened }: CompareViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const diffEditor = useRef<monaco.editor.IStandaloneDiffEditor>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const selectId = useId();
  const [choice, setChoice] = useState("opened");
  const [file, setFile] = useState<Version>();
  const [swapped, setSwapped] = useState(false);
  const [answer, setAnswer] = useState<DiffMessage>();
  const [pending, setPending] = useState(false);
  const [exportError, setExportError] = useState<string>();

  const example = choice.startsWith("example:") ? findExample(choice.slice("example:".length)) : undefined;
  const other: Version | undefined =
    choice === "opened" ? opened : choice === "file" ? file : example ? { name: example.id, text: example.text, project: example.project } : undefined;
  const current = `${fileName} (in the editor)`;
  const [older, newer] = swapped ? [current, other?.name] : [other?.name, current];

  // the diff editor: the earlier version on the left, the later on the right
  useEffect(() => {
    if (!container.current || !other) return;
    const otherModel = monaco.editor.createModel(other.text, LANGUAGE_ID);
    const editor = monaco.editor.createDiffEditor(container.current, {
      theme: THEME_ID,
      automaticLayout: true,
      renderSideBySide: true,
      useInlineViewWhenSpaceIsLimited: false,
      originalEditable: swapped,
      readOnly: swapped,
      wordWrap: "on",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 13,
      renderOverviewRuler: false,
      ariaLabel: "The two versions of the contract, side by side",
    });
    editor.setModel(swapped ? { original: session.model, modified: otherModel } : { original: otherModel, modified: session.model });
    diffEditor.current = editor;
    return () => {
      diffEditor.current = null;
      editor.setModel(null);
      editor.dispose();
      // a diff the editor worker is still computing needs the model until it answers
      setTimeout(() => otherModel.dispose(), MODEL_GRACE_MS);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new diff editor per version compared
  }, [session, other?.text, swapped]);

  // the changes in sentences, again after each edit of the contract
  useEffect(() => {
    if (!other) {
      setAnswer(undefined);
      return;
    }
    let latest = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const compare = () => {
      const id = ++latest;
      const mine = { text: session.text, fileName: session.file.fileName, project: session.file.project };
      const theirs = { text: other.text, fileName: other.name.split("/").pop() ?? "contract.obc", project: other.project };
      setPending(true);
      // the diff is old → new: when swapped, the other version is the later one
      void session.client.diff(swapped ? mine : theirs, swapped ? theirs : mine).then((m) => {
        if (id !== latest) return;
        setAnswer(m);
        setPending(false);
      });
    };
    compare();
    const sub = session.model.onDidChangeContent(() => {
      clearTimeout(timer);
      timer = setTimeout(compare, DIFF_DEBOUNCE_MS);
    });
    return () => {
      latest = -1;
      clearTimeout(timer);
      sub.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session, other?.text, swapped]);

  const reveal = (oldSpan?: Span, newSpan?: Span) => {
    const editor = diffEditor.current;
    if (!editor) return;
    const pairs: [monaco.editor.ICodeEditor, Span | undefined][] = [[editor.getOriginalEditor(), oldSpan], [editor.getModifiedEditor(), newSpan]];
    for (const [side, span] of pairs) {
      const model = side.getModel();
      if (!span || !model) continue;
      const range = spanToRange(model, span);
      side.setSelection(range);
      side.revealRangeInCenterIfOutsideViewport(range);
    }
    (newSpan ? editor.getModifiedEditor() : editor.getOriginalEditor()).focus();
  };

  /** The comparison as `obc diff OLD NEW --format md|docx` writes it. */
  const exportAs = async (format: DocFormat) => {
    if (!other) return;
    const mine = { text: session.text, fileName: session.file.fileName, project: session.file.project, name: fileName };
    const theirs = { text: other.text, fileName: other.name.split("/").pop() ?? "contract.obc", project: other.project, name: other.name };
    const m = await session.client.exportDiff(format, swapped ? mine : theirs, swapped ? theirs : mine);
    if (m.content === undefined) return setExportError(m.error);
    setExportError(undefined);
    download(`${baseName(fileName)}-comparison.${format}`, m.content, format === "docx" ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : "text/markdown;charset=utf-8");
  };

  const openFile = async (files: FileList | null) => {
    const f = files?.[0];
    if (!f) return;
    setFile({ name: f.name, text: await f.text(), project: {} });
    setChoice("file");
    if (fileInput.current) fileInput.current.value = "";
  };

  const result: DiffResult | undefined = answer?.result;
  const notes = answer
    ? [errorsNote(swapped ? answer.newErrors : answer.oldErrors, "The other version"), errorsNote(swapped ? answer.oldErrors : answer.newErrors, "This contract")].filter(Boolean)
    : [];
  const areas = result ? (Object.keys(AREAS) as ChangeArea[]).filter((a) => result.changes.some((c) => c.area === a)) : [];

  return (
    <main className="compare" aria-labelledby="compare-heading">
      <div className="compare-bar">
        <h2 id="compare-heading">Compare versions</h2>
        <div className="field inline">
          <label htmlFor={selectId}>Other version</label>
          <select id={selectId} value={choice} onChange={(e) => (e.target.value === "pick-file" ? fileInput.current?.click() : setChoice(e.target.value))} data-testid="compare-with">
            <option value="opened">The text as opened ({opened.name})</option>
            {file && <option value="file">File: {file.name}</option>}
            <option value="pick-file">A file on this computer…</option>
            <ExampleOptions />
          </select>
        </div>
        <input ref={fileInput} className="sr-only" tabIndex={-1} aria-hidden="true" type="file" accept=".obc,text/plain" onChange={(e) => void openFile(e.target.files)} />
        <button type="button" onClick={() => setSwapped((s) => !s)} title="Swap which version is the earlier one">Swap earlier and later</button>
        <span className="export-bar">
          <span className="small muted">Export the comparison:</span>
          <button type="button" disabled={!result} onClick={() => void exportAs("md")}>Markdown</button>
          <button type="button" disabled={!result} onClick={() => void exportAs("docx")}>Word</button>
        </span>
        {exportError && <span className="error-text small" role="alert">{exportError}</span>}
      </div>
      <div className="compare-body">
        <section className="compare-texts" aria-label="The two texts">
          <div className="compare-heads" aria-hidden="true">
            <span>Earlier: {older ?? "—"}</span>
            <span>Later: {newer ?? "—"}</span>
          </div>
          <div className="diff-editor" ref={container} />
        </section>
        <section className="compare-changes" aria-labelledby="changes-heading" aria-busy={pending}>
          <h2 id="changes-heading">What changes</h2>
          {!other && <p className="muted">Choose the other version.</p>}
          {answer?.error && <p className="error-text">{answer.error}</p>}
          {notes.map((n) => <p key={n} className="notice-inline">{n}</p>)}
          {result && result.equal && <p className="ok">The two versions say the same thing: no term, amount, date, threshold or obligation differs.</p>}
          {result && !result.equal && (
            <>
              <p className="muted small">
                {result.changes.length} change{result.changes.length === 1 ? "" : "s"}
                {versionLabel(result.old) !== versionLabel(result.new) ? ` from ${versionLabel(result.old)} to ${versionLabel(result.new)}` : ""}. Click a
                change to select it in both texts.
              </p>
              {areas.map((area) => (
                <section key={area} className="change-area">
                  <h3>{AREAS[area]}</h3>
                  <ul className="changes">
                    {result.changes.filter((c) => c.area === area).map((c, i) => (
                      <li key={i} className={`change change-${c.kind}`}>
                        {c.oldSpan || c.newSpan ? (
                          <button type="button" className="change-text" onClick={() => reveal(c.oldSpan, c.newSpan)}>
                            {c.text}
                          </button>
                        ) : (
                          <span className="change-text">{c.text}</span>
                        )}
                        {c.details && c.details.length > 0 && (
                          <ul className="change-details">
                            {c.details.map((d, j) => <li key={j}>{d}</li>)}
                          </ul>
                        )}
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </>
          )}
        </section>
      </div>
    </main>
  );
}
