/**
 * Completion: keywords, data fields, metrics, clause names (quoted), party ids, groups of
 * students, data types and frequencies, with details and docs. The names come from the
 * latest analysis; the context decides which come first.
 */
import { KEYWORD_DOCS, PARTY_ROLES, TYPE_DOCS } from "../docs.ts";
import { FREQUENCIES } from "../words.ts";
import type { AnalysisStore } from "../store.ts";
import { KEYWORDS, LANGUAGE_ID, STATEMENT_WORDS } from "./language.ts";
import type { Monaco } from "./setup.ts";
import type { monaco as M } from "./setup.ts";
import { templateCompletions } from "./templates.ts";
import { quotedAt } from "./text.ts";

type Item = M.languages.CompletionItem;

/** Which kinds of words fit best where the cursor is; lower ranks sort first. */
function ranks(linePrefix: string): Record<string, number> {
  const base = { statement: 5, field: 2, metric: 2, keyword: 4, party: 6, frequency: 7, type: 8, group: 6 };
  if (/^\s*[A-Za-z_]*$/.test(linePrefix)) return { ...base, statement: 0, party: 1, keyword: 3 };
  if (/\bper\s+[A-Za-z_]*$/.test(linePrefix)) return { ...base, group: 0 };
  if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*:\s*(optional\s+)?[A-Za-z_]*$/.test(linePrefix)) return { ...base, type: 0 };
  if (/(\bmeets\s+|"\s+)[A-Za-z_]*$/.test(linePrefix)) return { ...base, frequency: 0 };
  if (/\b(and|of|by|pays|,)\s+[A-Za-z_]*$/.test(linePrefix) && !/\b(when|where|until)\b/.test(linePrefix)) return { ...base, party: 0 };
  return base;
}

export function registerCompletion(monaco: Monaco, store: AnalysisStore): M.IDisposable {
  const K = monaco.languages.CompletionItemKind;
  return monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['"', "(", ","],
    provideCompletionItems(model, position, context) {
      const symbols = store.get().analysis?.symbols;
      const quoted = quotedAt(model, position);
      if (quoted) {
        // inside quotes: clause names, replacing the whole quoted text
        const suggestions: Item[] = (symbols?.clauses ?? []).map((c) => ({
          label: `"${c.name}"`,
          kind: K.Reference,
          detail: `${c.kind} clause`,
          documentation: `Refers to the clause “${c.name}” (id \`${c.id}\`).`,
          insertText: `"${c.name}"`,
          filterText: `"${c.name}"`,
          range: quoted.range,
        }));
        return { suggestions };
      }

      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const linePrefix = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
      if (linePrefix.includes("//")) return { suggestions: [] };
      // the template library: after `import` and `use`, and argument names inside `use name(…)`
      const templates = templateCompletions(monaco, model, position, store.get().library?.templates ?? []);
      if (templates) return { suggestions: templates };
      if (context.triggerCharacter === "(" || context.triggerCharacter === ",") return { suggestions: [] };
      const rank = ranks(linePrefix);
      const items: Item[] = [];
      const add = (group: keyof ReturnType<typeof ranks>, item: Omit<Item, "range" | "sortText">) =>
        items.push({ ...item, range, sortText: `${rank[group]}_${String(item.label)}` });

      for (const k of KEYWORDS) {
        const doc = KEYWORD_DOCS[k];
        const statement = STATEMENT_WORDS.includes(k);
        add(statement ? "statement" : "keyword", {
          label: k, kind: K.Keyword, insertText: k,
          detail: statement ? "statement keyword" : "keyword",
          ...(doc ? { documentation: { value: `${doc.summary}${doc.example ? `\n\n\`${doc.example}\`` : ""}` } } : {}),
        });
      }
      for (const f of symbols?.fields ?? []) {
        add("field", {
          label: f.name, kind: K.Field, insertText: f.name,
          detail: `${f.optional ? "optional " : ""}${f.type} — data ${f.dataSet}`,
          documentation: { value: `Field **${f.name}** of data set \`${f.dataSet}\`: ${f.optional ? "optional " : ""}${f.type}.${f.optional ? " It may be missing: clauses that read it need `if missing`." : ""}` },
        });
      }
      for (const m of symbols?.metrics ?? []) {
        add("metric", {
          label: m.name, kind: m.kind === "condition" ? K.Constant : K.Variable, insertText: m.name,
          detail: `${m.kind}${m.scope === "students" ? "" : ` in “${m.scope}”`} = ${m.definition}`,
          documentation: { value: `\`${m.kind} ${m.name} = ${m.definition}\`` },
        });
      }
      for (const c of symbols?.clauses ?? []) {
        add("metric", {
          label: `"${c.name}"`, kind: K.Reference, insertText: `"${c.name}"`,
          detail: `${c.kind} clause`, documentation: `True for a student when the clause “${c.name}” is met.`,
        });
      }
      for (const p of symbols?.parties ?? []) {
        add("party", { label: p.id, kind: K.Class, insertText: p.id, detail: `party: ${p.role}`, documentation: p.name });
      }
      const declaredRoles = new Set((symbols?.parties ?? []).map((p) => p.role));
      for (const r of PARTY_ROLES.filter((r) => !declaredRoles.has(r))) {
        add("party", { label: r, kind: K.Class, insertText: r, detail: "party role", documentation: "A usual party role; any word is accepted." });
      }
      for (const g of ["eligible", "identified", "served"]) {
        const declared = symbols?.populations.find((p) => p.which === g);
        add("group", {
          label: `${g} student`, kind: K.EnumMember, insertText: `${g} student`,
          detail: declared ? `${g} students when ${declared.condition}` : `group not defined yet`,
        });
      }
      for (const t of Object.keys(TYPE_DOCS).filter((t) => !KEYWORDS.includes(t))) add("type", { label: t, kind: K.TypeParameter, insertText: t, detail: "data type", documentation: TYPE_DOCS[t]! });
      for (const f of FREQUENCIES) add("frequency", { label: f, kind: K.EnumMember, insertText: f, detail: "frequency" });
      return { suggestions: items };
    },
  });
}
