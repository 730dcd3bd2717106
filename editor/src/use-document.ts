/**
 * The contract being edited as a document that is never lost: kept in the browser a moment
 * after each edit and when the page is hidden (storage.ts), "unsaved" while its text differs
 * from the text last opened or saved to a file, with the browser's warning before leaving the
 * page then, and a confirmation before another contract takes its place in the editor.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { EditorSession } from "./monaco/session.ts";
import type { ProjectFiles } from "./service/protocol.ts";
import { newDocId, recentDocs, saveDoc, titleOf, type RecentEntry, type StoredDoc } from "./storage.ts";

/** The pause after an edit before the text is kept in the browser. */
export const AUTOSAVE_MS = 300;

export type DocInfo = Omit<StoredDoc, "text" | "updated">;

export interface DocumentState {
  info: DocInfo;
  /** the text differs from the one last opened or saved to a file */
  unsaved: boolean;
  recent: RecentEntry[];
  /** Shows another contract (a new document, or a kept one), after asking when the current one is unsaved. */
  open(next: { text: string; fileName: string; startId?: string; project?: ProjectFiles; id?: string; baseline?: string }, action: string): Promise<boolean>;
  /** The text was saved to a file: nothing is unsaved any more. */
  savedToFile(): void;
}

/** Asks the user; true to go ahead. */
export type Confirm = (title: string, message: string, confirm: string) => Promise<boolean>;

export function useDocument(session: EditorSession | undefined, initial: StoredDoc, confirm: Confirm, onStorageError: (message: string) => void): DocumentState {
  const [info, setInfo] = useState<DocInfo>(() => ({ id: initial.id, fileName: initial.fileName, baseline: initial.baseline, startId: initial.startId }));
  const [unsaved, setUnsaved] = useState(initial.text !== initial.baseline);
  const [recent, setRecent] = useState<RecentEntry[]>(() => recentDocs());
  const latest = useRef(info);
  latest.current = info;
  const storageFailed = useRef(false);

  const keep = useCallback(() => {
    if (!session) return;
    const ok = saveDoc({ ...latest.current, text: session.text, updated: Date.now() });
    if (!ok && !storageFailed.current) onStorageError("This browser did not let the editor keep the contract (storage full or disabled): save it to a file.");
    storageFailed.current = !ok;
    setRecent(recentDocs());
  }, [session, onStorageError]);

  // keep the text a moment after each edit, and when the page is hidden or closed
  useEffect(() => {
    if (!session) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending = false;
    const flush = () => {
      clearTimeout(timer);
      if (pending) keep();
      pending = false;
    };
    const changed = session.model.onDidChangeContent(() => {
      setUnsaved(session.text !== latest.current.baseline);
      pending = true;
      clearTimeout(timer);
      timer = setTimeout(flush, AUTOSAVE_MS);
    });
    const hidden = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", hidden);
    return () => {
      flush();
      changed.dispose();
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", hidden);
    };
  }, [session, keep]);

  // the browser's own warning before leaving with unsaved edits
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);

  const open: DocumentState["open"] = useCallback(
    async (next, action) => {
      if (!session) return false;
      if (session.text !== latest.current.baseline) {
        const title = titleOf({ text: session.text, fileName: latest.current.fileName });
        const ok = await confirm(
          `${action}?`,
          `“${title}” has changes that are not saved to a file. They stay in this browser, under Recent contracts, where you can open them again.`,
          action,
        );
        if (!ok) return false;
      }
      keep();
      const doc: StoredDoc = {
        id: next.id ?? newDocId(),
        fileName: next.fileName,
        text: next.text,
        baseline: next.baseline ?? next.text,
        startId: next.startId ?? "",
        updated: Date.now(),
      };
      const { text: _text, updated: _updated, ...nextInfo } = doc;
      latest.current = nextInfo;
      setInfo(nextInfo);
      session.setText(doc.text, doc.fileName, next.project ?? {});
      setUnsaved(doc.text !== doc.baseline);
      saveDoc(doc);
      setRecent(recentDocs());
      return true;
    },
    [session, confirm, keep],
  );

  const savedToFile = useCallback(() => {
    if (!session) return;
    const next = { ...latest.current, baseline: session.text };
    latest.current = next;
    setInfo(next);
    setUnsaved(false);
    keep();
  }, [session, keep]);

  return { info, unsaved, recent, open, savedToFile };
}
