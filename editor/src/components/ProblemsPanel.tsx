/** The contract's problems in the CLI's words; a click goes to the place in the code. */
import type { DiagnosticDTO } from "../service/protocol.ts";

export interface ProblemsPanelProps {
  diagnostics: DiagnosticDTO[];
  cliText: string;
  /** the keys of the editor's commands on this platform, by what they do */
  keys: readonly { label: string; keys: string }[];
  onSelect: (d: DiagnosticDTO) => void;
}

export function ProblemsPanel({ diagnostics, cliText, keys, onSelect }: ProblemsPanelProps) {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const infos = diagnostics.length - errors - warnings;
  return (
    <section className="problems" aria-labelledby="problems-heading">
      <h2 id="problems-heading">
        Problems <span className="count">{diagnostics.length === 0 ? "none" : `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}${infos > 0 ? `, ${infos} info` : ""}`}</span>
      </h2>
      {diagnostics.length > 0 && (
        <ul className="problem-list">
          {diagnostics.map((d, i) => (
            <li key={i}>
              <button type="button" className={`problem ${d.severity}`} onClick={() => onSelect(d)}>
                <span className="problem-head">
                  {d.severity}[{d.code}] · line {d.startLineNumber}, column {d.startColumn}
                  {d.clause !== undefined ? ` · in clause '${d.clause}'` : ""}
                </span>
                <span className="problem-message">{d.message}</span>
                {d.help && <span className="problem-help">help: {d.help}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {keys.length > 0 && (
        <p className="keys small">
          Keys:{" "}
          {keys.map((k, i) => (
            <span key={k.label}>
              {i > 0 && " · "}
              <kbd>{k.keys}</kbd> {k.label}
            </span>
          ))}
        </p>
      )}
      {cliText && (
        <details className="cli-text">
          <summary>Show as printed by obc check</summary>
          <pre>{cliText}</pre>
        </details>
      )}
    </section>
  );
}
