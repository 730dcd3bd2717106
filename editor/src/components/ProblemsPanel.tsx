/** The contract's problems in the CLI's words; a click goes to the place in the code. */
import type { DiagnosticDTO } from "../service/protocol.ts";

export interface ProblemsPanelProps {
  diagnostics: DiagnosticDTO[];
  cliText: string;
  onSelect: (d: DiagnosticDTO) => void;
}

export function ProblemsPanel({ diagnostics, cliText, onSelect }: ProblemsPanelProps) {
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
      <p className="keys small">
        Keys: <kbd>Ctrl</kbd>+<kbd>Space</kbd> complete · <kbd>Ctrl</kbd>+<kbd>.</kbd> quick fix · <kbd>F12</kbd> go to definition ·{" "}
        <kbd>Shift</kbd>+<kbd>Alt</kbd>+<kbd>F</kbd> format · <kbd>Ctrl</kbd>+<kbd>M</kbd> lets <kbd>Tab</kbd> leave the editor
      </p>
      {cliText && (
        <details className="cli-text">
          <summary>Show as printed by obc check</summary>
          <pre>{cliText}</pre>
        </details>
      )}
    </section>
  );
}
