/**
 * The editor's entry: a small script that starts the two workers on the contract to open
 * before the rest of the app (React, Monaco, the panels) has loaded, so the first
 * diagnostics are computed while the editor is being built. Then it loads and mounts the app.
 */
import { defaultExample } from "./examples.ts";
import { AnalysisStore } from "./store.ts";
import { LanguageClient } from "./worker-client.ts";
import "./styles.css";

const store = new AnalysisStore();
const client = new LanguageClient({
  onDiagnostics: (m) => store.setDiagnostics(m),
  onAnalysis: (m) => store.setAnalysis(m),
  onSummary: (m) => store.setSummary(m),
  onBounds: (m) => store.setBounds(m),
});

const initial = {
  text: defaultExample?.text ?? "",
  fileName: defaultExample?.fileName ?? "contract.obc",
  project: defaultExample?.project ?? {},
  startId: defaultExample ? `example:${defaultExample.id}` : "",
};
// the editor's model of this text will be version 1
client.edit(1, initial.text, { fileName: initial.fileName, project: initial.project });

void import("./mount.tsx").then(({ mount }) => mount(document.getElementById("root")!, { client, store, initial }));
