/**
 * Parser: from tokens to a concrete syntax tree (CST).
 *
 * Input: the token vector from `tokens.ts`. Output: a Chevrotain CST (internal to
 * `language/`, converted at once to the AST by `cst-to-ast.ts`) and parse errors as data.
 *
 * The grammar is pure: no embedded actions. Error recovery is on, and an unknown word at
 * the start of a statement is consumed with everything up to the next statement keyword,
 * so one run reports many errors and the editor always gets a (partial) tree.
 */
import { CHECK_GRAMMAR, CstParser, type CstNode, type IOrAlt, type IToken } from "./chevrotain.ts";
import { MAX_NESTING } from "../limits.ts";
import * as T from "./tokens.ts";

/**
 * Thrown out of the parser when brackets, `not`, unary minus, `% of`, `month starts` or blocks
 * nest more than {@link MAX_NESTING} deep; `token` is the one that opened the level too many.
 * The grammar's recursion is bounded by this, so no text can exhaust the stack.
 */
export class NestingTooDeep extends Error {
  constructor(readonly token: IToken) {
    super("nesting too deep");
  }
}

/** The words that start an aggregate of event rows by a name: `latest of (score) over attempts`. */
export const EVENT_PICKS = ["earliest", "latest", "highest", "lowest"] as const;

/** Whether `word next` starts an aggregate of event rows: `latest of`, `longest run`. */
function eventWordAhead(word: IToken, next: IToken): boolean {
  if (word.tokenType !== T.Identifier) return false;
  if (word.image === "longest") return next.image === "run";
  return next.tokenType === T.Of && (EVENT_PICKS as readonly string[]).includes(word.image);
}

/** Whether a token is the unit of a duration (`days`, `weeks`, `months`, `day`, `week`, `month`). */
function unitAhead(t: IToken): boolean {
  const k = t.tokenType;
  return k === T.Days || k === T.Weeks || k === T.Months || k === T.Month || (k === T.Identifier && (t.image === "day" || t.image === "week"));
}

/** The words that start a change inside an amendment (`remove`, `replace`, `rename`). */
export const CHANGE_WORDS: readonly string[] = ["remove", "replace", "rename"];
const isChangeWord = (t: IToken): boolean => t.tokenType === T.Identifier && CHANGE_WORDS.includes(t.image);

class ObcParser extends CstParser {
  /** how many nesting constructs are open around the current token */
  private depth = 0;
  /**
   * The alternatives of each `OR`, built once and reused (Chevrotain's advice): building them
   * anew for every token costs a closure per alternative, most of the parser's time.
   */
  private readonly alts: Record<string, IOrAlt<unknown>[]> = {};

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 4, nodeLocationTracking: "onlyOffset", skipValidations: !CHECK_GRAMMAR });
    this.performSelfAnalysis();
  }

  override reset(): void {
    super.reset();
    this.depth = 0;
  }

  /**
   * Parses one nested level: every recursion of the grammar goes through here. The count is
   * kept with try/finally, so it stays right when error recovery unwinds a rule.
   */
  private nested(inner: () => void): void {
    if (this.RECORDING_PHASE) {
      inner();
      return;
    }
    if (this.depth >= MAX_NESTING) throw new NestingTooDeep(this.LA(0));
    this.depth++;
    try {
      inner();
    } finally {
      this.depth--;
    }
  }

  sourceFile = this.RULE("sourceFile", () => {
    this.OPTION(() =>
      this.OR((this.alts["sourceFile.OR"] ??= [
        { ALT: () => this.SUBRULE(this.contract) },
        { ALT: () => this.SUBRULE(this.template) },
      ])),
    );
  });

  /** A template file: parameters, then the items it adds to a contract. */
  template = this.RULE("template", () => {
    this.CONSUME(T.Template);
    this.CONSUME(T.NameLike, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Version);
      this.CONSUME(T.StringLit, { LABEL: "version" });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.paramDecl));
    this.MANY2(() => this.SUBRULE(this.item));
    this.CONSUME(T.RCurly);
  });

  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.OR((this.alts["paramDecl.OR"] ??= [
      { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "type" }) },
      { ALT: () => this.CONSUME(T.Count, { LABEL: "type" }) },
      { ALT: () => this.CONSUME(T.Condition, { LABEL: "type" }) },
    ]));
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.argValue, { LABEL: "default" });
    });
    this.OPTION2(() => this.CONSUME(T.StringLit, { LABEL: "doc" }));
  });

  /** A template argument or default: an expression, or a group of students. */
  argValue = this.RULE("argValue", () => {
    this.OR((this.alts["argValue.OR"] ??= [
      { ALT: () => this.CONSUME(T.Eligible, { LABEL: "which" }) },
      { ALT: () => this.CONSUME(T.Identified, { LABEL: "which" }) },
      { ALT: () => this.CONSUME(T.Served, { LABEL: "which" }) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]));
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.NameLike, { LABEL: "name" });
    this.CONSUME(T.From);
    this.OR((this.alts["importDecl.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Stdlib);
          this.OPTION(() => {
            this.CONSUME(T.Version);
            this.CONSUME(T.StringLit, { LABEL: "version" });
          });
        },
      },
      { ALT: () => this.CONSUME2(T.StringLit, { LABEL: "path" }) },
    ]));
  });

  useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.NameLike, { LABEL: "name" });
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => this.SUBRULE(this.templateArg),
    });
    this.CONSUME(T.RParen);
  });

  templateArg = this.RULE("templateArg", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.argValue);
  });

  amendmentDecl = this.RULE("amendmentDecl", () => {
    this.CONSUME(T.Amendment);
    this.CONSUME(T.StringLit, { LABEL: "version" });
    this.CONSUME(T.Effective);
    this.CONSUME(T.DateLit, { LABEL: "effective" });
    this.CONSUME(T.LCurly);
    this.nested(() =>
      this.MANY(() =>
        this.OR((this.alts["amendmentDecl.OR"] ??= [
          { GATE: () => isChangeWord(this.LA(1)), ALT: () => this.SUBRULE(this.amendmentChange), IGNORE_AMBIGUITIES: true },
          { ALT: () => this.SUBRULE(this.item) },
        ])),
      ),
    );
    this.CONSUME(T.RCurly);
  });

  /**
   * `remove …`, `replace "X" with { … }`, `rename "X" to "Y"`: what only an amendment can say.
   * The three words are words only here (gated on the identifier), so a field may still be
   * called `remove`.
   */
  amendmentChange = this.RULE("amendmentChange", () => {
    this.OR((this.alts["amendmentChange.OR"] ??= [
      { GATE: () => this.LA(1).image === "remove", ALT: () => this.SUBRULE(this.removeChange) },
      { GATE: () => this.LA(1).image === "replace", ALT: () => this.SUBRULE(this.replaceChange) },
      { GATE: () => this.LA(1).image === "rename", ALT: () => this.SUBRULE(this.renameChange) },
    ]));
  });

  removeChange = this.RULE("removeChange", () => {
    this.CONSUME(T.Identifier, { LABEL: "word" });
    this.OR((this.alts["removeChange.OR"] ??= [
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "name" }) },
      {
        ALT: () => {
          this.CONSUME(T.Cap, { LABEL: "what" });
          this.OR2((this.alts["removeChange.OR2"] ??= [
            {
              ALT: () => {
                this.CONSUME(T.Per);
                this.OR3((this.alts["removeChange.OR3"] ??= [
                  { ALT: () => this.CONSUME(T.Student, { LABEL: "scope" }) },
                  { ALT: () => this.CONSUME(T.Contract, { LABEL: "scope" }) },
                ]));
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.On, { LABEL: "scope" });
                this.CONSUME2(T.StringLit, { LABEL: "name" });
              },
            },
          ]));
        },
      },
      { ALT: () => this.CONSUME(T.Floor, { LABEL: "what" }) },
      {
        ALT: () => {
          this.CONSUME(T.Escalation, { LABEL: "what" });
          this.CONSUME3(T.StringLit, { LABEL: "name" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Track, { LABEL: "what" });
          this.CONSUME4(T.StringLit, { LABEL: "name" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Weight, { LABEL: "what" });
          this.CONSUME2(T.On);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME5(T.StringLit, { LABEL: "clauses" }) });
        },
      },
    ]));
  });

  replaceChange = this.RULE("replaceChange", () => {
    this.CONSUME(T.Identifier, { LABEL: "word" });
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.CONSUME(T.With);
    this.CONSUME(T.LCurly);
    this.nested(() => this.MANY(() => this.SUBRULE(this.item)));
    this.CONSUME(T.RCurly);
  });

  renameChange = this.RULE("renameChange", () => {
    this.CONSUME(T.Identifier, { LABEL: "word" });
    this.CONSUME(T.StringLit, { LABEL: "from" });
    this.CONSUME(T.To);
    this.CONSUME2(T.StringLit, { LABEL: "to" });
  });

  contract = this.RULE("contract", () => {
    this.CONSUME(T.Contract);
    this.CONSUME(T.StringLit, { LABEL: "title" });
    // `id "…"`: the contract's stable identity (the ledger keys settlements by it); `id` is a
    // word only here, so fields and metrics may still be named `id`
    this.OPTION2({
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === "id",
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: "idWord" });
        this.CONSUME3(T.StringLit, { LABEL: "id" });
      },
    });
    this.OPTION(() => {
      this.CONSUME(T.Version);
      this.CONSUME2(T.StringLit, { LABEL: "version" });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.item));
    this.CONSUME(T.RCurly);
  });

  item = this.RULE("item", () => {
    this.OR((this.alts["item.OR"] ??= [
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.amendmentDecl) },
      { ALT: () => this.SUBRULE(this.partiesDecl) },
      { ALT: () => this.SUBRULE(this.termDecl) },
      { ALT: () => this.SUBRULE(this.currencyDecl) },
      { ALT: () => this.SUBRULE(this.roundingDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.metricDecl) },
      { ALT: () => this.SUBRULE(this.populationDecl) },
      { ALT: () => this.SUBRULE(this.paymentClause) },
      { ALT: () => this.SUBRULE(this.cohortClause) },
      { ALT: () => this.SUBRULE(this.weightDecl) },
      { ALT: () => this.SUBRULE(this.capDecl) },
      { ALT: () => this.SUBRULE(this.floorDecl) },
      { ALT: () => this.SUBRULE(this.fundingDecl) },
      { ALT: () => this.SUBRULE(this.settlementDecl) },
      { ALT: () => this.SUBRULE(this.escalationDecl) },
      { ALT: () => this.SUBRULE(this.routinesDecl) },
      { ALT: () => this.SUBRULE(this.governanceDecl) },
      { ALT: () => this.SUBRULE(this.trackDecl) },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
    ]));
  });

  /** A statement that starts with a word that is not a statement keyword: skipped up to the next statement. */
  unknownStatement = this.RULE("unknownStatement", () => {
    this.OR((this.alts["unknownStatement.OR"] ??= [
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.MoneyLit) },
      { ALT: () => this.CONSUME(T.UnterminatedString) },
    ]));
    this.MANY(() =>
      this.OR2((this.alts["unknownStatement.OR2"] ??= [
        { ALT: () => this.CONSUME(T.Skippable) },
        { ALT: () => this.SUBRULE(this.skippedBlock) },
      ])),
    );
  });

  /** A `{ … }` block inside an unknown statement, skipped with its nested blocks. */
  skippedBlock = this.RULE("skippedBlock", () => {
    this.CONSUME(T.LCurly);
    this.nested(() =>
      this.MANY(() =>
        this.OR((this.alts["skippedBlock.OR"] ??= [
          { ALT: () => this.CONSUME(T.Skippable) },
          { ALT: () => this.CONSUME(T.StatementStart) },
          { ALT: () => this.SUBRULE(this.skippedBlock) },
        ])),
      ),
    );
    this.CONSUME(T.RCurly);
  });

  partiesDecl = this.RULE("partiesDecl", () => {
    this.CONSUME(T.Parties);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.party));
    this.CONSUME(T.RCurly);
  });

  party = this.RULE("party", () => {
    this.CONSUME(T.Identifier, { LABEL: "role" });
    this.OR((this.alts["party.OR"] ??= [
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "name" }) },
      { ALT: () => this.CONSUME3(T.Identifier, { LABEL: "name" }) },
    ]));
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Identifier, { LABEL: "alias" });
    });
  });

  termDecl = this.RULE("termDecl", () => {
    this.CONSUME(T.Term);
    this.CONSUME(T.DateLit, { LABEL: "start" });
    this.CONSUME(T.To);
    this.CONSUME2(T.DateLit, { LABEL: "end" });
  });

  currencyDecl = this.RULE("currencyDecl", () => {
    this.CONSUME(T.Currency);
    this.CONSUME(T.Identifier);
  });

  roundingDecl = this.RULE("roundingDecl", () => {
    this.CONSUME(T.Rounding);
    this.SUBRULE(this.roundingRule);
  });

  roundingRule = this.RULE("roundingRule", () => {
    this.OR((this.alts["roundingRule.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Half);
          this.OR2([{ ALT: () => this.CONSUME(T.Up) }, { ALT: () => this.CONSUME(T.Even) }]);
        },
      },
      { ALT: () => this.CONSUME2(T.Up, { LABEL: "upOnly" }) },
      { ALT: () => this.CONSUME(T.Down) },
    ]));
    this.CONSUME(T.To);
    this.CONSUME(T.The);
    this.OR3((this.alts["roundingRule.OR3"] ??= [{ ALT: () => this.CONSUME(T.Cent) }, { ALT: () => this.CONSUME(T.Dollar) }]));
  });

  dataDecl = this.RULE("dataDecl", () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.NameLike, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Keyed);
      this.CONSUME(T.By);
      this.CONSUME3(T.NameLike, { LABEL: "key" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Each);
      this.CONSUME2(T.NameLike, { LABEL: "period" });
    });
    // `per session on session_date`: one row per event, dated by a date field
    this.OPTION3(() => {
      this.CONSUME(T.Per);
      this.CONSUME4(T.NameLike, { LABEL: "per" });
      this.OPTION4(() => {
        this.CONSUME(T.On);
        this.CONSUME5(T.NameLike, { LABEL: "dated" });
      });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.fieldDecl));
    this.CONSUME(T.RCurly);
  });

  fieldDecl = this.RULE("fieldDecl", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.OPTION(() => this.CONSUME(T.Optional));
    this.OR((this.alts["fieldDecl.OR"] ??= [
      { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "type" }) },
      { ALT: () => this.CONSUME(T.Count, { LABEL: "type" }) },
    ]));
    this.OPTION2(() => this.CONSUME(T.StringLit, { LABEL: "description" }));
  });

  metricDecl = this.RULE("metricDecl", () => {
    this.OR((this.alts["metricDecl.OR"] ??= [
      { ALT: () => this.CONSUME(T.Metric, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Condition, { LABEL: "kind" }) },
    ]));
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  letDecl = this.RULE("letDecl", () => {
    this.OR((this.alts["letDecl.OR"] ??= [
      { ALT: () => this.CONSUME(T.Let, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Measure, { LABEL: "kind" }) },
    ]));
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  populationDecl = this.RULE("populationDecl", () => {
    this.OR((this.alts["populationDecl.OR"] ??= [
      { ALT: () => this.CONSUME(T.Eligible, { LABEL: "which" }) },
      { ALT: () => this.CONSUME(T.Identified, { LABEL: "which" }) },
      { ALT: () => this.CONSUME(T.Served, { LABEL: "which" }) },
    ]));
    this.CONSUME(T.Students);
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
  });

  paymentClause = this.RULE("paymentClause", () => {
    this.OR((this.alts["paymentClause.OR"] ??= [
      { ALT: () => this.CONSUME(T.Base, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Milestone, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Outcome, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Partial, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Bonus, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Penalty, { LABEL: "kind" }) },
      { ALT: () => this.CONSUME(T.Payment, { LABEL: "kind" }) },
    ]));
    this.OR3((this.alts["paymentClause.OR3"] ??= [
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "name" }) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "name" }) },
    ]));
    this.OPTION(() => {
      this.CONSUME(T.Due);
      this.OR4((this.alts["paymentClause.OR4"] ??= [
        { ALT: () => this.CONSUME(T.DateLit, { LABEL: "due" }) },
        { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "due" }) },
      ]));
    });
    this.CONSUME(T.Pays);
    this.OR2((this.alts["paymentClause.OR2"] ??= [
      {
        ALT: () => {
          this.SUBRULE(this.expression, { LABEL: "amount" });
          this.SUBRULE(this.perStudent);
          this.OPTION4(() => {
            this.CONSUME(T.To);
            this.CONSUME3(T.Identifier, { LABEL: "payee" });
          });
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.perStudent);
          this.OPTION5(() => {
            this.CONSUME2(T.To);
            this.CONSUME4(T.Identifier, { LABEL: "payee" });
          });
          this.CONSUME(T.In);
          this.CONSUME(T.Tiers);
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => this.SUBRULE(this.tier));
          this.CONSUME(T.RCurly);
        },
      },
    ]));
    this.OPTION2(() => {
      this.CONSUME(T.When);
      this.SUBRULE2(this.expression, { LABEL: "condition" });
    });
    this.OPTION3(() => this.SUBRULE(this.missingRule));
  });

  perStudent = this.RULE("perStudent", () => {
    this.CONSUME(T.Per);
    this.OPTION(() =>
      this.OR((this.alts["perStudent.OR"] ??= [
        { ALT: () => this.CONSUME(T.Eligible, { LABEL: "which" }) },
        { ALT: () => this.CONSUME(T.Identified, { LABEL: "which" }) },
        { ALT: () => this.CONSUME(T.Served, { LABEL: "which" }) },
        { ALT: () => this.CONSUME(T.Identifier, { LABEL: "param" }) },
      ])),
    );
    this.CONSUME(T.Student);
  });

  tier = this.RULE("tier", () => {
    this.OR((this.alts["tier.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.When);
          this.SUBRULE(this.expression, { LABEL: "condition" });
        },
      },
      { ALT: () => this.CONSUME(T.Otherwise) },
    ]));
    this.CONSUME(T.Colon);
    this.SUBRULE2(this.expression, { LABEL: "amount" });
  });

  missingRule = this.RULE("missingRule", () => {
    this.CONSUME(T.If);
    this.CONSUME(T.Missing);
    this.CONSUME(T.Colon);
    this.OR((this.alts["missingRule.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.CONSUME(T.Met);
        },
      },
      { ALT: () => this.CONSUME(T.Excluded) },
    ]));
  });

  cohortClause = this.RULE("cohortClause", () => {
    this.CONSUME(T.Cohort);
    this.OR((this.alts["cohortClause.OR"] ??= [
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "name" }) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "name" }) },
    ]));
    this.OPTION(() => {
      this.CONSUME(T.Due);
      this.OR2((this.alts["cohortClause.OR2"] ??= [
        { ALT: () => this.CONSUME(T.DateLit, { LABEL: "due" }) },
        { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "due" }) },
      ]));
    });
    this.OPTION2(() => {
      this.CONSUME(T.Over);
      this.CONSUME(T.NameLike, { LABEL: "over" });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.letDecl));
    this.CONSUME(T.Pays);
    this.SUBRULE(this.expression, { LABEL: "amount" });
    this.OPTION4(() => {
      this.CONSUME(T.To);
      this.CONSUME3(T.Identifier, { LABEL: "payee" });
    });
    this.OPTION3(() => {
      this.CONSUME(T.When);
      this.SUBRULE2(this.expression, { LABEL: "condition" });
    });
    this.CONSUME(T.RCurly);
  });

  weightDecl = this.RULE("weightDecl", () => {
    this.CONSUME(T.Weight);
    this.CONSUME(T.NumberLit);
    this.CONSUME(T.For);
    this.SUBRULE(this.expression);
    this.CONSUME(T.On);
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () =>
        this.OR((this.alts["weightDecl.OR"] ??= [
          { ALT: () => this.CONSUME(T.StringLit, { LABEL: "clauses" }) },
          { ALT: () => this.CONSUME(T.Identifier, { LABEL: "clauses" }) },
        ])),
    });
  });

  capDecl = this.RULE("capDecl", () => {
    this.CONSUME(T.Cap);
    this.OR4((this.alts["capDecl.OR4"] ??= [
      { ALT: () => this.CONSUME(T.MoneyLit) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "amountParam" }) },
    ]));
    this.OR((this.alts["capDecl.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Per);
          this.OR2([
            { ALT: () => this.CONSUME(T.Student, { LABEL: "scope" }) },
            { ALT: () => this.CONSUME(T.Contract, { LABEL: "scope" }) },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.On);
          this.OR5([
            { ALT: () => this.CONSUME(T.StringLit, { LABEL: "clause" }) },
            { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "clause" }) },
          ]);
        },
      },
    ]));
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.CONSUME(T.Allocated);
      this.OR3((this.alts["capDecl.OR3"] ??= [
        {
          ALT: () => {
            this.CONSUME(T.Pro);
            this.CONSUME(T.Rata);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.CONSUME(T.Order);
          },
        },
      ]));
    });
  });

  floorDecl = this.RULE("floorDecl", () => {
    this.CONSUME(T.Floor);
    this.OR((this.alts["floorDecl.OR"] ??= [
      { ALT: () => this.CONSUME(T.MoneyLit) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "amountParam" }) },
    ]));
    this.CONSUME(T.Per);
    this.CONSUME(T.Student);
  });

  fundingDecl = this.RULE("fundingDecl", () => {
    this.CONSUME(T.Funding);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.fundingShare));
    this.CONSUME(T.RCurly);
  });

  fundingShare = this.RULE("fundingShare", () => {
    this.CONSUME(T.Identifier, { LABEL: "party" });
    this.CONSUME(T.Pays);
    this.OR((this.alts["fundingShare.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.PercentLit);
          this.CONSUME(T.Of);
          this.CONSUME(T.Every);
          this.CONSUME(T.Line);
          this.OPTION(() => {
            this.CONSUME(T.Comma);
            this.CONSUME(T.Rounded);
            this.SUBRULE(this.roundingRule);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.The);
          this.CONSUME(T.Rest);
        },
      },
    ]));
  });

  settlementDecl = this.RULE("settlementDecl", () => {
    this.CONSUME(T.Settlement);
    this.CONSUME(T.On);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.DateLit) });
  });

  escalationDecl = this.RULE("escalationDecl", () => {
    this.CONSUME(T.Escalation);
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.CONSUME(T.Over);
    this.CONSUME(T.NameLike, { LABEL: "over" });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.letDecl));
    this.MANY2(() => this.SUBRULE(this.escalationLevel));
    this.CONSUME(T.RCurly);
  });

  escalationLevel = this.RULE("escalationLevel", () => {
    this.CONSUME(T.Level);
    this.CONSUME(T.NumberLit, { LABEL: "level" });
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.For);
      this.CONSUME2(T.NumberLit, { LABEL: "consecutive" });
      this.CONSUME(T.Consecutive);
      this.CONSUME(T.Checkpoints);
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.escalationAction));
    this.CONSUME(T.RCurly);
  });

  escalationAction = this.RULE("escalationAction", () => {
    this.OR((this.alts["escalationAction.OR"] ??= [
      { ALT: () => this.SUBRULE(this.withholdAction) },
      { GATE: () => this.LA(2).tokenType === T.May, ALT: () => this.SUBRULE(this.terminateAction) },
      { ALT: () => this.SUBRULE(this.dutyAction) },
    ]));
  });

  withholdAction = this.RULE("withholdAction", () => {
    this.CONSUME(T.Withhold);
    this.CONSUME(T.PercentLit);
    this.CONSUME(T.Of);
    this.OR((this.alts["withholdAction.OR"] ??= [
      { ALT: () => this.CONSUME(T.Base, { LABEL: "of" }) },
      { ALT: () => this.CONSUME(T.Milestone, { LABEL: "of" }) },
      { ALT: () => this.CONSUME(T.Outcome, { LABEL: "of" }) },
      { ALT: () => this.CONSUME(T.Partial, { LABEL: "of" }) },
      { ALT: () => this.CONSUME(T.Bonus, { LABEL: "of" }) },
      { ALT: () => this.CONSUME(T.All, { LABEL: "of" }) },
    ]));
    this.CONSUME(T.Payments);
    this.OPTION(() => {
      this.CONSUME(T.Until);
      this.SUBRULE(this.expression);
    });
  });

  terminateAction = this.RULE("terminateAction", () => {
    this.CONSUME(T.Identifier, { LABEL: "party" });
    this.CONSUME(T.May);
    this.CONSUME(T.Terminate);
    this.CONSUME(T.With);
    this.CONSUME(T.NumberLit, { LABEL: "notice" });
    this.CONSUME(T.Days);
    this.CONSUME(T.Notice);
    this.OPTION(() => {
      this.CONSUME(T.After);
      this.CONSUME2(T.NumberLit, { LABEL: "more" });
      this.CONSUME(T.More);
      this.CONSUME(T.Checkpoints);
    });
  });

  dutyAction = this.RULE("dutyAction", () => {
    this.SUBRULE(this.partyList);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.within));
  });

  partyList = this.RULE("partyList", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OR((this.alts["partyList.OR"] ??= [{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.And) }]));
      this.CONSUME2(T.Identifier);
    });
  });

  within = this.RULE("within", () => {
    this.CONSUME(T.Within);
    this.CONSUME(T.NumberLit);
    this.OR((this.alts["within.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Business);
          this.CONSUME(T.Days, { LABEL: "unit" });
        },
      },
      { ALT: () => this.CONSUME2(T.Days, { LABEL: "unit" }) },
      { ALT: () => this.CONSUME(T.Weeks, { LABEL: "unit" }) },
      { ALT: () => this.CONSUME(T.Months, { LABEL: "unit" }) },
    ]));
  });

  routinesDecl = this.RULE("routinesDecl", () => {
    this.CONSUME(T.Routines);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.routine));
    this.CONSUME(T.RCurly);
  });

  routine = this.RULE("routine", () => {
    this.SUBRULE(this.partyList);
    this.OR((this.alts["routine.OR"] ??= [
      { ALT: () => this.CONSUME(T.Shares, { LABEL: "verb" }) },
      { ALT: () => this.CONSUME(T.Meet, { LABEL: "verb" }) },
      { ALT: () => this.CONSUME(T.Reports, { LABEL: "verb" }) },
      { ALT: () => this.CONSUME(T.Reviews, { LABEL: "verb" }) },
    ]));
    this.CONSUME(T.StringLit, { LABEL: "what" });
    this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: "frequency" }));
    this.OPTION2(() => {
      this.SUBRULE(this.within);
      this.OPTION3(() => {
        this.CONSUME(T.Of);
        this.CONSUME2(T.StringLit, { LABEL: "of" });
      });
    });
  });

  governanceDecl = this.RULE("governanceDecl", () => {
    this.CONSUME(T.Governance);
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR((this.alts["governanceDecl.OR"] ??= [
        { ALT: () => this.SUBRULE(this.committee) },
        { ALT: () => this.SUBRULE(this.amendmentRule) },
      ])),
    );
    this.CONSUME(T.RCurly);
  });

  committee = this.RULE("committee", () => {
    this.CONSUME(T.Committee);
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.CONSUME(T.Of);
    this.SUBRULE(this.partyList);
    this.CONSUME(T.Meets);
    this.CONSUME(T.Identifier, { LABEL: "frequency" });
    this.OPTION(() => {
      this.CONSUME(T.To);
      this.CONSUME2(T.StringLit, { LABEL: "purpose" });
    });
  });

  amendmentRule = this.RULE("amendmentRule", () => {
    this.CONSUME(T.Amendments);
    this.CONSUME(T.StringLit);
    this.CONSUME(T.Signed);
    this.CONSUME(T.By);
    this.SUBRULE(this.partyList);
  });

  trackDecl = this.RULE("trackDecl", () => {
    this.CONSUME(T.Track);
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.OPTION(() => this.CONSUME2(T.StringLit, { LABEL: "description" }));
  });

  // ───────────── expressions ─────────────

  expression = this.RULE("expression", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.Or, { LABEL: "ops" });
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.And, { LABEL: "ops" });
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR((this.alts["notExpr.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.nested(() => this.SUBRULE(this.notExpr));
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]));
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, { LABEL: "left" });
    this.OPTION(() =>
      this.OR((this.alts["comparison.OR"] ??= [
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.LessEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.NotEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.Greater, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.Less, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.Equals, { LABEL: "op" }) },
            ]);
            this.SUBRULE2(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(T.Not, { LABEL: "inNot" }));
            this.CONSUME(T.In);
            this.CONSUME(T.LBracket);
            this.nested(() => this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE3(this.additive, { LABEL: "items" }) }));
            this.CONSUME(T.RBracket);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            this.OR3([
              { ALT: () => this.CONSUME(T.Missing, { LABEL: "isWhat" }) },
              { ALT: () => this.CONSUME(T.Present, { LABEL: "isWhat" }) },
            ]);
          },
        },
      ])),
    );
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.OR((this.alts["additive.OR"] ??= [
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) },
      ]));
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.coalesce, { LABEL: "operands" });
    this.MANY(() => {
      this.OR((this.alts["multiplicative.OR"] ??= [
        { ALT: () => this.CONSUME(T.Star, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "ops" }) },
      ]));
      this.SUBRULE2(this.coalesce, { LABEL: "operands" });
    });
  });

  coalesce = this.RULE("coalesce", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    // `otherwise:` starts the last tier of a tier list, not a fallback value.
    this.MANY(this.fallbacks);
  });

  /** the repetition of `coalesce`, built once (see {@link alts}) */
  private readonly fallbacks = {
    GATE: () => this.LA(2).tokenType !== T.Colon,
    DEF: () => {
      this.CONSUME(T.Otherwise);
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    },
  };

  unary = this.RULE("unary", () => {
    this.OR((this.alts["unary.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.nested(() => this.SUBRULE(this.unary));
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]));
  });

  primary = this.RULE("primary", () => {
    this.OR((this.alts["primary.OR"] ??= [
      {
        ALT: () => {
          this.CONSUME(T.NumberLit);
          this.OPTION3({ GATE: () => unitAhead(this.LA(1)), DEF: () => this.SUBRULE(this.durationUnit) });
        },
      },
      { ALT: () => this.CONSUME(T.MoneyLit) },
      {
        ALT: () => {
          this.CONSUME(T.PercentLit);
          this.OPTION(() => {
            this.CONSUME(T.Of);
            this.nested(() => this.SUBRULE(this.unary, { LABEL: "of" }));
          });
        },
      },
      { ALT: () => this.CONSUME(T.DateLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION4({
            GATE: () => this.LA(1).tokenType === T.LParen || unitAhead(this.LA(1)) || eventWordAhead(this.LA(0), this.LA(1)),
            DEF: () =>
              this.OR4({
                IGNORE_AMBIGUITIES: true,
                DEF: (this.alts["primary.OR4"] ??= [
                  { ALT: () => this.SUBRULE(this.callArgs) },
                  { GATE: () => unitAhead(this.LA(1)), ALT: () => this.SUBRULE2(this.durationUnit) },
                  { GATE: () => eventWordAhead(this.LA(0), this.LA(1)), ALT: () => this.SUBRULE(this.eventTail) },
                ]),
              }),
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.nested(() => this.SUBRULE(this.expression));
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.monthStarts) },
      { ALT: () => this.SUBRULE(this.countOf) },
      { ALT: () => this.SUBRULE(this.aggregate) },
    ]));
  });

  /**
   * What follows `earliest`, `latest`, `highest` or `lowest` (`of (score) over attempts`) or
   * `longest` (`run of weeks with at least 1 sessions`), then the rows' condition and, for a
   * run, the weeks it skips: `where (…) excluding holidays`.
   */
  eventTail = this.RULE("eventTail", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: (this.alts["eventTail.OR"] ??= [
        {
          ALT: () => {
            this.CONSUME(T.Of);
            this.CONSUME(T.LParen);
            this.nested(() => this.SUBRULE(this.expression, { LABEL: "value" }));
            this.CONSUME(T.RParen);
            this.CONSUME(T.Over);
            this.CONSUME(T.Identifier, { LABEL: "events" });
          },
        },
        {
          GATE: () => this.LA(1).image === "run",
          ALT: () => {
            this.CONSUME2(T.Identifier, { LABEL: "run" });
            this.CONSUME2(T.Of);
            this.SUBRULE(this.weeksWith);
          },
        },
      ]),
    });
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.CONSUME2(T.LParen);
      this.nested(() => this.SUBRULE2(this.expression, { LABEL: "where" }));
      this.CONSUME2(T.RParen);
    });
    this.OPTION2({
      GATE: () => this.LA(1).image === "excluding",
      DEF: () => {
        this.CONSUME3(T.Identifier, { LABEL: "excludingWord" });
        this.CONSUME4(T.Identifier, { LABEL: "excluding" });
      },
    });
  });

  /** `weeks with at least 2 sessions`: the weeks in which a student has at least so many rows. */
  weeksWith = this.RULE("weeksWith", () => {
    this.CONSUME(T.Weeks);
    this.CONSUME(T.With);
    // `at least`: words only here, so a field may still be called `least`
    this.OR((this.alts["weeksWith.OR"] ??= [{ GATE: () => this.LA(1).image === "at", ALT: () => this.CONSUME(T.Identifier, { LABEL: "at" }) }]));
    this.OR2((this.alts["weeksWith.OR2"] ??= [{ GATE: () => this.LA(1).image === "least", ALT: () => this.CONSUME2(T.Identifier, { LABEL: "least" }) }]));
    this.CONSUME(T.NumberLit, { LABEL: "atLeast" });
    this.CONSUME3(T.Identifier, { LABEL: "events" });
  });

  /** `(a, b)` after a function's name: `days_between(achieved_on, submitted_on)`. */
  callArgs = this.RULE("callArgs", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.nested(() => this.SUBRULE(this.expression, { LABEL: "args" })) });
    this.CONSUME(T.RParen);
  });

  /**
   * `days`, `weeks` or `months` (or `day`, `week`, `month`) after a whole number: a duration
   * added to or taken from a date. `day` and `week` are words only here.
   */
  durationUnit = this.RULE("durationUnit", () => {
    this.OR((this.alts["durationUnit.OR"] ??= [
      { ALT: () => this.CONSUME(T.Days, { LABEL: "unit" }) },
      { ALT: () => this.CONSUME(T.Weeks, { LABEL: "unit" }) },
      { ALT: () => this.CONSUME(T.Months, { LABEL: "unit" }) },
      { ALT: () => this.CONSUME(T.Month, { LABEL: "unit" }) },
      { GATE: () => this.LA(1).image === "day" || this.LA(1).image === "week", ALT: () => this.CONSUME(T.Identifier, { LABEL: "unit" }) },
    ]));
  });

  monthStarts = this.RULE("monthStarts", () => {
    this.CONSUME(T.Month);
    this.CONSUME(T.Starts);
    this.CONSUME(T.From);
    this.nested(() => this.SUBRULE(this.coalesce, { LABEL: "from" }));
    this.CONSUME(T.Through);
    this.nested(() => this.SUBRULE2(this.coalesce, { LABEL: "through" }));
  });

  countOf = this.RULE("countOf", () => {
    this.CONSUME(T.Count);
    this.CONSUME(T.Of);
    this.CONSUME(T.LBracket);
    this.nested(() => this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) }));
    this.CONSUME(T.RBracket);
  });

  aggregate = this.RULE("aggregate", () => {
    this.OR((this.alts["aggregate.OR"] ??= [
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Count, { LABEL: "fn" }) },
            { ALT: () => this.CONSUME(T.Share, { LABEL: "fn" }) },
          ]);
          this.OPTION(() => {
            this.CONSUME(T.Of);
            this.OR3((this.alts["aggregate.OR3"] ??= [
              { ALT: () => this.SUBRULE(this.populationRef) },
              { ALT: () => this.SUBRULE(this.weeksWith) },
              { ALT: () => this.CONSUME(T.Identifier, { LABEL: "events" }) },
            ]));
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Sum, { LABEL: "fn" });
          this.CONSUME2(T.Of);
          this.CONSUME(T.LParen);
          this.nested(() => this.SUBRULE(this.expression, { LABEL: "value" }));
          this.CONSUME(T.RParen);
          this.OPTION2(() => {
            this.CONSUME(T.Over);
            this.OR4((this.alts["aggregate.OR4"] ??= [
              { ALT: () => this.SUBRULE2(this.populationRef) },
              { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "events" }) },
            ]));
          });
        },
      },
    ]));
    this.OPTION3(() => {
      this.CONSUME(T.Where);
      this.CONSUME2(T.LParen);
      this.nested(() => this.SUBRULE2(this.expression, { LABEL: "where" }));
      this.CONSUME2(T.RParen);
    });
  });

  populationRef = this.RULE("populationRef", () => {
    this.OPTION(() =>
      this.OR((this.alts["populationRef.OR"] ??= [
        { ALT: () => this.CONSUME(T.Eligible, { LABEL: "which" }) },
        { ALT: () => this.CONSUME(T.Identified, { LABEL: "which" }) },
        { ALT: () => this.CONSUME(T.Served, { LABEL: "which" }) },
      ])),
    );
    this.CONSUME(T.Students);
  });
}

/** One shared parser instance (Chevrotain parsers are reusable: set `input`, call a rule). */
export const parser = new ObcParser();

export interface ParseResult {
  cst: CstNode;
  errors: typeof parser.errors;
  tokens: IToken[];
}
