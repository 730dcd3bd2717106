/** Open, save, start from an example, format; and the contract's status. */
import { useId, useRef } from "react";
import { exampleContracts } from "../examples.ts";

export interface ToolbarProps {
  fileName: string;
  exampleId: string;
  status: string;
  statusKind: "ok" | "error" | "pending";
  onOpen: (name: string, text: string) => void;
  onSave: () => void;
  onExample: (id: string) => void;
  onFormat: () => void;
}

export function Toolbar(props: ToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const exampleId = useId();
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
          <label htmlFor={exampleId}>Start from an example</label>
          <select id={exampleId} value={props.exampleId} onChange={(e) => props.onExample(e.target.value)}>
            <option value="">Choose…</option>
            {exampleContracts.map((e) => (
              <option key={e.id} value={e.id}>
                {e.title} ({e.id})
              </option>
            ))}
          </select>
        </div>
        <input ref={fileInput} className="sr-only" tabIndex={-1} aria-hidden="true" type="file" accept=".obc,text/plain" onChange={(e) => void open(e.target.files)} />
        <button type="button" onClick={() => fileInput.current?.click()}>Open…</button>
        <button type="button" onClick={props.onSave}>Save</button>
        <button type="button" onClick={props.onFormat} title="Format document (Shift+Alt+F)">Format</button>
        <span className={`status-pill ${props.statusKind}`} role="status" aria-live="polite">
          {props.status}
        </span>
      </div>
    </header>
  );
}
