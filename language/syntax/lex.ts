/**
 * Lexing with bounded work: from source text to tokens, in one linear pass over the text.
 *
 * Input: `.obc` source text. Output: the Chevrotain tokens and comments of `tokens.ts`, the
 * runs of characters the language does not use, the texts in quotes never closed, and the
 * offset where lexing stopped when there were more than {@link MAX_SYNTAX_ERRORS} of those.
 *
 * Chevrotain's own error recovery tries every token pattern at every offset of a run of
 * unknown characters, so a long run costs hundreds of pattern tests per character. Instead a
 * small scanner, written to match exactly what the token patterns accept, finds the unknown
 * characters first and the text handed to Chevrotain has them replaced by spaces (offsets,
 * lines and columns unchanged), so Chevrotain never enters its error mode.
 */
import type { IToken } from "./chevrotain.ts";
import type { Span } from "../ast.ts";
import { MAX_SYNTAX_ERRORS } from "../limits.ts";
import { obcLexer, UnterminatedString } from "./tokens.ts";

export interface LexOutput {
  tokens: IToken[];
  comments: IToken[];
  /** runs of characters that start no token, in order */
  unknown: Span[];
  /** texts in quotes that are never closed */
  unclosed: Span[];
  /** set when lexing stopped early, at this offset, because of too many problems */
  stoppedAt?: number;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** line terminators for `.` in a JavaScript regular expression */
const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
/** the characters of the WhiteSpace token */
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10 || c === 12 || c === 0xa0 || c === 0xfeff;
/** single characters that are a token by themselves: { } [ ] ( ) , : < > = + - * / */
const PUNCTUATION = new Uint8Array(128);
for (const c of "{}[](),:<>=+-*/") PUNCTUATION[c.charCodeAt(0)] = 1;

/** the end of a run of digits from `k` */
function digitsFrom(text: string, k: number): number {
  while (k < text.length && isDigit(text.charCodeAt(k))) k++;
  return k;
}

/** `\d{4}-\d{2}-\d{2}` at `i` */
function isDateAt(text: string, i: number): boolean {
  for (let k = 0; k < 10; k++) {
    const c = text.charCodeAt(i + k);
    if (k === 4 || k === 7 ? c !== 45 : !isDigit(c)) return false;
  }
  return true;
}

/**
 * The length of the token that starts at `i`, or 0 when no token starts there. Mirrors the
 * patterns of `tokens.ts`; strings and comments are handled by the caller.
 */
function tokenLength(text: string, i: number): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  if (isSpace(c)) return 1;
  if (c < 128 && PUNCTUATION[c] === 1) return 1;
  if (isLetter(c)) {
    let j = i + 1;
    while (j < n && (isLetter(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++;
    return j - i;
  }
  if (isDigit(c)) {
    // DateLit before PercentLit and NumberLit: \d+(?:\.\d+)?%?
    if (isDateAt(text, i)) return 10;
    let j = digitsFrom(text, i);
    if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) j = digitsFrom(text, j + 1);
    if (text.charCodeAt(j) === 37) j++;
    return j - i;
  }
  if (c === 36) {
    // MoneyLit \$\d+(?:,\d+)*(?:\.\d+)?
    if (!isDigit(text.charCodeAt(i + 1))) return 0;
    let j = digitsFrom(text, i + 1);
    while (text.charCodeAt(j) === 44 && isDigit(text.charCodeAt(j + 1))) j = digitsFrom(text, j + 1);
    if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) j = digitsFrom(text, j + 1);
    return j - i;
  }
  if (c === 33) return text.charCodeAt(i + 1) === 61 ? 2 : 0; // !=
  return 0;
}

/**
 * Finds the unknown characters and the unclosed texts, stopping after `maxProblems`.
 * Linear in the text: every character is looked at a bounded number of times.
 */
export function scan(text: string, maxProblems = MAX_SYNTAX_ERRORS): { unknown: Span[]; unclosed: Span[]; stoppedAt?: number } {
  const unknown: Span[] = [];
  const unclosed: Span[] = [];
  const n = text.length;
  let problems = 0;
  let i = 0;
  let runStart = -1;
  /** ends the current run of unknown characters; false when it is one problem too many */
  const endRun = (at: number): boolean => {
    if (runStart < 0) return true;
    if (problems >= maxProblems) return false;
    unknown.push({ start: runStart, end: at });
    problems++;
    runStart = -1;
    return true;
  };
  const stopped = () => ({ unknown, unclosed, stoppedAt: runStart });
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      // a comment, up to the end of the line
      if (!endRun(i)) return stopped();
      i += 2;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 34) {
      if (!endRun(i)) return stopped();
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 34) {
          closed = true;
          j++;
          break;
        }
        if (d === 92) {
          if (j + 1 < n && !isLineTerminator(text.charCodeAt(j + 1))) {
            j += 2;
            continue;
          }
          break;
        }
        if (d === 10 || d === 13) break;
        j++;
      }
      if (!closed) {
        if (problems >= maxProblems) return { unknown, unclosed, stoppedAt: i };
        problems++;
        unclosed.push({ start: i, end: j });
      }
      i = j;
      continue;
    }
    const len = tokenLength(text, i);
    if (len === 0) {
      if (runStart < 0) runStart = i;
      i++;
      continue;
    }
    if (!endRun(i)) return stopped();
    i += len;
  }
  if (!endRun(n)) return stopped();
  return { unknown, unclosed };
}

/** Lexes `.obc` text in time linear in its length. Never throws. */
export function lex(text: string): LexOutput {
  const found = scan(text);
  const end = found.stoppedAt ?? text.length;
  let clean = text.slice(0, end);
  if (found.unknown.length > 0) {
    const parts: string[] = [];
    let at = 0;
    for (const u of found.unknown) {
      parts.push(clean.slice(at, u.start), " ".repeat(u.end - u.start));
      at = u.end;
    }
    parts.push(clean.slice(at));
    clean = parts.join("");
  }
  const result = obcLexer.tokenize(clean);
  // the scanner and the token patterns agree; should they ever not, Chevrotain's own errors are kept
  const unknown = [...found.unknown, ...result.errors.map((e) => ({ start: e.offset, end: e.offset + Math.max(1, e.length) }))];
  unknown.sort((a, b) => a.start - b.start);
  const tokens = result.tokens.filter((t) => t.tokenType !== UnterminatedString);
  return { tokens, comments: result.groups["comments"] ?? [], unknown, unclosed: found.unclosed, stoppedAt: found.stoppedAt };
}
