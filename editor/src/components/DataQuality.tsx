/**
 * The data-quality report, as `obc run` prints it: each file read with its data set and its
 * rows read, accepted and rejected; then every problem (per file first, then the run's), with
 * its severity, where (file:row), column, rule and message. Each problem has an anchor, so the
 * warning by the totals can link to it.
 */
import type { DataProblem, RunResult } from "../../../engine/index.ts";
import { allProblems, problemWhere } from "../../../engine/report.ts";

export interface DataQualityProps {
  result?: RunResult;
  /** problems when the run could not produce a result */
  problems: DataProblem[];
}

/**
 * A problem's message; the one advice the CLI words for its own command line (naming a
 * file's data set with `--data name=file`) points to the editor's chooser instead.
 */
function messageOf(p: DataProblem): string {
  if (p.rule !== "unmatched-file") return p.message;
  return `${p.message.replace(/\s*Name the data set: --data \S+$/, "")} Choose the data set it holds in the table of files above, and run again.`;
}

/** The id of a problem's row in the report. */
export const problemAnchor = (index: number) => `data-problem-${index + 1}`;

export function DataQuality({ result, problems }: DataQualityProps) {
  const files = result?.dataQuality.files ?? [];
  const all = result ? allProblems(result) : problems;
  const errors = all.filter((p) => p.severity === "error").length;
  const warnings = all.length - errors;
  return (
    <section className="data-quality" id="data-quality" aria-labelledby="dq-heading" tabIndex={-1}>
      <h3 id="dq-heading">Data quality</h3>
      {files.length > 0 && (
        <div className="table-scroll">
          <table className="data">
            <caption>Files read</caption>
            <thead>
              <tr>
                <th scope="col">File</th><th scope="col">Data set</th><th scope="col" className="num">Rows read</th>
                <th scope="col" className="num">Accepted</th><th scope="col" className="num">Rejected</th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => (
                <tr key={`${f.file}:${f.dataSet}`}>
                  <th scope="row">{f.file}</th>
                  <td>{f.dataSet}</td>
                  <td className="num">{f.rowsRead}</td>
                  <td className="num">{f.rowsAccepted}</td>
                  <td className={`num${f.rowsRejected > 0 ? " cell-missing" : ""}`}>{f.rowsRejected}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {all.length === 0 ? (
        <p className="ok">No data problems.</p>
      ) : (
        <div className="table-scroll">
          <table className="data problems-table">
            <caption>
              {errors} error{errors === 1 ? "" : "s"}, {warnings} warning{warnings === 1 ? "" : "s"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Severity</th><th scope="col">Where</th><th scope="col">Column</th><th scope="col">Rule</th><th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {all.map((p, i) => (
                <tr key={i} id={problemAnchor(i)} className={`problem-row ${p.severity}`} tabIndex={-1}>
                  <td className={p.severity === "error" ? "error-text" : ""}>{p.severity}</td>
                  <td>{problemWhere(p)}</td>
                  <td>{p.column ?? ""}</td>
                  <td>{p.rule}</td>
                  <td>{messageOf(p)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
