/**
 * The OBC language in Monaco: its id, a Monarch tokenizer, brackets and comments, and a
 * light theme with readable contrast.
 */
import { TYPE_DOCS } from "../docs.ts";
import { FREQUENCIES, KEYWORDS as WORDS, STATEMENT_WORDS as STATEMENTS } from "../words.ts";
import type { Monaco } from "./setup.ts";

export const LANGUAGE_ID = "obc";
export const THEME_ID = "obc-light";

/** Every reserved word of the language, lower case (a static copy of the parser's, see words.ts). */
export const KEYWORDS: readonly string[] = WORDS;
export const STATEMENT_WORDS: readonly string[] = STATEMENTS;
export const TYPE_WORDS: readonly string[] = Object.keys(TYPE_DOCS);

export function registerLanguage(monaco: Monaco): void {
  if (monaco.languages.getLanguages().some((l) => l.id === LANGUAGE_ID)) return;
  monaco.languages.register({ id: LANGUAGE_ID, extensions: [".obc"], aliases: ["OBC", "obc"] });

  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, {
    defaultToken: "",
    statementWords: [...STATEMENT_WORDS],
    keywords: KEYWORDS.filter((k) => !STATEMENT_WORDS.includes(k)),
    typeWords: [...TYPE_WORDS],
    frequencies: [...FREQUENCIES],
    tokenizer: {
      root: [
        [/\/\/.*$/, "comment"],
        [/"(?:[^"\\]|\\.)*$/, "string.invalid"], // text in quotes that is never closed
        [/"/, "string", "@string"],
        [/\d{4}-\d{2}-\d{2}/, "number.date"],
        [/\$\d+(?:,\d+)*(?:\.\d+)?/, "number.money"],
        [/\d+(?:\.\d+)?%/, "number.percent"],
        [/\d+(?:\.\d+)?/, "number"],
        [
          /[A-Za-z_][A-Za-z0-9_]*/,
          {
            cases: {
              "@statementWords": "keyword.statement",
              "@keywords": "keyword",
              "@typeWords": "type",
              "@frequencies": "constant",
              "@default": "identifier",
            },
          },
        ],
        [/[{}()[\]]/, "@brackets"],
        [/>=|<=|!=|[<>=+\-*/]/, "operator"],
        [/[,:]/, "delimiter"],
        [/\s+/, "white"],
      ],
      string: [
        [/[^\\"]+/, "string"],
        [/\\./, "string.escape"],
        [/"/, "string", "@pop"],
      ],
    },
  });

  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, {
    comments: { lineComment: "//" },
    brackets: [["{", "}"], ["[", "]"], ["(", ")"]],
    // no closing brace is added: a block's lines are typed before its `}` (which then outdents)
    autoClosingPairs: [
      { open: "[", close: "]" },
      { open: "(", close: ")" },
      { open: '"', close: '"', notIn: ["string", "comment"] },
    ],
    surroundingPairs: [{ open: '"', close: '"' }, { open: "(", close: ")" }, { open: "[", close: "]" }],
    wordPattern: /\$?\d[\d,]*(?:\.\d+)?%?|[A-Za-z_][A-Za-z0-9_]*/,
    indentationRules: { increaseIndentPattern: /\{[^}]*$/, decreaseIndentPattern: /^\s*\}/ },
  });

  // Tab accepts the first suggestion while the list is open and nothing in it is selected
  monaco.editor.addKeybindingRule({
    keybinding: monaco.KeyCode.Tab,
    command: "focusAndAcceptSuggestion",
    when: "suggestWidgetVisible && !suggestWidgetHasFocusedSuggestion && textInputFocus",
  });

  // colours chosen for a contrast ratio of at least 4.5:1 on white
  monaco.editor.defineTheme(THEME_ID, {
    base: "vs",
    inherit: true,
    rules: [
      { token: "keyword.statement", foreground: "0033b3", fontStyle: "bold" },
      { token: "keyword", foreground: "0033b3" },
      { token: "type", foreground: "00627a" },
      { token: "constant", foreground: "7a3e9d" },
      { token: "string", foreground: "a31515" },
      { token: "string.invalid", foreground: "a31515", fontStyle: "underline" },
      { token: "number", foreground: "1750eb" },
      { token: "number.date", foreground: "7a3e9d" },
      { token: "number.money", foreground: "0f6b2a", fontStyle: "bold" },
      { token: "number.percent", foreground: "8a4b00" },
      { token: "comment", foreground: "5c6670", fontStyle: "italic" },
      { token: "operator", foreground: "333333" },
      { token: "identifier", foreground: "1f2328" },
    ],
    colors: { "editor.foreground": "#1f2328", "editorLineNumber.foreground": "#6e7781" },
  });
}
