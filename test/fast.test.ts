/**
 * The fast engine's parts: exact numbers (num.ts), the closure compiler for expressions
 * (expr.ts) against the reference evaluator and the documented three-valued logic, the bulk
 * path against `runContract`, and worker threads: the same output for 1, 2 and 3 workers.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { evaluate, showRV, type RV } from "../engine/evaluate.ts";
import { Context } from "../engine/run.ts";
import { Rational } from "../engine/rational.ts";
import { nAdd, nCmp, nDiv, nMul, nSub, norm, toRat } from "../engine/fast/num.ts";
import { rvFn, Scope } from "../engine/fast/expr.ts";
import { studentSlots } from "../engine/fast/program.ts";
import { runBulk } from "../engine/fast/bulk.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { shareByPosition } from "../engine/cents.ts";
import { allocateProRata } from "../engine/money.ts";
import { generateCase } from "../bench/random-contract.ts";

// ───────────── exact numbers ─────────────

describe("num: safe integers as numbers, everything else as Rational", () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  it("keeps results exact across 2^53", () => {
    const big = nAdd(MAX, 1);
    expect(big).toBeInstanceOf(Rational);
    expect(toRat(big).toString()).toBe("9007199254740992");
    expect(nSub(big, 1)).toBe(MAX);
    expect(toRat(nMul(MAX, MAX)).toString()).toBe((BigInt(MAX) * BigInt(MAX)).toString());
    expect(nMul(3, -0)).toBe(0);
    expect(Object.is(nMul(3, -0), -0)).toBe(false);
  });
  it("divides exactly", () => {
    expect(nDiv(12, 4)).toBe(3);
    expect(toRat(nDiv(1, 3)).toString()).toBe("1/3");
    expect(nAdd(nDiv(1, 3), nDiv(2, 3))).toBe(1);
    expect(nCmp(nDiv(1, 3), nDiv(1, 3))).toBe(0);
  });
  it("is canonical: a value that is a safe integer is always a number", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.bigInt({ min: 1n, max: 1000n }), (n, d) => {
        const r = norm(Rational.of(n, d));
        const isInt = Rational.of(n, d).isInteger() && n / d <= BigInt(MAX) && n / d >= -BigInt(MAX);
        expect(typeof r === "number").toBe(isInt);
        expect(toRat(r).eq(Rational.of(n, d))).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
  it("agrees with Rational on +, -, *, / and comparison", () => {
    const val = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52));
    fc.assert(
      fc.property(val, val, (a, b) => {
        const A_ = Rational.of(a);
        const B_ = Rational.of(b);
        expect(toRat(nAdd(a, b)).eq(A_.add(B_))).toBe(true);
        expect(toRat(nSub(a, b)).eq(A_.sub(B_))).toBe(true);
        expect(toRat(nMul(a, b)).eq(A_.mul(B_))).toBe(true);
        if (b !== 0) expect(toRat(nDiv(a, b)).eq(A_.div(B_))).toBe(true);
        expect(nCmp(a, b)).toBe(A_.cmp(B_));
      }),
      { seed: 11, numRuns: 500 },
    );
  });
  it("pro rata shares with JS integers equal allocateProRata", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200000 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 5000000 }), (ws, total) => {
        const ids = ws.map((_, i) => `id${String(i).padStart(3, "0")}`);
        const got = shareByPosition(ids, ws, total);
        const positive = ws.map((w, i) => ({ id: ids[i]!, weight: BigInt(w) })).filter((x) => x.weight > 0n);
        if (positive.length === 0 || total <= 0) return;
        const want = allocateProRata(positive, BigInt(total));
        ws.forEach((w, i) => expect(got[i]).toBe(w > 0 ? Number(want.get(ids[i]!)) : w));
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

// ───────────── the closure compiler ─────────────

const FIELDS = `
    a: optional score
    b: optional score
    n: optional count
    d: optional decimal
    m: optional money
    pc: optional percent
    p: optional boolean
    q: optional boolean
    t: optional text
    day: optional date
    day2: optional date`;

/** Compiles `metric x = <expr>` in a contract with the fields above; returns a function of field values. */
function expression(expr: string): { fast: (values: Record<string, RV>) => RV; reference: (values: Record<string, RV>) => RV; fails: (values: Record<string, RV>) => [number, number] } {
  const source = `contract "T" {\n  parties { district "D"  provider "P" }\n  data students {${FIELDS}\n  }\n  metric x = ${expr}\n  payment "Pay" pays $1 per student when a >= 0\n    if missing: not met\n}\n`;
  const compiled = compileSource(source);
  if (!compiled.ir) throw new Error("no contract");
  const ir = compiled.ir;
  const { fields } = studentSlots(ir);
  const defs = new Map([...ir.metrics].map(([k, m]) => [k, m.expr] as const));
  const scope = new Scope({ fields, defs, exprs: new Map() });
  const c = scope.compile(ir.metrics.get("x")!.expr);
  const fn = rvFn(c);
  const frameOf = (values: Record<string, RV>) => {
    const f = scope.frame();
    for (const [k, v] of Object.entries(values)) {
      const s = fields.get(k)!.slot;
      f.slots[s] = v.kind === "missing" ? undefined : v.kind === "number" || v.kind === "money" || v.kind === "percent" ? norm(v.value) : v.value;
    }
    return f;
  };
  const ctxOf = (values: Record<string, RV>) => new Context(values, defs, new Map(), new Map());
  return {
    fast: (values) => fn(frameOf(values)),
    reference: (values) => evaluate(ir.metrics.get("x")!.expr, ctxOf(values)),
    fails: (values) => {
      const f = frameOf(values);
      fn(f);
      const ctx = ctxOf(values);
      evaluate(ir.metrics.get("x")!.expr, ctx);
      return [f.fails, ctx.failures.length];
    },
  };
}

const num = (s: string): RV => ({ kind: "number", value: Rational.parse(s) });
const money = (s: string): RV => ({ kind: "money", value: Rational.parse(s) });
const pct = (s: string): RV => ({ kind: "percent", value: Rational.parse(s).div(100) });
const bool = (b: boolean | undefined): RV => (b === undefined ? { kind: "missing" } : { kind: "boolean", value: b });
const MISSING: RV = { kind: "missing" };
const show = (v: RV) => `${v.kind}:${showRV(v)}`;

describe("closure compiler: values", () => {
  const cases: [string, Record<string, RV>, string][] = [
    ["0.1 + 0.2", {}, "number:0.3"],
    ["a - b", { a: num("72"), b: num("50") }, "number:22"],
    ["a - b", { a: MISSING, b: num("50") }, "missing:missing"],
    ["n / 3", { n: num("1") }, "number:0.3333"],
    ["n / d", { n: num("5"), d: num("0") }, "missing:missing"],
    ["m * 1.2", { m: money("900") }, "money:$1,080.00"],
    ["m / m", { m: money("333.33") }, "number:1"],
    ["40% of m", { m: money("1000.01") }, "money:$400.00"],
    ["pc * 2", { pc: pct("33.3") }, "percent:66.6%"],
    ["a otherwise 0", { a: MISSING }, "number:0"],
    ["a otherwise 0", { a: num("7") }, "number:7"],
    ["month starts from 2022-09-01 through day", { day: { kind: "date", value: "2023-06-30" } }, "number:10"],
    ["month starts from 2022-09-01 through day", { day: { kind: "date", value: "2023-01-31" } }, "number:5"],
    ["month starts from 2022-09-02 through day", { day: { kind: "date", value: "2022-09-30" } }, "number:0"],
    ["month starts from day through day2", { day: { kind: "date", value: "2023-01-01" }, day2: { kind: "date", value: "2022-12-01" } }, "number:0"],
    ["month starts from 2022-09-01 through day", { day: MISSING }, "missing:missing"],
    ["count of [a >= 70, b >= 70, p]", { a: num("71"), b: MISSING, p: bool(true) }, "number:2"],
    ["-a", { a: num("5") }, "number:-5"],
    ["9007199254740991 + n", { n: num("1") }, "number:9007199254740992"],
    ["t in [\"A\", \"B\"]", { t: { kind: "text", value: "B" } }, "boolean:yes"],
    ["t not in [\"A\", \"B\"]", { t: MISSING }, "missing:missing"],
    ["day <= 2026-10-15", { day: { kind: "date", value: "2026-10-15" } }, "boolean:yes"],
    ["a is missing", { a: MISSING }, "boolean:yes"],
    ["a is present", { a: MISSING }, "boolean:no"],
  ];
  for (const [expr, values, want] of cases) {
    it(`${expr} with ${JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, show(v)])))} = ${want}`, () => {
      const e = expression(expr);
      expect(show(e.fast(values))).toBe(want);
      expect(show(e.reference(values))).toBe(want);
    });
  }
  it("counts divisions by zero as the reference does", () => {
    const e = expression("(n / d) + (n / d)");
    expect(e.fails({ n: num("1"), d: num("0") })).toEqual([2, 2]);
    expect(e.fails({ n: MISSING, d: num("0") })).toEqual([0, 0]);
  });
});

describe("closure compiler: three-valued logic", () => {
  const T = [true, false, undefined] as const;
  const name = (v: boolean | undefined) => (v === undefined ? "unknown" : String(v));
  // the table of docs/language.md
  const and = (a: boolean | undefined, b: boolean | undefined) => (a === false || b === false ? false : a === undefined || b === undefined ? undefined : true);
  const or = (a: boolean | undefined, b: boolean | undefined) => (a === true || b === true ? true : a === undefined || b === undefined ? undefined : false);
  const eAnd = expression("p and q");
  const eOr = expression("p or q");
  const eNot = expression("not p");
  const eCmp = expression("(a >= 70) and (b < 50 or q)");
  for (const a of T) {
    it(`not ${name(a)}`, () => {
      expect(eNot.fast({ p: bool(a) })).toEqual(bool(a === undefined ? undefined : !a));
    });
    for (const b of T) {
      it(`${name(a)} and / or ${name(b)}`, () => {
        expect(eAnd.fast({ p: bool(a), q: bool(b) })).toEqual(bool(and(a, b)));
        expect(eOr.fast({ p: bool(a), q: bool(b) })).toEqual(bool(or(a, b)));
        expect(eAnd.reference({ p: bool(a), q: bool(b) })).toEqual(bool(and(a, b)));
        expect(eOr.reference({ p: bool(a), q: bool(b) })).toEqual(bool(or(a, b)));
      });
    }
  }
  it("a comparison that reads a missing value is unknown, and 3VL combines it", () => {
    expect(eCmp.fast({ a: MISSING, b: num("40"), q: bool(false) })).toEqual(MISSING);
    expect(eCmp.fast({ a: num("60"), b: MISSING, q: bool(false) })).toEqual(bool(false));
    expect(eCmp.fast({ a: num("70"), b: MISSING, q: bool(true) })).toEqual(bool(true));
  });

  it("agrees with the reference evaluator on random values (property)", () => {
    const exprs = [
      "(a >= 60 and not p) or (b - a > 5 and q)",
      "count of [a >= 70, p, t = \"A\", day < 2027-01-01] >= 2",
      "(a otherwise b) + (n otherwise 0) * 2 > 80",
      "m * (d otherwise 1) / 4 >= $100 or pc >= 50%",
      "t in [\"A\", \"C\"] or not (n in [1, 2, 3]) or day is missing",
      "(n / d) >= 1.5 or (30% of m) < $10",
      "(month starts from day through 2027-06-30) otherwise 0",
      "not (p and (q or a < 50)) and (d is present or b >= 40.5)",
    ].map(expression);
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
    const dec = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 3 })).map(([x, k]) => (k === 0 ? `${x}.5` : String(x)));
    fc.assert(
      fc.property(
        fc.record({
          a: maybe(dec(30, 100)),
          b: maybe(dec(30, 100)),
          n: maybe(fc.integer({ min: 0, max: 5 })),
          d: maybe(dec(0, 3)),
          m: maybe(dec(0, 2000)),
          pc: maybe(fc.integer({ min: 0, max: 100 })),
          p: maybe(fc.boolean()),
          q: maybe(fc.boolean()),
          t: maybe(fc.constantFrom("A", "B", "C")),
          day: maybe(fc.constantFrom("2026-09-01", "2026-12-31", "2027-01-01", "2027-06-30")),
        }),
        (r) => {
          const v: Record<string, RV> = {
            a: r.a === undefined ? MISSING : num(r.a),
            b: r.b === undefined ? MISSING : num(r.b),
            n: r.n === undefined ? MISSING : num(String(r.n)),
            d: r.d === undefined ? MISSING : num(r.d),
            m: r.m === undefined ? MISSING : money(r.m),
            pc: r.pc === undefined ? MISSING : pct(String(r.pc)),
            p: bool(r.p),
            q: bool(r.q),
            t: r.t === undefined ? MISSING : { kind: "text", value: r.t },
            day: r.day === undefined ? MISSING : { kind: "date", value: r.day },
            day2: MISSING,
          };
          for (const e of exprs) {
            expect(show(e.fast(v))).toBe(show(e.reference(v)));
            const [x, y] = e.fails(v);
            expect(x).toBe(y);
          }
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});

// ───────────── bulk runs and worker threads ─────────────

/** The algebra pilot contract with a synthetic roster of n students (some values missing or malformed). */
function algebraCase(n: number): { source: string; files: { label: string; text: string; dataSet?: string }[] } {
  const source = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const dates = ["2026-09-20", "2026-10-10", "2026-10-20", ""];
  const rows = ["student_id,grade,english_learner,iep,diagnostic_date,first_session_date,sessions_by_feb28,boy_score,eoy_score,exit_date"];
  for (let i = 0; i < n; i++) {
    const boy = 30 + Math.floor(rnd() * 40);
    rows.push(
      [
        `P${String(i).padStart(6, "0")}`,
        rnd() < 0.45 ? 8 : rnd() < 0.5 ? 9 : 7,
        rnd() < 0.3 ? "true" : "false",
        rnd() < 0.15 ? "yes" : "no",
        dates[Math.floor(rnd() * 4)],
        dates[Math.floor(rnd() * 4)],
        rnd() < 0.01 ? "x" : Math.floor(rnd() * 45),
        boy,
        rnd() < 0.1 ? "" : boy + Math.floor(rnd() * 30),
        rnd() < 0.9 ? "" : "2027-03-01",
      ].join(","),
    );
  }
  const checkpoints = "month,sessions_scheduled,sessions_attended\n2026-10,400,340\n2026-11,420,230\n2026-12,380,200\n2027-01,410,220\n";
  return { source, files: [{ label: "students.csv", text: rows.join("\n") + "\n" }, { label: "checkpoints.csv", text: checkpoints }] };
}


const view = (b: Awaited<ReturnType<typeof runBulkParallel>>) => JSON.stringify(b);

describe("bulk runs", () => {
  it("the algebra pilot on 3,000 students: runBulk totals, students and data quality equal runContract's", async () => {
    const { source, files } = algebraCase(3000);
    const ir = compileSource(source).ir!;
    const ref = await runContract(ir, source, files, { engine: "reference" });
    const bulk = runBulk(ir, source, files, { detail: true });
    expect(bulk.totals).toEqual(ref.result!.totals);
    expect(bulk.dataQuality).toEqual(ref.result!.dataQuality);
    expect(bulk.students.map((s) => [s.id, s.total])).toEqual(ref.result!.students.map((s) => [s.id, s.total]));
    expect(bulk.problems).toEqual(ref.problems);
    // the contract cap and the withholding both apply here
    expect(bulk.totals!.contractCap?.binds).toBe(true);
    expect(bulk.totals!.withheld).not.toBe("0.00");
  });

  it("worker threads: the same output for 1, 2 and 3 workers, equal to the one-thread run", async () => {
    const { source, files } = algebraCase(2500);
    const ir = compileSource(source).ir!;
    const one = runBulk(ir, source, files, { detail: true });
    for (const workers of [1, 2, 3]) {
      const plans: { chunks: number; workers: number; onePart?: string }[] = [];
      const par = await runBulkParallel(ir, source, files, { detail: true, workers, chunksPerWorker: 3, onPlan: (p) => plans.push(p) });
      expect(plans).toEqual([{ chunks: workers * 3, workers }]);
      expect(view(par), `${workers} workers`).toBe(view(one));
    }
  }, 60_000);

  it("worker threads: cohort aggregates, joined data sets and repeated ids merge exactly", async () => {
    // a generated case with a cohort clause and a second per-student data set
    let seed = 1;
    let g = generateCase(seed);
    // (ids repeated in the roster make the run one part: that case comes below)
    const uniqueIds = (text: string) => {
      const ids = text.trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]);
      return new Set(ids).size === ids.length;
    };
    while (!(g.source.includes('cohort "Reach"') && g.source.includes("data extra") && uniqueIds(g.files[0]!.text) && compileSource(g.source).ok)) g = generateCase(++seed);
    const ir = compileSource(g.source).ir!;
    const one = runBulk(ir, g.source, g.files, { detail: true, asOf: g.asOf });
    for (const workers of [1, 2, 3]) {
      const plans: { onePart?: string }[] = [];
      const par = await runBulkParallel(ir, g.source, g.files, { detail: true, workers, chunksPerWorker: 4, asOf: g.asOf, onPlan: (p) => plans.push(p) });
      expect(plans[0]?.onePart).toBeUndefined();
      expect(view(par), `${workers} workers, seed ${seed}`).toBe(view(one));
    }
    // a roster whose id repeats across chunks: the later row is rejected as in a one-part run
    const { source, files } = algebraCase(40);
    const lines = files[0]!.text.trimEnd().split("\n");
    lines.push(lines[1]!);
    const dup = [{ ...files[0]!, text: lines.join("\n") + "\n" }, files[1]!];
    const ir2 = compileSource(source).ir!;
    const want = runBulk(ir2, source, dup, { detail: true });
    expect(want.problems.some((p) => p.rule === "duplicate-id")).toBe(true);
    const plans: { onePart?: string }[] = [];
    expect(view(await runBulkParallel(ir2, source, dup, { detail: true, workers: 3, chunksPerWorker: 4, onPlan: (p) => plans.push(p) }))).toBe(view(want));
    expect(plans[0]?.onePart).toBe("a student id repeats across chunks");
  }, 60_000);
});
