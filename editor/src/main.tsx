/**
 * The editor's entry: a small script that picks the contract to open (a share link, else the
 * contract open last in this browser, else the default example), starts the two workers on it
 * before the rest of the app (React, Monaco, the panels) has loaded, so the first diagnostics
 * are computed while the editor is being built, then loads and mounts the app.
 */
import { defaultExample, findExample } from "./examples.ts";
import { readShareLink } from "./share.ts";
import { currentDoc, newDocId, saveDoc, type StoredDoc } from "./storage.ts";
import { AnalysisStore } from "./store.ts";
import { LanguageClient } from "./worker-client.ts";
import "./styles.css";

const store = new AnalysisStore();
const client = new LanguageClient({
  onDiagnostics: (m) => {
    // the steps to the first diagnostics drawn, for the benchmark (editor/bench/editor.ts)
    if (!store.get().diagnostics) performance.mark("obc:first-check");
    store.setDiagnostics(m);
  },
  onAnalysis: (m) => store.setAnalysis(m),
  onSummary: (m) => store.setSummary(m),
  onBounds: (m) => store.setBounds(m),
});

/** The contract to open, and what to tell the user about it. */
function initialDocument(): { doc: StoredDoc; notice?: string } {
  const fresh = (text: string, fileName: string, startId = ""): StoredDoc => ({ id: newDocId(), fileName, text, baseline: text, startId, updated: Date.now() });
  const shared = readShareLink(location.hash);
  if (shared) history.replaceState(null, "", location.pathname + location.search);
  const last = currentDoc();
  if (shared && "text" in shared) {
    const doc = fresh(shared.text, shared.fileName);
    saveDoc(doc);
    return { doc, notice: "Opened the contract in the link. It is kept in this browser under Recent contracts." };
  }
  const fallback = last ?? (defaultExample ? fresh(defaultExample.text, defaultExample.fileName, `example:${defaultExample.id}`) : fresh("", "contract.obc"));
  return { doc: fallback, ...(shared ? { notice: shared.error } : {}) };
}

const { doc, notice } = initialDocument();
const project = doc.startId.startsWith("example:") ? (findExample(doc.startId.slice("example:".length))?.project ?? {}) : {};
// the editor's model of this text will be version 1
client.edit(1, doc.text, { fileName: doc.fileName, project });

void import("./mount.tsx").then(({ mount }) => {
  performance.mark("obc:app-loaded");
  mount(document.getElementById("root")!, { client, store, initial: { doc, project, ...(notice ? { notice } : {}) } });
});
