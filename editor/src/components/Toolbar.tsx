/** Start from a template or an example, open, save, format, compare; and the contract's status. */
import { useId, useRef } from "react";
import { exampleContracts } from "../examples.ts";
import type { TemplateInfo } from "../service/protocol.ts";

export interface ToolbarProps {
  fileName: string;
  /** what the text started from: "example:<id>", "template:<name>" or "" */
  startId: string;
  /** the whole-contract templates of the library (empty until the worker has read them) */
  templates: readonly TemplateInfo[];
  status: string;
  statusKind: "ok" | "error" | "pending";
  comparing: boolean;
  onOpen: (name: string, text: string) => void;
  onSave: () => void;
  onStart: (id: string) => void;
  onFormat: () => void;
  onCompare: () => void;
}

export function Toolbar(props: ToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const startId = useId();
  const open = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    props.onOpen(file.name, await file.text());
    if (fileInput.current) fileInput.current.value = "";
  };
  return (
    <header className="toolbar">
      <h1>
        OBC editor <span className="file-name">{props.fileName}</span>
      </h1>
      <div className="actions">
        <div className="field inline">
          <label htmlFor={startId}>Start from a template</label>
          <select id={startId} value={props.startId} onChange={(e) => props.onStart(e.target.value)} data-testid="start-from">
            <option value="">Choose…</option>
            <optgroup label="Whole-contract templates (library)">
              {props.templates.map((t) => (
                <option key={t.name} value={`template:${t.name}`}>
                  {t.title} ({t.name})
                </option>
              ))}
            </optgroup>
            <optgroup label="Examples">
              {exampleContracts.map((e) => (
                <option key={e.id} value={`example:${e.id}`}>
                  {e.title} ({e.id})
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <input ref={fileInput} className="sr-only" tabIndex={-1} aria-hidden="true" type="file" accept=".obc,text/plain" onChange={(e) => void open(e.target.files)} />
        <button type="button" onClick={() => fileInput.current?.click()}>Open…</button>
        <button type="button" onClick={props.onSave}>Save</button>
        <button type="button" onClick={props.onFormat} title="Format document (Shift+Alt+F)">Format</button>
        <button type="button" onClick={props.onCompare} aria-pressed={props.comparing} title="Compare this contract with another version">
          {props.comparing ? "Close comparison" : "Compare with…"}
        </button>
        <span className={`status-pill ${props.statusKind}`} role="status" aria-live="polite">
          {props.status}
        </span>
      </div>
    </header>
  );
}
