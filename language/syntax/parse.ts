/**
 * The syntax stage: from source text to AST.
 *
 * Input: `.obc` source text. Output: `{ value: SourceFile, diagnostics }`. Lexing errors,
 * parse errors (worded per grammar rule for contract authors, with a valid example) and
 * the CST-to-AST checks all come back as diagnostics; nothing is thrown.
 */
import type { CstNode, IRecognitionException, IToken, TokenType } from "./chevrotain.ts";
import type { SourceFile, Span } from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { CstToAst } from "./cst-to-ast.ts";
import { MAX_NESTING, MAX_SOURCE_LENGTH, MAX_SYNTAX_ERRORS } from "../limits.ts";
import { lex } from "./lex.ts";
import { NestingTooDeep, parser } from "./parser.ts";

/** What each grammar rule is, in words, and a valid example shown after a syntax error. */
const RULE_WORDS: Record<string, { what: string; example?: string }> = {
  sourceFile: { what: "the contract", example: 'contract "Algebra readiness pilot" { … }' },
  contract: { what: "the contract", example: 'contract "Algebra readiness pilot" version "1.0" { … }' },
  item: { what: "a statement", example: 'outcome "Algebra ready" pays $900 per identified student when eoy_score >= 70' },
  partiesDecl: { what: "the parties section", example: 'parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }' },
  party: { what: "a party", example: 'funder "Lakeview Education Foundation" as philanthropy' },
  termDecl: { what: "the term", example: "term 2026-09-01 to 2027-06-30" },
  currencyDecl: { what: "the currency", example: "currency USD" },
  roundingDecl: { what: "the rounding rule", example: "rounding half up to the cent" },
  roundingRule: { what: "a rounding rule", example: "half up to the cent" },
  dataDecl: { what: "a data declaration", example: "data students keyed by student_id { eoy_score: optional score }" },
  fieldDecl: { what: "a field", example: "eoy_score: optional score" },
  metricDecl: { what: "a metric", example: "metric growth = eoy_score - boy_score" },
  letDecl: { what: "a named value", example: "let avoided = count where (tracked and not in_special_education)" },
  populationDecl: { what: "a group of students", example: "identified students when grade in [8, 9] and boy_score < 60" },
  paymentClause: { what: "a payment clause", example: 'milestone "Dosage" pays $300 per identified student when sessions >= 30' },
  perStudent: { what: "who is paid for", example: "per served student" },
  tier: { what: "a tier", example: "when growth >= projected_growth: $750" },
  missingRule: { what: "the missing-value rule", example: "if missing: not met" },
  cohortClause: { what: "a cohort clause", example: 'cohort "Savings share" over children { let avoided = count where (not in_special_education)  pays 95% of avoided * $2,600 }' },
  weightDecl: { what: "a weight", example: 'weight 1.2 for english_learner on "Algebra ready"' },
  capDecl: { what: "a cap", example: "cap $1,600 per student" },
  floorDecl: { what: "a floor", example: "floor $0 per student" },
  fundingDecl: { what: "the funding section", example: "funding { philanthropy pays 40% of every line  district pays the rest }" },
  fundingShare: { what: "a funding share", example: "district pays the rest" },
  settlementDecl: { what: "the settlement dates", example: "settlement on 2027-01-15, 2027-07-31" },
  escalationDecl: { what: "an escalation protocol", example: 'escalation "Attendance" over checkpoints { … }' },
  escalationLevel: { what: "an escalation level", example: "level 1 when attendance_rate < 75% { provider \"submits a plan\" within 15 days }" },
  escalationAction: { what: "an escalation action", example: 'provider "submits an improvement plan" within 15 days' },
  withholdAction: { what: "a withholding", example: "withhold 10% of milestone payments until attendance_rate >= 75%" },
  terminateAction: { what: "a termination right", example: "district may terminate with 30 days notice after 2 more checkpoints" },
  dutyAction: { what: "an action", example: 'provider "submits an improvement plan" within 15 days' },
  partyList: { what: "a list of parties", example: "district and provider" },
  within: { what: "a time limit", example: "within 10 business days" },
  routinesDecl: { what: "the routines section", example: 'routines { provider shares "session attendance" weekly }' },
  routine: { what: "a routine", example: 'provider shares "session attendance" weekly' },
  governanceDecl: { what: "the governance section", example: 'governance { committee "Steering committee" of district and provider meets quarterly }' },
  committee: { what: "a committee", example: 'committee "Steering committee" of district and provider meets quarterly' },
  amendmentDecl: { what: "an amendment", example: 'amendment "1.1" effective 2027-01-01 { outcome "Ready" pays $950 per student when eoy_score >= 72 }' },
  amendmentChange: { what: "a change", example: 'remove "Dosage"' },
  removeChange: { what: "a removal", example: 'remove "Dosage"  ·  remove cap per student  ·  remove weight on "Growth"' },
  replaceChange: { what: "a replacement", example: 'replace "Midyear" with { milestone "Midyear attendance" due 2027-02-15 pays $100 per student when sessions >= 20 }' },
  renameChange: { what: "a renaming", example: 'rename "Ready" to "Algebra ready"' },
  amendmentRule: { what: "the amendment rule", example: 'amendments "in writing" signed by district and provider' },
  trackDecl: { what: "a tracked metric", example: 'track "Tutor retention"' },
  expression: { what: "a condition or value" },
  andExpr: { what: "a condition" },
  notExpr: { what: "a condition" },
  comparison: { what: "a comparison" },
  additive: { what: "a value" },
  multiplicative: { what: "a value" },
  coalesce: { what: "a value" },
  unary: { what: "a value" },
  primary: { what: "a value" },
  monthStarts: { what: "a month count", example: "month starts from 2022-09-01 through exit_date otherwise 2023-06-30" },
  countOf: { what: "a count of conditions", example: "count of [eoy_fluency >= 40, eoy_vocabulary >= 35]" },
  aggregate: { what: "a count, share or sum", example: "share of served students where (eoy_score >= 70)" },
  populationRef: { what: "a group of students", example: "served students" },
};

function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType.name === "EOF") return "the end of the file";
  if (t.tokenType.name === "StringLit") return `the text ${t.image}`;
  return `'${t.image}'`;
}

function labelOf(tt: TokenType): string {
  return tt.LABEL ?? tt.name;
}

/** Turns the expected token paths of a Chevrotain error into a short phrase. */
function expectedPhrase(e: IRecognitionException, rule: string): string {
  const msg = e.message;
  // MismatchedTokenException carries a single expected token in its message.
  const single = /^Expecting (?:token of type --> (.+?) <--|--> (.+?) <--)/.exec(msg);
  if (single) return single[1] ?? single[2] ?? "something else";
  const words = RULE_WORDS[rule]?.what;
  const labels = [...msg.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!.split(", ")[0]!);
  const unique = [...new Set(labels)];
  if (unique.length > 0 && unique.length <= 4) return unique.join(" or ");
  return words ?? "something else";
}

function spanOfToken(t: IToken | undefined, fallback: number): Span {
  if (!t || !Number.isFinite(t.startOffset)) return { start: fallback, end: fallback };
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

export interface ParseOutput {
  value: SourceFile;
  diagnostics: Diagnostic[];
}

/** Parses `.obc` text into an AST. Never throws. */
export function parse(text: string): ParseOutput {
  const empty: SourceFile = { $type: "SourceFile", span: { start: 0, end: text.length }, comments: [] };
  if (text.length > MAX_SOURCE_LENGTH) {
    return { value: empty, diagnostics: [diag("OBC1013", { size: sizeWords(text.length), limit: sizeWords(MAX_SOURCE_LENGTH) }, { span: { start: 0, end: 0 }, label: "too long to read" })] };
  }
  const diagnostics: Diagnostic[] = [];
  const lexed = lex(text);
  for (const u of lexed.unknown) {
    diagnostics.push(diag("OBC1003", { char: describeChar(text, u.start) }, { span: u, label: "not part of the language" }));
  }
  for (const u of lexed.unclosed) diagnostics.push(diag("OBC1004", {}, { span: u, label: "unclosed text" }));
  if (lexed.stoppedAt !== undefined) {
    diagnostics.push(tooMany(lexed.stoppedAt, text));
    return { value: empty, diagnostics };
  }
  parser.input = lexed.tokens;
  let cst: CstNode;
  try {
    cst = parser.sourceFile();
  } catch (e) {
    if (!(e instanceof NestingTooDeep)) throw e;
    parser.input = [];
    diagnostics.push(diag("OBC1011", { limit: String(MAX_NESTING) }, { span: spanOfToken(e.token, text.length), label: `more than ${MAX_NESTING} levels deep` }));
    return { value: empty, diagnostics };
  }
  const seen = new Set<number>();
  let parseErrors = 0;
  for (const e of parser.errors) {
    const rule = e.context.ruleStack[e.context.ruleStack.length - 1] ?? "sourceFile";
    const found = e.token;
    const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
    const atEnd = !found || found.tokenType.name === "EOF" || !Number.isFinite(found.startOffset);
    const words = RULE_WORDS[rule] ?? { what: "this statement" };
    const expected = expectedPhrase(e, rule);
    // Squiggle at the end of what came before when the file ended, else at the token found.
    const span = atEnd
      ? prev && Number.isFinite(prev.endOffset)
        ? { start: prev.startOffset, end: (prev.endOffset ?? prev.startOffset) + 1 }
        : { start: text.length, end: text.length }
      : spanOfToken(found, text.length);
    if (seen.has(span.start)) continue; // one report per place
    seen.add(span.start);
    if (++parseErrors > MAX_SYNTAX_ERRORS) {
      diagnostics.push(tooMany(span.start, text));
      return { value: empty, diagnostics };
    }
    if (e.name === "NotAllInputParsedException" && !cst.children["contract"] && !cst.children["template"]) {
      diagnostics.push(diag("OBC1007", {}, { span, label: "no contract here" }));
      continue;
    }
    if (e.name === "NotAllInputParsedException") {
      diagnostics.push(
        diag(
          "OBC1001",
          { expected: "the end of the file", after: "the contract's closing '}'", found: describeToken(found), example: "Everything must be inside contract \"…\" { … }." },
          { span, label: "outside the contract" },
        ),
      );
      continue;
    }
    if (atEnd) {
      if (expected === "'}'") {
        diagnostics.push(diag("OBC1009", { what: words.what }, { span, label: "the file ends before the closing '}'" }));
      } else {
        diagnostics.push(diag("OBC1002", { what: words.what, expected: expected === words.what ? "the rest of it" : expected }, { span, label: "the file ends here" }));
      }
      continue;
    }
    const params: Record<string, string> = {
      expected,
      after: prev && Number.isFinite(prev.startOffset) ? `'${prev.image}'` : `the start of ${words.what}`,
      found: describeToken(found),
    };
    if (words.example) params["example"] = `${cap(words.what)} looks like this: ${words.example}`;
    diagnostics.push(
      diag(
        "OBC1001",
        params,
        { span, label: "not expected here" },
      ),
    );
  }
  const conv = new CstToAst(text);
  const comments = lexed.comments.map((t) => ({
    text: t.image,
    span: { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 },
  }));
  const value = conv.sourceFile(cst, comments);
  diagnostics.push(...conv.diagnostics);
  if (!value.contract && !value.template && !diagnostics.some((d) => d.severity === "error")) {
    diagnostics.push(diag("OBC1007", {}, { span: { start: 0, end: Math.min(text.length, 1) }, label: "no contract here" }));
  }
  return { value, diagnostics };
}

/** `'@'`, or a description for a character that does not print: "the invisible character U+200B". */
function describeChar(text: string, at: number): string {
  const cp = text.codePointAt(at) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `${hex} (a control character)`;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffd) return `${hex} (a character that is not valid text)`;
  if (cp === 0x2028 || cp === 0x2029 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064)) return `${hex} (an invisible character)`;
  return `'${String.fromCodePoint(cp)}'`;
}

/** "1.5 MB", "2 MB", "812 KB" */
function sizeWords(chars: number): string {
  if (chars >= 1024 * 1024) return `${Number((chars / (1024 * 1024)).toFixed(1))} MB`;
  return `${Math.ceil(chars / 1024)} KB`;
}

/** The diagnostic that says where reading stopped. */
function tooMany(at: number, text: string): Diagnostic {
  return diag("OBC1012", { count: String(MAX_SYNTAX_ERRORS) }, { span: { start: at, end: Math.min(text.length, at + 1) }, label: "stopped reading here" });
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export { labelOf };
