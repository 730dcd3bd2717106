/**
 * Money for the OBC engine: amounts are integer minor units (`bigint` cents), never floats.
 *
 * Inputs: exact {@link Rational} amounts in major units (dollars), money text ("$1,234.56"),
 * weights for pro-rata splits. Outputs: cents (`bigint`), cents as plain decimal text
 * ("1234.56") or display text ("$1,234.56"), and exact pro-rata allocations.
 *
 * Rounding modes (see also `rational.ts`):
 * - `half-up`   — nearest cent, ties AWAY FROM ZERO ($2.345 → $2.35, -$2.345 → -$2.35);
 * - `half-even` — nearest cent, ties to the even cent ($2.345 → $2.34, $2.355 → $2.36);
 * - `down`      — toward zero;
 * - `up`        — away from zero.
 *
 * Browser-safe (no Node APIs).
 */
import type { RoundingMode, RoundingUnit } from "../language/ast.ts";
import { ArithmeticError, Rational, roundDiv } from "./rational.ts";

/** Thrown by {@link allocateProRata} when the split is impossible or its inputs are invalid. */
export class AllocationError extends ArithmeticError {
  constructor(
    /** "zero-weights" | "negative-weight" | "duplicate-id" */
    readonly reason: "zero-weights" | "negative-weight" | "duplicate-id",
    message: string,
  ) {
    super("bad-argument", message);
  }
}

/**
 * Rounds an exact amount in major units to cents.
 * @param r the amount in major units (e.g. dollars)
 * @param mode rounding mode (`half-up` = ties away from zero)
 * @param unit "cent" (default) or "dollar" (rounds to whole dollars; the result is still in cents)
 * @returns the rounded amount in cents
 */
export function roundToCents(r: Rational, mode: RoundingMode, unit: RoundingUnit = "cent"): bigint {
  if (unit === "dollar") return roundDiv(r.numerator, r.denominator, mode) * 100n;
  return roundDiv(r.numerator * 100n, r.denominator, mode);
}

/** Cents as an exact amount in major units: 123456n → 1234.56. */
export function centsToRational(c: bigint): Rational {
  return Rational.of(c, 100n);
}

/** Plain decimal text in major units: 123456n → "1234.56", -50n → "-0.50", 0n → "0.00". */
export function centsToString(c: bigint): string {
  const sign = c < 0n ? "-" : "";
  const a = c < 0n ? -c : c;
  return `${sign}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Display text with thousands separators: 123456n → "$1,234.56", -500n → "-$5.00".
 * For a currency other than USD the code is the prefix: "GBP 1,234.56", "-GBP 5.00".
 */
export function formatMoney(c: bigint, currency = "USD"): string {
  const sign = c < 0n ? "-" : "";
  const a = c < 0n ? -c : c;
  const body = `${groupThousands((a / 100n).toString())}.${(a % 100n).toString().padStart(2, "0")}`;
  const prefix = currency.toUpperCase() === "USD" ? "$" : `${currency} `;
  return sign + prefix + body;
}

const MONEY = /^([+-])?(\$)?([+-])?([1-9]\d{0,2}(?:,\d{3})+|\d+)?(?:\.(\d{0,2}))?$/;

/**
 * Parses money text into cents, exactly.
 * Accepts "1234.56", "1,234.56", "$1,234.56", "1,200,000", "-5", "-$5.00", "$-5.00", ".5",
 * with at most 2 decimals and correctly placed thousands separators; surrounding spaces are ignored.
 * @returns cents, or undefined when the text is not money (e.g. "1.234", "12,34", "abc", "")
 */
export function parseMoney(text: string): bigint | undefined {
  const m = MONEY.exec(text.trim());
  if (!m) return undefined;
  const [, sign1, , sign2, whole, frac] = m;
  if (sign1 && sign2) return undefined;
  if (whole === undefined && (frac === undefined || frac === "")) return undefined;
  const units = BigInt((whole ?? "0").replace(/,/g, ""));
  const cents = units * 100n + BigInt((frac ?? "").padEnd(2, "0") || "0");
  return sign1 === "-" || sign2 === "-" ? -cents : cents;
}

/**
 * Splits `total` cents in proportion to non-negative weights, exactly.
 *
 * Each share is first rounded DOWN to the cent (`floor(total × weight / Σweights)`); the cents
 * left over go one each to the items with the largest remainders, ties to the lower id (plain
 * UTF-16 code-unit order). The shares always sum to `total`. A negative `total` is split as
 * `-(allocation of |total|)`, so it is symmetric.
 *
 * @param items ids with weights (any unit, e.g. cents); ids must be unique, weights ≥ 0
 * @param total the amount to split, in cents
 * @returns share in cents per id, in the order of `items`
 * @throws AllocationError on a negative weight, a repeated id, or a non-zero total with all weights zero
 */
export function allocateProRata(items: { id: string; weight: bigint }[], total: bigint): Map<string, bigint> {
  const seen = new Set<string>();
  let sum = 0n;
  for (const it of items) {
    if (it.weight < 0n) throw new AllocationError("negative-weight", "Pro-rata weights cannot be negative.");
    if (seen.has(it.id)) throw new AllocationError("duplicate-id", "Each item of a pro-rata split needs its own id.");
    seen.add(it.id);
    sum += it.weight;
  }
  const out = new Map<string, bigint>();
  if (sum === 0n) {
    if (total !== 0n) {
      throw new AllocationError("zero-weights", "Cannot split a non-zero amount when every weight is zero.");
    }
    for (const it of items) out.set(it.id, 0n);
    return out;
  }
  const negative = total < 0n;
  const t = negative ? -total : total;
  const rest: { id: string; rem: bigint }[] = [];
  let given = 0n;
  for (const it of items) {
    const p = t * it.weight;
    const share = p / sum; // floor: everything here is ≥ 0
    out.set(it.id, share);
    given += share;
    rest.push({ id: it.id, rem: p % sum });
  }
  rest.sort((a, b) => (a.rem > b.rem ? -1 : a.rem < b.rem ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // The left-over cents are fewer than the items with a non-zero remainder, so one each suffices.
  let left = t - given;
  for (const r of rest) {
    if (left === 0n) break;
    out.set(r.id, out.get(r.id)! + 1n);
    left--;
  }
  if (negative) for (const [id, v] of out) out.set(id, -v);
  return out;
}

/**
 * `percent`% of `c` cents, rounded to the cent: `percentOfCents(10001n, Rational.of(40), "half-up")` → 4000n.
 * @param c the amount in cents
 * @param percent percent points (40 means 40%)
 */
export function percentOfCents(c: bigint, percent: Rational, mode: RoundingMode): bigint {
  return roundDiv(c * percent.numerator, percent.denominator * 100n, mode);
}
