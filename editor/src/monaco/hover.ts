/**
 * Hover: docs for keywords and data types, a field's type and whether it is optional, a
 * metric's definition, a party's name, templates and their parameters, and the summary's
 * sentences about the text under the cursor (the most specific ones, see summary-map.ts).
 */
import { keywordMarkdown } from "../docs.ts";
import type { AnalysisStore } from "../store.ts";
import { innermostAt } from "../summary-map.ts";
import { LANGUAGE_ID } from "./language.ts";
import type { Monaco, monaco as M } from "./setup.ts";
import { templateHover } from "./templates.ts";
import { quotedAt } from "./text.ts";

/** At most this many sentences of the summary in a hover. */
const MAX_SENTENCES = 3;

export function registerHover(monaco: Monaco, store: AnalysisStore): M.IDisposable {
  return monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    provideHover(model, position) {
      const analysis = store.get().analysis;
      const symbols = analysis?.symbols;
      const contents: M.IMarkdownString[] = [];
      let range: M.IRange | undefined;

      const quoted = quotedAt(model, position);
      const word = quoted ? undefined : model.getWordAtPosition(position);
      const template = word ? templateHover(model, position, store.get().library?.templates ?? []) : undefined;
      if (template) {
        range = template.range;
        contents.push({ value: template.value });
      } else if (word) {
        range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
        const name = word.word;
        const field = symbols?.fields.find((f) => f.name === name);
        const metric = symbols?.metrics.find((m) => m.name === name);
        const party = symbols?.parties.find((p) => p.id === name);
        if (field) {
          contents.push({ value: `**${field.name}**: ${field.optional ? "optional " : ""}\`${field.type}\` — field of data set \`${field.dataSet}\`${field.optional ? "\n\nMay be missing: clauses that read it must say `if missing: not met` or `if missing: excluded`." : ""}` });
        } else if (metric) {
          contents.push({ value: `**${metric.name}** (${metric.kind}${metric.scope === "students" ? "" : ` in “${metric.scope}”`})\n\n\`\`\`obc\n${metric.kind} ${metric.name} = ${metric.definition}\n\`\`\`` });
        } else if (party) {
          contents.push({ value: `**${party.id}** (party, role \`${party.role}\`): ${party.name}` });
        } else {
          const doc = keywordMarkdown(name, store.get().library?.functions);
          if (doc) contents.push({ value: doc });
        }
      } else if (quoted) {
        range = quoted.range;
        const clause = symbols?.clauses.find((c) => c.name === quoted.value);
        if (clause) contents.push({ value: `**“${clause.name}”**: ${clause.kind} clause (id \`${clause.id}\`)` });
      }

      // the summary's sentences, when they describe this very text (not an older version of it)
      const { summary, summaryEntries } = store.get();
      if (summary && summaryEntries && summary.version === model.getVersionId()) {
        const sentences = innermostAt(summaryEntries, model.getOffsetAt(position));
        if (sentences.length > 0) {
          const text = sentences.slice(0, MAX_SENTENCES).map((s) => s.text).join(" ");
          contents.push({ value: `*In plain words:* ${escapeMarkdown(text)}${sentences.length > MAX_SENTENCES ? " …" : ""}` });
        }
      }
      if (contents.length === 0) return null;
      return range ? { contents, range } : { contents };
    },
  });
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, "\\$1");
}
