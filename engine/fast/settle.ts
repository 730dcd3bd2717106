/**
 * Settlement for bulk runs: `settle()` of engine/settle.ts, step for step, on compact
 * columnar lines (cents as JS integers) and without reasons or traces.
 *
 * Steps, as in settle.ts: 1 lines (base × weights, rounded), 2 caps on one clause, 3 the cap
 * per student, 4 the floor, 5 cohort payments and the cap per contract, 6 withholding,
 * 7 funding. Every pro rata share is `allocateProRata` (largest remainder, ties to the lower
 * id): computed here with JS integers when every product stays below 2^53, else by
 * `allocateProRata` itself on bigints. Totals are checked to be safe integers. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import { defaultPayer, type ContractIR } from "../../language/check/ir.ts";
import { allocateProRata, centsToString, roundToCents } from "../money.ts";
import type { RunResult } from "../output.ts";
import { Rational } from "../rational.ts";
import type { CohortDecision, EscalationDecision } from "../run.ts";
import { toRat, type N } from "./num.ts";
import { MET, PENDING, STATUS_NAMES } from "./program.ts";

const MAX = Number.MAX_SAFE_INTEGER;

/** `roundDiv` on safe integers (d > 0); exact: the remainder and the quotient are computed without rounding. */
export function roundDivNum(n: number, d: number, mode: A.RoundingMode): number {
  const r = n % d;
  const q = (n - r) / d;
  if (r === 0) return q === 0 ? 0 : q;
  const away = n < 0 ? q - 1 : q + 1;
  switch (mode) {
    case "down": return q === 0 ? 0 : q;
    case "up": return away;
    case "half-up": return 2 * Math.abs(r) >= d ? away : q === 0 ? 0 : q;
    case "half-even": {
      const twice = 2 * Math.abs(r);
      if (twice > d) return away;
      if (twice < d) return q === 0 ? 0 : q;
      return q % 2 === 0 ? (q === 0 ? 0 : q) : away;
    }
  }
}

const toNum = (b: bigint): number => {
  if (b > 9007199254740991n || b < -9007199254740991n) throw new RangeError("an amount is too large for the bulk settlement (over 2^53 cents)");
  return Number(b);
};

const weightParts = new Map<Rational, [number, number] | null>();
const SMALL = 1n << 40n;

/** Cents of `base × weight` (major units), rounded by the contract's rule: `roundToCents(base.mul(weight))`. */
export function lineCents(base: N, weight: Rational, mode: A.RoundingMode, unit: A.RoundingUnit): number {
  if (typeof base === "number") {
    if (weight === Rational.ONE) {
      const c = base * 100;
      if (c <= MAX && c >= -MAX) return c === 0 ? 0 : c;
    } else {
      let nd = weightParts.get(weight);
      if (nd === undefined) {
        const ok = weight.numerator < SMALL && weight.numerator > -SMALL && weight.denominator < SMALL;
        nd = ok ? [Number(weight.numerator), Number(weight.denominator)] : null;
        if (weightParts.size < 1024) weightParts.set(weight, nd);
      }
      if (nd) {
        const n = base * (unit === "dollar" ? 1 : 100) * nd[0];
        if (n <= MAX && n >= -MAX) {
          const q = roundDivNum(n, nd[1], mode);
          return unit === "dollar" ? q * 100 : q;
        }
      }
    }
  }
  return toNum(roundToCents(toRat(base).mul(weight), mode, unit));
}

/** `roundToCents(Rational.of(paid, 100n).mul(P).div(100), mode, unit)` for a percentage P. */
export function percentOfPaid(paid: number, p: Rational, mode: A.RoundingMode, unit: A.RoundingUnit): number {
  // value in dollars = paid × pn / (pd × 10000); cents = round(paid × pn / (pd × 100))
  const pn = p.numerator;
  const pd = p.denominator;
  if (pn <= 1000000n && pd <= 1000000n) {
    const n = paid * Number(pn);
    const d = Number(pd) * (unit === "dollar" ? 10000 : 100);
    if (n <= MAX && n >= -MAX && d <= MAX) {
      const q = roundDivNum(n, d, mode);
      return unit === "dollar" ? q * 100 : q;
    }
  }
  return toNum(roundToCents(Rational.of(paid, 100n).mul(p).div(100), mode, unit));
}

// ───────────── pro rata ─────────────

/**
 * `share()` of settle.ts: `total` cents shared among the items with a positive weight, pro rata
 * (largest remainder, ties to the lower id); items with weight ≤ 0 keep their weight.
 * @returns the share of each item, by position
 */
export function shareByPosition(ids: string[], weights: number[], total: number, idsUnique = false): number[] {
  const n = weights.length;
  let positives = 0;
  let sum = 0;
  let maxW = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w > 0) {
      positives++;
      sum += w;
      if (w > maxW) maxW = w;
    }
  }
  const unique = idsUnique || new Set(ids).size === ids.length;
  if (!unique) return shareByMap(ids, weights, total);
  const out = new Array<number>(n);
  if (positives === 0 || total <= 0) {
    for (let i = 0; i < n; i++) out[i] = weights[i]! > 0 ? 0 : weights[i]!;
    return out;
  }
  if (sum > MAX || total * maxW > MAX) return shareByMap(ids, weights, total);
  // allocateProRata on the positive items, with JS integers (every product is below 2^53)
  const rem = new Float64Array(n).fill(-1);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w <= 0) {
      out[i] = w;
      continue;
    }
    const p = total * w;
    const r = p % sum;
    const s = (p - r) / sum;
    out[i] = s;
    given += s;
    rem[i] = r;
  }
  let left = total - given;
  if (left > 0) {
    // the `left` largest remainders get a cent each, ties to the lower id
    const sorted = Float64Array.from(rem).sort();
    const threshold = sorted[sorted.length - left]!;
    const tied: number[] = [];
    for (let i = 0; i < n; i++) {
      if (weights[i]! <= 0) continue;
      if (rem[i]! > threshold) {
        out[i]!++;
        left--;
      } else if (rem[i] === threshold) tied.push(i);
    }
    if (left > 0) {
      tied.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
      for (let k = 0; k < left; k++) out[tied[k]!]!++;
    }
  }
  return out;
}

/** The literal port of `share()` (a Map by id, bigints), for repeated ids and very large amounts. */
function shareByMap(ids: string[], weights: number[], total: number): number[] {
  const items = ids.map((id, i) => ({ id, weight: BigInt(weights[i]!) }));
  const t = BigInt(total);
  const positive = items.filter((i) => i.weight > 0n);
  let m: Map<string, bigint>;
  if (positive.length === 0 || t <= 0n) m = new Map(items.map((i) => [i.id, i.weight > 0n ? 0n : i.weight]));
  else {
    m = allocateProRata(positive, t);
    for (const i of items) if (i.weight <= 0n) m.set(i.id, i.weight);
  }
  return ids.map((id) => toNum(m.get(id) ?? 0n));
}

const PAD = Array.from({ length: 64 }, (_, i) => String(i).padStart(6, "0"));

/**
 * `reduceLines()` of settle.ts on `n` values of `v` (in place). The pro rata ids of settle.ts
 * are positions padded to 6 digits, so ties go to the lower position.
 */
function reduceLines(v: Float64Array, n: number, target: number, allocation: A.CapAllocation): void {
  let total = 0;
  for (let i = 0; i < n; i++) total += v[i]!;
  if (total <= target) return;
  let negatives = 0;
  for (let i = 0; i < n; i++) if (v[i]! < 0) negatives += v[i]!;
  const room = target - negatives;
  if (allocation === "in-order") {
    let left = room;
    for (let i = 0; i < n; i++) {
      const p = v[i]!;
      if (p <= 0) continue;
      const take = p < left ? p : left > 0 ? left : 0;
      v[i] = take;
      left -= take;
    }
    return;
  }
  // share(): the positive lines share max(room, 0)
  const t = room > 0 ? room : 0;
  let sum = 0;
  let maxW = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const w = v[i]!;
    if (w > 0) {
      positives++;
      sum += w;
      if (w > maxW) maxW = w;
    }
  }
  if (positives === 0) return;
  if (t <= 0) {
    for (let i = 0; i < n; i++) if (v[i]! > 0) v[i] = 0;
    return;
  }
  if (sum > MAX || t * maxW > MAX || n > 64) {
    const ids: string[] = [];
    const ws: number[] = [];
    const pos: number[] = [];
    for (let i = 0; i < n; i++) {
      if (v[i]! > 0) {
        ids.push(PAD[pos.length] ?? String(pos.length).padStart(6, "0"));
        ws.push(v[i]!);
        pos.push(i);
      }
    }
    const shares = shareByPosition(ids, ws, t);
    pos.forEach((i, k) => (v[i] = shares[k] ?? 0));
    return;
  }
  // allocateProRata with JS integers; remainders in `rem`, largest first, ties to the lower position
  let given = 0;
  const rem = REM;
  for (let i = 0; i < n; i++) {
    const w = v[i]!;
    if (w <= 0) {
      rem[i] = -1;
      continue;
    }
    const p = t * w;
    const r = p % sum;
    const q = (p - r) / sum;
    v[i] = q;
    rem[i] = r;
    given += q;
  }
  let left = t - given;
  while (left > 0) {
    let bi = -1;
    for (let i = 0; i < n; i++) if (rem[i]! >= 0 && (bi < 0 || rem[i]! > rem[bi]!)) bi = i;
    v[bi]!++;
    rem[bi] = -1;
    left--;
  }
}
const REM = new Float64Array(64);

// ───────────── the settlement ─────────────

/** The student lines of a bulk run, columnar, in typed arrays that grow as needed. */
export class LineStore {
  /** student ids; only the first `count` entries are this run's (the array keeps its capacity) */
  ids: string[] = [];
  count = 0;
  /** per student, the index of its first line; lineStart[ids.length] is the line count */
  lineStart = new Int32Array(1024);
  clause = new Int32Array(1024);
  status = new Uint8Array(1024);
  /** cents after weights and rounding (0 when not met) */
  amount = new Float64Array(1024);
  nLines = 0;

  reset(): void {
    this.count = 0;
    this.nLines = 0;
    this.lineStart[0] = 0;
  }

  addLine(clause: number, status: number, amount: number): void {
    const n = this.nLines;
    if (n === this.clause.length) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.clause = grow(this.clause);
      this.status = grow(this.status);
      this.amount = grow(this.amount);
    }
    this.clause[n] = clause;
    this.status[n] = status;
    this.amount[n] = amount;
    this.nLines = n + 1;
  }

  /** Appends the students of another store's arrays (lineStart relative to its own lines). */
  appendChunk(ids: string[], lineStart: Int32Array, clause: Int32Array, status: Uint8Array, amount: Float64Array): void {
    const base = this.nLines;
    const n = clause.length;
    while (this.clause.length < base + n) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.clause = grow(this.clause);
      this.status = grow(this.status);
      this.amount = grow(this.amount);
    }
    this.clause.set(clause, base);
    this.status.set(status, base);
    this.amount.set(amount, base);
    this.nLines = base + n;
    const k0 = this.count;
    while (this.lineStart.length < k0 + ids.length + 1) {
      const b = new Int32Array(this.lineStart.length * 2);
      b.set(this.lineStart);
      this.lineStart = b;
    }
    for (let s = 0; s < ids.length; s++) {
      const k = k0 + s;
      if (k < this.ids.length) this.ids[k] = ids[s]!;
      else this.ids.push(ids[s]!);
      this.lineStart[k + 1] = base + lineStart[s + 1]!;
    }
    this.count = k0 + ids.length;
  }

  endStudent(id: string): void {
    const k = ++this.count;
    if (k > this.ids.length) this.ids.push(id);
    else this.ids[k - 1] = id;
    if (k >= this.lineStart.length) {
      const b = new Int32Array(this.lineStart.length * 2);
      b.set(this.lineStart);
      this.lineStart = b;
    }
    this.lineStart[k] = this.nLines;
  }
}

export interface BulkSettlement {
  totals: RunResult["totals"];
  /** per student, cents */
  studentTotal: Float64Array;
  uncapped: Float64Array;
  /** per line, cents, after every cap */
  paid: Float64Array;
  withheld: Float64Array;
  /** per student, the floor line's cents (NaN: none) */
  floor: Float64Array;
  cohortPaid: number[];
  /** per line payer split (same key order for every line), when asked for */
  split: (paid: number) => [string, number][];
  /** for each `cap … on "Clause"` (in clause order, then cap order): whether it bound */
  clauseCapBinds: boolean[];
  /** how many students the cap per student cut back */
  studentCapBinds: number;
}

export function settleBulk(ir: ContractIR, store: LineStore, cohorts: CohortDecision[], escalations: EscalationDecision[]): BulkSettlement {
  const mode = ir.rounding;
  const nS = store.count;
  const start = store.lineStart;
  const nL = store.nLines;
  const amount = store.amount.subarray(0, nL);
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
      const capCents = toNum(roundToCents(Rational.parse(cap.amount.value), "half-up"));
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
      if (total <= capCents) {
        clauseCapBinds.push(false);
        continue;
      }
      clauseCapBinds.push(true);
      const shares = shareByPosition(ids, li.map((i) => paid[i]!), capCents);
      li.forEach((i, k) => (paid[i] = shares[k]!));
    }
  });
  // 3. cap per student
  if (ir.studentCap) {
    const capCents = toNum(roundToCents(Rational.parse(ir.studentCap.amount.value), "half-up"));
    for (let s = 0; s < nS; s++) {
      if (sumPaid(s) > capCents) {
        studentCapBinds++;
        const a = start[s]!;
        const n = start[s + 1]! - a;
        const buf = scratch(n);
        for (let k = 0; k < n; k++) buf[k] = paid[a + k]!;
        reduceLines(buf, n, capCents, ir.studentCap.allocation);
        for (let k = 0; k < n; k++) paid[a + k] = buf[k]!;
      }
    }
  }
  // 4. floor per student
  const floor = new Float64Array(nS).fill(NaN);
  if (ir.floor) {
    const f = toNum(roundToCents(Rational.parse(ir.floor.amount.value).mul(ir.floor.amount.negative ? -1 : 1), "half-up"));
    for (let s = 0; s < nS; s++) {
      const total = sumPaid(s);
      if (start[s + 1]! > start[s]! && total < f) floor[s] = f - total;
    }
  }
  const fl = (s: number) => (Number.isNaN(floor[s]!) ? 0 : floor[s]!);
  const studentTotal = (s: number) => sumPaid(s) + fl(s);
  // cohort payments
  const cohortAmount = cohorts.map((c) => (c.status === "met" ? toNum(roundToCents(c.amount, mode.mode, mode.unit)) : 0));
  const cohortPaid = cohortAmount.slice();
  const cohortIds = cohorts.map((c) => `~cohort:${c.clause.id}:${c.period ?? ""}`);
  // 5. cap per contract
  let uncappedTotal = 0;
  let before = 0;
  for (let s = 0; s < nS; s++) {
    for (let i = start[s]!; i < start[s + 1]!; i++) uncappedTotal += amount[i]!;
    uncappedTotal += fl(s);
    before += studentTotal(s);
  }
  for (let k = 0; k < cohorts.length; k++) {
    uncappedTotal += cohortAmount[k]!;
    before += cohortPaid[k]!;
  }
  let contractCap: RunResult["totals"]["contractCap"];
  if (ir.contractCap) {
    const capCents = toNum(roundToCents(Rational.parse(ir.contractCap.amount.value), "half-up"));
    const binds = before > capCents;
    contractCap = { cap: centsToString(BigInt(capCents)), binds, factor: binds ? Rational.of(capCents, before).toString() : "1" };
    if (binds) {
      const ids = [...store.ids.slice(0, nS), ...cohortIds];
      const weights: number[] = [];
      for (let s = 0; s < nS; s++) weights.push(studentTotal(s));
      for (const c of cohortPaid) weights.push(c);
      const unique = new Set(ids).size === ids.length;
      const shares = shareByPosition(ids, weights, capCents, unique);
      // a Map by id in settle.ts: with repeated ids, every item reads the last share of its id
      const byId = unique ? undefined : new Map(ids.map((id, i) => [id, shares[i]!]));
      const target = (i: number) => (byId ? byId.get(ids[i]!)! : shares[i]!);
      for (let s = 0; s < nS; s++) {
        // the floor line is shared like any other line of the student
        const a = start[s]!;
        const n = start[s + 1]! - a;
        const had = !Number.isNaN(floor[s]!);
        const buf = scratch(n + 1);
        for (let k = 0; k < n; k++) buf[k] = paid[a + k]!;
        buf[n] = had ? floor[s]! : 0;
        reduceLines(buf, n + 1, target(s), "pro-rata");
        for (let k = 0; k < n; k++) paid[a + k] = buf[k]!;
        if (had) floor[s] = buf[n]!;
      }
      for (let k = 0; k < cohorts.length; k++) cohortPaid[k] = target(nS + k);
    }
  }
  // 6. withholding
  for (const e of escalations) {
    const w = e.withholdingAtEnd;
    if (!w) continue;
    const pct = Rational.parse(w.percent.value);
    for (let i = 0; i < nL; i++) {
      if (w.of === "all" || ir.clauses[store.clause[i]!]!.kind === w.of) withheld[i] = percentOfPaid(paid[i]!, pct, mode.mode, mode.unit);
    }
  }
  // 7. funding
  const shares = ir.funding?.shares;
  const payer = defaultPayer(ir) ?? "payer";
  const percentShares = (shares ?? []).filter((s) => s.percent).map((s) => ({ party: s.party, p: Rational.parse(s.percent!.value), mode: s.rounding.mode, unit: s.rounding.unit }));
  const restParty = shares?.find((s) => !s.percent)?.party;
  // the payers in the order their keys first appear in a split (the same for every line)
  const payerKeys: string[] = [];
  if (!shares || shares.length === 0) payerKeys.push(payer);
  else {
    for (const s of percentShares) if (!payerKeys.includes(s.party)) payerKeys.push(s.party);
    if (restParty !== undefined && !payerKeys.includes(restParty)) payerKeys.push(restParty);
  }
  const shareKey = percentShares.map((s) => payerKeys.indexOf(s.party));
  const restKey = restParty === undefined ? -1 : payerKeys.indexOf(restParty);
  const payerSum = new Float64Array(payerKeys.length);
  const part = new Float64Array(payerKeys.length);
  let anySplit = false;
  /** adds the split of `p` to the payer totals (as `fundingSplit` of settle.ts: the last share of a party wins) */
  const addSplit = (p: number) => {
    anySplit = true;
    if (!shares || shares.length === 0) {
      payerSum[0]! += p;
      return;
    }
    let rest = p;
    for (let k = 0; k < percentShares.length; k++) {
      const s = percentShares[k]!;
      const v = p === 0 ? 0 : percentOfPaid(p, s.p, s.mode, s.unit);
      part[shareKey[k]!] = v;
      rest -= v;
    }
    if (restKey >= 0) part[restKey] = rest;
    for (let k = 0; k < part.length; k++) payerSum[k]! += part[k]!;
  };
  const clauseSum = new Float64Array(ir.clauses.length);
  const cohortSum = new Map<string, number>();
  let floorSum = 0;
  let anyFloor = false;
  const studentTotals = new Float64Array(nS);
  const uncapped = new Float64Array(nS);
  let paidTotal = 0;
  let withheldTotal = 0;
  for (let s = 0; s < nS; s++) {
    let u = 0;
    let t = 0;
    for (let i = start[s]!; i < start[s + 1]!; i++) {
      const p = paid[i]!;
      addSplit(p);
      clauseSum[store.clause[i]!]! += p;
      u += amount[i]!;
      t += p;
      withheldTotal += withheld[i]!;
    }
    const fs = floor[s]!;
    if (fs) {
      addSplit(fs);
      anyFloor = true;
      floorSum += fs;
    }
    uncapped[s] = u + fl(s);
    studentTotals[s] = t + fl(s);
    paidTotal += studentTotals[s]!;
  }
  for (let k = 0; k < cohorts.length; k++) {
    addSplit(cohortPaid[k]!);
    const id = cohorts[k]!.clause.id;
    cohortSum.set(id, (cohortSum.get(id) ?? 0) + cohortPaid[k]!);
    paidTotal += cohortPaid[k]!;
  }
  // byClause: every clause id first (in order), then "floor", then cohort clause ids
  const byClause = new Map<string, number>();
  ir.clauses.forEach((c, i) => byClause.set(c.id, (byClause.get(c.id) ?? 0) + clauseSum[i]!));
  if (anyFloor) byClause.set("floor", (byClause.get("floor") ?? 0) + floorSum);
  for (const [k, v] of cohortSum) byClause.set(k, (byClause.get(k) ?? 0) + v);
  const byPayer = new Map<string, number>(anySplit ? payerKeys.map((k, i) => [k, payerSum[i]!]) : []);
  const split = (p: number): [string, number][] => {
    if (!shares || shares.length === 0) return [[payer, p]];
    const out = new Map<string, number>();
    let rest = p;
    for (const s of percentShares) {
      const v = percentOfPaid(p, s.p, s.mode, s.unit);
      out.set(s.party, v);
      rest -= v;
    }
    if (restParty !== undefined) out.set(restParty, rest);
    return [...out.entries()];
  };
  const money = (c: number) => {
    if (!Number.isSafeInteger(c)) throw new RangeError("a total is too large for the bulk settlement (over 2^53 cents)");
    return centsToString(BigInt(c));
  };
  const totals: RunResult["totals"] = {
    uncapped: money(uncappedTotal),
    paid: money(paidTotal),
    withheld: money(withheldTotal),
    byClause: Object.fromEntries([...byClause].map(([k, v]) => [k, money(v)])),
    byPayer: Object.fromEntries([...byPayer].map(([k, v]) => [k, money(v)])),
    ...(contractCap ? { contractCap } : {}),
  };
  return { totals, studentTotal: studentTotals, uncapped, paid, withheld, floor, cohortPaid, split, clauseCapBinds, studentCapBinds };
}

/** The output status of a line (a clause not yet due reads "not-met"). */
export const statusText = (s: number): string => (s === PENDING ? "not-met" : STATUS_NAMES[s]!);
export { MET };
