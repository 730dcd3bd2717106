/**
 * Rendering diagnostics: as text frames for terminals (Elm/rustc style), as JSON for tools,
 * and as editor ranges (Monaco marker shape, without importing Monaco).
 */
import type { Span } from "../ast.ts";
import { CODES, paramText } from "./codes.ts";
import { LineIndex } from "./source.ts";
import type { Diagnostic, Label, Severity } from "./types.ts";

const TAB_WIDTH = 4;

/** Diagnostics in a deterministic order: start offset, then code, then message. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      a.primary.span.start - b.primary.span.start ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

// ───────────────────────────── text ─────────────────────────────

const ANSI = {
  error: "\x1b[1;31m",
  warning: "\x1b[1;33m",
  info: "\x1b[1;36m",
  note: "\x1b[1;32m",
  gutter: "\x1b[1;34m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
} as const;

/** Display width of `text[0, end)` with tabs expanded; a surrogate pair counts once; past the end counts 1 per unit. */
function displayWidth(text: string, end: number): number {
  let col = 0;
  for (let i = 0; i < end; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 9) col += TAB_WIDTH - (col % TAB_WIDTH);
    else if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) col++;
  }
  return col;
}

/** Expands tabs to the same tab stops used for the carets (in one pass: a line of tabs costs its length). */
function expandTabs(text: string): string {
  let out = "";
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 9) {
      const n = TAB_WIDTH - (col % TAB_WIDTH);
      out += " ".repeat(n);
      col += n;
    } else {
      out += text[i];
      if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) col++;
    }
  }
  return out;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Characters that would act on a terminal instead of showing (control characters, and the
 * bidirectional overrides that reorder what is shown) replaced by a visible sign of the same
 * width: NUL shows as ␀, ESC as ␛, DEL as ␡, the others as �. Line breaks are kept when
 * `keepNewlines` is set (messages); a snippet line has none.
 */
function visible(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (c === 10 && keepNewlines) return ch;
    if (c < 0x20) return String.fromCharCode(0x2400 + c);
    if (c === 0x7f) return "\u2421";
    return "\ufffd";
  });
}

/** A source line longer than this many characters is shown as a window around the span. */
const MAX_SNIPPET = 240;
/** How much of such a line is shown before (and after) the span. */
const SNIPPET_CONTEXT = 60;

/**
 * The part of a line that a snippet shows: the whole line, or for a long line a window around
 * columns [from, to) marked with "…" where it was cut, so a diagnostic stays a few lines long
 * whatever the line's length.
 */
function snippetWindow(text: string, from: number, to: number): { shown: string; from: number; to: number; before: string; after: string } {
  if (text.length <= MAX_SNIPPET) return { shown: text, from, to, before: "", after: "" };
  let lo = Math.max(0, Math.min(from, text.length) - SNIPPET_CONTEXT);
  let hi = Math.min(text.length, lo + MAX_SNIPPET, Math.max(to, from + 1) + SNIPPET_CONTEXT);
  if (lo > 0 && isLowSurrogate(text.charCodeAt(lo))) lo--;
  if (hi < text.length && isLowSurrogate(text.charCodeAt(hi))) hi++;
  const clamp = (x: number) => Math.max(lo, Math.min(x, hi)) - lo;
  return { shown: text.slice(lo, hi), from: clamp(from), to: clamp(Math.max(to, from)), before: lo > 0 ? "…" : "", after: hi < text.length ? "…" : "" };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Renders diagnostics as text frames, sorted by position, followed by a summary line.
 * @param diags the diagnostics
 * @param source the source text the spans point into
 * @param fileName the name shown after `-->`
 * @param opts `color: true` adds ANSI colours
 * @returns the text, ending in a newline; "" when there are no diagnostics
 */
export function renderText(
  diags: readonly Diagnostic[],
  source: string,
  fileName: string,
  opts: { color?: boolean } = {},
): string {
  if (diags.length === 0) return "";
  const index = new LineIndex(source);
  const paint = (style: keyof typeof ANSI, s: string) => (opts.color ? `${ANSI[style]}${s}${ANSI.reset}` : s);
  const blocks = sortDiagnostics(diags).map((d) => renderOne(d, index, fileName, paint));

  const count = (s: Severity) => diags.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  if (count("error")) parts.push(plural(count("error"), "error"));
  if (count("warning")) parts.push(plural(count("warning"), "warning"));
  if (count("info")) parts.push(`${count("info")} info`);
  blocks.push(paint("bold", parts.join(", ")));
  return blocks.join("\n\n") + "\n";
}

type Paint = (style: keyof typeof ANSI, s: string) => string;

/** One diagnostic: header, primary snippet, related `note:` snippets, help. */
function renderOne(d: Diagnostic, index: LineIndex, fileName: string, paint: Paint): string {
  const labels = [d.primary, ...d.related];
  const width = Math.max(...labels.map((l) => String(index.position(l.span.start).line).length));
  const pad = " ".repeat(width);
  const bar = paint("gutter", `${pad} |`);
  const where = (span: Span, clause?: string): string => {
    const p = index.position(span.start);
    const inClause = clause !== undefined ? ` (in clause '${visible(paramText(clause))}')` : "";
    return `${paint("gutter", `${pad}-->`)} ${fileName}:${p.line}:${p.column}${inClause}`;
  };
  const snippet = (l: Label, style: keyof typeof ANSI) => {
    const start = index.position(l.span.start);
    const end = index.position(Math.max(l.span.start, l.span.end));
    const line = index.lineText(start.line);
    const w = snippetWindow(line, start.column - 1, end.line === start.line ? end.column - 1 : Math.max(line.length, start.column - 1));
    const indent = w.before.length + displayWidth(w.shown, w.from);
    const carets = "^".repeat(Math.max(1, w.before.length + displayWidth(w.shown, w.to) - indent));
    const label = l.label ? ` ${paint(style, visible(l.label))}` : "";
    return [
      bar,
      `${paint("gutter", `${String(start.line).padStart(width)} |`)} ${w.before}${visible(expandTabs(w.shown))}${w.after}`.trimEnd(),
      `${bar} ${" ".repeat(indent)}${paint(style, carets)}${label}`,
    ];
  };

  const lines = [
    `${paint(d.severity, `${d.severity}[${d.code}]`)}: ${paint("bold", visible(d.message, true))}`,
    where(d.primary.span, d.clause),
    ...snippet(d.primary, d.severity),
  ];
  for (const r of d.related) {
    lines.push(bar, `${paint("note", "note")}: ${visible(r.label, true)}`, where(r.span), ...snippet({ span: r.span, label: "" }, "note"));
  }
  if (d.help !== undefined) lines.push(bar, `${pad} ${paint("gutter", "=")} ${paint("bold", "help")}: ${visible(d.help, true)}`);
  return lines.join("\n");
}

// ───────────────────────────── JSON ─────────────────────────────

export interface JsonPosition { line: number; column: number; offset: number }
export interface JsonLabel { start: JsonPosition; end: JsonPosition; label: string }
export interface JsonSuggestion { message: string; replacement: string; start: JsonPosition; end: JsonPosition }
export interface JsonDiagnostic {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  file: string;
  start: JsonPosition;
  end: JsonPosition;
  label: string;
  related: JsonLabel[];
  help?: string;
  suggestions: JsonSuggestion[];
  clause?: string;
}

/**
 * Diagnostics as plain JSON-ready objects, sorted by position, with a fixed key order.
 * @param diags the diagnostics
 * @param source the source text the spans point into
 * @param fileName stored as `file`
 * @returns one object per diagnostic; positions carry 1-based line/column and 0-based offset
 */
export function toJson(diags: readonly Diagnostic[], source: string, fileName: string): JsonDiagnostic[] {
  const index = new LineIndex(source);
  const pos = (offset: number): JsonPosition => {
    const o = Math.max(0, Math.min(offset, source.length));
    return { ...index.position(o), offset: o };
  };
  return sortDiagnostics(diags).map((d) => ({
    code: d.code,
    name: CODES[d.code]?.name ?? "",
    severity: d.severity,
    message: d.message,
    file: fileName,
    start: pos(d.primary.span.start),
    end: pos(d.primary.span.end),
    label: d.primary.label,
    related: d.related.map((r) => ({ start: pos(r.span.start), end: pos(r.span.end), label: r.label })),
    ...(d.help !== undefined ? { help: d.help } : {}),
    suggestions: d.suggestions.map((s) => ({
      message: s.message,
      replacement: s.replacement,
      start: pos(s.span.start),
      end: pos(s.span.end),
    })),
    ...(d.clause !== undefined ? { clause: d.clause } : {}),
  }));
}

// ───────────────────────────── editor ranges ─────────────────────────────

export interface DiagnosticRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
  code: string;
  severity: Severity;
}

/**
 * Diagnostics as editor ranges (the shape of Monaco's `IMarkerData`, severity left as a word).
 * @param diags the diagnostics
 * @param source the source text the spans point into
 * @returns one range per diagnostic, sorted by position; lines and columns are 1-based, end exclusive
 */
export function toRanges(diags: readonly Diagnostic[], source: string): DiagnosticRange[] {
  const index = new LineIndex(source);
  return sortDiagnostics(diags).map((d) => {
    const start = index.position(d.primary.span.start);
    const end = index.position(d.primary.span.end);
    return {
      startLineNumber: start.line,
      startColumn: start.column,
      endLineNumber: end.line,
      endColumn: end.column,
      message: d.message,
      code: d.code,
      severity: d.severity,
    };
  });
}
