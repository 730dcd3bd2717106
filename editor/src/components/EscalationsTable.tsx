/** Escalations: for each checkpoint, the measures, the level that applies and its actions. */
import type { RunResult } from "../../../engine/index.ts";

export function EscalationsTable({ result }: { result: RunResult }) {
  if (result.escalations.length === 0) return null;
  return (
    <section className="escalations" aria-labelledby="escalations-heading">
      <h3 id="escalations-heading">Escalations</h3>
      {result.escalations.map((e) => (
        <div className="table-scroll" key={e.name}>
          <table className="data">
            <caption>{e.name}</caption>
            <thead>
              <tr>
                <th scope="col">Checkpoint</th><th scope="col">Measures</th><th scope="col" className="num">Level</th>
                <th scope="col">Actions</th><th scope="col">Withholding</th><th scope="col">May terminate</th>
              </tr>
            </thead>
            <tbody>
              {e.checkpoints.map((c) => (
                <tr key={c.period} className={c.level > 0 ? `level level-${Math.min(c.level, 3)}` : undefined}>
                  <th scope="row">{c.period}</th>
                  <td>{Object.entries(c.measures).map(([k, v]) => `${k} = ${v}`).join(", ")}</td>
                  <td className="num">{c.level}</td>
                  <td>{c.actions.length === 0 ? "—" : <ul>{c.actions.map((a, i) => <li key={i}>{a}</li>)}</ul>}</td>
                  <td>{c.withholding ?? "—"}</td>
                  <td>{c.terminationRight ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
