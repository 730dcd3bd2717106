/**
 * Knock-on effects of a change between two versions: what a change does beyond its own words.
 *
 * Input: the two checked contracts and the pieces that changed. Output: sentences, each
 * stating one consequence a reader of the change alone would miss:
 * - a deadline that moved while its condition still measures by the old date (the change then
 *   only moves when the payment is payable, not when students must meet the condition);
 * - a clause whose condition changed while other clauses refer to it (the change also decides
 *   who can be paid those);
 * - the weighted amounts of a payment whose amount changed, and each payer's share of it;
 * - caps that can now bind (or no longer can), and from which cohort size;
 * - weights that can no longer raise the most a student is paid, because the cap per student
 *   is reached without them.
 * Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ClauseIR, ContractIR } from "../../language/check/ir.ts";
import { conditionsOf } from "../../language/check/readings.ts";
import { formatMoney, roundToCents } from "../money.ts";
import { Rational } from "../rational.ts";
import { fundingSplit } from "../settle.ts";
import type { ContractAnalysis } from "../summary/analysis.ts";
import { analyzeContract } from "../summary/analysis.ts";
import { conditionText, partyLabel, subExpressions, subjectNoun } from "../summary/english.ts";
import { joinList, moneyLit, moneyText } from "../summary/format.ts";
import { dateMentions, studentCtx } from "../summary/prose.ts";

const q = (s: string) => `'${s}'`;

/**
 * A deadline that moved while the condition still measures by the old date: the change then
 * only moves the date from which the payment is payable.
 */
export function deadlineEffect(oc: ClauseIR, nc: ClauseIR, o: ContractIR, n: ContractIR): string | undefined {
  const from = oc.decl.due?.value;
  const to = nc.decl.due?.value;
  if (!from || !to || from === to) return undefined;
  const before = conditionsOf(oc.decl).flatMap((e) => dateMentions(e, o)).filter((m) => m.is(from));
  if (!before.length) return undefined;
  const after = new Set(conditionsOf(nc.decl).flatMap((e) => dateMentions(e, n)).filter((m) => !m.is(to)).map((m) => m.key));
  const stale = before.filter((m) => after.has(m.key));
  if (!stale.length) return undefined;
  const noun = subjectNoun(n);
  const effect = to > from
    ? `so the change only delays the payment: ${noun === "child" ? "children have" : `a ${noun} has`} no more time to meet the condition`
    : `so the change only makes the payment payable earlier: the condition is still measured at the old date`;
  return `The condition for ${q(nc.name)} did not move with its deadline: it still reads ${joinList(stale.map((m) => m.text))}, ${effect}.`;
}

/** Whether a clause reference sits directly under `not` in an expression. */
function referencePolarity(e: A.Expr, name: string): "positive" | "negative" | "mixed" | undefined {
  const found = new Set<"positive" | "negative">();
  const walk = (x: A.Expr, negated: boolean) => {
    if (x.$type === "ClauseRef") {
      if (x.name === name) found.add(negated ? "negative" : "positive");
      return;
    }
    if (x.$type === "Unary" && x.op === "not") return walk(x.operand, !negated);
    switch (x.$type) {
      case "Binary": walk(x.left, negated); walk(x.right, negated); return;
      case "Logical":
      case "Arithmetic": x.operands.forEach((o) => walk(o, negated)); return;
      case "Unary": walk(x.operand, negated); return;
      case "InList": walk(x.value, negated); x.items.forEach((i) => walk(i, negated)); return;
      case "IsMissing": walk(x.operand, negated); return;
      case "Otherwise": x.values.forEach((v) => walk(v, negated)); return;
      case "CountMet": x.items.forEach((i) => walk(i, negated)); return;
      case "Call": x.args.forEach((a) => walk(a, negated)); return;
      case "DateShift": walk(x.date, negated); walk(x.amount, negated); return;
      default: return;
    }
  };
  walk(e, false);
  if (found.size === 0) return undefined;
  return found.size > 1 ? "mixed" : [...found][0];
}

/** The conditions (and tiers and amount) of a clause, as expressions. */
function clauseExprs(c: ClauseIR): A.Expr[] {
  const d = c.decl;
  const out: A.Expr[] = [];
  if (d.condition) out.push(d.condition);
  if (d.amount.$type === "FixedAmount") out.push(d.amount.amount);
  else for (const t of d.amount.tiers) out.push(...(t.condition ? [t.condition] : []), t.amount);
  return out;
}

/** The clauses of `n` whose condition refers to `nc`: a change to who qualifies for `nc` changes them too. */
export function referenceEffects(nc: ClauseIR, n: ContractIR): string[] {
  const out: string[] = [];
  const noun = subjectNoun(n);
  for (const other of n.clauses) {
    if (other === nc) continue;
    const polarities = clauseExprs(other).map((e) => referencePolarity(e, nc.name)).filter((p) => p !== undefined);
    if (!polarities.length) continue;
    const p = new Set(polarities).size === 1 ? polarities[0] : "mixed";
    const how = p === "negative"
      ? `is paid only to a ${noun} who does not qualify for ${q(nc.name)}`
      : p === "positive"
        ? `is paid only to a ${noun} who qualifies for ${q(nc.name)}`
        : `depends on whether a ${noun} qualifies for ${q(nc.name)}`;
    out.push(`${q(other.name)} ${how}, so this change also decides who can be paid ${q(other.name)}.`);
  }
  return out;
}

function moneyOf(e: A.Expr): Rational | undefined {
  if (e.$type === "MoneyLit") return e.negative ? Rational.parse(e.value).neg() : Rational.parse(e.value);
  if (e.$type === "Unary" && e.op === "-" && e.operand.$type === "MoneyLit") return moneyOf(e.operand)?.neg();
  return undefined;
}

function cents(r: Rational, ir: ContractIR): bigint {
  return roundToCents(r, ir.rounding.mode, ir.rounding.unit);
}

/** A fixed amount that changed: the amounts with each weight that applies, and each payer's share. */
export function amountEffects(oc: ClauseIR, nc: ClauseIR, o: ContractIR, n: ContractIR): string[] {
  const oa = oc.decl.amount;
  const na = nc.decl.amount;
  if (oa.$type !== "FixedAmount" || na.$type !== "FixedAmount") return [];
  const [a, b] = [moneyOf(oa.amount), moneyOf(na.amount)];
  if (!a || !b || a.eq(b)) return [];
  const out: string[] = [];
  const verb = (x: bigint, y: bigint) => (y > x ? "rises" : y < x ? "falls" : "stays");
  for (const w of nc.weights) {
    const ow = oc.weights.find((x) => x.clauses.length === w.clauses.length && conditionText(x.condition, studentCtx(o)) === conditionText(w.condition, studentCtx(n)));
    const [x, y] = [cents(a.mul(Rational.parse(ow?.factor.value ?? "1")), o), cents(b.mul(Rational.parse(w.factor.value)), n)];
    out.push(`With the weight of ${w.factor.value} that applies when ${conditionText(w.condition, studentCtx(n))}, the ${q(nc.name)} payment ${verb(x, y)} from ${formatMoney(x, o.currency)} to ${formatMoney(y, n.currency)}.`);
  }
  const payers = (ir: ContractIR, amount: bigint) => Object.entries(fundingSplit(ir, amount)).map(([p, v]) => ({ p, v }));
  const after = payers(n, cents(b, n));
  if (after.length > 1) {
    const before = payers(o, cents(a, o));
    out.push(`Of each ${q(nc.name)} payment of ${formatMoney(cents(b, n), n.currency)}, ${payerWords(after, n, before, o)}.`);
  }
  return out;
}

/** The IR without its weights, to see what the weights add. */
function withoutWeights(ir: ContractIR): ContractIR {
  return { ...ir, weights: [], clauses: ir.clauses.map((c) => ({ ...c, weights: [] })) };
}

/** Effects on caps and weights, from the analysis of both versions. */
export function capEffects(o: ContractIR, n: ContractIR, a: ContractAnalysis, b: ContractAnalysis): string[] {
  const out: string[] = [];
  const noun = subjectNoun(n);
  const nouns = noun === "child" ? "children" : `${noun}s`;
  const m = (v: string | null, cur: string) => (v === null ? "no upper bound" : moneyText(v, cur));
  if (a.caps.student && b.caps.student && n.studentCap) {
    const cap = moneyLit(n.studentCap.amount, n.currency);
    if (!a.caps.student.canBind && b.caps.student.canBind) {
      out.push(`The cap per ${noun} of ${cap} can now bind: the payments one ${noun} can earn together now add up to ${m(b.perStudent.uncappedMax, n.currency)}, so a ${noun} who earns the most is paid ${cap}.`);
    } else if (a.caps.student.canBind && !b.caps.student.canBind) {
      out.push(`The cap per ${noun} of ${cap} can no longer bind: the payments one ${noun} can earn together add up to at most ${m(b.perStudent.uncappedMax, n.currency)}.`);
    }
  }
  if (a.caps.contract && b.caps.contract && n.contractCap) {
    const cap = moneyLit(n.contractCap.amount, n.currency);
    const [x, y] = [a.caps.contract.bindsFromCohortSize, b.caps.contract.bindsFromCohortSize];
    if (x !== y && y !== null) out.push(`The cap per contract of ${cap} now binds from ${y} ${nouns} earning the maximum${x !== null ? ` instead of ${x}` : ""}.`);
    else if (x !== y && x !== null) out.push(`The cap per contract of ${cap} no longer binds from ${x} ${nouns} earning the maximum.`);
  }
  for (const bc of b.caps.clauses) {
    const ac = a.caps.clauses.find((x) => x.name === bc.name);
    if (ac && ac.bindsFromCohortSize !== bc.bindsFromCohortSize && bc.bindsFromCohortSize !== null) {
      out.push(`The cap on ${q(bc.name)} of ${moneyText(bc.amount, n.currency)} now binds from ${bc.bindsFromCohortSize} ${nouns} paid the full amount${ac.bindsFromCohortSize !== null ? ` instead of ${ac.bindsFromCohortSize}` : ""}.`);
    }
  }
  // weights that the cap per student now absorbs: without them a student who earns the most already reaches the cap
  if (n.studentCap && n.weights.length) {
    const capOf = (ir: ContractIR) => Rational.parse(ir.studentCap!.amount.value);
    const reaches = (ir: ContractIR) => {
      if (!ir.studentCap || !ir.weights.length) return false;
      const plain = analyzeContract(withoutWeights(ir)).perStudent.uncappedMax;
      return plain !== null && !Rational.parse(plain).lt(capOf(ir));
    };
    if (reaches(n) && !reaches(o)) {
      const maxClauses = new Set(b.perStudent.maxClauses);
      for (const w of n.weights) {
        if (!w.clauses.some((c) => maxClauses.has(n.clauses.find((x) => x.name === c.value)?.id ?? ""))) continue;
        out.push(`The weight of ${w.factor.value} on ${joinList(w.clauses.map((c) => q(c.value)))} can no longer raise what a ${noun} who earns the most is paid: without it, the payments already reach the cap per ${noun} of ${moneyLit(n.studentCap.amount, n.currency)}.`);
      }
    }
  }
  return out;
}

/** Each payer's share of the most one student can earn, when it changes and there are several payers. */
export function payerEffects(o: ContractIR, n: ContractIR, a: ContractAnalysis, b: ContractAnalysis): string[] {
  if (a.perStudent.max === null || b.perStudent.max === null) return [];
  const split = (ir: ContractIR, max: string) => fundingSplit(ir, cents(Rational.parse(max), ir));
  const before = split(o, a.perStudent.max);
  const after = split(n, b.perStudent.max);
  if (Object.keys(after).length < 2) return [];
  const same = Object.keys(after).length === Object.keys(before).length && Object.entries(after).every(([p, v]) => before[p] === v);
  if (same) return [];
  const noun = subjectNoun(n);
  const list = (s: Record<string, bigint>) => Object.entries(s).map(([p, v]) => ({ p, v }));
  return [`Of the most one ${noun} can earn, ${moneyText(b.perStudent.max, n.currency)}, ${payerWords(list(after), n, list(before), o)}.`];
}

/** "the Funder pays $380.00 and the District $570.00 (before: $360.00 and $540.00 of $900.00)" */
function payerWords(after: { p: string; v: bigint }[], n: ContractIR, before: { p: string; v: bigint }[], o: ContractIR): string {
  const now = after.map((x, i) => `the ${partyLabel(x.p, n)}${i === 0 ? " pays" : ""} ${formatMoney(x.v, n.currency)}`);
  const total = (xs: { v: bigint }[]) => xs.reduce((t, x) => t + x.v, 0n);
  const samePayers = before.length === after.length && before.every((x, i) => x.p === after[i]!.p);
  const then = samePayers
    ? before.map((x) => formatMoney(x.v, o.currency))
    : before.map((x) => `the ${partyLabel(x.p, o)} ${formatMoney(x.v, o.currency)}`);
  return `${joinList(now)} (before: ${joinList(then)} of ${formatMoney(total(before), o.currency)})`;
}
