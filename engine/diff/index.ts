/**
 * Comparison of two versions of a contract (browser-safe).
 *
 *   diffContracts(oldIr, oldSource, newIr, newSource) → DiffResult { equal, changes }
 *   diffDocument(result)                               → SummaryDoc, for toMarkdown / toHtml / toDocx
 */
export { diffContracts, type Change, type ChangeArea, type DiffResult, type DiffOptions } from "./diff.ts";
export { diffDocument } from "./render.ts";
export { toMarkdown, toHtml } from "../summary/render.ts";
export { toDocx } from "../summary/docx.ts";
