/**
 * The toolbar, one row of fixed height: the contract's name (and whether it has unsaved
 * edits); start from a template or an example; recent contracts; open, save, share; format;
 * compare; and the contract's status (its text may change, the toolbar's height does not).
 */
import { useId, useRef } from "react";
import { ExampleOptions } from "./ExampleOptions.tsx";
import type { TemplateInfo } from "../service/protocol.ts";
import type { RecentEntry } from "../storage.ts";

export interface ToolbarProps {
  fileName: string;
  /** the text differs from the one last opened or saved to a file */
  unsaved: boolean;
  /** what the text started from: "example:<id>", "template:<name>" or "" */
  startId: string;
  /** the whole-contract templates of the library (empty until the worker has read them) */
  templates: readonly TemplateInfo[];
  /** the other contracts kept in this browser, most recent first */
  recent: readonly RecentEntry[];
  status: string;
  statusKind: "ok" | "error" | "pending";
  comparing: boolean;
  /** the keys of the commands, as on this platform (e.g. "Ctrl+Shift+I") */
  keys: { format?: string; save: string };
  onOpen: (name: string, text: string) => void;
  onOpenRecent: (id: string) => void;
  onSave: () => void;
  onShare: () => void;
  onStart: (id: string) => void;
  onFormat: () => void;
  onCompare: () => void;
}

function when(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}`;
}

export function Toolbar(props: ToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const startId = useId();
  const recentId = useId();
  const open = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    props.onOpen(file.name, await file.text());
    if (fileInput.current) fileInput.current.value = "";
  };
  return (
    <header className="toolbar">
      <h1>
        OBC editor{" "}
        <span className="file-name" title={props.fileName}>
          {props.fileName}
          {props.unsaved && <span className="unsaved" title="Edits not saved to a file (kept in this browser)"> • edited</span>}
        </span>
      </h1>
      <div className="actions">
        <label className="sr-only" htmlFor={startId}>Start from a template or an example</label>
        <select id={startId} value="" onChange={(e) => e.target.value && props.onStart(e.target.value)} data-testid="start-from">
          <option value="">New from…</option>
          <optgroup label="Whole-contract templates (library)">
            {props.templates.map((t) => (
              <option key={t.name} value={`template:${t.name}`}>
                {t.title} ({t.name})
              </option>
            ))}
          </optgroup>
          <ExampleOptions />
        </select>
        <label className="sr-only" htmlFor={recentId}>Recent contracts kept in this browser</label>
        <select id={recentId} value="" onChange={(e) => e.target.value && props.onOpenRecent(e.target.value)} data-testid="recent" disabled={props.recent.length === 0}>
          <option value="">Recent…</option>
          {props.recent.map((r) => (
            <option key={r.id} value={r.id}>
              {r.title} ({r.fileName}, {when(r.updated)})
            </option>
          ))}
        </select>
        <input ref={fileInput} className="sr-only" tabIndex={-1} aria-hidden="true" type="file" accept=".obc,text/plain" onChange={(e) => void open(e.target.files)} />
        <button type="button" onClick={() => fileInput.current?.click()}>Open…</button>
        <button type="button" onClick={props.onSave} title={`Save as a .obc file (${props.keys.save})`} aria-keyshortcuts={props.keys.save}>Save</button>
        <button type="button" onClick={props.onShare} title="A link that carries the contract itself">Share link</button>
        <button type="button" onClick={props.onFormat} title={`Format the contract${props.keys.format ? ` (${props.keys.format})` : ""}`} {...(props.keys.format ? { "aria-keyshortcuts": props.keys.format } : {})}>Format</button>
        <button type="button" onClick={props.onCompare} aria-pressed={props.comparing} title="Compare this contract with another version">
          {props.comparing ? "Close comparison" : "Compare…"}
        </button>
        <span className={`status-pill ${props.statusKind}`} role="status" aria-live="polite" title={props.status}>
          {props.status}
        </span>
      </div>
    </header>
  );
}
