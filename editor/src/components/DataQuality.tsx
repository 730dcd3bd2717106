/** The data-quality report: each file read, its rows, missing values and problems. */
import type { DataProblem, RunResult } from "../../../engine/index.ts";

export interface DataQualityProps {
  result?: RunResult;
  /** problems when the run could not produce a result */
  problems: DataProblem[];
}

function ProblemList({ problems }: { problems: DataProblem[] }) {
  if (problems.length === 0) return <p className="ok">No data problems.</p>;
  return (
    <ul className="problem-list">
      {problems.map((p, i) => (
        <li key={i} className={`problem ${p.severity}`}>
          <span className="problem-head">
            {p.severity}[{p.code}] · {p.file}{p.row !== undefined ? `, row ${p.row}` : ""}{p.column !== undefined ? `, column ${p.column}` : ""}
          </span>
          <span className="problem-message">{p.message}</span>
        </li>
      ))}
    </ul>
  );
}

export function DataQuality({ result, problems }: DataQualityProps) {
  const files = result?.dataQuality.files ?? [];
  const all = result ? result.dataQuality.problems.concat(files.flatMap((f) => f.problems)) : problems;
  // errors first, then warnings, each in the engine's order
  const unique = [...new Map(all.map((p) => [JSON.stringify(p), p])).values()].sort(
    (a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
  );
  return (
    <section className="data-quality" aria-labelledby="dq-heading">
      <h3 id="dq-heading">Data quality</h3>
      {files.length > 0 && (
        <div className="table-scroll">
          <table className="data">
            <caption>Files read</caption>
            <thead>
              <tr>
                <th scope="col">File</th><th scope="col">Data set</th><th scope="col" className="num">Rows</th>
                <th scope="col" className="num">Accepted</th><th scope="col" className="num">Rejected</th><th scope="col">Missing values</th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => {
                const missing = Object.entries(f.missingValues).filter(([, n]) => n > 0);
                return (
                  <tr key={f.file}>
                    <th scope="row">{f.file}</th>
                    <td>{f.dataSet}</td>
                    <td className="num">{f.rowsRead}</td>
                    <td className="num">{f.rowsAccepted}</td>
                    <td className="num">{f.rowsRejected}</td>
                    <td>{missing.length === 0 ? "none" : missing.map(([k, n]) => `${k}: ${n}`).join(", ")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ProblemList problems={unique} />
    </section>
  );
}
