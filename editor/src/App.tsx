/**
 * The editor's screen: toolbar; the clauses, the code and its problems; and the panels
 * (summary, analysis, run) beside the code.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AnalysisPanel } from "./components/AnalysisPanel.tsx";
import { CodeEditor } from "./components/CodeEditor.tsx";
import { Outline } from "./components/Outline.tsx";
import { ProblemsPanel } from "./components/ProblemsPanel.tsx";
import { RunPanel } from "./components/RunPanel.tsx";
import { SummaryPanel } from "./components/SummaryPanel.tsx";
import { Tabs } from "./components/Tabs.tsx";
import { Toolbar } from "./components/Toolbar.tsx";
import { defaultExample, findExample } from "./examples.ts";
import type { EditorSession } from "./monaco/session.ts";
import { monaco } from "./monaco/setup.ts";
import type { RunFile } from "./service/protocol.ts";
import { sentenceAt } from "./summary.ts";
import { useSnapshot } from "./use-snapshot.ts";

declare global {
  interface Window {
    /** test hook: the editor and Monaco's API */
    __obc?: { editor: monaco.editor.IStandaloneCodeEditor; monaco: typeof monaco; session: EditorSession };
  }
}

const MemoRunPanel = memo(RunPanel);
const MemoAnalysisPanel = memo(AnalysisPanel);

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function App() {
  const [session, setSession] = useState<EditorSession>();
  const [fileName, setFileName] = useState(defaultExample ? defaultExample.fileName : "contract.obc");
  const [exampleId, setExampleId] = useState(defaultExample?.id ?? "");
  const cursor = useRef(0);
  const [active, setActive] = useState<{ sentence?: string; outline?: string }>({});
  const [tab, setTab] = useState("summary");
  const [notice, setNotice] = useState<string>();
  const { diagnostics, analysis, bounds } = useSnapshot(session?.store);

  useEffect(() => {
    if (!session) return;
    window.__obc = { editor: session.editor, monaco, session };
  }, [session]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(undefined), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  // the sentence and clause under the cursor; state changes only when they change
  const updateActive = useCallback(() => {
    const a = session?.store.get().analysis;
    const offset = cursor.current;
    const sentence = a ? sentenceAt(a.summary, offset)?.id : undefined;
    const outline = a?.outline.find((o) => o.span.start <= offset && offset <= o.span.end)?.id;
    setActive((prev) => (prev.sentence === sentence && prev.outline === outline ? prev : { sentence, outline }));
  }, [session]);
  useEffect(updateActive, [analysis, updateActive]);
  const onCursor = useCallback(
    (offset: number) => {
      cursor.current = offset;
      updateActive();
    },
    [updateActive],
  );

  const load = useCallback(
    (name: string, text: string, example = "", project: Record<string, string> = {}) => {
      session?.setText(text, name, project);
      setFileName(name);
      setExampleId(example);
    },
    [session],
  );

  const onRun = useCallback(
    (files: RunFile[], asOf?: string) => session!.run(files, asOf),
    [session],
  );

  const status = useMemo(() => {
    if (!diagnostics) return { text: "Checking…", kind: "pending" as const };
    const errors = diagnostics.diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.diagnostics.filter((d) => d.severity === "warning").length;
    if (errors > 0) return { text: `${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`, kind: "error" as const };
    return { text: warnings > 0 ? `Ready to run, ${warnings} warning${warnings === 1 ? "" : "s"}` : "No problems: ready to run", kind: "ok" as const };
  }, [diagnostics]);

  const example = findExample(exampleId);
  const currency = analysis?.currency;

  return (
    <div className="app">
      <a className="skip-link" href="#panels">Skip to the panels</a>
      <Toolbar
        fileName={fileName}
        exampleId={exampleId}
        status={status.text}
        statusKind={status.kind}
        onOpen={(name, text) => load(name, text)}
        onSave={() => session && download(fileName.endsWith(".obc") ? fileName : `${fileName}.obc`, session.text)}
        onExample={(id) => {
          const e = findExample(id);
          if (e) load(e.fileName, e.text, e.id, e.project);
        }}
        onFormat={() => void session?.format()}
      />
      {notice && <p className="notice" role="alert">{notice}</p>}
      <main className="layout">
        <Outline items={analysis?.outline ?? []} activeId={active.outline} onSelect={(item) => session?.select(item.nameSpan)} />
        <section className="code" aria-label="Contract text">
          <CodeEditor
            initialText={defaultExample?.text ?? ""}
            fileName={fileName}
            {...(defaultExample ? { project: defaultExample.project } : {})}
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
        <aside className="panels" id="panels" aria-label="Summary, analysis and run">
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
                    {...(analysis?.title !== undefined ? { title: analysis.title } : {})}
                    sentences={analysis?.summary ?? []}
                    {...(active.sentence ? { activeId: active.sentence } : {})}
                    onSelect={(s) => session?.select(s.span)}
                  />
                ),
              },
              { id: "analysis", label: "Analysis", content: <MemoAnalysisPanel {...(bounds?.bounds ? { bounds: bounds.bounds } : {})} {...(currency ? { currency } : {})} /> },
              { id: "run", label: "Run", content: <MemoRunPanel onRun={onRun} {...(example ? { suggestedDataSet: example.dir } : {})} /> },
            ]}
          />
        </aside>
      </main>
    </div>
  );
}
