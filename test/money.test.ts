/**
 * Tests for engine/rational.ts and engine/money.ts: exact arithmetic, rounding tables, money
 * text, pro-rata allocation (the Denver example) and percent-of.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { RoundingMode } from "../language/ast.ts";
import {
  ArithmeticError,
  DivisionByZeroError,
  NonIntegerError,
  Rational,
  RationalParseError,
  roundDiv,
} from "../engine/rational.ts";
import {
  AllocationError,
  allocateProRata,
  centsToRational,
  centsToString,
  formatMoney,
  parseMoney,
  percentOfCents,
  roundToCents,
} from "../engine/money.ts";

const R = (s: string) => Rational.parse(s);

describe("Rational construction", () => {
  it("normalises to lowest terms with a positive denominator", () => {
    const r = Rational.of(6, -8);
    expect(r.numerator).toBe(-3n);
    expect(r.denominator).toBe(4n);
    expect(Rational.of(0, -5).denominator).toBe(1n);
    expect(Rational.of(10n, 5n).toString()).toBe("2");
  });

  it("rejects non-integer and unsafe numbers and a zero denominator", () => {
    expect(() => Rational.of(0.5)).toThrow(NonIntegerError);
    expect(() => Rational.of(1, 0.1)).toThrow(NonIntegerError);
    expect(() => Rational.of(2 ** 60)).toThrow(NonIntegerError);
    expect(() => Rational.of(Number.NaN)).toThrow(NonIntegerError);
    expect(() => Rational.of(1, 0)).toThrow(DivisionByZeroError);
  });

  it("is immutable", () => {
    const r = Rational.of(1, 2);
    expect(Object.isFrozen(r)).toBe(true);
    r.add(1);
    expect(r.toString()).toBe("0.5");
  });
});

describe("Rational.parse", () => {
  it.each([
    ["12", 12n, 1n],
    ["-3.75", -15n, 4n],
    ["0.5", 1n, 2n],
    ["+0.5", 1n, 2n],
    [".5", 1n, 2n],
    ["5.", 5n, 1n],
    ["007.250", 29n, 4n],
    ["  42  ", 42n, 1n],
    ["-0", 0n, 1n],
    ["1/3", 1n, 3n],
    ["-6/4", -3n, 2n],
    ["123456789012345678901234567890.1", 1234567890123456789012345678901n, 10n],
  ])("parses %j", (text, n, d) => {
    const r = Rational.parse(text);
    expect(r.numerator).toBe(n);
    expect(r.denominator).toBe(d);
  });

  it.each(["", " ", ".", "-", "+", "abc", "1,234", "1e3", "1.2.3", "--1", "1/0", "1/-2", "$5", "5%", "0x10", "½"])(
    "rejects %j with a typed error",
    (text) => {
      expect(() => Rational.parse(text)).toThrow(RationalParseError);
      expect(Rational.tryParse(text)).toBeUndefined();
      try {
        Rational.parse(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ArithmeticError);
        expect((e as ArithmeticError).kind).toBe("bad-number");
      }
    },
  );
});

describe("Rational arithmetic and comparison", () => {
  it("adds, subtracts, multiplies and divides exactly", () => {
    expect(R("0.1").add(R("0.2")).toString()).toBe("0.3");
    expect(R("0.1").add(R("0.2")).eq(R("0.3"))).toBe(true);
    expect(R("1").sub(R("0.9")).toString()).toBe("0.1");
    expect(R("1.5").mul(R("-2.5")).toString()).toBe("-3.75");
    expect(R("1").div(3).toString()).toBe("1/3");
    expect(R("1").div(3).mul(3).toString()).toBe("1");
    expect(Rational.of(2).add(3n).mul(4).toString()).toBe("20");
  });

  it("throws DivisionByZeroError on division by zero", () => {
    expect(() => R("5").div(Rational.ZERO)).toThrow(DivisionByZeroError);
    try {
      R("5").div(0);
    } catch (e) {
      expect((e as ArithmeticError).kind).toBe("division-by-zero");
    }
  });

  it("negates and takes absolute values", () => {
    expect(R("-2.5").neg().toString()).toBe("2.5");
    expect(R("-2.5").abs().toString()).toBe("2.5");
    expect(R("2.5").abs().toString()).toBe("2.5");
    expect(Rational.ZERO.neg().toString()).toBe("0");
  });

  it("compares", () => {
    expect(R("1/3").cmp(R("0.333"))).toBe(1);
    expect(R("0.333").cmp(R("1/3"))).toBe(-1);
    expect(R("0.50").cmp(R("1/2"))).toBe(0);
    expect(R("2").lt(3)).toBe(true);
    expect(R("3").lte(3)).toBe(true);
    expect(R("-1").gt(-2)).toBe(true);
    expect(R("-2").gte(-2)).toBe(true);
    expect(Rational.min(R("1"), R("-1")).toString()).toBe("-1");
    expect(Rational.max(R("1"), R("-1")).toString()).toBe("1");
  });

  it("answers predicates", () => {
    expect(R("0.00").isZero()).toBe(true);
    expect(R("-0.01").isNegative()).toBe(true);
    expect(R("0").isNegative()).toBe(false);
    expect(R("4.000").isInteger()).toBe(true);
    expect(R("4.001").isInteger()).toBe(false);
  });

  it.each([
    ["2.5", 2n, 3n],
    ["-2.5", -3n, -2n],
    ["3", 3n, 3n],
    ["-3", -3n, -3n],
    ["0.1", 0n, 1n],
    ["-0.1", -1n, 0n],
  ])("floor/ceil of %s", (text, f, c) => {
    expect(R(text).floor()).toBe(f);
    expect(R(text).ceil()).toBe(c);
  });
});

describe("rounding modes", () => {
  // value → [half-up, half-even, down, up] at 2 places
  const table: [string, string, string, string, string][] = [
    ["2.345", "2.35", "2.34", "2.34", "2.35"],
    ["-2.345", "-2.35", "-2.34", "-2.34", "-2.35"],
    ["2.355", "2.36", "2.36", "2.35", "2.36"],
    ["2.3449", "2.34", "2.34", "2.34", "2.35"],
    ["2.3451", "2.35", "2.35", "2.34", "2.35"],
    ["-2.3451", "-2.35", "-2.35", "-2.34", "-2.35"],
    ["2.34", "2.34", "2.34", "2.34", "2.34"],
    ["0.005", "0.01", "0.00", "0.00", "0.01"],
    ["-0.005", "-0.01", "0.00", "0.00", "-0.01"],
    ["-0.001", "0.00", "0.00", "0.00", "-0.01"],
  ];
  const modes: RoundingMode[] = ["half-up", "half-even", "down", "up"];
  for (const [value, ...expected] of table) {
    modes.forEach((mode, i) => {
      it(`${value} ${mode} → ${expected[i]}`, () => {
        expect(R(value).toDecimalString(2, mode)).toBe(expected[i]);
        expect(centsToString(roundToCents(R(value), mode))).toBe(expected[i]);
      });
    });
  }

  it("rounds integers with every mode (roundDiv)", () => {
    expect(roundDiv(5n, 2n, "half-up")).toBe(3n);
    expect(roundDiv(5n, 2n, "half-even")).toBe(2n);
    expect(roundDiv(7n, 2n, "half-even")).toBe(4n);
    expect(roundDiv(-5n, 2n, "half-up")).toBe(-3n);
    expect(roundDiv(-5n, 2n, "half-even")).toBe(-2n);
    expect(roundDiv(5n, -2n, "half-up")).toBe(-3n);
    expect(roundDiv(-7n, 3n, "down")).toBe(-2n);
    expect(roundDiv(-7n, 3n, "up")).toBe(-3n);
    expect(roundDiv(6n, 3n, "up")).toBe(2n);
    expect(() => roundDiv(1n, 0n, "down")).toThrow(DivisionByZeroError);
    expect(R("-2.5").round()).toBe(-3n);
    expect(R("-2.5").round("half-even")).toBe(-2n);
  });
});

describe("toDecimalString and toString", () => {
  it("prints a share as a percentage with one place", () => {
    expect(Rational.of(31, 42).mul(100).toDecimalString(1)).toBe("73.8"); // 0.7380952…
    expect(Rational.of(2, 3).toDecimalString(4)).toBe("0.6667");
    expect(Rational.of(2, 3).toDecimalString(4, "down")).toBe("0.6666");
    expect(Rational.of(-2, 3).toDecimalString(0)).toBe("-1");
    expect(R("1234.5").toDecimalString(0, "half-even")).toBe("1234");
    expect(R("7").toDecimalString(3)).toBe("7.000");
    expect(R("-0.0001").toDecimalString(2)).toBe("0.00");
    expect(() => R("1").toDecimalString(-1)).toThrow(ArithmeticError);
    expect(() => R("1").toDecimalString(1.5)).toThrow(ArithmeticError);
  });

  it.each([
    ["12", "12"],
    ["-3.75", "-3.75"],
    ["0.50", "0.5"],
    ["1/8", "0.125"],
    ["3/40", "0.075"],
    ["1/3", "1/3"],
    ["-2/7", "-2/7"],
    ["-0.001", "-0.001"],
    ["100.000", "100"],
  ])("toString(%s) = %s", (text, out) => {
    expect(R(text).toString()).toBe(out);
    expect(R(text).toJSON()).toBe(out);
    expect(JSON.stringify({ v: R(text) })).toBe(`{"v":"${out}"}`);
  });

  it("round-trips through toString and parse (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (n, d) => {
        const r = Rational.of(n, d);
        expect(Rational.parse(r.toString()).eq(r)).toBe(true);
      }),
    );
  });

  it("satisfies field laws on random values (property)", () => {
    const arb = fc.tuple(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 6n })).map(([n, d]) => Rational.of(n, d));
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => {
        expect(a.add(b).sub(b).eq(a)).toBe(true);
        expect(a.mul(b.add(c)).eq(a.mul(b).add(a.mul(c)))).toBe(true);
        if (!b.isZero()) expect(a.div(b).mul(b).eq(a)).toBe(true);
        expect(a.cmp(b)).toBe(-b.cmp(a) || 0);
        expect(a.floor() <= a.ceil()).toBe(true);
        expect(Rational.of(a.floor()).lte(a) && Rational.of(a.ceil()).gte(a)).toBe(true);
      }),
    );
  });
});

describe("roundToCents", () => {
  it("rounds to the cent or to the dollar", () => {
    expect(roundToCents(R("1234.565"), "half-up")).toBe(123457n);
    expect(roundToCents(R("1234.565"), "half-even")).toBe(123456n);
    expect(roundToCents(R("1234.5"), "half-up", "dollar")).toBe(123500n);
    expect(roundToCents(R("1234.5"), "half-even", "dollar")).toBe(123400n);
    expect(roundToCents(R("1233.5"), "half-even", "dollar")).toBe(123400n);
    expect(roundToCents(R("1234.01"), "up", "dollar")).toBe(123500n);
    expect(roundToCents(R("-1234.99"), "down", "dollar")).toBe(-123400n);
    expect(roundToCents(R("-1234.5"), "half-up", "dollar")).toBe(-123500n);
    expect(roundToCents(Rational.of(1000, 3), "half-up")).toBe(33333n);
    expect(roundToCents(Rational.of(2000, 3), "down")).toBe(66666n);
    expect(roundToCents(Rational.of(2000, 3), "up")).toBe(66667n);
  });
});

describe("money text", () => {
  it.each([
    [123456n, "1234.56", "$1,234.56"],
    [-50n, "-0.50", "-$0.50"],
    [0n, "0.00", "$0.00"],
    [-500n, "-5.00", "-$5.00"],
    [5n, "0.05", "$0.05"],
    [120000000n, "1200000.00", "$1,200,000.00"],
    [99999n, "999.99", "$999.99"],
    [100000n, "1000.00", "$1,000.00"],
    [123456789012345678n, "1234567890123456.78", "$1,234,567,890,123,456.78"],
  ])("%s cents → %j / %j", (c, plain, display) => {
    expect(centsToString(c)).toBe(plain);
    expect(formatMoney(c)).toBe(display);
    expect(formatMoney(c, "USD")).toBe(display);
    expect(parseMoney(plain)).toBe(c);
    expect(parseMoney(display)).toBe(c);
  });

  it("formats other currencies with the code as prefix", () => {
    expect(formatMoney(123456n, "GBP")).toBe("GBP 1,234.56");
    expect(formatMoney(-500n, "EUR")).toBe("-EUR 5.00");
    expect(formatMoney(500n, "usd")).toBe("$5.00");
  });

  it("converts cents to an exact rational", () => {
    expect(centsToRational(123456n).toString()).toBe("1234.56");
    expect(centsToRational(-5n).toString()).toBe("-0.05");
  });

  it.each([
    ["1234.56", 123456n],
    ["$1,234.56", 123456n],
    ["1,200,000", 120000000n],
    ["$1,200,000", 120000000n],
    ["12", 1200n],
    ["12.5", 1250n],
    ["12.", 1200n],
    [".5", 50n],
    ["0.05", 5n],
    ["-5", -500n],
    ["-$5.00", -500n],
    ["$-5.00", -500n],
    ["+$5", 500n],
    ["  $7.10  ", 710n],
    ["007", 700n],
    ["99999999999999999999.99", 9999999999999999999999n],
  ])("parseMoney(%j) = %s", (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it.each([
    "",
    "$",
    ".",
    "-",
    "1.234",
    "1,234.567",
    "12,34",
    "1,2345",
    "1,,234",
    ",123",
    "0,123",
    "abc",
    "1e3",
    "$$5",
    "-$-5",
    "5 USD",
    "1 234",
    "5%",
  ])("parseMoney(%j) is undefined", (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });
});

describe("allocateProRata", () => {
  const denverWeights = ["2400.00", "1900.00", "900.00", "1400.00", "450.00", "900.00", "1900.00"];
  const denver = denverWeights.map((w, i) => ({ id: `U${i + 1}`, weight: parseMoney(w)! }));

  it("splits the Denver cap exactly (largest remainders, ties to the lower id)", () => {
    const shares = allocateProRata(denver, parseMoney("9000.00")!);
    expect(Object.fromEntries([...shares].map(([id, c]) => [id, centsToString(c)]))).toEqual({
      U1: "2192.89",
      U2: "1736.04",
      U3: "822.34",
      U4: "1279.19",
      U5: "411.17",
      U6: "822.33",
      U7: "1736.04",
    });
    expect([...shares.values()].reduce((a, b) => a + b, 0n)).toBe(900000n);
    expect([...shares.keys()]).toEqual(["U1", "U2", "U3", "U4", "U5", "U6", "U7"]);
  });

  it("breaks ties by plain code-unit id order, regardless of input order", () => {
    const shares = allocateProRata(
      [
        { id: "b", weight: 1n },
        { id: "a", weight: 1n },
        { id: "B", weight: 1n },
      ],
      100n,
    );
    // 33 each, one cent left; "B" < "a" < "b" in code-unit order
    expect(shares.get("B")).toBe(34n);
    expect(shares.get("a")).toBe(33n);
    expect(shares.get("b")).toBe(33n);
  });

  it("handles zero weights, zero totals and negative totals", () => {
    expect([...allocateProRata([{ id: "x", weight: 0n }, { id: "y", weight: 0n }], 0n).values()]).toEqual([0n, 0n]);
    expect(allocateProRata([], 0n).size).toBe(0);
    const some = allocateProRata([{ id: "x", weight: 0n }, { id: "y", weight: 5n }], 1001n);
    expect(some.get("x")).toBe(0n);
    expect(some.get("y")).toBe(1001n);
    const neg = allocateProRata([{ id: "a", weight: 1n }, { id: "b", weight: 2n }], -100n);
    expect(neg.get("a")).toBe(-33n);
    expect(neg.get("b")).toBe(-67n);
  });

  it("throws typed errors on impossible or invalid splits", () => {
    expect(() => allocateProRata([{ id: "x", weight: 0n }], 1n)).toThrow(AllocationError);
    expect(() => allocateProRata([], 5n)).toThrow(AllocationError);
    expect(() => allocateProRata([{ id: "x", weight: -1n }, { id: "y", weight: 3n }], 1n)).toThrow(AllocationError);
    expect(() => allocateProRata([{ id: "x", weight: 1n }, { id: "x", weight: 3n }], 1n)).toThrow(AllocationError);
    try {
      allocateProRata([{ id: "x", weight: 0n }], 1n);
    } catch (e) {
      expect((e as AllocationError).reason).toBe("zero-weights");
    }
  });

  it("always sums to the total and never moves a share more than a cent from its exact value (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 30 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (weights, total) => {
          const sum = weights.reduce((a, b) => a + b, 0n);
          fc.pre(sum > 0n);
          const items = weights.map((weight, i) => ({ id: `id${String(i).padStart(2, "0")}`, weight }));
          const shares = allocateProRata(items, total);
          expect([...shares.values()].reduce((a, b) => a + b, 0n)).toBe(total);
          for (const it of items) {
            const exact = Rational.of(total * it.weight, sum);
            const s = shares.get(it.id)!;
            expect(s === exact.floor() || s === exact.floor() + 1n).toBe(true);
            if (it.weight === 0n) expect(s).toBe(0n);
          }
        },
      ),
    );
  });
});

describe("percentOfCents", () => {
  it("takes a percentage rounded to the cent", () => {
    expect(percentOfCents(10001n, Rational.of(40), "half-up")).toBe(4000n); // 40.004
    expect(percentOfCents(10001n, Rational.of(40), "up")).toBe(4001n);
    expect(percentOfCents(12345n, R("12.5"), "half-up")).toBe(1543n); // 1543.125
    expect(percentOfCents(250n, Rational.of(1), "half-up")).toBe(3n); // 2.5 → 3
    expect(percentOfCents(250n, Rational.of(1), "half-even")).toBe(2n);
    expect(percentOfCents(-250n, Rational.of(1), "half-up")).toBe(-3n);
    expect(percentOfCents(-250n, Rational.of(1), "down")).toBe(-2n);
    expect(percentOfCents(90000n, Rational.of(100), "down")).toBe(90000n);
    expect(percentOfCents(100n, Rational.of(1, 3), "half-up")).toBe(0n);
  });

  it("splits funding so the shares add up when the rest is computed by subtraction", () => {
    const line = 219289n;
    const philanthropy = percentOfCents(line, Rational.of(40), "half-up");
    expect(philanthropy).toBe(87716n); // 877.156 → 877.16
    expect(line - philanthropy).toBe(131573n);
  });
});
