/**
 * The editor's screen: toolbar; the clauses, the code and its problems; and the panels
 * (summary, analysis, run) beside the code. "Compare with…" puts the comparison of two
 * versions in place of this layout (the editor stays mounted, hidden).
 */
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { CodeEditor } from "./components/CodeEditor.tsx";
import { Divider, usePanelsWidth } from "./components/Divider.tsx";
import type { Version } from "./components/CompareView.tsx";
import { Outline as OutlineView } from "./components/Outline.tsx";
import { ProblemsPanel as ProblemsView } from "./components/ProblemsPanel.tsx";
import { SummaryPanel as SummaryView } from "./components/SummaryPanel.tsx";
import { Tabs } from "./components/Tabs.tsx";
import { Toolbar } from "./components/Toolbar.tsx";
import { ConfirmDialog, type ConfirmRequest } from "./components/Dialog.tsx";
import { ShareDialog } from "./components/ShareDialog.tsx";
import { baseName, download } from "./download.ts";
import { findExample } from "./examples.ts";
import { shareLink } from "./share.ts";
import { loadDoc, type StoredDoc } from "./storage.ts";
import { useDocument } from "./use-document.ts";
import type { EditorSession } from "./monaco/session.ts";
import { monaco } from "./monaco/setup.ts";
import type { DocFormat, ProjectFiles, RunFile, SimulationOptions } from "./service/protocol.ts";
import type { AnalysisStore } from "./store.ts";
import { entriesAt, innermostAt } from "./summary-map.ts";
import { contractFromTemplate } from "./template-contract.ts";
import { useSnapshot } from "./use-snapshot.ts";
import type { LanguageClient } from "./worker-client.ts";

// the panels other than the summary are loaded when first opened
const AnalysisPanel = memo(lazy(() => import("./components/AnalysisPanel.tsx").then((m) => ({ default: m.AnalysisPanel }))));
const RunPanel = memo(lazy(() => import("./components/RunPanel.tsx").then((m) => ({ default: m.RunPanel }))));
const SimulationPanel = memo(lazy(() => import("./components/SimulationPanel.tsx").then((m) => ({ default: m.SimulationPanel }))));
// the panels beside the editor render again only when their own props change, not on each
// answer of the workers (diagnostics, names, summary, bounds) to each keystroke
const Outline = memo(OutlineView);
const ProblemsPanel = memo(ProblemsView);
const SummaryPanel = memo(SummaryView);
const NONE: never[] = [];
const CompareView = lazy(() => import("./components/CompareView.tsx").then((m) => ({ default: m.CompareView })));

export interface AppProps {
  /** the workers, already asked about the initial text (main.tsx) */
  client: LanguageClient;
  store: AnalysisStore;
  /** the contract the editor opens with, its project's other files, and what to tell the user about it */
  initial: { doc: StoredDoc; project: ProjectFiles; notice?: string };
}

declare global {
  interface Window {
    /** test hook (only in test mode or with `?test` in the address): the editor and Monaco's API */
    __obc?: { editor: monaco.editor.IStandaloneCodeEditor; monaco: typeof monaco; session: EditorSession };
  }
}

/** The test hook is exposed only to tests: a test build, or `?test` in the page's address. */
const TEST_HOOK = import.meta.env.MODE === "test" || new URLSearchParams(window.location.search).has("test");

const NO_SENTENCES: ReadonlySet<number> = new Set();

interface Active {
  /** the summary's sentences about the text under the cursor */
  sentences: ReadonlySet<number>;
  /** the most specific of them */
  reveal?: number;
  /** the outline item under the cursor */
  outline?: string;
}

const loading = <p className="muted">Loading…</p>;


export function App({ client, store, initial }: AppProps) {
  const [session, setSession] = useState<EditorSession>();
  const [opened, setOpened] = useState<Version>({ name: initial.doc.startId.replace(/^(example|template):/, "") || initial.doc.fileName, text: initial.doc.baseline, project: initial.project });
  const cursor = useRef(0);
  const [active, setActive] = useState<Active>({ sentences: NO_SENTENCES });
  const [tab, setTab] = useState("summary");
  const [notice, setNotice] = useState<string | undefined>(initial.notice);
  const [confirmRequest, setConfirmRequest] = useState<ConfirmRequest>();
  const [share, setShare] = useState<string>();
  const confirm = useCallback(
    (title: string, message: string, label: string) =>
      new Promise<boolean>((resolve) => setConfirmRequest({ title, message, confirm: label, resolve: (ok) => (setConfirmRequest(undefined), resolve(ok)) })),
    [],
  );
  const doc = useDocument(session, initial.doc, confirm, setNotice);
  const [panelsWidth, setPanelsWidth] = usePanelsWidth();
  const { fileName, startId } = doc.info;
  const [cohort, setCohort] = useState("100");
  const [comparing, setComparing] = useState(false);
  const { diagnostics, analysis, summary, summaryEntries, bounds, library } = useSnapshot(store);
  const contractTemplates = useMemo(() => (library?.templates ?? []).filter((t) => t.wholeContract), [library]);

  useEffect(() => {
    if (!session || !TEST_HOOK) return;
    window.__obc = { editor: session.editor, monaco, session };
  }, [session]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(undefined), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  // the sentences and the clause under the cursor; state changes only when they change
  const updateActive = useCallback(() => {
    const snap = store.get();
    const offset = cursor.current;
    const entries = snap?.summaryEntries ?? [];
    const sentences = entriesAt(entries, offset).map((e) => e.index);
    const reveal = innermostAt(entries, offset)[0]?.index;
    const outline = snap?.analysis?.outline.find((o) => o.span.start <= offset && offset <= o.span.end)?.id;
    setActive((prev) => {
      const same = prev.outline === outline && prev.reveal === reveal && prev.sentences.size === sentences.length && sentences.every((i) => prev.sentences.has(i));
      return same ? prev : { sentences: new Set(sentences), ...(reveal !== undefined ? { reveal } : {}), ...(outline !== undefined ? { outline } : {}) };
    });
  }, [store]);
  useEffect(updateActive, [analysis, summaryEntries, updateActive]);
  const onCursor = useCallback(
    (offset: number) => {
      cursor.current = offset;
      updateActive();
    },
    [updateActive],
  );

  /** Shows another contract in the editor (asking first when the current one has unsaved edits). */
  const load = async (next: { text: string; fileName: string; startId?: string; project?: ProjectFiles; id?: string; baseline?: string }, label: string, action: string) => {
    if (await doc.open(next, action)) setOpened({ name: label, text: next.baseline ?? next.text, project: next.project ?? {} });
  };

  const start = (id: string) => {
    if (id.startsWith("example:")) {
      const e = findExample(id.slice("example:".length));
      if (e) void load({ text: e.text, fileName: e.fileName, startId: id, project: e.project }, e.id, `Start from the example ${e.id}`);
    } else if (id.startsWith("template:")) {
      const t = contractTemplates.find((x) => x.name === id.slice("template:".length));
      if (t) void load({ text: contractFromTemplate(t), fileName: "contract.obc", startId: id }, `new contract from ${t.name}`, `Start from the template ${t.name}`);
    }
  };

  const openRecent = (id: string) => {
    const kept = loadDoc(id);
    if (!kept) return setNotice("That contract is no longer kept in this browser.");
    const project = kept.startId.startsWith("example:") ? (findExample(kept.startId.slice("example:".length))?.project ?? {}) : {};
    void load({ ...kept, project }, kept.fileName, `Open “${kept.fileName}”`);
  };

  const save = useCallback(() => {
    if (!session) return;
    download(fileName.endsWith(".obc") ? fileName : `${fileName}.obc`, session.text);
    doc.savedToFile();
  }, [session, fileName, doc.savedToFile]);

  // Ctrl+S (⌘S) saves, in the editor as anywhere on the page
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        save();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [save]);

  const onCohortChange = useCallback(
    (value: string) => {
      setCohort(value);
      const n = Number(value.trim());
      if (/^\d+$/.test(value.trim()) && n >= 1) session?.setCohortSize(n);
    },
    [session],
  );

  const onRun = useCallback(
    (files: RunFile[], asOf?: string) => session!.run(files, asOf),
    [session],
  );

  const onSimulate = useCallback(
    (options: SimulationOptions) => session!.simulate(options),
    [session],
  );

  const status = useMemo(() => {
    if (!diagnostics) return { text: "Checking…", kind: "pending" as const };
    const errors = diagnostics.diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.diagnostics.filter((d) => d.severity === "warning").length;
    if (errors > 0) return { text: `${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`, kind: "error" as const };
    return { text: warnings > 0 ? `No errors, ${warnings} warning${warnings === 1 ? "" : "s"}` : "No problems", kind: "ok" as const };
  }, [diagnostics]);

  // the editor's keys as on this platform (Monaco's own keybindings)
  const keys = useMemo(() => {
    const save = /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘S" : "Ctrl+S";
    if (!session) return { save, list: [] as { label: string; keys: string }[] };
    const list = [
      ["editor.action.triggerSuggest", "complete"],
      ["editor.action.quickFix", "quick fix"],
      ["editor.action.revealDefinition", "go to definition"],
      ["editor.action.marker.nextInFiles", "next problem"],
      ["editor.action.formatDocument", "format"],
      ["editor.action.toggleTabFocusMode", "lets Tab leave the editor"],
    ].flatMap(([id, label]) => {
      const k = session.shortcut(id!);
      return k ? [{ label: label!, keys: k }] : [];
    });
    list.push({ label: "save", keys: save });
    const format = session.shortcut("editor.action.formatDocument");
    return { save, ...(format ? { format } : {}), list };
  }, [session]);

  const select = useCallback((item: { span: { start: number; end: number } }) => session?.select(item.span), [session]);
  const selectName = useCallback((item: { nameSpan: { start: number; end: number } }) => session?.select(item.nameSpan), [session]);
  const reveal = useCallback((d: monaco.IRange) => session?.reveal(d), [session]);
  const exportSummary = useCallback((format: DocFormat) => session!.exportSummary(format), [session]);
  const downloadSummary = useCallback(
    (format: DocFormat, content: string | Uint8Array) =>
      download(
        `${baseName(fileName)}-summary.${format}`,
        content,
        format === "docx" ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : format === "html" ? "text/html;charset=utf-8" : "text/markdown;charset=utf-8",
      ),
    [fileName],
  );

  const example = startId.startsWith("example:") ? findExample(startId.slice("example:".length)) : undefined;
  const currency = analysis?.currency;
  const dataSetNames = useMemo(() => (analysis?.symbols.dataSets ?? []).map((d) => d.name), [analysis]);

  return (
    <div className="app">
      <a className="skip-link" href="#panels">Skip to the panels</a>
      <Toolbar
        fileName={fileName}
        startId={startId}
        templates={contractTemplates}
        status={status.text}
        statusKind={status.kind}
        comparing={comparing}
        keys={keys}
        unsaved={doc.unsaved}
        recent={doc.recent.filter((r) => r.id !== doc.info.id)}
        onOpen={(name, text) => void load({ text, fileName: name }, name, `Open “${name}”`)}
        onOpenRecent={openRecent}
        onSave={save}
        onShare={() => session && setShare(shareLink(location.origin + location.pathname + location.search, session.text, fileName))}
        onStart={start}
        onFormat={() => void session?.format()}
        onCompare={() => setComparing((c) => !c)}
      />
      {notice && <p className="notice" role="alert">{notice}</p>}
      {confirmRequest && <ConfirmDialog request={confirmRequest} />}
      {share && <ShareDialog link={share} onClose={() => setShare(undefined)} />}
      {comparing && session && (
        <Suspense fallback={loading}>
          <CompareView session={session} fileName={fileName} opened={opened} />
        </Suspense>
      )}
      <main className="layout" hidden={comparing} style={panelsWidth !== undefined ? ({ "--panels-width": `${panelsWidth}px` } as React.CSSProperties) : undefined}>
        <Outline items={analysis?.outline ?? NONE} activeId={active.outline} onSelect={selectName} />
        <section className="code" aria-label="Contract text">
          <CodeEditor
            client={client}
            store={store}
            initialText={initial.doc.text}
            fileName={initial.doc.fileName}
            project={initial.project}
            onReady={setSession}
            onCursor={onCursor}
            onNotice={setNotice}
          />
          <ProblemsPanel diagnostics={diagnostics?.diagnostics ?? NONE} cliText={diagnostics?.cliText ?? ""} keys={keys.list} onSelect={reveal} />
        </section>
        <Divider width={panelsWidth} onChange={setPanelsWidth} controls="panels" />
        <aside className="panels" id="panels" aria-label="Summary, analysis, run and simulation">
          <Tabs
            label="Panels"
            active={tab}
            onChange={setTab}
            tabs={[
              {
                id: "summary",
                label: "Summary",
                content: (
                  <SummaryPanel
                    {...(summary ? { summary } : {})}
                    entries={summaryEntries ?? NONE}
                    active={active.sentences}
                    {...(tab === "summary" && active.reveal !== undefined ? { reveal: active.reveal } : {})}
                    onSelect={select}
                    onExport={exportSummary}
                    onDownload={downloadSummary}
                  />
                ),
              },
              {
                id: "analysis",
                label: "Analysis",
                content: (
                  <Suspense fallback={loading}>
                    <AnalysisPanel
                      {...(bounds?.bounds ? { bounds: bounds.bounds } : {})}
                      {...(currency ? { currency } : {})}
                      cohort={cohort}
                      onCohortChange={onCohortChange}
                    />
                  </Suspense>
                ),
              },
              {
                id: "run",
                label: "Run",
                content: (
                  <Suspense fallback={loading}>
                    <RunPanel onRun={onRun} fileName={fileName} dataSets={dataSetNames} {...(example ? { suggestedDataSet: example.dir } : {})} />
                  </Suspense>
                ),
              },
              {
                id: "simulation",
                label: "Simulation",
                content: (
                  <Suspense fallback={loading}>
                    <SimulationPanel onSimulate={onSimulate} {...(currency ? { currency } : {})} />
                  </Suspense>
                ),
              },
            ]}
          />
        </aside>
      </main>
    </div>
  );
}
