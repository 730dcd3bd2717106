/**
 * Diagnostics are data: every stage returns them, none throws them.
 * Spans are 0-based UTF-16 offsets into the source (see `language/ast.ts`).
 */
import type { Span } from "../ast.ts";

export type Severity = "error" | "warning" | "info";

export interface Label {
  span: Span;
  /** Short text shown under the caret, e.g. "this field may be missing". */
  label: string;
}

export interface Suggestion {
  /** What the fix does, in plain words: "Replace with 'eoy_score'". */
  message: string;
  /** The text edit that applies it. */
  span: Span;
  replacement: string;
}

export interface Diagnostic {
  /** Stable code from the registry in `codes.ts`, e.g. "OBC2001". Never reused. */
  code: string;
  severity: Severity;
  /** Whole sentences for contract authors. */
  message: string;
  primary: Label;
  related: Label[];
  /** A separate hint on how to fix it. */
  help?: string;
  suggestions: Suggestion[];
  /** Name of the clause the problem sits in, when there is one ("in clause 'Algebra ready'"). */
  clause?: string;
}
