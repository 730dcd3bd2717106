/**
 * Completion: keywords, data fields, metrics, functions, clause names (quoted), party ids,
 * groups of students, data types and frequencies, with details and docs. The names come from the
 * latest analysis; the context decides which come first.
 *
 * Completion never fights typing: the list opens without a selected item (Enter starts a new
 * line; Down moves into the list, Tab or Enter there accepts: see session.ts), nothing is
 * offered after a closing quote or inside a quote that is not a clause reference, and no list
 * is shown while the word typed is already complete (one of the suggestions, as typed).
 */
import { EVENT_WORD_DOCS, functionMarkdown, KEYWORD_DOCS, PARTY_ROLES, TYPE_DOCS } from "../docs.ts";
import { AMENDMENT_WORDS, FREQUENCIES } from "../words.ts";
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

const NOTHING: M.languages.CompletionList = { suggestions: [], incomplete: true };

/**
 * Whether a quote opened after `prefix` (the line up to the quote) refers to a clause, as in
 * `when not "Algebra ready"` or `weight 1.2 for iep on "Algebra ready", "Growth"`, rather than
 * naming something new (`outcome "…"`, a party, an action) or holding free text.
 */
export function refersToClause(prefix: string): boolean {
  if (/(\b(when|and|or|not|on|if|where|until)|\()\s*$/.test(prefix)) return true;
  return /,\s*$/.test(prefix) && /\bon\s+"/.test(prefix);
}

/**
 * The list to show for the word typed so far: nothing when the word is already one of the
 * suggestions as typed (the list would only repeat it, and Enter would not start a new
 * line), else all of them. Always "incomplete", so that each keystroke asks again.
 */
export function completionList(items: Item[], typed: string): M.languages.CompletionList {
  const text = (i: Item) => i.filterText ?? (typeof i.label === "string" ? i.label : i.label.label);
  if (typed !== "" && items.some((i) => text(i) === typed)) return NOTHING;
  return { suggestions: items, incomplete: true };
}

export function registerCompletion(monaco: Monaco, store: AnalysisStore): M.IDisposable {
  const K = monaco.languages.CompletionItemKind;
  return monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['"', "(", ","],
    provideCompletionItems(model, position, context) {
      const symbols = store.get().analysis?.symbols;
      const quoted = quotedAt(model, position);
      if (quoted) {
        // inside the quotes of a clause reference: clause names, replacing the whole quoted text
        const opening = quoted.range.startColumn - 1;
        if (!refersToClause(model.getLineContent(position.lineNumber).slice(0, opening))) return NOTHING;
        // the name typed so far, without its quotes
        const typed = model.getLineContent(position.lineNumber).slice(opening + 1, position.column - 1);
        const suggestions: Item[] = (symbols?.clauses ?? []).map((c) => ({
          label: `"${c.name}"`,
          kind: K.Reference,
          detail: `${c.kind} clause`,
          documentation: `Refers to the clause “${c.name}” (id \`${c.id}\`).`,
          insertText: `"${c.name}"`,
          filterText: `"${c.name}"`,
          range: quoted.range,
        }));
        return completionList(suggestions, `"${typed}"`);
      }
      // a closing quote: what follows is not known yet
      if (context.triggerCharacter === '"') return NOTHING;

      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const linePrefix = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
      if (linePrefix.includes("//")) return NOTHING;
      // the template library: after `import` and `use`, and argument names inside `use name(…)`
      const templates = templateCompletions(monaco, model, position, store.get().library?.templates ?? []);
      if (templates) return completionList(templates, word.word);
      if (context.triggerCharacter === "(" || context.triggerCharacter === ",") return NOTHING;
      const rank = ranks(linePrefix);
      const items: Item[] = [];
      const add = (group: keyof ReturnType<typeof ranks>, item: Omit<Item, "range" | "sortText">) =>
        items.push({ ...item, range, sortText: `${rank[group]}_${String(item.label)}` });

      for (const k of [...KEYWORDS, ...AMENDMENT_WORDS]) {
        const doc = KEYWORD_DOCS[k];
        const statement = STATEMENT_WORDS.includes(k) || AMENDMENT_WORDS.includes(k);
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
      for (const f of store.get().library?.functions ?? []) {
        add("metric", {
          label: f.name, kind: K.Function, detail: `function → ${f.result}`,
          insertText: `${f.name}(${f.params.map((p, i) => `\${${i + 1}:${p}}`).join(", ")})`,
          insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
          documentation: { value: functionMarkdown(f) },
        });
      }
      for (const [w, d] of Object.entries(EVENT_WORD_DOCS)) {
        add("metric", {
          label: w, kind: K.Function, detail: "aggregate of events",
          insertText: d.snippet ?? w,
          insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
          documentation: { value: d.summary },
        });
      }
      add("metric", {
        label: "count of weeks with at least", kind: K.Function, detail: "aggregate of events",
        insertText: "count of weeks with at least ${1:2} ${2:sessions} where (${3:condition})",
        insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
        documentation: { value: "`count of weeks with at least N E [where (…)]`: the Monday-to-Sunday weeks holding at least `N` of the student's rows of `E`." },
      });
      for (const t of Object.keys(TYPE_DOCS).filter((t) => !KEYWORDS.includes(t))) add("type", { label: t, kind: K.TypeParameter, insertText: t, detail: "data type", documentation: TYPE_DOCS[t]! });
      for (const f of FREQUENCIES) add("frequency", { label: f, kind: K.EnumMember, insertText: f, detail: "frequency" });
      return completionList(items, word.word);
    },
  });
}
