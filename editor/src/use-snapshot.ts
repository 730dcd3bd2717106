/** React access to the language worker's latest answers. */
import { useSyncExternalStore } from "react";
import type { AnalysisStore, Snapshot } from "./store.ts";

const EMPTY: Snapshot = {};
const noop = () => () => {};

export function useSnapshot(store: AnalysisStore | undefined): Snapshot {
  return useSyncExternalStore(store?.subscribe ?? noop, store?.get ?? (() => EMPTY));
}
