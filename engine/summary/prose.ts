/**
 * The sentences that render one declaration each: a payment clause, a tier, a cap, a funding
 * share, an escalation level's trigger and actions, a routine, a committee. Shared by the
 * summary and the comparison of versions, so both say the same thing the same way.
 * Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import { defaultPayer as soleFundingPayer, type ClauseIR, type CohortIR, type ContractIR, type EscalationIR } from "../../language/check/ir.ts";
import {
  cond, condText, conditionText, fieldWords, partiesTerm, partyTerm, plural, populationTerm, subjectNoun, valueText, type EnglishContext,
} from "./english.ts";
import { conditionsOf, datesMeasuredBy, measuredOn } from "../../language/check/readings.ts";
import {
  capitalize, definedTerm, formatDate, frequencyWords, humanize, joinList, moneyLit, percentText, quote, roundingShort, withUnit,
} from "./format.ts";

export function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) && !/^(one|uni|eu)/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** "milestone payment", "bonus", "penalty". */
export function kindWords(kind: A.ClauseKind): string {
  switch (kind) {
    case "base": return "base payment";
    case "milestone": return "milestone payment";
    case "outcome": return "outcome payment";
    case "partial": return "partial payment";
    case "bonus": return "bonus";
    case "penalty": return "penalty";
    case "payment": return "payment";
  }
}

export function studentCtx(ir: ContractIR): EnglishContext {
  return { ir };
}

/** The context of a cohort clause: its lets, and the rows of its data set when it runs per period. */
export function cohortCtx(ir: ContractIR, co: CohortIR): EnglishContext {
  const locals = new Map(co.decl.lets.map((l) => [l.name.name, l]));
  if (!co.over) return { ir, locals };
  const key = co.over.key ? /^([a-z]+)_id$/.exec(co.over.key)?.[1] : undefined;
  const rowNoun = key && key.length > 2 ? plural(key) : co.over.kind === "period" ? "rows" : plural(subjectNoun(ir));
  return {
    ir,
    locals,
    rowFields: new Map(co.over.fields.map((f) => [f.name, f])),
    rows: { plural: rowNoun, period: humanize(co.over.period ?? "period") },
  };
}

export function escalationCtx(ir: ContractIR, esc: EscalationIR): EnglishContext {
  return {
    ir,
    locals: new Map(esc.decl.measures.map((m) => [m.name.name, m])),
    rowFields: new Map((esc.over?.fields ?? []).map((f) => [f.name, f])),
  };
}

function amountText(e: A.Expr, ir: ContractIR): string {
  return valueText(e, studentCtx(ir));
}

/** Whether an amount is a negative money literal (a penalty written as -$150). */
function negativeLiteral(e: A.Expr): A.MoneyLit | undefined {
  if (e.$type === "MoneyLit" && e.negative) return e;
  if (e.$type === "Unary" && e.op === "-" && e.operand.$type === "MoneyLit") return e.operand;
  return undefined;
}

/**
 * The main sentence of a payment clause: "For each Identified Student, an outcome payment of
 * $900.00 is payable when …". For tiers it ends with a colon and the tiers follow as a list.
 */
export function clauseSentence(c: ClauseIR, ir: ContractIR): string {
  const d = c.decl;
  const ctx = studentCtx(ir);
  const who = d.population === "all" ? `each ${subjectNoun(ir)}` : `each ${populationTerm(d.population, ir)}`;
  const when = d.condition ? ` when ${conditionText(d.condition, ctx)}` : "";
  if (d.amount.$type === "TieredAmount") {
    return `For ${who}, ${article(kindWords(c.kind))} is payable${when}, in the amount of the first of the following tiers that applies:`;
  }
  const neg = negativeLiteral(d.amount.amount);
  if (c.kind === "penalty" && neg) {
    return `For ${who}, a penalty of ${moneyLit({ ...neg, negative: false }, ir.currency)} is deducted from the ${subjectNoun(ir)}'s total${when}.`;
  }
  if (c.kind === "penalty") {
    return `For ${who}, a penalty of ${amountText(d.amount.amount, ir)} applies${when}; a negative amount reduces the ${subjectNoun(ir)}'s total.`;
  }
  return `For ${who}, ${article(kindWords(c.kind))} of ${amountText(d.amount.amount, ir)} is payable${when}.`;
}

/** One tier: "(a) if Growth is at least …: $750.00;" without the label. */
export function tierText(t: A.Tier, i: number, count: number, ir: ContractIR): string {
  const end = i === count - 1 ? "." : ";";
  const amount = amountText(t.amount, ir);
  if (!t.condition) return `otherwise: ${amount}${end}`;
  return `if ${conditionText(t.condition, studentCtx(ir))}: ${amount}${end}`;
}

/**
 * What a clause's `if missing` rule means, naming the values that may be missing: a missing
 * score counts as not meeting the condition, and the payment is not made.
 */
export function missingSentence(m: A.MissingRule, ir: ContractIR, fields: string[] = []): string {
  const noun = subjectNoun(ir);
  const which = fields.length ? `If ${joinList(fields.map((f) => fieldWords(f, ir.fields.get(f)?.type)), "or")} is missing` : "If a value needed is missing";
  return m.outcome === "not-met"
    ? `${which}, the payment is not made: the ${noun} counts as not meeting the condition.`
    : `${which}, the ${noun} is excluded from this payment and it is not made.`;
}

/** One place where a condition measures by a date, in words (see `datesMeasuredBy`). */
interface DateMention {
  /** identifies the mention across versions: "d:the diagnostic date … 2026" or "n:sessions_by_feb28" */
  key: string;
  /** the mention in words: "the number of sessions by 28 February (sessions_by_feb28)" */
  text: string;
  /** whether it is the date `iso` */
  is: (iso: string) => boolean;
}

/** Where a condition measures by a date, in words (the language's rule: {@link datesMeasuredBy}). */
export function dateMentions(e: A.Expr, ir: ContractIR): DateMention[] {
  const ctx = studentCtx(ir);
  const words = (name: string) => (ir.fields.has(name) ? fieldWords(name, ir.fields.get(name)!.type) : `${humanTerm(name)} (${name})`);
  return datesMeasuredBy(e, ir).map((m) => {
    const is = (iso: string) => measuredOn(m, iso);
    switch (m.kind) {
      case "written": {
        const text = m.expr.$type === "DateLit" ? formatDate(m.expr.value) : conditionText(m.expr, ctx);
        return { key: `d:${text}`, text, is };
      }
      case "name": return { key: `n:${m.name}`, text: words(m.name), is };
      case "description": return { key: `n:${m.name}`, text: `${words(m.name)}, described as ${quote(m.description)}`, is };
    }
  });
}

/**
 * What a clause's deadline means: the date from which it is payable, never a deadline for the
 * performance itself, which only the condition can set (with a date, or a value recorded by one).
 */
export function dueSentence(c: A.PaymentClause, ir: ContractIR): string {
  const due = c.due!.value;
  const noun = subjectNoun(ir);
  const mentions = conditionsOf(c).flatMap((e) => dateMentions(e, ir));
  const head = `Its deadline, ${formatDate(due)}, is the date from which it is payable: it is not payable before then`;
  if (!mentions.length) {
    return `${head}, and it is not a deadline for the ${noun}'s performance: the condition does not say by when it must be met, so a ${noun} who meets it after ${formatDate(due)} is paid too.`;
  }
  const same = mentions.filter((m) => m.is(due));
  const which = joinList([...new Map((same.length ? same : mentions).map((m) => [m.key, m.text])).values()]);
  return same.length
    ? `${head}; the condition itself measures by the same date (${which}).`
    : `${head}; the condition measures by its own dates (${which}), not by the deadline.`;
}

export function weightSentence(w: A.WeightDecl, ir: ContractIR, inClause = false): string {
  const c = conditionText(w.condition, studentCtx(ir));
  if (inClause) return `If ${c}, this payment is multiplied by ${w.factor.value}.`;
  const names = joinList(w.clauses.map((x) => quote(x.value)));
  return `If ${c}, the ${names} ${w.clauses.length > 1 ? "payments are" : "payment is"} multiplied by ${w.factor.value}.`;
}

/** "the “Dosage” payments", for cap sentences. */
function clauseCapSubject(cap: A.CapDecl): string {
  return `the ${quote(cap.clause?.value ?? "")} payments`;
}

export function capSentences(cap: A.CapDecl, ir: ContractIR): string[] {
  const amount = moneyLit(cap.amount, ir.currency);
  const noun = subjectNoun(ir);
  const nouns = plural(noun);
  const hasCohorts = ir.cohorts.length > 0;
  switch (cap.scope) {
    case "student": {
      const out = [`No ${noun} is paid more than ${amount} in total under this contract.`];
      if (cap.allocation === "in-order") {
        out.push(`If a ${noun}'s payments would add up to more than this, they are kept in the order in which their clauses appear in this contract and the later ones are reduced first, so that they add up to ${amount} exactly.`);
      } else {
        out.push(`If a ${noun}'s payments would add up to more than this, each of them is reduced in the same proportion so that they add up to ${amount} exactly: each reduced payment is first rounded down to the cent, and the cents still left go one each to the payments with the largest remainders, ties to the payment whose clause is written first.`);
      }
      if (ir.clauses.some((c) => c.kind === "penalty")) out.push("A penalty is never reduced by this cap.");
      return out;
    }
    case "clause": {
      const out = [
        `${capitalize(clauseCapSubject(cap))} to all ${nouns} together may not exceed ${amount}.`,
        `If they would, every ${noun}'s ${quote(cap.clause?.value ?? "")} payment is reduced in the same proportion so that they add up to ${amount} exactly: each reduced payment is first rounded down to the cent, and the cents still left go one each to the largest remainders, ties to the lower ${noun} ID.`,
      ];
      if (cap.allocation === "in-order") out.push("Although the cap says “allocated in order”, a cap on a single payment is always shared pro rata.");
      return out;
    }
    case "contract": {
      const out = [
        `The total paid under this contract${hasCohorts ? ", cohort payments included," : ""} may not exceed ${amount}.`,
        `If it would, ${ir.floor ? "floor payments are dropped and " : ""}every ${noun}'s total${hasCohorts ? " and every cohort payment" : ""} is reduced in the same proportion so that the total is ${amount} exactly: each reduced amount is first rounded down to the cent, and the cents still left go one each to the largest remainders, ties to the lower ${noun} ID; each ${noun}'s reduction is then spread over that ${noun}'s payments in the same way.`,
      ];
      if (cap.allocation === "in-order") out.push("Although the cap says “allocated in order”, the cap per contract is always shared pro rata.");
      return out;
    }
  }
}

export function floorSentences(f: A.FloorDecl, ir: ContractIR): string[] {
  const noun = subjectNoun(ir);
  const out = [`No ${noun} with at least one payment line has a total below ${moneyLit(f.amount, ir.currency)}: if the total after the cap per ${noun} is lower, an extra “Floor” payment tops it up.`];
  if (ir.contractCap) out.push("The floor yields to the cap per contract: when that cap binds, floor payments are dropped before the cap is shared.");
  return out;
}

export function fundingShareSentence(s: A.FundingShare, ir: ContractIR): string {
  const who = capitalize(partyTerm(s.party.name, ir));
  if (!s.percent) return `${who} pays the rest, so that the shares of each payment line add up to the line exactly.`;
  const r = s.rounding ?? ir.rounding;
  return `${who} pays ${percentText(s.percent.value)} of every payment line, rounded ${roundingShort(r)}.`;
}

/** The party that pays when there is no funding section (as the engine decides). */
export function defaultPayer(ir: ContractIR): string {
  return soleFundingPayer(ir) ?? "district";
}

export function triggerText(l: A.EscalationLevel, ctx: EnglishContext): string {
  const c = conditionText(l.condition, ctx);
  const n = l.consecutive ? Number(l.consecutive.value) : 1;
  return n > 1 ? `${c} at ${n} consecutive checkpoints` : `${c} at a checkpoint`;
}

export function dutyText(a: A.DutyAction, ir: ContractIR): string {
  const within = a.within ? ` within ${withUnit(a.within.amount.value, a.within.unit)}` : "";
  return `${partiesTerm(a.parties.map((p) => p.name), ir)} ${a.text.value}${within}`;
}

export function withholdText(a: A.WithholdAction, ctx: EnglishContext): string {
  const what = a.of === "all" ? "all payments" : `${a.of} payments`;
  const until = a.until ? ` until ${conditionText(a.until, ctx)}` : " until the end of the contract";
  return `${percentText(a.percent.value)} of ${what} are withheld${until}`;
}

export function terminateText(a: A.TerminateAction, ir: ContractIR): string {
  const who = partyTerm(a.party.name, ir);
  const notice = `${withUnit(a.noticeDays.value, "days")}' notice`.replace("1 day' notice", "1 day's notice");
  if (a.afterMore) {
    return `${who} may terminate the contract with ${notice} once this level (or a higher one) has applied at ${a.afterMore.value} more consecutive ${a.afterMore.value === "1" ? "checkpoint" : "checkpoints"}`;
  }
  return `${who} may terminate the contract with ${notice} at a checkpoint where this level applies`;
}

export function actionText(a: A.EscalationAction, ctx: EnglishContext, ir: ContractIR): string {
  switch (a.$type) {
    case "DutyAction": return dutyText(a, ir);
    case "WithholdAction": return withholdText(a, ctx);
    case "TerminateAction": return terminateText(a, ir);
  }
}

export function routineSentence(r: A.RoutineDecl, ir: ContractIR): string {
  const p = routineParts(r, ir);
  return `${p.who} ${p.verb}${p.timing ? ` ${p.timing}` : ""}.`;
}

/** A routine in pieces: who ("The Provider"), the verb and what ("shares session attendance"), when ("every week"). */
export function routineParts(r: A.RoutineDecl, ir: ContractIR): { who: string; verb: string; timing: string } {
  const many = r.parties.length > 1;
  const who = capitalize(partiesTerm(r.parties.map((p) => p.name), ir));
  let verb: string;
  switch (r.verb) {
    case "shares": verb = `${many ? "share" : "shares"} ${r.what.value}`; break;
    case "meet": verb = `${many ? "meet" : "meets"} for ${r.what.value}`; break;
    case "reports": verb = `${many ? "report" : "reports"} ${r.what.value}`; break;
    case "reviews": verb = `${many ? "review" : "reviews"} ${r.what.value}`; break;
  }
  const timing: string[] = [];
  if (r.frequency) timing.push(frequencyWords(r.frequency.name));
  if (r.within) timing.push(`within ${withUnit(r.within.amount.value, r.within.unit)}${r.of ? ` of ${r.of.value}` : ""}`);
  return { who, verb, timing: timing.join(", ") };
}

export function committeeSentence(c: A.CommitteeDecl, ir: ContractIR): string {
  return `A committee, the ${quote(c.name.value)}, made up of ${partiesTerm(c.members.map((m) => m.name), ir)}, meets ${frequencyWords(c.frequency.name)}${c.purpose ? ` to ${c.purpose.value}` : ""}.`;
}

export function amendmentRuleSentence(a: A.AmendmentRule, ir: ContractIR): string {
  return `This contract may be amended only ${a.form.value}, signed by ${partiesTerm(a.signers.map((s) => s.name), ir)}.`;
}

export function trackSentence(t: A.TrackDecl): string {
  return t.description ? `${t.name.value}: ${t.description.value}.` : `${t.name.value}.`;
}

/** "“Growth” means the end-of-year score (eoy_score) minus … It is missing when …" */
export function metricDefinition(m: A.MetricDecl, ctx: EnglishContext): string {
  const term = quote(humanTerm(m.name.name));
  if (m.kind === "condition" || isCondition(m.expr)) return `${term} means that ${conditionText(m.expr, ctx)}.`;
  return `${term} means ${valueText(m.expr, ctx)}.`;
}

function isCondition(e: A.Expr): boolean {
  return e.$type === "Binary" || e.$type === "Logical"
    || (e.$type === "Unary" && e.op === "not") || e.$type === "InList" || e.$type === "IsMissing" || e.$type === "ClauseRef" || e.$type === "BoolLit";
}

/** The defined term of a name: "Enrolled for Testing". */
export function humanTerm(name: string): string {
  return definedTerm(name);
}

/** A field's meaning for the data tables: "End-of-year score". */
export function fieldMeaning(name: string): string {
  return capitalize(fieldWords(name).replace(/^the /, "").replace(/ \([a-z0-9_]+\)$/i, ""));
}

export { cond, condText };
