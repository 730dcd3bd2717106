/**
 * The editor's screen: toolbar; the clauses, the code and its problems; and the panels
 * (summary, analysis, run) beside the code. "Compare with…" puts the comparison of two
 * versions in place of this layout (the editor stays mounted, hidden).
 */
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { CodeEditor } from "./components/CodeEditor.tsx";
import type { Version } from "./components/CompareView.tsx";
import { Outline } from "./components/Outline.tsx";
import { ProblemsPanel } from "./components/ProblemsPanel.tsx";
import { SummaryPanel } from "./components/SummaryPanel.tsx";
import { Tabs } from "./components/Tabs.tsx";
import { Toolbar } from "./components/Toolbar.tsx";
import { findExample } from "./examples.ts";
import type { EditorSession } from "./monaco/session.ts";
import { monaco } from "./monaco/setup.ts";
import type { ProjectFiles, RunFile, SimulationOptions } from "./service/protocol.ts";
import type { AnalysisStore } from "./store.ts";
import { entriesAt, innermostAt } from "./summary-map.ts";
import { contractFromTemplate } from "./template-contract.ts";
import { useSnapshot } from "./use-snapshot.ts";
import type { LanguageClient } from "./worker-client.ts";

// the panels other than the summary are loaded when first opened
const AnalysisPanel = memo(lazy(() => import("./components/AnalysisPanel.tsx").then((m) => ({ default: m.AnalysisPanel }))));
const RunPanel = memo(lazy(() => import("./components/RunPanel.tsx").then((m) => ({ default: m.RunPanel }))));
const SimulationPanel = memo(lazy(() => import("./components/SimulationPanel.tsx").then((m) => ({ default: m.SimulationPanel }))));
const CompareView = lazy(() => import("./components/CompareView.tsx").then((m) => ({ default: m.CompareView })));

export interface AppProps {
  /** the workers, already asked about the initial text (main.tsx) */
  client: LanguageClient;
  store: AnalysisStore;
  /** the contract the editor opens with */
  initial: { text: string; fileName: string; project: ProjectFiles; startId: string };
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

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function App({ client, store, initial }: AppProps) {
  const [session, setSession] = useState<EditorSession>();
  const [fileName, setFileName] = useState(initial.fileName);
  const [startId, setStartId] = useState(initial.startId);
  const [opened, setOpened] = useState<Version>({ name: initial.startId.replace(/^example:/, "") || initial.fileName, text: initial.text, project: initial.project });
  const cursor = useRef(0);
  const [active, setActive] = useState<Active>({ sentences: NO_SENTENCES });
  const [tab, setTab] = useState("summary");
  const [notice, setNotice] = useState<string>();
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

  const load = useCallback(
    (name: string, text: string, start = "", project: Record<string, string> = {}, label = name) => {
      session?.setText(text, name, project);
      setFileName(name);
      setStartId(start);
      setOpened({ name: label, text, project });
    },
    [session],
  );

  const start = (id: string) => {
    if (id.startsWith("example:")) {
      const e = findExample(id.slice("example:".length));
      if (e) load(e.fileName, e.text, id, e.project, e.id);
    } else if (id.startsWith("template:")) {
      const t = contractTemplates.find((x) => x.name === id.slice("template:".length));
      if (t) load("contract.obc", contractFromTemplate(t), id, {}, `new contract from ${t.name}`);
    }
  };

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
    return { text: warnings > 0 ? `Ready to run, ${warnings} warning${warnings === 1 ? "" : "s"}` : "No problems: ready to run", kind: "ok" as const };
  }, [diagnostics]);

  const example = startId.startsWith("example:") ? findExample(startId.slice("example:".length)) : undefined;
  const currency = analysis?.currency;

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
        onOpen={(name, text) => load(name, text)}
        onSave={() => session && download(fileName.endsWith(".obc") ? fileName : `${fileName}.obc`, session.text)}
        onStart={start}
        onFormat={() => void session?.format()}
        onCompare={() => setComparing((c) => !c)}
      />
      {notice && <p className="notice" role="alert">{notice}</p>}
      {comparing && session && (
        <Suspense fallback={loading}>
          <CompareView session={session} fileName={fileName} opened={opened} />
        </Suspense>
      )}
      <main className="layout" hidden={comparing}>
        <Outline items={analysis?.outline ?? []} activeId={active.outline} onSelect={(item) => session?.select(item.nameSpan)} />
        <section className="code" aria-label="Contract text">
          <CodeEditor
            client={client}
            store={store}
            initialText={initial.text}
            fileName={initial.fileName}
            project={initial.project}
            onReady={setSession}
            onCursor={onCursor}
            onNotice={setNotice}
          />
          <ProblemsPanel
            diagnostics={diagnostics?.diagnostics ?? []}
            cliText={diagnostics?.cliText ?? ""}
            onSelect={(d) => session?.reveal(d)}
          />
        </section>
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
                    entries={summaryEntries ?? []}
                    active={active.sentences}
                    {...(tab === "summary" && active.reveal !== undefined ? { reveal: active.reveal } : {})}
                    onSelect={(e) => session?.select(e.span)}
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
                    <RunPanel onRun={onRun} {...(example ? { suggestedDataSet: example.dir } : {})} />
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
