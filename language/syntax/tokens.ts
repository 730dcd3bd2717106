/**
 * Lexer: from source text to tokens.
 *
 * Input: `.obc` source text. Output: Chevrotain tokens (with 0-based offsets), comment
 * tokens kept in their own group for the formatter, and lexing errors as data.
 *
 * Keywords are reserved words matched with `longer_alt: Identifier`, so `base_score` is an
 * identifier while `base` is the keyword. Words such as party roles (`district`), data
 * types (`score`) and frequencies (`monthly`) are plain identifiers checked later, so a
 * misspelling gets a did-you-mean instead of a syntax error.
 */
import { CHECK_GRAMMAR, createToken, Lexer, type TokenType } from "./chevrotain.ts";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /\/\/[^\n\r]*/, group: "comments" });

/** Tokens that may follow an unknown word while the parser skips to the next statement. */
export const Skippable = createToken({ name: "Skippable", pattern: Lexer.NA });
/** Keywords that start a statement inside a contract. */
export const StatementStart = createToken({ name: "StatementStart", pattern: Lexer.NA });

/** Identifiers and the few keywords that may also name a data set or a period (`data students`, `each month`). */
export const NameLike = createToken({ name: "NameLike", pattern: Lexer.NA, label: "a name" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name", categories: [Skippable, NameLike] });

const allKeywords: TokenType[] = [];
function kw(word: string, opts: { statement?: boolean; label?: string; name?: boolean } = {}): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  const t = createToken({
    name,
    pattern: new RegExp(word + "\\b"),
    longer_alt: Identifier,
    label: opts.label ?? `'${word}'`,
    categories: opts.statement ? [StatementStart] : opts.name ? [Skippable, NameLike] : [Skippable],
  });
  allKeywords.push(t);
  return t;
}

// statement keywords
export const Parties = kw("parties", { statement: true });
export const Term = kw("term", { statement: true });
export const Currency = kw("currency", { statement: true });
export const Rounding = kw("rounding", { statement: true });
export const Data = kw("data", { statement: true });
export const Metric = kw("metric", { statement: true });
export const Condition = kw("condition", { statement: true });
export const Eligible = kw("eligible", { statement: true });
export const Identified = kw("identified", { statement: true });
export const Served = kw("served", { statement: true });
export const Base = kw("base", { statement: true });
export const Milestone = kw("milestone", { statement: true });
export const Outcome = kw("outcome", { statement: true });
export const Partial = kw("partial", { statement: true });
export const Bonus = kw("bonus", { statement: true });
export const Penalty = kw("penalty", { statement: true });
export const Payment = kw("payment", { statement: true });
export const Cohort = kw("cohort", { statement: true });
export const Weight = kw("weight", { statement: true });
export const Cap = kw("cap", { statement: true });
export const Floor = kw("floor", { statement: true });
export const Funding = kw("funding", { statement: true });
export const Settlement = kw("settlement", { statement: true });
export const Escalation = kw("escalation", { statement: true });
export const Routines = kw("routines", { statement: true });
export const Governance = kw("governance", { statement: true });
export const Track = kw("track", { statement: true });
export const Import = kw("import", { statement: true });
export const Use = kw("use", { statement: true });
export const Param = kw("param", { statement: true });
export const Amendment = kw("amendment", { statement: true });

// other keywords
export const Contract = kw("contract");
export const Template = kw("template");
export const Stdlib = kw("stdlib");
export const Effective = kw("effective");
export const Version = kw("version");
export const As = kw("as");
export const To = kw("to");
export const Half = kw("half");
export const Up = kw("up");
export const Down = kw("down");
export const Even = kw("even");
export const The = kw("the");
export const Cent = kw("cent");
export const Dollar = kw("dollar");
export const Keyed = kw("keyed");
export const By = kw("by");
export const Each = kw("each");
export const Optional = kw("optional");
export const Let = kw("let");
export const Measure = kw("measure");
export const Students = kw("students", { name: true });
export const Student = kw("student", { name: true });
export const Due = kw("due");
export const Pays = kw("pays");
export const Per = kw("per");
export const When = kw("when");
export const If = kw("if");
export const Missing = kw("missing");
export const Present = kw("present");
export const Not = kw("not");
export const Met = kw("met");
export const Excluded = kw("excluded");
export const In = kw("in");
export const Tiers = kw("tiers");
export const Otherwise = kw("otherwise");
export const For = kw("for");
export const On = kw("on");
export const Allocated = kw("allocated");
export const Pro = kw("pro");
export const Rata = kw("rata");
export const Order = kw("order");
export const Of = kw("of");
export const Every = kw("every");
export const Line = kw("line");
export const Rounded = kw("rounded");
export const Rest = kw("rest");
export const Over = kw("over");
export const Count = kw("count");
export const Share = kw("share");
export const Sum = kw("sum");
export const Where = kw("where");
export const Month = kw("month", { name: true });
export const Starts = kw("starts");
export const From = kw("from");
export const Through = kw("through");
export const Is = kw("is");
export const And = kw("and");
export const Or = kw("or");
export const True = kw("true");
export const False = kw("false");
export const Level = kw("level");
export const Consecutive = kw("consecutive");
export const Checkpoints = kw("checkpoints", { name: true });
export const Within = kw("within");
export const Days = kw("days");
export const Business = kw("business");
export const Weeks = kw("weeks");
export const Months = kw("months");
export const Withhold = kw("withhold");
export const Payments = kw("payments");
export const All = kw("all");
export const Until = kw("until");
export const May = kw("may");
export const Terminate = kw("terminate");
export const With = kw("with");
export const Notice = kw("notice");
export const After = kw("after");
export const More = kw("more");
export const Shares = kw("shares");
export const Meet = kw("meet");
export const Reports = kw("reports");
export const Reviews = kw("reviews");
export const Committee = kw("committee");
export const Meets = kw("meets");
export const Amendments = kw("amendments");
export const Signed = kw("signed");

// literals
export const DateLit = createToken({ name: "DateLit", pattern: /\d{4}-\d{2}-\d{2}/, label: "a date", categories: [Skippable] });
export const MoneyLit = createToken({ name: "MoneyLit", pattern: /\$\d+(?:,\d+)*(?:\.\d+)?/, label: "an amount of money", categories: [Skippable] });
export const PercentLit = createToken({ name: "PercentLit", pattern: /\d+(?:\.\d+)?%/, label: "a percentage", categories: [Skippable] });
export const NumberLit = createToken({ name: "NumberLit", pattern: /\d+(?:\.\d+)?/, label: "a number", categories: [Skippable] });
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\.)*"/, label: "text in quotes", categories: [Skippable] });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*/, label: "unclosed text", categories: [Skippable] });

// punctuation
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['", categories: [Skippable] });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'", categories: [Skippable] });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('", categories: [Skippable] });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'", categories: [Skippable] });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','", categories: [Skippable] });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'", categories: [Skippable] });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: />=/, label: "'>='", categories: [Skippable] });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/, label: "'<='", categories: [Skippable] });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/, label: "'!='", categories: [Skippable] });
export const Greater = createToken({ name: "Greater", pattern: />/, label: "'>'", categories: [Skippable] });
export const Less = createToken({ name: "Less", pattern: /</, label: "'<'", categories: [Skippable] });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='", categories: [Skippable] });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "'+'", categories: [Skippable] });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "'-'", categories: [Skippable] });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'", categories: [Skippable] });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "'/'", categories: [Skippable] });

export const keywordTokens: readonly TokenType[] = allKeywords;

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Skippable,
  StatementStart,
  NameLike,
  DateLit,
  MoneyLit,
  PercentLit,
  NumberLit,
  StringLit,
  UnterminatedString,
  ...allKeywords,
  Identifier,
  LCurly, RCurly, LBracket, RBracket, LParen, RParen, Comma, Colon,
  GreaterEq, LessEq, NotEq, Greater, Less, Equals, Plus, Minus, Star, Slash,
];

export const obcLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false, skipValidations: !CHECK_GRAMMAR });

/** The words that start a statement inside a contract, for messages (`param` belongs to templates only). */
export const statementWords: readonly string[] = allKeywords
  .filter((t) => t.CATEGORIES?.includes(StatementStart) && t !== Param)
  .map((t) => String(t.name).toLowerCase());
