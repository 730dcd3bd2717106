/**
 * Exact numbers for the fast evaluator: a safe integer as a plain JS `number`, anything else
 * (a fraction, or an integer beyond ±(2^53 − 1)) as a {@link Rational}.
 *
 * The representation is canonical: a value that is a safe integer is ALWAYS a `number`, so a
 * `Rational` here is never a safe integer. Every operation is exact:
 * - `+`, `-`, `*` on two safe integers are done in floating point and kept only when the
 *   result is again a safe integer. IEEE 754 rounds correctly and monotonically, so a true
 *   result of magnitude ≤ 2^53 − 1 is computed exactly, and a true result beyond it rounds to
 *   a value ≥ 2^53, which `Number.isSafeInteger` rejects: the operation is then redone with
 *   rationals.
 * - `/` of two safe integers is kept in floating point only when the remainder is 0 (then the
 *   quotient is an integer no larger than the dividend, and IEEE division gives it exactly).
 * - comparisons of two `number`s are exact (both are integers below 2^53).
 * Browser-safe.
 */
import { Rational } from "../rational.ts";

export type N = number | Rational;

const MAX = Number.MAX_SAFE_INTEGER;
const BIG_MAX = BigInt(MAX);

/** The canonical form of a rational. */
export function norm(r: Rational): N {
  if (r.denominator === 1n && r.numerator <= BIG_MAX && r.numerator >= -BIG_MAX) return Number(r.numerator);
  return r;
}

const small: Rational[] = [];
/** A value as a Rational (small integers are cached). */
export function toRat(n: N): Rational {
  if (typeof n !== "number") return n;
  if (n >= 0 && n < 1024) return (small[n] ??= Rational.of(n));
  return Rational.of(n);
}

export function nAdd(a: N, b: N): N {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (r <= MAX && r >= -MAX) return r;
  }
  return norm(toRat(a).add(toRat(b)));
}

export function nSub(a: N, b: N): N {
  if (typeof a === "number" && typeof b === "number") {
    const r = a - b;
    if (r <= MAX && r >= -MAX) return r;
  }
  return norm(toRat(a).sub(toRat(b)));
}

export function nMul(a: N, b: N): N {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (r <= MAX && r >= -MAX) return r === 0 ? 0 : r;
  }
  return norm(toRat(a).mul(toRat(b)));
}

/** `a / b`; the caller has checked that `b` is not zero. */
export function nDiv(a: N, b: N): N {
  if (typeof a === "number" && typeof b === "number") {
    if (a % b === 0) {
      const q = a / b;
      return q === 0 ? 0 : q;
    }
    return Rational.of(a, b); // not an integer, so canonical as a Rational
  }
  return norm(toRat(a).div(toRat(b)));
}

export function nNeg(a: N): N {
  if (typeof a === "number") return a === 0 ? 0 : -a;
  return a.neg();
}

export function nIsZero(a: N): boolean {
  return typeof a === "number" ? a === 0 : false; // a canonical Rational is never an integer, so never 0
}

/** -1, 0 or 1. */
export function nCmp(a: N, b: N): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  return toRat(a).cmp(toRat(b));
}

/** A JS number value as N, when it is a safe integer (used by generators and counters). */
export function nOfInt(n: number): N {
  if (!Number.isSafeInteger(n)) throw new Error("not a safe integer");
  return n === 0 ? 0 : n;
}
