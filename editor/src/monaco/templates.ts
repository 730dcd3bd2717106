/**
 * The template library in the code: completion of template names after `import` and `use`
 * (a `use` inserts the required arguments, and the `import` line when it is missing), of
 * `from stdlib`, and of parameter names inside `use name(…)`; and hovers on template and
 * parameter names. The templates come from the worker's library message (store.library).
 */
import type { TemplateInfo, TemplateParamInfo } from "../service/protocol.ts";
import type { Monaco, monaco as M } from "./setup.ts";

type Item = M.languages.CompletionItem;
type Model = M.editor.ITextModel;

/** A parameter in one line: `cut: score = 70`, "the lowest score …". */
function paramLine(p: TemplateParamInfo): string {
  return `- \`${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ""}\`${p.default === undefined ? " (required)" : ""}${p.doc ? `: ${p.doc}` : ""}`;
}

/** Markdown documentation of a template: what it is for, its parameters and its example. */
export function templateMarkdown(t: TemplateInfo): string {
  return [
    `**${t.name}** (template${t.version ? ` version ${t.version}` : ""}${t.wholeContract ? ", a whole contract" : ""})`,
    t.purpose,
    `Parameters:\n\n${t.params.map(paramLine).join("\n")}`,
    ...(t.example ? [`\`\`\`obc\n${t.example}\n\`\`\``] : []),
  ].join("\n\n");
}

export function paramMarkdown(t: TemplateInfo, p: TemplateParamInfo): string {
  return `**${p.name}**: \`${p.type}\` — parameter of template \`${t.name}\`${p.default !== undefined ? `, default \`${p.default}\`` : ", required"}${p.doc ? `\n\n${p.doc}` : ""}`;
}

/** Escapes text for a snippet placeholder. */
function snippetText(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/** `name(cut: ${1:70}, amount: ${2:$900})`: the required arguments, filled from the example. */
function useSnippet(t: TemplateInfo): string {
  const required = t.params.filter((p) => p.default === undefined);
  const args = required.map((p, i) => `${p.name}: \${${i + 1}:${snippetText(t.exampleArgs[p.name] ?? p.type)}}`);
  return `${t.name}(${args.join(", ")})$0`;
}

export interface UseContext {
  template: string;
  /** the names of the arguments already written */
  given: string[];
  /** the cursor is where an argument's name goes (not its value) */
  atName: boolean;
}

/** Whether the position is inside the parentheses of `use name(…)`, and where. */
export function useContextAt(model: Model, position: M.IPosition): UseContext | undefined {
  const offset = model.getOffsetAt(position);
  const from = Math.max(0, offset - 4000);
  const before = model.getValue().slice(from, offset);
  let match: RegExpExecArray | undefined;
  const re = /\buse\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  for (let m = re.exec(before); m; m = re.exec(before)) match = m;
  if (!match) return undefined;
  const args = before.slice(match.index + match[0].length).replace(/\/\/[^\n]*/g, "");
  let depth = 1;
  let inString = false;
  let lastSep = -1;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") {
      depth--;
      if (depth === 0) return undefined;
    } else if (c === "," && depth === 1) lastSep = i;
  }
  if (inString) return undefined;
  const given = [...args.matchAll(/(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1]!);
  const atName = depth === 1 && /^\s*[A-Za-z_]*$/.test(args.slice(lastSep + 1));
  return { template: match[1]!, given, atName };
}

/**
 * Completion items for the template context at a position, or undefined when the position
 * is not in one (the other completions apply then).
 */
export function templateCompletions(monaco: Monaco, model: Model, position: M.IPosition, templates: readonly TemplateInfo[]): Item[] | undefined {
  const K = monaco.languages.CompletionItemKind;
  const line = model.getLineContent(position.lineNumber);
  const prefix = line.slice(0, position.column - 1);
  const word = model.getWordUntilPosition(position);
  const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
  const text = model.getValue();
  const imported = (name: string) => new RegExp(`\\bimport\\s+${name}\\b`).test(text);
  const doc = (t: TemplateInfo) => ({ value: templateMarkdown(t) });
  const detail = (t: TemplateInfo) => `template${t.wholeContract ? " (whole contract)" : ""}: ${t.title}`;

  if (/^\s*import\s+[A-Za-z_]*$/.test(prefix)) {
    return templates.map((t) => ({
      label: t.name, kind: K.Module, detail: detail(t), documentation: doc(t), range,
      insertText: `${t.name} from stdlib`, filterText: t.name, sortText: `${imported(t.name) ? 1 : 0}_${t.name}`,
    }));
  }
  if (/^\s*import\s+[A-Za-z_][A-Za-z0-9_]*\s+[A-Za-z_]*$/.test(prefix)) {
    return [{ label: "from stdlib", kind: K.Keyword, insertText: "from stdlib", detail: "the template library", range }];
  }
  if (/^\s*import\s+[A-Za-z_][A-Za-z0-9_]*\s+from\s+[A-Za-z_]*$/.test(prefix)) {
    return [{ label: "stdlib", kind: K.Module, insertText: "stdlib", detail: "the template library that ships with OBC", range }];
  }
  const use = /^(\s*)use\s+[A-Za-z_]*$/.exec(prefix);
  if (use) {
    return templates.map((t) => {
      const item: Item = {
        label: t.name, kind: K.Module, detail: detail(t), documentation: doc(t), range,
        insertText: useSnippet(t), insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
        filterText: t.name, sortText: `${imported(t.name) ? 0 : 1}_${t.name}`,
      };
      if (!imported(t.name)) {
        item.additionalTextEdits = [{ range: { startLineNumber: position.lineNumber, startColumn: 1, endLineNumber: position.lineNumber, endColumn: 1 }, text: `${use[1]}import ${t.name} from stdlib\n` }];
      }
      return item;
    });
  }
  const ctx = useContextAt(model, position);
  if (ctx?.atName) {
    const t = templates.find((x) => x.name === ctx.template);
    if (!t) return undefined;
    return t.params
      .filter((p) => !ctx.given.includes(p.name))
      .map((p, i) => ({
        label: p.name, kind: K.Property, range,
        detail: `${p.type}${p.default !== undefined ? ` = ${p.default}` : " (required)"}`,
        documentation: { value: paramMarkdown(t, p) },
        insertText: `${p.name}: \${1:${snippetText(t.exampleArgs[p.name] ?? p.default ?? p.type)}}`,
        insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
        // required parameters first, then in the template's order
        sortText: `${p.default === undefined ? 0 : 1}_${String(i).padStart(3, "0")}`,
      }));
  }
  return undefined;
}

/** Hover on a template name (`import x`, `use x(`) or on a parameter name inside `use x(…)`. */
export function templateHover(model: Model, position: M.IPosition, templates: readonly TemplateInfo[]): { value: string; range: M.IRange } | undefined {
  const word = model.getWordAtPosition(position);
  if (!word) return undefined;
  const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
  const before = model.getLineContent(position.lineNumber).slice(0, word.startColumn - 1);
  if (/\b(import|use)\s+$/.test(before)) {
    const t = templates.find((x) => x.name === word.word);
    return t ? { value: templateMarkdown(t), range } : undefined;
  }
  const after = model.getLineContent(position.lineNumber).slice(word.endColumn - 1);
  if (!/^\s*:/.test(after)) return undefined;
  const ctx = useContextAt(model, { lineNumber: position.lineNumber, column: word.startColumn });
  const t = ctx && templates.find((x) => x.name === ctx.template);
  const p = t?.params.find((x) => x.name === word.word);
  return t && p ? { value: paramMarkdown(t, p), range } : undefined;
}
