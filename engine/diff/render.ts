/**
 * The comparison of two versions as a document: the same model as the summary (`SummaryDoc`),
 * so it renders with the summary's `toMarkdown`, `toHtml` and `toDocx`.
 *
 * Input: a `DiffResult`. Output: a title block naming both versions, then one numbered
 * section per area that changed (parties, payments, caps, escalation, …), each a list of
 * the changes in sentences, with their details below them; the effect on the key figures
 * comes last. Each sentence carries the source range of the clause it concerns (in the new
 * version, or in the old one for what was removed). Browser-safe.
 */
import type { Span } from "../../language/ast.ts";
import type { Section, Sentence, SummaryDoc } from "../summary/model.ts";
import type { ChangeArea, DiffResult } from "./diff.ts";

const AREAS: [ChangeArea, string][] = [
  ["contract", "The contract"],
  ["parties", "Parties"],
  ["term", "Term"],
  ["currency", "Currency"],
  ["rounding", "Rounding"],
  ["data", "Data the contract reads"],
  ["groups", "Groups of students"],
  ["definitions", "Definitions"],
  ["clauses", "Payments for each student"],
  ["cohort", "Cohort payments"],
  ["weights", "Weights"],
  ["caps", "Caps"],
  ["floor", "Floor"],
  ["funding", "Funding"],
  ["settlement", "Settlement"],
  ["escalation", "Escalation protocol"],
  ["routines", "Data sharing and check-ins"],
  ["governance", "Governance"],
  ["tracked", "Metrics tracked but not paid"],
  ["templates", "Templates"],
  ["amendments", "Amendments"],
  ["figures", "Effect on the key figures"],
];

const NOWHERE: Span = { start: 0, end: 0 };

function versionText(v: { title: string; version?: string }): string {
  return `${v.title}${v.version ? `, version ${v.version}` : ""}`;
}

/** The comparison as a document for `toMarkdown`, `toHtml` and `toDocx`. */
export function diffDocument(diff: DiffResult, opts: { oldName?: string; newName?: string } = {}): SummaryDoc {
  const s = (text: string, span?: Span): Sentence => ({ text, span: span ?? NOWHERE });
  const n = diff.changes.length;
  const titleBlock = [
    { label: "Earlier version", value: s(`${versionText(diff.old)}${opts.oldName ? ` (${opts.oldName})` : ""}`) },
    { label: "Later version", value: s(`${versionText(diff.new)}${opts.newName ? ` (${opts.newName})` : ""}`) },
    { label: "Result", value: s(diff.equal ? "The two versions say the same thing." : `${n} ${n === 1 ? "change" : "changes"}`) },
  ];
  const sections: Section[] = [];
  if (diff.equal) {
    sections.push({
      number: "1",
      title: "Result",
      blocks: [{ type: "paragraph", sentences: [s("The two versions say the same thing: no term, amount, date, threshold or obligation differs. Differences in comments or layout, if any, have no effect.")] }],
      sections: [],
    });
  }
  for (const [area, title] of AREAS) {
    const changes = diff.changes.filter((c) => c.area === area);
    if (!changes.length) continue;
    const items = changes.map((c) => {
      const span = c.newSpan ?? c.oldSpan;
      return [s(c.kind === "effect" ? `Knock-on: ${c.text}` : c.text, span), ...(c.details ?? []).map((d) => s(d, span))];
    });
    sections.push({ number: String(sections.length + 1), title, blocks: [{ type: "list", style: "bullets", items }], sections: [] });
  }
  return {
    schema: "obc.summary/1",
    kind: "comparison",
    title: diff.old.title === diff.new.title ? `Changes to “${diff.new.title}”` : `Changes from “${diff.old.title}” to “${diff.new.title}”`,
    subtitle: "Plain-language comparison of two versions of the contract, generated from their source texts. Each change is stated in the contract's terms.",
    titleBlock,
    sections,
    terms: [],
  };
}
