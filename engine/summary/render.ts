/**
 * Text renderers of a `SummaryDoc`: Markdown and a standalone, printable HTML page.
 *
 * Both are deterministic: the same document gives the same bytes. The HTML page has its
 * styles inline, no scripts and no external resources; every piece of text is escaped, and
 * each sentence carries its source range (`data-src="start-end"`) so a viewer can link it
 * back to the contract. Browser-safe.
 */
import { headingText, type Block, type Cell, type Run, type Section, type Sentence, type SummaryDoc } from "./model.ts";
import { listLabel } from "./format.ts";

// ───────────────────────────── Markdown ─────────────────────────────

function mdEscape(text: string): string {
  return text
    .replace(/([\\`*[\]<>])/g, "\\$1")
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_");
}

function mdCell(text: string): string {
  return mdEscape(text).replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** Redlined text in Markdown: deletions struck through (~~…~~), insertions in bold. */
function mdRuns(runs: Run[]): string {
  return runs.map((r) => (r.change === "del" ? `~~${mdEscape(r.text)}~~` : r.change === "ins" ? `**${mdEscape(r.text)}**` : mdEscape(r.text))).join("");
}

function mdSentences(ss: Sentence[]): string {
  return ss.map((s) => (s.runs ? mdRuns(s.runs) : mdEscape(s.text))).join(" ");
}

function mdTable(header: string[], rows: Cell[][]): string[] {
  const out = [`| ${header.map(mdCell).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) out.push(`| ${r.map((c) => (c.runs ? mdRuns(c.runs).replace(/\|/g, "\\|") : mdCell(c.text))).join(" | ")} |`);
  return out;
}

function mdBlock(b: Block): string {
  switch (b.type) {
    case "paragraph": return mdSentences(b.sentences);
    case "definition": {
      const text = mdSentences(b.sentences);
      const quoted = mdEscape(`\u201c${b.term}\u201d`);
      return text.startsWith(quoted) ? `**${quoted}**${text.slice(quoted.length)}` : text;
    }
    case "list":
      return b.items
        .map((item, i) => {
          const text = mdSentences(item);
          if (b.style === "numbers") return `${i + 1}. ${text}`;
          if (b.style === "letters") return `- (${listLabel(i, 0)}) ${text}`;
          return `- ${text}`;
        })
        .join("\n");
    case "table":
      return [...(b.caption ? [`*${mdEscape(b.caption)}*`, ""] : []), ...mdTable(b.header, b.rows)].join("\n");
  }
}

function mdSection(s: Section, depth: number): string[] {
  const out = [`${"#".repeat(depth)} ${mdEscape(headingText(s))}`, ""];
  for (const b of s.blocks) out.push(mdBlock(b), "");
  for (const sub of s.sections) out.push(...mdSection(sub, depth + 1));
  return out;
}

/** The document as Markdown (CommonMark with pipe tables). */
export function toMarkdown(doc: SummaryDoc): string {
  const out: string[] = [`# ${mdEscape(doc.title)}`, "", `*${mdEscape(doc.subtitle)}*`, ""];
  if (doc.titleBlock.length) {
    out.push("| | |", "|---|---|");
    for (const r of doc.titleBlock) out.push(`| **${mdCell(r.label)}** | ${mdCell(r.value.text)} |`);
    out.push("");
  }
  for (const s of doc.sections) out.push(...mdSection(s, 2));
  while (out[out.length - 1] === "") out.pop();
  return out.join("\n") + "\n";
}

// ───────────────────────────── HTML ─────────────────────────────

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function src(span: { start: number; end: number } | undefined): string {
  return span ? ` data-src="${span.start}-${span.end}"` : "";
}

/** Redlined text in HTML: `<del>` and `<ins>`. */
function htmlRuns(runs: Run[]): string {
  return runs.map((r) => (r.change ? `<${r.change}>${escapeHtml(r.text)}</${r.change}>` : escapeHtml(r.text))).join("");
}

function htmlSentence(s: Sentence): string {
  return `<span class="s"${src(s.span)}>${s.runs ? htmlRuns(s.runs) : escapeHtml(s.text)}</span>`;
}

function htmlSentences(ss: Sentence[]): string {
  return ss.map(htmlSentence).join(" ");
}

function htmlTable(header: string[], rows: Cell[][], caption?: string, cls = ""): string {
  const out = [`<table${cls ? ` class="${cls}"` : ""}>`];
  if (caption) out.push(`<caption>${escapeHtml(caption)}</caption>`);
  if (header.length) out.push(`<thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("")}</tr></thead>`);
  out.push("<tbody>");
  for (const r of rows) out.push(`<tr>${r.map((c) => `<td${src(c.span)}>${c.runs ? htmlRuns(c.runs) : escapeHtml(c.text)}</td>`).join("")}</tr>`);
  out.push("</tbody>", "</table>");
  return out.join("\n");
}

function htmlBlock(b: Block): string {
  switch (b.type) {
    case "paragraph": return `<p>${htmlSentences(b.sentences)}</p>`;
    case "definition": {
      const [first, ...rest] = b.sentences;
      const quoted = `\u201c${b.term}\u201d`;
      const head = first && first.text.startsWith(quoted)
        ? `<span class="s"${src(first.span)}><strong class="term">${escapeHtml(quoted)}</strong>${escapeHtml(first.text.slice(quoted.length))}</span>`
        : first ? htmlSentence(first) : "";
      return `<p class="definition">${[head, ...rest.map(htmlSentence)].join(" ")}</p>`;
    }
    case "list": {
      const tag = b.style === "bullets" ? "ul" : "ol";
      const cls = b.style === "letters" ? ` class="letters"` : "";
      return `<${tag}${cls}>\n${b.items.map((i) => `<li>${htmlSentences(i)}</li>`).join("\n")}\n</${tag}>`;
    }
    case "table": return htmlTable(b.header, b.rows, b.caption);
  }
}

function htmlSection(s: Section, depth: number): string[] {
  const h = `h${Math.min(depth, 6)}`;
  const id = `section-${s.number.replace(/\./g, "-")}`;
  const num = s.unnumbered ? "" : s.schedule ? `Schedule ${s.number}.` : `${s.number}${s.number.includes(".") ? "" : "."}`;
  const title = s.titleRuns ? htmlRuns(s.titleRuns) : s.change ? htmlRuns([{ text: s.title, change: s.change }]) : escapeHtml(s.title);
  const out = [`<section id="${id}"${s.box ? ` class="box"` : ""}>`, `<${h}>${num ? `<span class="num">${escapeHtml(num)}</span> ` : ""}${title}</${h}>`];
  for (const b of s.blocks) out.push(htmlBlock(b));
  for (const sub of s.sections) out.push(...htmlSection(sub, depth + 1));
  out.push("</section>");
  return out;
}

const CSS = `
:root { color-scheme: light; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 11.5pt; line-height: 1.5; color: #111; max-width: 52rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #999; padding-bottom: 0.15rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
h4 { font-size: 1rem; }
.subtitle { font-style: italic; color: #444; margin-top: 0; }
.num { display: inline-block; min-width: 2.2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0 1rem; font-size: 10.5pt; }
caption { text-align: left; font-style: italic; padding-bottom: 0.3rem; }
th, td { border: 1px solid #888; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #eee; }
table.title-block th { width: 11rem; background: #f5f5f5; }
ol.letters { list-style: none; counter-reset: item; padding-left: 2.2rem; }
ol.letters > li { counter-increment: item; position: relative; }
ol.letters > li::before { content: "(" counter(item, lower-alpha) ")"; position: absolute; left: -2.2rem; }
.term { font-weight: bold; }
section.box > :not(h1, h2, h3, h4) { border-left: 3px solid #a50021; padding-left: 0.8rem; }
ins { color: #1a4f8b; text-decoration: underline; }
del { color: #a50021; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  @page { size: letter; margin: 1in; }
  h2, h3, h4 { break-after: avoid; }
  table, tr { break-inside: avoid; }
}
`.trim();

/** The document as a standalone HTML page (inline CSS, no scripts, printable). */
export function toHtml(doc: SummaryDoc): string {
  const out = [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>\n${CSS}\n</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p class="subtitle">${escapeHtml(doc.subtitle)}</p>`,
  ];
  if (doc.titleBlock.length) {
    out.push(`<table class="title-block">`, "<tbody>");
    for (const r of doc.titleBlock) out.push(`<tr><th scope="row">${escapeHtml(r.label)}</th><td${src(r.value.span)}>${escapeHtml(r.value.text)}</td></tr>`);
    out.push("</tbody>", "</table>");
  }
  out.push("</header>", "<main>");
  for (const s of doc.sections) out.push(...htmlSection(s, 2));
  out.push("</main>", "</body>", "</html>");
  return out.join("\n") + "\n";
}
