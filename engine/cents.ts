/**
 * The settlement's arithmetic on cents held as JS integers (safe integers, below 2^53).
 *
 * Each function is the exact counterpart of a rule written on bigints in `money.ts`, computed
 * with plain numbers when every product stays below 2^53 and by the bigint rule itself
 * otherwise:
 * - `lineCents(base, weight)`: a line's amount, `roundToCents(base × weight)` (step 1 of the
 *   settlement);
 * - `percentOfPaid(paid, p)`: a percentage of an amount, rounded (withholding, funding shares);
 * - `shareByPosition(ids, weights, total)`: `allocateProRata` (largest remainder, ties to the
 *   lower id), items with a weight ≤ 0 keeping their weight;
 * - `reduceLines(v, n, target, allocation)`: a student's lines cut back to a target.
 *
 * An amount that is not a safe integer comes back as NaN; `settle` refuses a run holding one.
 * Browser-safe.
 */
import type * as A from "../language/ast.ts";
import { allocateProRata, roundToCents } from "./money.ts";
import { Rational } from "./rational.ts";
import { toRat, type N } from "./fast/num.ts";

export const MAX_CENTS = Number.MAX_SAFE_INTEGER;

/** A bigint amount as a number, NaN when it is not a safe integer. */
export function safeCents(b: bigint): number {
  return b > 9007199254740991n || b < -9007199254740991n ? NaN : Number(b);
}

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

const weightParts = new Map<Rational, [number, number] | null>();
const SMALL = 1n << 40n;

/**
 * Step 1 of the settlement: the cents of a line, `base × weight` (base in major units) rounded
 * once by the contract's rule, i.e. `roundToCents(base.mul(weight), mode, unit)`. NaN when the
 * result is not a safe integer.
 */
export function lineCents(base: N, weight: Rational, mode: A.RoundingMode, unit: A.RoundingUnit): number {
  if (typeof base === "number") {
    if (weight === Rational.ONE) {
      const c = base * 100;
      if (c <= MAX_CENTS && c >= -MAX_CENTS) return c === 0 ? 0 : c;
    } else {
      let nd = weightParts.get(weight);
      if (nd === undefined) {
        const ok = weight.numerator < SMALL && weight.numerator > -SMALL && weight.denominator < SMALL;
        nd = ok ? [Number(weight.numerator), Number(weight.denominator)] : null;
        if (weightParts.size < 1024) weightParts.set(weight, nd);
      }
      if (nd) {
        const n = base * (unit === "dollar" ? 1 : 100) * nd[0];
        if (n <= MAX_CENTS && n >= -MAX_CENTS) {
          const q = roundDivNum(n, nd[1], mode);
          return unit === "dollar" ? q * 100 : q;
        }
      }
    }
  }
  return safeCents(roundToCents(toRat(base).mul(weight), mode, unit));
}

/** `roundToCents(Rational.of(paid, 100n).mul(P).div(100), mode, unit)` for a percentage P (40 for 40%). */
export function percentOfPaid(paid: number, p: Rational, mode: A.RoundingMode, unit: A.RoundingUnit): number {
  // value in dollars = paid × pn / (pd × 10000); cents = round(paid × pn / (pd × 100))
  const pn = p.numerator;
  const pd = p.denominator;
  if (pn <= 1000000n && pn >= -1000000n && pd <= 1000000n) {
    const n = paid * Number(pn);
    const d = Number(pd) * (unit === "dollar" ? 10000 : 100);
    if (n <= MAX_CENTS && n >= -MAX_CENTS) {
      const q = roundDivNum(n, d, mode);
      return unit === "dollar" ? q * 100 : q;
    }
  }
  return safeCents(roundToCents(Rational.of(paid, 100n).mul(p).div(100), mode, unit));
}

// ───────────── pro rata ─────────────

/**
 * `total` cents shared among the items with a positive weight, pro rata (`allocateProRata`:
 * rounded down, the cents left over one each to the largest remainders, ties to the lower id,
 * then to the earlier item); items with a weight ≤ 0 keep their weight.
 * @returns the share of each item, by position
 */
export function shareByPosition(ids: string[], weights: number[], total: number): number[] {
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
  const out = new Array<number>(n);
  if (positives === 0 || total <= 0) {
    for (let i = 0; i < n; i++) out[i] = weights[i]! > 0 ? 0 : weights[i]!;
    return out;
  }
  if (sum > MAX_CENTS || total * maxW > MAX_CENTS) return shareOnBigints(ids, weights, total);
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
    // the `left` largest remainders get a cent each, ties to the lower id (then the earlier item)
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
      tied.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
      for (let k = 0; k < left; k++) out[tied[k]!]!++;
    }
  }
  return out;
}

/** `shareByPosition` by `allocateProRata` itself, for products over 2^53. */
function shareOnBigints(ids: string[], weights: number[], total: number): number[] {
  // each item its own id: the id, then its position (NUL sorts before any character of an id)
  const key = (i: number) => `${ids[i]}\u0000${String(i).padStart(10, "0")}`;
  const positive: { id: string; weight: bigint }[] = [];
  weights.forEach((w, i) => w > 0 && positive.push({ id: key(i), weight: BigInt(w) }));
  const m = allocateProRata(positive, BigInt(total));
  return weights.map((w, i) => (w > 0 ? safeCents(m.get(key(i))!) : w));
}

const PAD = Array.from({ length: 64 }, (_, i) => String(i).padStart(6, "0"));
const REM = new Float64Array(64);

/**
 * Cuts `n` lines (the first `n` values of `v`, in place) back so that they add up to `target`:
 * pro rata (ties to the lower position) or in clause order (later lines cut first). Negative
 * lines are kept and never raised; nothing changes when the lines add up to no more than the target.
 */
export function reduceLines(v: Float64Array, n: number, target: number, allocation: A.CapAllocation): void {
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
  // the positive lines share max(room, 0)
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
  if (sum > MAX_CENTS || t * maxW > MAX_CENTS || n > 64) {
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

/** Cents as plain decimal text in major units: 123456 → "1234.56" (`centsToString` on numbers). */
export function centsText(c: number): string {
  const neg = c < 0;
  const a = neg ? -c : c;
  const frac = a % 100;
  return `${neg ? "-" : ""}${(a - frac) / 100}.${frac < 10 ? "0" : ""}${frac}`;
}
