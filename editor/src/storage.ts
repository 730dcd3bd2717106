/**
 * The contracts kept in this browser (localStorage), so that no work is lost: the text is
 * saved a moment after each edit and when the page is hidden, the last contract open comes
 * back on the next visit, and the recent ones can be opened again. Nothing leaves the browser.
 *
 * Keys: `obc.doc.<id>` one contract; `obc.recent` a short entry for each, most recent
 * first; `obc.current` the id of the one open last.
 */

/** A contract kept in the browser. */
export interface StoredDoc {
  id: string;
  fileName: string;
  text: string;
  /** the text as last opened or saved to a file: the edits since are "unsaved" */
  baseline: string;
  /** what it started from ("example:<id>", "template:<name>" or ""), for an example's own files */
  startId: string;
  /** when it was last saved here (ms since 1970) */
  updated: number;
}

/** A kept contract in the list of recent ones. */
export interface RecentEntry {
  id: string;
  title: string;
  fileName: string;
  updated: number;
}

/** At most this many contracts are kept; the oldest go first. */
export const MAX_RECENT = 20;

const DOC = "obc.doc.";
const RECENT = "obc.recent";
const CURRENT = "obc.current";

function read<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

/** A new id for a contract. */
export function newDocId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The contract's title, from its first `contract "…"`, else its file name. */
export function titleOf(doc: Pick<StoredDoc, "text" | "fileName">): string {
  return /\bcontract\s+"([^"\n]*)"/.exec(doc.text)?.[1] ?? doc.fileName;
}

export function loadDoc(id: string): StoredDoc | undefined {
  const doc = read<StoredDoc>(DOC + id);
  return doc && typeof doc.text === "string" && typeof doc.fileName === "string" ? doc : undefined;
}

/** The kept contracts, most recent first. */
export function recentDocs(): RecentEntry[] {
  const list = read<RecentEntry[]>(RECENT);
  return Array.isArray(list) ? list.filter((e) => e && typeof e.id === "string" && typeof e.title === "string") : [];
}

/** The contract open last, if it is still kept. */
export function currentDoc(): StoredDoc | undefined {
  const id = read<string>(CURRENT);
  return id ? loadDoc(id) : undefined;
}

/**
 * Keeps a contract and makes it the current one and the most recent.
 * @returns false when the browser refused (storage full or disabled)
 */
export function saveDoc(doc: StoredDoc): boolean {
  try {
    localStorage.setItem(DOC + doc.id, JSON.stringify(doc));
    const entry: RecentEntry = { id: doc.id, title: titleOf(doc), fileName: doc.fileName, updated: doc.updated };
    const list = [entry, ...recentDocs().filter((e) => e.id !== doc.id)];
    for (const old of list.slice(MAX_RECENT)) localStorage.removeItem(DOC + old.id);
    localStorage.setItem(RECENT, JSON.stringify(list.slice(0, MAX_RECENT)));
    localStorage.setItem(CURRENT, JSON.stringify(doc.id));
    return true;
  } catch {
    return false;
  }
}
