/**
 * Running the contract on data: a bundled example data set or CSV files from disk, an
 * optional as-of date, and the results (totals, charts, students, escalations, data quality).
 * Each file from disk has a data-set chooser: automatic (the engine matches it by name, then by
 * columns, and the panel shows what it chose) or a data set of the contract; a file that
 * matches none, or whose columns fit several data sets, is flagged there, to choose its data set.
 */
import { useEffect, useId, useState } from "react";
import { exampleDataSets } from "../example-data.ts";
import type { RunFile, RunMessage } from "../service/protocol.ts";
import { RunResults } from "./RunResults.tsx";

export interface RunPanelProps {
  /** runs the current text on the files */
  onRun: (files: RunFile[], asOf?: string) => Promise<RunMessage>;
  /** the example data set that goes with the example loaded in the editor */
  suggestedDataSet?: string;
  /** the contract's file name (the exports are named after it) */
  fileName: string;
  /** the names of the contract's data sets */
  dataSets: readonly string[];
}

const FROM_DISK = "disk";

const hasDataSet = (dir: string | undefined) => dir !== undefined && exampleDataSets.some((d) => d.dir === dir);

export function RunPanel({ onRun, suggestedDataSet, fileName, dataSets }: RunPanelProps) {
  /** the data set chosen for each file from disk, by label ("" or absent: automatic) */
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [source, setSource] = useState<string>(hasDataSet(suggestedDataSet) ? suggestedDataSet! : (exampleDataSets[0]?.dir ?? FROM_DISK));
  const [diskFiles, setDiskFiles] = useState<RunFile[]>([]);
  const [asOf, setAsOf] = useState("");
  const [running, setRunning] = useState(false);
  const [answer, setAnswer] = useState<RunMessage | undefined>();
  const ids = { source: useId(), files: useId(), asOf: useId() };

  useEffect(() => {
    // an example without data files keeps the data chosen before
    if (hasDataSet(suggestedDataSet)) setSource(suggestedDataSet!);
  }, [suggestedDataSet]);

  const files =
    source === FROM_DISK
      ? diskFiles.map((f) => (chosen[f.label] ? { ...f, dataSet: chosen[f.label] } : f))
      : (exampleDataSets.find((d) => d.dir === source)?.files ?? []);
  /** what the engine made of each file in the last run: its data set, or that it matched none */
  const matched = new Map((answer?.result?.dataQuality.files ?? []).map((f) => [f.file, f.dataSet]));
  const unmatched = new Set(answer?.problems.filter((p) => p.rule === "unmatched-file").map((p) => p.file) ?? []);
  /** files read as the data set their columns fit best, although they fit several */
  const several = new Map((answer?.fitsSeveral ?? []).map((f) => [f.file, f.dataSets]));

  const readFiles = async (list: FileList | null) => {
    const chosen = [...(list ?? [])];
    setDiskFiles(await Promise.all(chosen.map(async (f) => ({ label: f.name, text: await f.text() }))));
  };

  const run = async () => {
    setRunning(true);
    try {
      setAnswer(await onRun(files, /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : undefined));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="run" aria-labelledby="run-heading">
      <h2 id="run-heading">Run on data</h2>
      <div className="run-form">
        <div className="field">
          <label htmlFor={ids.source}>Data</label>
          <select id={ids.source} value={source} onChange={(e) => setSource(e.target.value)}>
            {exampleDataSets.map((d) => (
              <option key={d.dir} value={d.dir}>
                Example {d.dir} ({d.files.map((f) => f.label).join(", ")})
              </option>
            ))}
            <option value={FROM_DISK}>CSV files from this computer…</option>
          </select>
        </div>
        {source === FROM_DISK && (
          <div className="field">
            <label htmlFor={ids.files}>CSV or JSON files (choose several)</label>
            <input id={ids.files} type="file" multiple accept=".csv,.json,text/csv,application/json" onChange={(e) => void readFiles(e.target.files)} />
            {diskFiles.length === 0 && <p className="small">No files chosen yet.</p>}
          </div>
        )}
        {source === FROM_DISK && diskFiles.length > 0 && (
          <table className="data file-sets" data-testid="file-sets">
            <caption>Which data set each file holds</caption>
            <thead>
              <tr><th scope="col">File</th><th scope="col">Data set</th><th scope="col">In the last run</th></tr>
            </thead>
            <tbody>
              {diskFiles.map((f) => (
                <tr key={f.label} className={unmatched.has(f.label) ? "unmatched" : several.has(f.label) ? "ambiguous" : undefined}>
                  <th scope="row">{f.label}</th>
                  <td>
                    <select aria-label={`Data set of ${f.label}`} value={chosen[f.label] ?? ""} onChange={(e) => setChosen((c) => ({ ...c, [f.label]: e.target.value }))}>
                      <option value="">Automatic (by name, then columns)</option>
                      {dataSets.map((d) => <option key={d} value={d}>{d}</option>)}
                    </select>
                  </td>
                  <td>
                    {unmatched.has(f.label) ? (
                      <span className="error-text">matches no data set: choose the one it holds</span>
                    ) : several.has(f.label) ? (
                      <span className="warning-text">
                        its columns fit several data sets ({several.get(f.label)!.join(", ")}): read as {matched.get(f.label) ?? "—"}; choose the one it holds
                      </span>
                    ) : matched.has(f.label) ? (
                      `read as ${matched.get(f.label)}`
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="field as-of">
          <label htmlFor={ids.asOf}>As of (optional)</label>
          <input id={ids.asOf} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </div>
        <button type="button" className="primary" onClick={() => void run()} disabled={running || files.length === 0}>
          {running ? "Running…" : "Run"}
        </button>
      </div>
      <div aria-live="polite">
        {answer?.error && <p className="error-text" role="alert">{answer.error}</p>}
        {answer && <RunResults answer={answer} fileName={fileName} />}
      </div>
    </section>
  );
}
