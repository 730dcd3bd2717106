/**
 * Exact rational arithmetic for the OBC engine.
 *
 * Inputs: integers (`bigint`, or safe-integer `number`s) and decimal text such as "12", "-3.75",
 * "0.5" (or the exact "n/d" form that {@link Rational.toString} produces).
 * Outputs: immutable {@link Rational} values, always normalised (lowest terms, positive
 * denominator), and decimal text rounded with an explicit {@link RoundingMode}.
 *
 * No value ever passes through a JS floating-point number. Browser-safe (no Node APIs).
 *
 * Rounding modes (shared with `money.ts`):
 * - `half-up`   — round to nearest; a tie goes AWAY FROM ZERO (2.345 → 2.35, -2.345 → -2.35);
 * - `half-even` — round to nearest; a tie goes to the even neighbour ("banker's rounding");
 * - `down`      — toward zero (truncate);
 * - `up`        — away from zero.
 */
import type { RoundingMode } from "../language/ast.ts";

/** Base class of the typed errors thrown by exact arithmetic. */
export class ArithmeticError extends Error {
  constructor(
    /** Stable machine-readable kind. */
    readonly kind: "division-by-zero" | "bad-number" | "non-integer" | "bad-argument",
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown by {@link Rational.div} (and `Rational.of(n, 0)`) when dividing by zero. */
export class DivisionByZeroError extends ArithmeticError {
  constructor() {
    super("division-by-zero", "Division by zero.");
  }
}

/** Thrown by {@link Rational.parse} when the text is not a decimal number. */
export class RationalParseError extends ArithmeticError {
  constructor(readonly text: string) {
    super("bad-number", "This text is not a decimal number.");
  }
}

/** Thrown by {@link Rational.of} when given a non-integer (or unsafe) JS number. */
export class NonIntegerError extends ArithmeticError {
  constructor() {
    super("non-integer", "Only whole numbers that are exactly representable can be turned into a rational.");
  }
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;
const FRACTION = /^([+-])?(\d+)\/(\d+)$/;

function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function gcd(a: bigint, b: bigint): bigint {
  a = absBig(a);
  b = absBig(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function toBigInt(x: bigint | number): bigint {
  if (typeof x === "bigint") return x;
  if (!Number.isSafeInteger(x)) throw new NonIntegerError();
  return BigInt(x);
}

/**
 * Divides `n` by `d` and rounds the quotient to an integer with `mode`.
 * @param n numerator (any sign)
 * @param d denominator (non-zero, any sign)
 * @param mode see the file comment; `half-up` rounds ties away from zero
 * @returns the rounded quotient
 * @throws DivisionByZeroError when `d` is 0
 */
export function roundDiv(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new DivisionByZeroError();
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncated toward zero
  const r = n % d; // same sign as n
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case "down":
      return q;
    case "up":
      return away;
    case "half-up": {
      const twice = 2n * absBig(r);
      return twice >= d ? away : q;
    }
    case "half-even": {
      const twice = 2n * absBig(r);
      if (twice > d) return away;
      if (twice < d) return q;
      return q % 2n === 0n ? q : away;
    }
    default: {
      const never: never = mode;
      throw new ArithmeticError("bad-argument", `Unknown rounding mode ${String(never)}.`);
    }
  }
}

/** An exact fraction `numerator / denominator` in lowest terms with `denominator > 0`. Immutable. */
export class Rational {
  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);
  static readonly HUNDRED = new Rational(100n, 1n);

  /** Always in lowest terms; carries the sign. */
  readonly numerator: bigint;
  /** Always > 0. */
  readonly denominator: bigint;

  private constructor(numerator: bigint, denominator: bigint) {
    this.numerator = numerator;
    this.denominator = denominator;
    Object.freeze(this);
  }

  private static make(n: bigint, d: bigint): Rational {
    if (d === 0n) throw new DivisionByZeroError();
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  /**
   * `n / d` as a rational.
   * @param n a bigint or a safe-integer number
   * @param d a bigint or a safe-integer number (default 1)
   * @throws NonIntegerError for fractional / unsafe numbers; DivisionByZeroError when `d` is 0
   */
  static of(n: bigint | number, d: bigint | number = 1n): Rational {
    return Rational.make(toBigInt(n), toBigInt(d));
  }

  /**
   * Parses exact decimal text: "12", "-3.75", "+0.5", ".5", "5." — or the "n/d" form produced
   * by {@link toString}. Surrounding whitespace is ignored; no thousands separators, no exponents.
   * @throws RationalParseError on anything else
   */
  static parse(text: string): Rational {
    const t = text.trim();
    const frac = FRACTION.exec(t);
    if (frac) {
      const den = BigInt(frac[3]);
      if (den === 0n) throw new RationalParseError(text);
      const num = BigInt(frac[2]);
      return Rational.make(frac[1] === "-" ? -num : num, den);
    }
    const m = DECIMAL.exec(t);
    if (!m) throw new RationalParseError(text);
    const intPart = m[2] ?? "";
    const fracPart = m[3] ?? "";
    if (intPart === "" && fracPart === "") throw new RationalParseError(text);
    const digits = BigInt((intPart || "0") + fracPart);
    const num = m[1] === "-" ? -digits : digits;
    return Rational.make(num, 10n ** BigInt(fracPart.length));
  }

  /** Like {@link parse} but returns undefined instead of throwing. */
  static tryParse(text: string): Rational | undefined {
    try {
      return Rational.parse(text);
    } catch (e) {
      if (e instanceof RationalParseError) return undefined;
      throw e;
    }
  }

  static from(x: Rational | bigint | number): Rational {
    return x instanceof Rational ? x : Rational.of(x);
  }

  add(o: Rational | bigint | number): Rational {
    const b = Rational.from(o);
    return Rational.make(this.numerator * b.denominator + b.numerator * this.denominator, this.denominator * b.denominator);
  }

  sub(o: Rational | bigint | number): Rational {
    const b = Rational.from(o);
    return Rational.make(this.numerator * b.denominator - b.numerator * this.denominator, this.denominator * b.denominator);
  }

  mul(o: Rational | bigint | number): Rational {
    const b = Rational.from(o);
    return Rational.make(this.numerator * b.numerator, this.denominator * b.denominator);
  }

  /** @throws DivisionByZeroError when `o` is zero */
  div(o: Rational | bigint | number): Rational {
    const b = Rational.from(o);
    if (b.numerator === 0n) throw new DivisionByZeroError();
    return Rational.make(this.numerator * b.denominator, this.denominator * b.numerator);
  }

  neg(): Rational {
    return new Rational(-this.numerator, this.denominator);
  }

  abs(): Rational {
    return this.numerator < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `o`. */
  cmp(o: Rational | bigint | number): -1 | 0 | 1 {
    const b = Rational.from(o);
    const l = this.numerator * b.denominator;
    const r = b.numerator * this.denominator;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  eq(o: Rational | bigint | number): boolean {
    return this.cmp(o) === 0;
  }
  lt(o: Rational | bigint | number): boolean {
    return this.cmp(o) < 0;
  }
  lte(o: Rational | bigint | number): boolean {
    return this.cmp(o) <= 0;
  }
  gt(o: Rational | bigint | number): boolean {
    return this.cmp(o) > 0;
  }
  gte(o: Rational | bigint | number): boolean {
    return this.cmp(o) >= 0;
  }

  static min(a: Rational, b: Rational): Rational {
    return a.lte(b) ? a : b;
  }
  static max(a: Rational, b: Rational): Rational {
    return a.gte(b) ? a : b;
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }
  isNegative(): boolean {
    return this.numerator < 0n;
  }
  isInteger(): boolean {
    return this.denominator === 1n;
  }

  /** The greatest integer ≤ this. */
  floor(): bigint {
    const q = this.numerator / this.denominator;
    return this.numerator < 0n && q * this.denominator !== this.numerator ? q - 1n : q;
  }

  /** The least integer ≥ this. */
  ceil(): bigint {
    const q = this.numerator / this.denominator;
    return this.numerator > 0n && q * this.denominator !== this.numerator ? q + 1n : q;
  }

  /** Rounds to an integer with `mode` (see the file comment). */
  round(mode: RoundingMode = "half-up"): bigint {
    return roundDiv(this.numerator, this.denominator, mode);
  }

  /**
   * Decimal text with exactly `places` digits after the point, rounded with `mode`.
   * `Rational.of(31, 42).mul(100).toDecimalString(1)` → "73.8". Never prints "-0".
   * @param places a non-negative integer
   */
  toDecimalString(places: number, mode: RoundingMode = "half-up"): string {
    if (!Number.isSafeInteger(places) || places < 0) {
      throw new ArithmeticError("bad-argument", "The number of decimal places must be a whole number ≥ 0.");
    }
    const scale = 10n ** BigInt(places);
    const scaled = roundDiv(this.numerator * scale, this.denominator, mode);
    const sign = scaled < 0n ? "-" : "";
    const digits = absBig(scaled).toString().padStart(places + 1, "0");
    if (places === 0) return sign + digits;
    return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }

  /**
   * Exact text: an integer ("12") or a terminating decimal ("-3.75") when the value has one,
   * otherwise "n/d" ("1/3"). {@link parse} reads every form back.
   */
  toString(): string {
    let d = this.denominator;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    if (d !== 1n) return `${this.numerator}/${this.denominator}`;
    return this.toDecimalString(Math.max(twos, fives), "down");
  }

  toJSON(): string {
    return this.toString();
  }
}
