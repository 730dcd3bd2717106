/**
 * Settlement: from decided lines to exact payments. The one settlement of every run: a full
 * run with either decider, bulk runs (on one thread or on worker threads), simulation, and the
 * editor and the HTTP service through `runContract`.
 *
 * Input: the student lines of a run in a `LineStore` (per student, one line per clause of the
 * student's groups: the clause, the line's status and its amount in cents after weights and
 * rounding, which is step 1, `lineCents`, applied as the decisions are made), the cohort
 * decisions and the escalation decisions. Output: a `Settlement`, columnar: each line's paid and
 * withheld cents, each student's floor line and total, the cohort payments, the payers, the
 * totals, and the guarantees the result breaks, if any (`checkSettlement`, run on every
 * settlement). Reasons and condition traces are not made here: `result.ts` attaches them from
 * the decisions.
 *
 * The order is fixed and documented in docs/language.md (Order of settlement):
 *   1. each line: base × weights, rounded once by the contract's rounding rule (`lineCents`);
 *   2. caps on one clause (`cap $X on "Clause"`), shared pro rata among the students;
 *   3. the cap per student, shared among the student's lines (pro rata, or in clause order);
 *   4. the floor per student;
 *   5. cohort payments, rounded by the contract's rule;
 *   6. the cap per contract, shared pro rata among students and cohort payments, then within
 *      each student among the lines;
 *   7. withholding by an escalation in force at the last checkpoint;
 *   8. the funding split (`Funding`).
 * Every pro rata share is rounded down to the cent and the cents left over go one each to the
 * largest remainders, ties to the lower id, so a binding cap is paid exactly.
 *
 * Cents are JS integers. A run whose amounts add up to more than 2^53 − 1 cents in all
 * ($90,071,992,547,409.91) is refused (`TooLarge`), so that every sum here is exact; a pro
 * rata product over 2^53 is computed on bigints. Browser-safe.
 */
import type * as A from "../language/ast.ts";
import { defaultPayer, type ContractIR } from "../language/check/ir.ts";
import { codeInfo } from "../language/diagnostics/codes.ts";
import { MAX_CENTS, centsText, percentOfPaid, reduceLines, safeCents, shareByPosition } from "./cents.ts";
import type { DataProblem } from "./data.ts";
import { roundToCents } from "./money.ts";
import type { RunResult } from "./output.ts";
import { Rational } from "./rational.ts";
import { internalProblem, type CohortDecision, type EscalationDecision } from "./run.ts";

// ───────────── the lines ─────────────

/** Line statuses in a `LineStore`. */
export const MET = 1;
export const NOT_MET = 2;
export const MISSING_STATUS = 3;
export const EXCLUDED = 4;
/** a clause not yet due on the run's as-of date (shown as "not-met") */
export const PENDING = 5;
export const STATUS_NAMES = ["", "met", "not-met", "missing", "excluded", "pending"] as const;
/** The output status of a line (a clause not yet due reads "not-met"). */
export const statusText = (s: number): "met" | "not-met" | "missing" | "excluded" => (s === PENDING ? "not-met" : (STATUS_NAMES[s] as "met" | "not-met" | "missing" | "excluded"));

/** The student lines of a run, columnar, in typed arrays that grow as needed. */
export class LineStore {
  /** student ids; only the first `count` entries are this run's (the array keeps its capacity) */
  ids: string[] = [];
  count = 0;
  /** per student, the index of its first line; lineStart[count] is the line count */
  lineStart = new Int32Array(1024);
  /** per line, the clause's index in `ir.clauses` */
  clause = new Int32Array(1024);
  status = new Uint8Array(1024);
  /** cents after weights and rounding (0 when not met; NaN when too large for a safe integer) */
  amount = new Float64Array(1024);
  nLines = 0;

  reset(): void {
    this.count = 0;
    this.nLines = 0;
    this.lineStart[0] = 0;
  }

  private growLines(to: number): void {
    while (this.clause.length < to) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.clause = grow(this.clause);
      this.status = grow(this.status);
      this.amount = grow(this.amount);
    }
  }

  private growStudents(to: number): void {
    while (this.lineStart.length < to) {
      const b = new Int32Array(this.lineStart.length * 2);
      b.set(this.lineStart);
      this.lineStart = b;
    }
  }

  addLine(clause: number, status: number, amount: number): void {
    const n = this.nLines;
    if (n === this.clause.length) this.growLines(n + 1);
    this.clause[n] = clause;
    this.status[n] = status;
    this.amount[n] = amount;
    this.nLines = n + 1;
  }

  endStudent(id: string): void {
    const k = ++this.count;
    if (k > this.ids.length) this.ids.push(id);
    else this.ids[k - 1] = id;
    if (k >= this.lineStart.length) this.growStudents(k + 1);
    this.lineStart[k] = this.nLines;
  }

  /** Appends the students of another store's arrays (lineStart relative to its own lines). */
  appendChunk(ids: string[], lineStart: Int32Array, clause: Int32Array, status: Uint8Array, amount: Float64Array): void {
    const base = this.nLines;
    this.growLines(base + clause.length);
    this.clause.set(clause, base);
    this.status.set(status, base);
    this.amount.set(amount, base);
    this.nLines = base + clause.length;
    const k0 = this.count;
    this.growStudents(k0 + ids.length + 1);
    for (let s = 0; s < ids.length; s++) {
      const k = k0 + s;
      if (k < this.ids.length) this.ids[k] = ids[s]!;
      else this.ids.push(ids[s]!);
      this.lineStart[k + 1] = base + lineStart[s + 1]!;
    }
    this.count = k0 + ids.length;
  }
}

// ───────────── who pays ─────────────

/**
 * Step 8, the funding split: who pays each amount. Each party named with a percentage pays that
 * percentage of every line, rounded by its own rule; the party that pays the rest pays what is
 * left (when the percentages make 100% and no party is said to pay the rest, the last party
 * named does). Without a funding section, the contract's one paying party pays everything.
 *
 * A student's funding is the sum of the splits of the student's lines and floor line
 * (`addStudent`); the totals by payer are the sum of every student's funding and of the splits
 * of the cohort payments. A rule that splits a student's total instead of each line (a funder
 * paying a share of each student's total, rounded once) belongs in `addStudent`.
 */
export class Funding {
  /** the payers, in the order their keys appear in a split (the same for every amount) */
  readonly payers: string[] = [];
  private readonly shares: { key: number; p: Rational; mode: A.RoundingMode; unit: A.RoundingUnit }[] = [];
  private readonly restKey: number;
  private readonly parts: Float64Array;

  constructor(ir: ContractIR) {
    const shares = ir.funding?.shares ?? [];
    const key = (party: string) => {
      const k = this.payers.indexOf(party);
      return k >= 0 ? k : this.payers.push(party) - 1;
    };
    if (shares.length === 0) {
      this.restKey = key(defaultPayer(ir) ?? "payer");
    } else {
      const percents = shares.filter((s) => s.percent);
      const total = percents.reduce((t, s) => t.add(Rational.parse(s.percent!.value)), Rational.ZERO);
      // percentages of 100% in all and no party paying the rest: the last one named pays the
      // rest, so that its share absorbs the others' rounding and the shares add up to the line
      const rest = shares.find((s) => !s.percent) ?? (total.eq(Rational.of(100)) ? percents.at(-1) : undefined);
      for (const s of percents) {
        if (s === rest) key(s.party);
        else this.shares.push({ key: key(s.party), p: Rational.parse(s.percent!.value), mode: s.rounding.mode, unit: s.rounding.unit });
      }
      this.restKey = rest ? key(rest.party) : -1;
    }
    this.parts = new Float64Array(this.payers.length);
  }

  /**
   * The split of `paid` cents, by payer index (valid until the next call; a party named twice
   * holds its last share).
   */
  split(paid: number): Float64Array {
    const out = this.parts;
    if (this.shares.length === 0 && this.restKey === 0 && this.payers.length === 1) {
      out[0] = paid;
      return out;
    }
    let rest = paid;
    for (let k = 0; k < this.shares.length; k++) {
      const s = this.shares[k]!;
      const v = paid === 0 ? 0 : percentOfPaid(paid, s.p, s.mode, s.unit);
      out[s.key] = v;
      rest -= v;
    }
    if (this.restKey >= 0) out[this.restKey] = rest;
    return out;
  }

  /** The split of `paid` as [payer, cents] pairs, in payer order. */
  splitEntries(paid: number): [string, number][] {
    const parts = this.split(paid);
    return this.payers.map((p, k) => [p, parts[k]!]);
  }

  /**
   * Adds the funding of one student to `acc`, by payer index: of its lines (`paid[from]` to
   * `paid[to - 1]`) and of its floor line (`floor` cents; 0 or NaN when none).
   */
  addStudent(paid: Float64Array, from: number, to: number, floor: number, acc: Float64Array): void {
    for (let i = from; i < to; i++) this.addSplit(paid[i]!, acc);
    if (floor) this.addSplit(floor, acc);
  }

  addSplit(paid: number, acc: Float64Array): void {
    const parts = this.split(paid);
    for (let k = 0; k < parts.length; k++) acc[k]! += parts[k]!;
  }
}

/** How one amount (cents) is split among the contract's payers: `Funding.split`, on bigints. */
export function fundingSplit(ir: ContractIR, paid: bigint): Record<string, bigint> {
  const c = safeCents(paid);
  if (Number.isNaN(c)) throw new RangeError("an amount is too large to split exactly (over 2^53 cents)");
  return Object.fromEntries(new Funding(ir).splitEntries(c).map(([k, v]) => [k, BigInt(v)]));
}

// ───────────── the settlement ─────────────

export interface Settlement {
  ok: true;
  store: LineStore;
  funding: Funding;
  /** per line, cents after every cap */
  paid: Float64Array;
  /** per line, cents held back by a withholding */
  withheld: Float64Array;
  /** per student, the floor line's cents (NaN: none) */
  floor: Float64Array;
  /** per student, cents: what the student's lines and floor line pay */
  studentTotal: Float64Array;
  /** per student, cents: the lines' amounts before caps, and the floor line */
  uncapped: Float64Array;
  /** per student, cents: after the caps per clause and per student and the floor, before the cap per contract */
  beforeContractCap: Float64Array;
  /** cents: every student's `beforeContractCap` and every cohort payment, before the cap per contract */
  beforeContractCapTotal: number;
  /** per cohort decision, cents before and after the contract cap */
  cohortAmount: number[];
  cohortPaid: number[];
  /** per cohort decision, its clause's id */
  cohortClause: string[];
  uncappedTotal: number;
  paidTotal: number;
  withheldTotal: number;
  /** every clause id in clause order, then "floor" (when a floor line pays), then cohort clause ids */
  byClause: Map<string, number>;
  /** by payer index (`funding.payers`); empty when nothing was split */
  byPayer: number[];
  contractCap?: { cap: string; binds: boolean; factor: string };
  /** for each `cap … on "Clause"` (in clause order, then cap order): whether it bound */
  clauseCapBinds: boolean[];
  /** how many students the cap per student cut back */
  studentCapBinds: number;
  /** the totals of the output (money as text) */
  totals: RunResult["totals"];
  /** the guarantees this settlement breaks (`checkSettlement`): empty unless OBC has a bug */
  violations: string[];
}

/** A run whose amounts cannot be settled exactly: they add up to more than 2^53 − 1 cents. */
export interface TooLarge {
  ok: false;
  problem: DataProblem;
}

/** A cap's cents as a number; a cap beyond any settleable total (over 2^53 cents) never binds. */
const capCents = (m: A.MoneyLit): number => {
  const c = safeCents(roundToCents(Rational.parse(m.value), "half-up"));
  return Number.isNaN(c) ? Infinity : c;
};

/** Settles a run's lines, cohort payments and withholdings, and checks the result (`checkSettlement`). */
export function settle(ir: ContractIR, store: LineStore, cohorts: CohortDecision[], escalations: EscalationDecision[]): Settlement | TooLarge {
  const mode = ir.rounding;
  const nS = store.count;
  const start = store.lineStart;
  const nL = store.nLines;
  const amount = store.amount.subarray(0, nL);
  const floorCents = ir.floor ? safeCents(roundToCents(Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1), "half-up")) : 0;
  const cohortAmount = cohorts.map((c) => (c.status === "met" ? safeCents(roundToCents(c.amount, mode.mode, mode.unit)) : 0));
  // every sum below is bounded by the sum of the absolute amounts (caps only cut lines back)
  let bound = Math.abs(floorCents) * nS;
  for (let i = 0; i < nL; i++) bound += Math.abs(amount[i]!);
  for (const c of cohortAmount) bound += Math.abs(c);
  if (!(bound <= MAX_CENTS)) return { ok: false, problem: tooLargeProblem() };

  const paid = amount.slice();
  const withheld = new Float64Array(nL);
  let scratchBuf = new Float64Array(16);
  const scratch = (n: number) => (n <= scratchBuf.length ? scratchBuf : (scratchBuf = new Float64Array(n * 2)));
  const sumPaid = (s: number) => {
    let t = 0;
    for (let i = start[s]!; i < start[s + 1]!; i++) t += paid[i]!;
    return t;
  };
  // 2. caps on one clause
  const clauseCapBinds: boolean[] = [];
  let studentCapBinds = 0;
  ir.clauses.forEach((c, ci) => {
    for (const cap of c.caps) {
      const capC = capCents(cap.amount);
      const li: number[] = [];
      const ids: string[] = [];
      let total = 0;
      for (let s = 0; s < nS; s++) {
        for (let i = start[s]!; i < start[s + 1]!; i++) {
          if (store.clause[i] !== ci) continue;
          li.push(i);
          ids.push(store.ids[s]!);
          total += paid[i]!;
        }
      }
      if (total <= capC) {
        clauseCapBinds.push(false);
        continue;
      }
      clauseCapBinds.push(true);
      const shares = shareByPosition(ids, li.map((i) => paid[i]!), capC);
      li.forEach((i, k) => (paid[i] = shares[k]!));
    }
  });
  // 3. cap per student
  if (ir.studentCap) {
    const capC = capCents(ir.studentCap.amount);
    for (let s = 0; s < nS; s++) {
      if (sumPaid(s) > capC) {
        studentCapBinds++;
        const a = start[s]!;
        const n = start[s + 1]! - a;
        const buf = scratch(n);
        for (let k = 0; k < n; k++) buf[k] = paid[a + k]!;
        reduceLines(buf, n, capC, ir.studentCap.allocation);
        for (let k = 0; k < n; k++) paid[a + k] = buf[k]!;
      }
    }
  }
  // 4. floor per student
  const floor = new Float64Array(nS).fill(NaN);
  if (ir.floor) {
    for (let s = 0; s < nS; s++) {
      const total = sumPaid(s);
      if (start[s + 1]! > start[s]! && total < floorCents) floor[s] = floorCents - total;
    }
  }
  const fl = (s: number) => (Number.isNaN(floor[s]!) ? 0 : floor[s]!);
  const studentSum = (s: number) => sumPaid(s) + fl(s);
  // 5. cohort payments (rounded above)
  const cohortPaid = cohortAmount.slice();
  // 6. cap per contract
  let uncappedTotal = 0;
  let before = 0;
  const beforeContractCap = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    for (let i = start[s]!; i < start[s + 1]!; i++) uncappedTotal += amount[i]!;
    uncappedTotal += fl(s);
    beforeContractCap[s] = studentSum(s);
    before += beforeContractCap[s]!;
  }
  for (let k = 0; k < cohorts.length; k++) {
    uncappedTotal += cohortAmount[k]!;
    before += cohortPaid[k]!;
  }
  let contractCap: Settlement["contractCap"];
  if (ir.contractCap) {
    const capC = capCents(ir.contractCap.amount);
    const binds = before > capC;
    contractCap = { cap: centsText0(ir.contractCap.amount), binds, factor: binds ? Rational.of(capC, before).toString() : "1" };
    if (binds) {
      const ids = [...store.ids.slice(0, nS), ...cohorts.map((c) => `~cohort:${c.clause.id}:${c.period ?? ""}`)];
      const weights: number[] = [];
      for (let s = 0; s < nS; s++) weights.push(studentSum(s));
      for (const c of cohortPaid) weights.push(c);
      const shares = shareByPosition(ids, weights, capC);
      for (let s = 0; s < nS; s++) {
        // the floor line is shared like any other line of the student
        const a = start[s]!;
        const n = start[s + 1]! - a;
        const had = !Number.isNaN(floor[s]!);
        const buf = scratch(n + 1);
        for (let k = 0; k < n; k++) buf[k] = paid[a + k]!;
        buf[n] = had ? floor[s]! : 0;
        reduceLines(buf, n + 1, shares[s]!, "pro-rata");
        for (let k = 0; k < n; k++) paid[a + k] = buf[k]!;
        if (had) floor[s] = buf[n]!;
      }
      for (let k = 0; k < cohorts.length; k++) cohortPaid[k] = shares[nS + k]!;
    }
  }
  // 7. withholding by an escalation in force at the end
  for (const e of escalations) {
    const w = e.withholdingAtEnd;
    if (!w) continue;
    const pct = Rational.parse(w.percent.value);
    for (let i = 0; i < nL; i++) {
      if (w.of === "all" || ir.clauses[store.clause[i]!]!.kind === w.of) withheld[i] = percentOfPaid(paid[i]!, pct, mode.mode, mode.unit);
    }
  }
  // totals
  const clauseSum = new Float64Array(ir.clauses.length);
  let floorSum = 0;
  let anyFloor = false;
  const studentTotal = new Float64Array(nS);
  const uncapped = new Float64Array(nS);
  let paidTotal = 0;
  let withheldTotal = 0;
  for (let s = 0; s < nS; s++) {
    let u = 0;
    let t = 0;
    for (let i = start[s]!; i < start[s + 1]!; i++) {
      const p = paid[i]!;
      clauseSum[store.clause[i]!]! += p;
      u += amount[i]!;
      t += p;
      withheldTotal += withheld[i]!;
    }
    if (floor[s]) {
      anyFloor = true;
      floorSum += floor[s]!;
    }
    uncapped[s] = u + fl(s);
    studentTotal[s] = t + fl(s);
    paidTotal += studentTotal[s]!;
  }
  const byClause = new Map<string, number>();
  ir.clauses.forEach((c, i) => byClause.set(c.id, (byClause.get(c.id) ?? 0) + clauseSum[i]!));
  if (anyFloor) byClause.set("floor", (byClause.get("floor") ?? 0) + floorSum);
  for (let k = 0; k < cohorts.length; k++) {
    const id = cohorts[k]!.clause.id;
    byClause.set(id, (byClause.get(id) ?? 0) + cohortPaid[k]!);
    paidTotal += cohortPaid[k]!;
  }
  // 8. funding: every student's, then every cohort payment's
  const funding = new Funding(ir);
  let byPayer: number[] = [];
  if (nL > 0 || cohorts.length > 0) {
    const acc = new Float64Array(funding.payers.length);
    for (let s = 0; s < nS; s++) funding.addStudent(paid, start[s]!, start[s + 1]!, floor[s]!, acc);
    for (const c of cohortPaid) funding.addSplit(c, acc);
    byPayer = Array.from(acc);
  }
  const totals: RunResult["totals"] = {
    uncapped: centsText(uncappedTotal),
    beforeContractCap: centsText(before),
    paid: centsText(paidTotal),
    withheld: centsText(withheldTotal),
    byClause: Object.fromEntries([...byClause].map(([k, v]) => [k, centsText(v)])),
    byPayer: Object.fromEntries(byPayer.map((v, k) => [funding.payers[k]!, centsText(v)])),
    ...(contractCap ? { contractCap } : {}),
  };
  const st: Settlement = {
    ok: true,
    store,
    funding,
    paid,
    withheld,
    floor,
    studentTotal,
    uncapped,
    beforeContractCap,
    beforeContractCapTotal: before,
    cohortAmount,
    cohortPaid,
    cohortClause: cohorts.map((c) => c.clause.id),
    uncappedTotal,
    paidTotal,
    withheldTotal,
    byClause,
    byPayer,
    ...(contractCap ? { contractCap } : {}),
    clauseCapBinds,
    studentCapBinds,
    totals,
    violations: [],
  };
  st.violations = checkSettlement(ir, st);
  return st;
}

/** A money literal's cents as text, exactly (a cap may be beyond 2^53 cents). */
function centsText0(m: A.MoneyLit): string {
  const c = roundToCents(Rational.parse(m.value), "half-up");
  const a = c < 0n ? -c : c;
  return `${c < 0n ? "-" : ""}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
}

// ───────────── the run-time checks ─────────────

/**
 * The guarantees every settlement must hold, checked on every run from the settlement's own
 * numbers (never recomputed by the steps above):
 * - no cap raises a line or makes it negative: 0 ≤ paid ≤ amount for a line of a positive
 *   amount, and a negative line is paid as it is;
 * - each student's total is the sum of the student's lines and floor line, and the student's
 *   uncapped amount the sum of the amounts;
 * - no cap is exceeded: each `cap … on "Clause"` by the clause's lines, the cap per student by
 *   each student's lines (a floor above the cap may raise the total to the floor), the cap per
 *   contract by the total paid;
 * - the totals are the sums of the students' totals and the cohort payments, by clause too;
 * - a withholding never holds back more than the line pays;
 * - the payers' shares of every amount paid (line, floor line, cohort payment) add up to it,
 *   and the totals by payer add up to the total paid.
 * @returns the broken guarantees, in words (never a student's id or value); empty when all hold
 */
export function checkSettlement(ir: ContractIR, st: Settlement): string[] {
  const out: string[] = [];
  const { store, paid, withheld, floor } = st;
  const amount = store.amount;
  const start = store.lineStart;
  const nS = store.count;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  /** a cap may cut a line of a positive amount back, never raise it or make it negative; other lines are paid as they are */
  const cutBack = (a: number, p: number) => (a >= 0 ? p >= 0 && p <= a : p === a);
  const studentCap = ir.studentCap ? capCents(ir.studentCap.amount) : Infinity;
  const floorCents = ir.floor ? safeCents(roundToCents(Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1), "half-up")) : -Infinity;
  let raised = 0;
  let overWithheld = 0;
  let wrongSums = 0;
  let overStudentCap = 0;
  let overFloor = 0;
  let linesTotal = 0;
  let withheldTotal = 0;
  const clausePaid = new Float64Array(ir.clauses.length);
  for (let s = 0; s < nS; s++) {
    let t = 0;
    let u = 0;
    for (let i = start[s]!; i < start[s + 1]!; i++) {
      const p = paid[i]!;
      const w = withheld[i]!;
      if (!cutBack(amount[i]!, p)) raised++;
      if (p >= 0 ? !(w >= 0 && w <= p) : !(w <= 0 && w >= p)) overWithheld++;
      t += p;
      u += amount[i]!;
      clausePaid[store.clause[i]!]! += p;
      withheldTotal += w;
    }
    const f = Number.isNaN(floor[s]!) ? 0 : floor[s]!;
    if (f < 0) raised++;
    if (f > 0 && t + f > floorCents) overFloor++;
    if (t > studentCap) overStudentCap++;
    if (st.studentTotal[s] !== t + f || st.uncapped[s] !== u + f) wrongSums++;
    linesTotal += st.studentTotal[s]!;
  }
  if (raised) out.push(`a cap raised ${count(raised, "line")} or made it negative`);
  if (wrongSums) out.push(`the lines of ${count(wrongSums, "student")} do not add up to the student's total`);
  if (overStudentCap) out.push(`the lines of ${count(overStudentCap, "student")} exceed the cap per student`);
  if (overFloor) out.push(`the floor line of ${count(overFloor, "student")} raises the total above the floor`);
  if (overWithheld) out.push(`${count(overWithheld, "line")} withhold more than they pay`);
  if (withheldTotal !== st.withheldTotal) out.push("the amounts withheld do not add up to the total withheld");
  ir.clauses.forEach((c, ci) => {
    for (const cap of c.caps) if (clausePaid[ci]! > capCents(cap.amount)) out.push(`the lines of clause ${c.id} exceed its cap`);
  });
  let cohortsTotal = 0;
  st.cohortPaid.forEach((p, k) => {
    if (!cutBack(st.cohortAmount[k]!, p)) out.push("a cap raised a cohort payment or made it negative");
    cohortsTotal += p;
  });
  if (linesTotal + cohortsTotal !== st.paidTotal) out.push("the students' totals and the cohort payments do not add up to the total paid");
  if (ir.contractCap && st.paidTotal > capCents(ir.contractCap.amount)) out.push("the total paid exceeds the cap per contract");
  // by clause: each clause's lines, the floor lines, each cohort clause's payments
  const want = new Map<string, number>();
  const add = (k: string, v: number) => want.set(k, (want.get(k) ?? 0) + v);
  ir.clauses.forEach((c, ci) => add(c.id, clausePaid[ci]!));
  for (let s = 0; s < nS; s++) if (floor[s]) add("floor", floor[s]!);
  st.cohortPaid.forEach((p, k) => add(st.cohortClause[k]!, p));
  if (want.size !== st.byClause.size || [...want].some(([k, v]) => st.byClause.get(k) !== v)) out.push("the totals by clause do not match the lines");
  // every amount paid: its payers' shares add up to it
  let badSplits = 0;
  let last = NaN;
  const split = (p: number) => {
    if (p === last) return;
    last = p;
    let sum = 0;
    for (const v of st.funding.split(p)) sum += v;
    if (sum !== p) badSplits++;
  };
  for (let i = 0; i < store.nLines; i++) split(paid[i]!);
  for (let s = 0; s < nS; s++) if (floor[s]) split(floor[s]!);
  for (const c of st.cohortPaid) split(c);
  if (badSplits) out.push(`the payers' shares of ${count(badSplits, "amount")} paid do not add up to the amount`);
  let byPayer = 0;
  for (const v of st.byPayer) byPayer += v;
  if (byPayer !== (st.byPayer.length ? st.paidTotal : 0)) out.push("the totals by payer do not add up to the total paid");
  return out;
}

/** The problem (OBC9001) of a settlement that breaks its guarantees: its result must not be paid or recorded. */
export function settlementProblem(violations: string[]): DataProblem {
  return internalProblem(`The settlement check failed: ${violations.join("; ")}.`, "settlement-check");
}

function tooLargeProblem(): DataProblem {
  return { code: "OBC5090", severity: "error", file: "(run)", rule: "amount-too-large", message: codeInfo("OBC5090").message };
}
