/**
 * "Start from a template": a new contract that imports a whole-contract template of the
 * library and uses it with every argument written out (the example's values for the
 * required ones, the defaults for the others), each with its description as a comment, so
 * the reader sees every figure that can be changed. The contract gives its own title and
 * term, as the templates expect. Pure text; no parser needed.
 */
import type { TemplateInfo, TemplateParamInfo } from "./service/protocol.ts";

/** Words of a comment, wrapped to lines of at most `width` characters, each starting with `// `. */
export function commentLines(text: string, indent = "", width = 96): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + 3 + line.length + 1 + word.length > width) {
      out.push(`${indent}// ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(`${indent}// ${line}`);
  return out;
}

const DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;

/** A school year (1 September to 30 June) holding every date of the arguments. */
function termOf(values: string[]): { start: string; end: string } {
  const dates = values.flatMap((v) => [...v.matchAll(DATE)].map((m) => m[0])).sort();
  if (dates.length === 0) {
    const year = new Date().getFullYear();
    return { start: `${year}-09-01`, end: `${year + 1}-06-30` };
  }
  const first = dates[0]!;
  const y = Number(first.slice(0, 4));
  const startYear = Number(first.slice(5, 7)) >= 7 ? y : y - 1;
  const start = `${startYear}-09-01` < first ? `${startYear}-09-01` : first;
  const last = dates[dates.length - 1]!;
  const end = `${startYear + 1}-06-30` > last ? `${startYear + 1}-06-30` : last;
  return { start, end };
}

/** A value for a required parameter the example does not give. */
function placeholder(p: TemplateParamInfo, term: { start: string; end: string }): string {
  switch (p.type) {
    case "text": return `"${p.name.replace(/_/g, " ")}"`;
    case "date": return term.start;
    case "money": return "$0";
    case "percent": return "0%";
    case "boolean":
    case "condition": return "true";
    case "population": return "identified";
    default: return "0";
  }
}

/**
 * The text of a new contract built on a whole-contract template.
 * @param t the template (from the worker's library message)
 */
export function contractFromTemplate(t: TemplateInfo): string {
  const given = t.params.map((p) => t.exampleArgs[p.name] ?? p.default).filter((v): v is string => v !== undefined);
  const term = termOf(given);
  const args = t.params.map((p) => ({ p, value: t.exampleArgs[p.name] ?? p.default ?? placeholder(p, term) }));
  const lines: string[] = [
    `// Started from the library template ${t.name}${t.version ? ` (version ${t.version})` : ""}.`,
    ...commentLines(t.purpose),
    "// Change the title, the term and the arguments below: each says what it is; the ones marked",
    "// \"default\" can also be left out.",
    `contract "${t.title.replace(/"/g, "'")}" {`,
    `  term ${term.start} to ${term.end}`,
    "",
    `  import ${t.name} from stdlib`,
    `  use ${t.name}(`,
  ];
  args.forEach(({ p, value }, i) => {
    const comma = i < args.length - 1 ? "," : "";
    const note = [p.doc, p.default !== undefined && value === p.default ? "(default)" : ""].filter(Boolean).join(" ");
    lines.push(`    ${p.name}: ${value}${comma}${note ? ` // ${note}` : ""}`);
  });
  lines.push("  )", "}", "");
  return lines.join("\n");
}
