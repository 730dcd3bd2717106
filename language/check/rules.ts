/**
 * Contract rules: the checks on clauses as a whole, after names and types.
 *
 * Input: the ContractIR. Output: diagnostics (pushed onto the given list) for a term that
 * ends before it starts, deadlines outside the term, percentages over 100%, tiers that can
 * never pay or that overlap, clauses that can never pay, caps below what one clause pays,
 * funding shares that do not add up, weights of zero, escalation levels out of order,
 * unknown parties and frequencies.
 */
import type * as A from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { payingParties, type ContractIR } from "./ir.ts";

export const FREQUENCIES = ["daily", "weekly", "biweekly", "monthly", "quarterly", "termly", "annually", "yearly"] as const;

export function checkRules(ir: ContractIR, out: Diagnostic[]): void {
  checkTerm(ir, out);
  checkPercents(ir, out);
  for (const c of ir.clauses) {
    checkTiers(c.decl, out);
    checkNeverPays(c.decl, out);
  }
  checkCaps(ir, out);
  checkFunding(ir, out);
  for (const w of ir.weights) {
    if (Number(w.factor.value) <= 0) out.push(diag("OBC4012", { value: w.factor.value }, { span: w.factor.span, label: "not more than 0" }));
  }
  checkEscalations(ir, out);
  checkParties(ir, out);
}

function checkTerm(ir: ContractIR, out: Diagnostic[]): void {
  const termDecl = ir.ast.items.find((i): i is A.TermDecl => i.$type === "TermDecl");
  if (!termDecl || !ir.term) return;
  if (ir.term.end < ir.term.start) {
    out.push(diag("OBC4011", { start: ir.term.start, end: ir.term.end }, { span: termDecl.span, label: "ends before it starts" }));
    return;
  }
  const dues: { date: A.DateLit; clause: string }[] = [
    ...ir.clauses.filter((c) => c.decl.due).map((c) => ({ date: c.decl.due!, clause: c.name })),
    ...ir.cohorts.filter((c) => c.decl.due).map((c) => ({ date: c.decl.due!, clause: c.name })),
  ];
  for (const { date, clause } of dues) {
    if (date.value < ir.term.start || date.value > ir.term.end) {
      out.push(
        diag("OBC4001", { date: date.value, start: ir.term.start, end: ir.term.end }, { span: date.span, label: "outside the term" }, {
          clause,
          related: [{ span: termDecl.span, label: "the term" }],
        }),
      );
    }
  }
}

/** Percentages that can never sensibly exceed 100%: shares, withholdings, percent-of payments, share thresholds. */
function checkPercents(ir: ContractIR, out: Diagnostic[]): void {
  const over = (p: A.PercentLit | undefined) => {
    if (p && Number(p.value) > 100) out.push(diag("OBC4002", { value: p.value }, { span: p.span, label: "more than 100%" }));
  };
  for (const s of ir.funding?.shares ?? []) over(s.percent);
  for (const e of ir.escalations) for (const l of e.decl.levels) for (const a of l.actions) if (a.$type === "WithholdAction") over(a.percent);
  const walk = (e: A.Expr | undefined): void => {
    if (!e) return;
    switch (e.$type) {
      case "PercentOf":
        if (e.percent.$type === "PercentLit") over(e.percent);
        walk(e.of);
        return;
      case "Binary":
        if (["<", "<=", ">", ">=", "=", "!="].includes(e.op)) {
          const agg = [e.left, e.right].some((x) => x.$type === "Aggregate" && x.fn === "share");
          if (agg) for (const x of [e.left, e.right]) if (x.$type === "PercentLit") over(x);
        }
        walk(e.left);
        walk(e.right);
        return;
      case "Logical":
      case "Arithmetic": e.operands.forEach(walk); return;
      case "Unary": walk(e.operand); return;
      case "Otherwise": e.values.forEach(walk); return;
      case "Aggregate": walk(e.value); walk(e.where); return;
      case "Call": e.args.forEach(walk); return;
      case "DateShift": walk(e.date); walk(e.amount); return;
      default: return;
    }
  };
  for (const c of ir.clauses) {
    walk(c.decl.condition);
    if (c.decl.amount.$type === "FixedAmount") walk(c.decl.amount.amount);
    else for (const t of c.decl.amount.tiers) { walk(t.condition); walk(t.amount); }
  }
  for (const c of ir.cohorts) {
    walk(c.decl.amount);
    walk(c.decl.condition);
    for (const l of c.decl.lets) walk(l.expr);
  }
}

/** An interval of values of one expression, from a conjunction of comparisons with constants. */
interface Interval {
  subject: string;
  lo?: { v: number; inclusive: boolean };
  hi?: { v: number; inclusive: boolean };
}

function constValue(e: A.Expr): number | undefined {
  if (e.$type === "NumberLit" || e.$type === "PercentLit") return Number(e.value);
  if (e.$type === "MoneyLit") return Number(e.value) * (e.negative ? -1 : 1);
  if (e.$type === "Unary" && e.op === "-") {
    const v = constValue(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/** A canonical text for an expression, spans ignored, to compare subjects. */
export function exprKey(e: A.Expr): string {
  return JSON.stringify(e, (k, v) => (k === "span" || k === "opSpan" || k === "opSpans" ? undefined : v));
}

function toInterval(e: A.Expr): Interval | undefined {
  if (e.$type === "Logical" && e.op === "and") {
    let acc: Interval | undefined;
    for (const o of e.operands) {
      const r = toInterval(o);
      if (!r || (acc && acc.subject !== r.subject)) return undefined;
      acc = acc ? { subject: acc.subject, lo: tighterLo(acc.lo, r.lo), hi: tighterHi(acc.hi, r.hi) } : r;
    }
    return acc;
  }
  if (e.$type !== "Binary" || !["<", "<=", ">", ">="].includes(e.op)) return undefined;
  let subject = e.left;
  let v = constValue(e.right);
  let op = e.op;
  if (v === undefined) {
    v = constValue(e.left);
    subject = e.right;
    op = ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as Record<string, A.CompareOp>)[e.op]!;
  }
  if (v === undefined || constValue(subject) !== undefined) return undefined;
  const key = exprKey(subject);
  if (op === ">=" || op === ">") return { subject: key, lo: { v, inclusive: op === ">=" } };
  return { subject: key, hi: { v, inclusive: op === "<=" } };
}

function tighterLo(a?: Interval["lo"], b?: Interval["lo"]): Interval["lo"] {
  if (!a) return b;
  if (!b) return a;
  if (a.v !== b.v) return a.v > b.v ? a : b;
  return { v: a.v, inclusive: a.inclusive && b.inclusive };
}
function tighterHi(a?: Interval["hi"], b?: Interval["hi"]): Interval["hi"] {
  if (!a) return b;
  if (!b) return a;
  if (a.v !== b.v) return a.v < b.v ? a : b;
  return { v: a.v, inclusive: a.inclusive && b.inclusive };
}

/** Is every value of `inner` also in `outer`? */
function contains(outer: Interval, inner: Interval): boolean {
  const loOk = !outer.lo || (!!inner.lo && (inner.lo.v > outer.lo.v || (inner.lo.v === outer.lo.v && (outer.lo.inclusive || !inner.lo.inclusive))));
  const hiOk = !outer.hi || (!!inner.hi && (inner.hi.v < outer.hi.v || (inner.hi.v === outer.hi.v && (outer.hi.inclusive || !inner.hi.inclusive))));
  return loOk && hiOk;
}

function intersects(a: Interval, b: Interval): boolean {
  const lo = tighterLo(a.lo, b.lo);
  const hi = tighterHi(a.hi, b.hi);
  if (!lo || !hi) return true;
  return lo.v < hi.v || (lo.v === hi.v && lo.inclusive && hi.inclusive);
}

function describeTier(t: A.Tier, i: number): string {
  return `tier ${i + 1}`;
}

function checkTiers(c: A.PaymentClause, out: Diagnostic[]): void {
  if (c.amount.$type !== "TieredAmount") return;
  const tiers = c.amount.tiers;
  const clause = c.name.value;
  const otherwiseAt = tiers.findIndex((t) => !t.condition);
  tiers.forEach((t, i) => {
    if (otherwiseAt >= 0 && i > otherwiseAt) {
      out.push(diag("OBC4003", { earlier: "the 'otherwise' line above it" }, { span: t.span, label: "never reached" }, { clause, related: [{ span: tiers[otherwiseAt]!.span, label: "catches every student first" }] }));
      return;
    }
    if (!t.condition) return;
    const mine = toInterval(t.condition);
    const key = exprKey(t.condition);
    for (let j = 0; j < i; j++) {
      const earlier = tiers[j]!;
      if (!earlier.condition) continue;
      const theirs = toInterval(earlier.condition);
      const same = exprKey(earlier.condition) === key;
      if (same || (mine && theirs && mine.subject === theirs.subject && contains(theirs, mine))) {
        out.push(diag("OBC4003", { earlier: describeTier(earlier, j) }, { span: t.condition.span, label: "never reached" }, { clause, related: [{ span: earlier.condition.span, label: "catches these students first" }] }));
        return;
      }
    }
    // bands written with both bounds were meant to be disjoint: warn when they overlap
    if (mine && mine.lo && mine.hi) {
      for (let j = 0; j < i; j++) {
        const earlier = tiers[j]!;
        const theirs = earlier.condition ? toInterval(earlier.condition) : undefined;
        if (theirs && theirs.lo && theirs.hi && theirs.subject === mine.subject && intersects(mine, theirs)) {
          out.push(diag("OBC4004", { earlier: describeTier(earlier, j) }, { span: t.condition.span, label: "overlaps an earlier tier" }, { clause, related: [{ span: earlier.condition!.span, label: "the earlier tier" }] }));
          break;
        }
      }
    }
  });
  // a gap between bands is the more precise finding than a missing 'otherwise'
  const gap = checkTierSchedule(tiers, clause, out);
  if (otherwiseAt < 0 && !gap) out.push(diag("OBC4005", {}, { span: c.name.span, label: "no 'otherwise' tier" }, { clause }));
}

/**
 * Schedules that look wrong: a tier for a higher score paying less than a tier for a lower
 * one (payments that fall as outcomes improve), and bands with gaps no tier covers.
 */
function checkTierSchedule(tiers: A.Tier[], clause: string, out: Diagnostic[]): boolean {
  const amounts = tiers.map((t) => constValue(t.amount));
  const bands = tiers.map((t) => (t.condition ? toInterval(t.condition) : undefined));
  const text = (v: number) => String(v);
  // "at least X" tiers, higher thresholds first in the ladder: a higher threshold must not pay less
  for (let i = 0; i < tiers.length; i++) {
    const bi = bands[i];
    const ai = amounts[i];
    if (!bi?.lo || bi.hi || ai === undefined) continue;
    for (let j = i + 1; j < tiers.length; j++) {
      const bj = bands[j];
      const aj = amounts[j];
      const lower = !tiers[j]!.condition || (bj?.lo && !bj.hi && bj.subject === bi.subject && bj.lo.v < bi.lo.v);
      if (!lower || aj === undefined || !(aj > ai)) continue;
      out.push(
        diag("OBC4020", { better: `tier ${i + 1}`, worse: `tier ${j + 1}` }, { span: tiers[i]!.span, label: "pays less for a better result" }, {
          clause,
          related: [{ span: tiers[j]!.span, label: "pays more for a worse result" }],
        }),
      );
      break;
    }
  }
  // two-sided bands with no otherwise: values between bands fall in no tier
  if (tiers.some((t) => !t.condition)) return false;
  const ranges = bands.filter((b): b is Interval => !!b && !!b.lo && !!b.hi);
  if (ranges.length !== tiers.length || new Set(ranges.map((r) => r.subject)).size !== 1) return false;
  let found = false;
  const sorted = [...ranges].sort((a, b) => a.lo!.v - b.lo!.v);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!.hi!;
    const next = sorted[k]!.lo!;
    const gap = prev.v < next.v || (prev.v === next.v && !prev.inclusive && !next.inclusive);
    if (gap) {
      const idx = ranges.indexOf(sorted[k]!);
      out.push(diag("OBC4021", { from: text(prev.v), to: text(next.v) }, { span: tiers[idx]!.span, label: "a gap below this tier" }, { clause }));
      found = true;
    }
  }
  return found;
}

function isZeroMoney(e: A.Expr): boolean {
  return e.$type === "MoneyLit" && Number(e.value) === 0;
}

function checkNeverPays(c: A.PaymentClause, out: Diagnostic[]): void {
  const clause = c.name.value;
  if (c.condition?.$type === "BoolLit" && !c.condition.value) {
    out.push(diag("OBC4007", { why: "its condition is always false" }, { span: c.condition.span, label: "always false" }, { clause }));
    return;
  }
  if (c.amount.$type === "FixedAmount" && isZeroMoney(c.amount.amount)) {
    out.push(diag("OBC4007", { why: "it pays $0" }, { span: c.amount.span, label: "$0" }, { clause }));
    return;
  }
  if (c.amount.$type === "TieredAmount" && c.amount.tiers.length > 0 && c.amount.tiers.every((t) => isZeroMoney(t.amount))) {
    out.push(diag("OBC4007", { why: "every tier pays $0" }, { span: c.amount.span, label: "all tiers $0" }, { clause }));
  }
}

/** The largest fixed amount a clause pays one student before weights, when it is a constant. */
export function constantMax(c: A.PaymentClause): number | undefined {
  if (c.amount.$type === "FixedAmount") {
    const v = constValue(c.amount.amount);
    return v;
  }
  const vs = c.amount.tiers.map((t) => constValue(t.amount));
  if (vs.some((v) => v === undefined)) return undefined;
  return Math.max(...(vs as number[]));
}

function checkCaps(ir: ContractIR, out: Diagnostic[]): void {
  for (const item of ir.ast.items) {
    if (item.$type === "CapDecl" && item.allocation === "in-order" && item.scope !== "student") {
      out.push(diag("OBC4019", {}, { span: item.allocationSpan ?? item.span, label: "only for a cap per student" }));
    }
  }
  const cap = ir.studentCap;
  if (!cap) return;
  const capV = Number(cap.amount.value);
  for (const c of ir.clauses) {
    const max = constantMax(c.decl);
    if (max === undefined) continue;
    const weight = Math.max(1, ...c.weights.map((w) => Number(w.factor.value)));
    const most = max * weight;
    if (most > capV) {
      out.push(
        diag("OBC4008", { cap: dollars(capV), amount: dollars(most), clause: `"${c.name}"` }, { span: cap.amount.span, label: "less than one clause pays" }, {
          related: [{ span: c.decl.name.span, label: `pays up to ${dollars(most)}` }],
        }),
      );
    }
  }
}

/** $1,350.00 */
function dollars(v: number): string {
  const [w, f] = v.toFixed(2).split(".");
  return `$${w!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
}

function checkFunding(ir: ContractIR, out: Diagnostic[]): void {
  const f = ir.funding;
  if (!f) {
    checkWhoPays(ir, out);
    return;
  }
  checkRepeatedPayers(ir, f, out);
  let total = 0;
  let rest = 0;
  for (const s of f.shares) {
    if (s.percent) total += Number(s.percent.value);
    else rest++;
  }
  const oneOver = f.shares.some((s) => s.percent && Number(s.percent.value) > 100); // reported as OBC4002
  if (total > 100 && !oneOver) {
    out.push(diag("OBC4009", { total: String(total) }, { span: f.decl.span, label: "more than 100% in all" }));
  } else if (rest === 0 && total < 100) {
    out.push(diag("OBC4010", { total: String(total), party: ir.parties.find((p) => p.role === "district")?.id ?? "district" }, { span: f.decl.span, label: "part of each line unpaid" }));
  } else if (rest > 1) {
    const second = f.shares.filter((s) => !s.percent)[1]!;
    out.push(diag("OBC1008", { section: "'pays the rest' line" }, { span: second.decl.span, label: "a second party paying the rest" }));
  }
}

/** Without a funding section, exactly one party must be able to pay: else nobody knows who pays. */
function checkWhoPays(ir: ContractIR, out: Diagnostic[]): void {
  const partiesDecl = ir.ast.items.find((i): i is A.PartiesDecl => i.$type === "PartiesDecl");
  if (!partiesDecl || ir.parties.length === 0) return;
  const payers = payingParties(ir);
  if (payers.length === 1) return;
  if (payers.length === 0) {
    out.push(diag("OBC4024", {}, { span: partiesDecl.span, label: "no party that pays" }));
    return;
  }
  const quoted = payers.map((p) => `'${p.id}'`);
  const example = `${payers[payers.length - 1]!.id} pays 50% of every line  ${payers[0]!.id} pays the rest`;
  out.push(
    diag("OBC4022", { parties: `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}` }, { span: partiesDecl.span, label: "several parties that could pay" }, {
      related: payers.map((p) => ({ span: p.decl.span, label: `'${p.id}' could pay` })),
      helpParams: { example },
    }),
  );
}

/** A party named twice in the funding section would have its shares merged or one of them lost. */
function checkRepeatedPayers(ir: ContractIR, f: NonNullable<ContractIR["funding"]>, out: Diagnostic[]): void {
  // a share names a party by its alias or its role: two names of one party are the same payer
  const partyOf = (name: string): string => {
    const byId = ir.parties.find((p) => p.id === name);
    if (byId) return byId.id;
    const byRole = ir.parties.filter((p) => p.role === name);
    return byRole.length === 1 ? byRole[0]!.id : name;
  };
  const first = new Map<string, A.FundingShare>();
  for (const s of f.shares) {
    const party = partyOf(s.party);
    const earlier = first.get(party);
    if (!earlier) {
      first.set(party, s.decl);
      continue;
    }
    const also = earlier.party.name === s.party ? "" : ` (as '${earlier.party.name}' and as '${s.party}')`;
    out.push(
      diag("OBC4023", { party: `'${party}'`, also }, { span: s.decl.span, label: `'${party}' again` }, {
        related: [{ span: earlier.span, label: `'${party}' first named here` }],
      }),
    );
  }
}

function checkEscalations(ir: ContractIR, out: Diagnostic[]): void {
  for (const e of ir.escalations) {
    let previous = 0;
    for (const l of e.decl.levels) {
      const n = Number(l.level.value);
      if (n !== previous + 1) {
        out.push(diag("OBC4013", { level: l.level.value, previous: String(previous) }, { span: l.level.span, label: `expected level ${previous + 1}` }, { clause: e.name }));
      }
      previous = n;
      if (l.consecutive && Number(l.consecutive.value) < 1) {
        out.push(diag("OBC4016", {}, { span: l.consecutive.span, label: "at least 1" }, { clause: e.name }));
      }
    }
  }
}

function checkParties(ir: ContractIR, out: Diagnostic[]): void {
  const ids = ir.parties.map((p) => p.id);
  const roleOrAlias = new Set([...ids, ...ir.parties.map((p) => p.role)]);
  const check = (id: A.Ident) => {
    if (roleOrAlias.has(id.name)) return;
    const s = didYouMean(id.name, ids);
    out.push(
      diag("OBC2003", { name: `'${id.name}'`, parties: ids.join(", ") || "(none declared)" }, { span: id.span, label: s ? `did you mean '${s}'?` : "not a party" }, s
        ? { suggestions: [{ message: `Replace with '${s}'`, span: id.span, replacement: s }] }
        : {}),
    );
  };
  const freq = (id: A.Ident | undefined) => {
    if (!id || (FREQUENCIES as readonly string[]).includes(id.name)) return;
    const s = didYouMean(id.name, [...FREQUENCIES]);
    out.push(
      diag("OBC2008", { name: `'${id.name}'`, frequencies: FREQUENCIES.join(", ") }, { span: id.span, label: "not a frequency" }, s
        ? { suggestions: [{ message: `Replace with '${s}'`, span: id.span, replacement: s }] }
        : {}),
    );
  };
  for (const s of ir.funding?.shares ?? []) check(s.decl.party);
  for (const c of [...ir.clauses, ...ir.cohorts]) if (c.decl.payee) check(c.decl.payee);
  for (const r of ir.routines) {
    r.parties.forEach(check);
    freq(r.frequency);
  }
  for (const g of ir.governance) {
    if (g.$type === "CommitteeDecl") {
      g.members.forEach(check);
      freq(g.frequency);
    } else g.signers.forEach(check);
  }
  for (const e of ir.escalations) {
    for (const l of e.decl.levels) {
      for (const a of l.actions) {
        if (a.$type === "DutyAction") a.parties.forEach(check);
        if (a.$type === "TerminateAction") check(a.party);
      }
    }
  }
}
