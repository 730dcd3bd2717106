/**
 * Cohort aggregates over students (`count of`, `share of`, `sum of … over … students where (…)`)
 * against an independent computation: plain code here reads the raw CSV rows, joins the
 * per-student data sets by key itself, applies three-valued logic itself, and counts, shares
 * and sums. Both engines and the bulk path must report the same figures. The contracts are
 * random (fast-check): a roster and one or two more per-student data sets joined by the same
 * key, conditions over fields of any of them, a group of students or none.
 *
 * The two engines agreeing is not enough here: before this test they agreed on a wrong answer
 * (fields of a second per-student data set read as missing inside aggregates).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract, type RunOutput } from "../engine/index.ts";
import { runBulk, type BulkResult } from "../engine/fast/bulk.ts";
import { runBulkParallel } from "../engine/fast/node-parallel.ts";
import { simulate } from "../engine/fast/simulate.ts";

// ───────────── the schema: three per-student data sets keyed by student_id ─────────────

type Kind = "number" | "money" | "boolean";
interface Field {
  name: string;
  set: "students" | "visits" | "exams";
  type: "integer" | "count" | "money" | "boolean";
  optional: boolean;
}
const FIELDS: Field[] = [
  { name: "grade", set: "students", type: "integer", optional: false },
  { name: "boy", set: "students", type: "count", optional: true },
  { name: "sessions", set: "visits", type: "count", optional: false },
  { name: "flag", set: "visits", type: "boolean", optional: false },
  { name: "award", set: "visits", type: "money", optional: true },
  { name: "score", set: "exams", type: "integer", optional: false },
  { name: "passed", set: "exams", type: "boolean", optional: true },
];
const kindOf = (f: Field): Kind => (f.type === "money" ? "money" : f.type === "boolean" ? "boolean" : "number");
const field = (name: string) => FIELDS.find((f) => f.name === name)!;

// ───────────── conditions, as data: printed as OBC and evaluated here ─────────────

type Cond =
  | { k: "cmp"; f: string; op: "<" | "<=" | ">" | ">=" | "=" | "!="; v: number }
  | { k: "bool"; f: string }
  | { k: "missing"; f: string; present: boolean }
  | { k: "not"; c: Cond }
  | { k: "and" | "or"; a: Cond; b: Cond };

/** A value of a student: a number (money in cents), a boolean, or undefined when missing. */
type Val = number | boolean | undefined;

const money = (cents: number) => `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

function print(c: Cond): string {
  switch (c.k) {
    case "cmp": return `${c.f} ${c.op} ${kindOf(field(c.f)) === "money" ? money(c.v) : c.v}`;
    case "bool": return c.f;
    case "missing": return `${c.f} is ${c.present ? "present" : "missing"}`;
    case "not": return `not (${print(c.c)})`;
    default: return `(${print(c.a)} ${c.k} ${print(c.b)})`;
  }
}

/** Three-valued logic, as docs/language.md states it: a comparison with a missing value is unknown. */
function holds(c: Cond, s: Map<string, Val>): boolean | undefined {
  switch (c.k) {
    case "cmp": {
      const x = s.get(c.f) as number | undefined;
      if (x === undefined) return undefined;
      switch (c.op) {
        case "<": return x < c.v;
        case "<=": return x <= c.v;
        case ">": return x > c.v;
        case ">=": return x >= c.v;
        case "=": return x === c.v;
        case "!=": return x !== c.v;
      }
      break;
    }
    case "bool": return s.get(c.f) as boolean | undefined;
    case "missing": return (s.get(c.f) === undefined) !== c.present;
    case "not": {
      const v = holds(c.c, s);
      return v === undefined ? undefined : !v;
    }
    case "and": {
      const a = holds(c.a, s);
      const b = holds(c.b, s);
      return a === false || b === false ? false : a === undefined || b === undefined ? undefined : true;
    }
    case "or": {
      const a = holds(c.a, s);
      const b = holds(c.b, s);
      return a === true || b === true ? true : a === undefined || b === undefined ? undefined : false;
    }
  }
}

function condArb(fields: Field[], requiredOnly: boolean): fc.Arbitrary<Cond> {
  const usable = fields.filter((f) => !requiredOnly || !f.optional);
  const nums = usable.filter((f) => kindOf(f) !== "boolean");
  const bools = usable.filter((f) => kindOf(f) === "boolean");
  const leaf: fc.Arbitrary<Cond>[] = [];
  if (nums.length) {
    leaf.push(
      fc.record({
        k: fc.constant("cmp" as const),
        f: fc.constantFrom(...nums.map((f) => f.name)),
        op: fc.constantFrom("<" as const, "<=" as const, ">" as const, ">=" as const, "=" as const, "!=" as const),
        v: fc.integer({ min: 0, max: 12 }),
      }).map((c) => (field(c.f).type === "money" ? { ...c, v: c.v * 2500 } : c)),
    );
  }
  if (bools.length) leaf.push(fc.record({ k: fc.constant("bool" as const), f: fc.constantFrom(...bools.map((f) => f.name)) }));
  if (!requiredOnly) leaf.push(fc.record({ k: fc.constant("missing" as const), f: fc.constantFrom(...fields.map((f) => f.name)), present: fc.boolean() }));
  const { cond } = fc.letrec<{ cond: Cond }>((tie) => ({
    cond: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      ...leaf,
      fc.record({ k: fc.constant("not" as const), c: tie("cond") }),
      fc.record({ k: fc.constantFrom("and" as const, "or" as const), a: tie("cond"), b: tie("cond") }),
    ),
  }));
  return cond;
}

// ───────────── a random case ─────────────

interface Case {
  sets: ("visits" | "exams")[];
  /** per student: roster cells, then whether (and with which cells) it has a row in each other set */
  students: { id: string; cells: Record<string, string>; in: Record<string, boolean> }[];
  /** rows of other sets for ids not on the roster (reported, never counted) */
  strangers: boolean;
  group?: Cond;
  countWhere?: Cond;
  shareWhere: Cond;
  sumOf: string;
  sumWhere?: Cond;
}

const cellArb = (f: Field): fc.Arbitrary<string> => {
  const value =
    f.type === "boolean" ? fc.constantFrom("yes", "no", "true", "false")
    : f.type === "money" ? fc.integer({ min: 0, max: 40 }).map((x) => money(x * 1250).slice(1))
    : fc.integer({ min: 0, max: 12 }).map(String);
  return f.optional ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant("") }) : value;
};

const caseArb: fc.Arbitrary<Case> = fc
  .constantFrom<("visits" | "exams")[]>(["visits"], ["exams"], ["visits", "exams"])
  .chain((sets) => {
    const fields = FIELDS.filter((f) => f.set === "students" || sets.includes(f.set as "visits" | "exams"));
    const student = fc.record({
      cells: fc.record(Object.fromEntries(fields.map((f) => [f.name, cellArb(f)]))),
      in: fc.record(Object.fromEntries(sets.map((s) => [s, fc.boolean()]))),
    });
    const numeric = fields.filter((f) => kindOf(f) !== "boolean").map((f) => f.name);
    return fc.record({
      sets: fc.constant(sets),
      // a roster without rows stops the run (OBC5007): at least one student
      students: fc.array(student, { minLength: 1, maxLength: 25 }).map((xs) => xs.map((x, i) => ({ id: `S${String(i + 1).padStart(3, "0")}`, ...x }))),
      strangers: fc.boolean(),
      group: fc.option(condArb(fields, true), { nil: undefined }),
      countWhere: fc.option(condArb(fields, false), { nil: undefined }),
      shareWhere: condArb(fields, false),
      sumOf: fc.constantFrom(...numeric),
      sumWhere: fc.option(condArb(fields, false), { nil: undefined }),
    });
  });

function contractOf(c: Case): string {
  const decl = (set: string) =>
    `  data ${set} keyed by student_id {\n${FIELDS.filter((f) => f.set === set).map((f) => `    ${f.name}: ${f.optional ? "optional " : ""}${f.type}`).join("\n")}\n  }`;
  const g = c.group ? "served " : "";
  const sum = field(c.sumOf).type === "money" ? "t" : "$1 * t";
  return [
    `contract "Aggregates" {`,
    `  parties { district "D"  provider "P" }`,
    `  term 2026-09-01 to 2027-06-30`,
    decl("students"),
    ...c.sets.map(decl),
    ...(c.group ? [`  served students when ${print(c.group)}`] : []),
    `  base "Base" pays $10 per student`,
    `  cohort "N" {\n    let n = count of ${g}students${c.countWhere ? ` where (${print(c.countWhere)})` : ""}\n    pays $1 * n\n  }`,
    `  cohort "S" {\n    let s = share of ${g}students where (${print(c.shareWhere)})\n    pays $1,000,000 * s\n  }`,
    `  cohort "T" {\n    let t = sum of (${c.sumOf}) over ${g}students${c.sumWhere ? ` where (${print(c.sumWhere)})` : ""}\n    pays ${sum}\n  }`,
    `}`,
    ``,
  ].join("\n");
}

function filesOf(c: Case): { label: string; text: string; dataSet: string }[] {
  const csv = (set: string, rows: { id: string; cells: Record<string, string> }[]) => {
    const names = FIELDS.filter((f) => f.set === set).map((f) => f.name);
    return [["student_id", ...names].join(","), ...rows.map((r) => [r.id, ...names.map((n) => r.cells[n]!)].join(","))].join("\n") + "\n";
  };
  const files = [{ label: "students.csv", text: csv("students", c.students), dataSet: "students" }];
  for (const set of c.sets) {
    const rows = c.students.filter((s) => s.in[set]);
    if (c.strangers && c.students.length) rows.push({ ...c.students[0]!, id: "X999" });
    files.push({ label: `${set}.csv`, text: csv(set, rows), dataSet: set });
  }
  return files;
}

// ───────────── the independent computation, from the CSV text ─────────────

/** Each roster student's values, joined by key from every file (plain code, no engine). */
function studentsFromCsv(files: { label: string; text: string; dataSet: string }[]): Map<string, Val>[] {
  const table = (text: string) => {
    const [head, ...rows] = text.trimEnd().split("\n").map((l) => l.split(","));
    return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ""])));
  };
  const parse = (name: string, cell: string): Val => {
    if (cell === "") return undefined;
    const f = field(name);
    if (f.type === "boolean") return cell === "yes" || cell === "true";
    if (f.type === "money") {
      const [w, d = ""] = cell.split(".");
      return Number(w) * 100 + Number(d.padEnd(2, "0"));
    }
    return Number(cell);
  };
  const roster = table(files.find((f) => f.dataSet === "students")!.text);
  const others = files.filter((f) => f.dataSet !== "students").map((f) => ({ set: f.dataSet, rows: table(f.text) }));
  return roster.map((r) => {
    const s = new Map<string, Val>();
    for (const f of FIELDS) s.set(f.name, undefined);
    for (const [k, v] of Object.entries(r)) if (k !== "student_id") s.set(k, parse(k, v));
    for (const o of others) {
      const row = o.rows.find((x) => x["student_id"] === r["student_id"]);
      if (row) for (const [k, v] of Object.entries(row)) if (k !== "student_id") s.set(k, parse(k, v));
    }
    return s;
  });
}

interface Expected {
  n: number;
  /** cents of $1,000,000 × share, rounded half up; undefined when the group is empty */
  sCents?: number;
  /** the sum: cents for money, else a whole number */
  t: number;
}

function expected(c: Case, files: { label: string; text: string; dataSet: string }[]): Expected {
  const all = studentsFromCsv(files);
  const group = c.group ? all.filter((s) => holds(c.group!, s) === true) : all;
  const n = c.countWhere ? group.filter((s) => holds(c.countWhere!, s) === true).length : group.length;
  const chosen = group.filter((s) => holds(c.shareWhere, s) === true).length;
  // 100,000,000 cents × chosen / size, half up (both are non-negative)
  const sCents = group.length ? Number((2n * 100_000_000n * BigInt(chosen) + BigInt(group.length)) / (2n * BigInt(group.length))) : undefined;
  let t = 0;
  for (const s of group) {
    if (c.sumWhere && holds(c.sumWhere, s) !== true) continue;
    const v = s.get(c.sumOf);
    if (typeof v === "number") t += v;
  }
  return { n, sCents, t };
}

// ───────────── what each path reports ─────────────

const dollars = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

function expectedCohorts(c: Case, e: Expected): [string, string, string][] {
  const tCents = field(c.sumOf).type === "money" ? e.t : e.t * 100;
  return [
    ["n", "met", dollars(e.n * 100)],
    ["s", e.sCents === undefined ? "missing" : "met", dollars(e.sCents ?? 0)],
    ["t", "met", dollars(tCents)],
  ];
}

const fromRun = (out: RunOutput) => out.result!.cohorts.map((k) => [k.clause, k.status, k.amount] as [string, string, string]);
const fromBulk = (b: BulkResult) => b.cohorts.map((k) => [k.clause, k.status, k.paid] as [string, string, string]);

describe("cohort aggregates over joined per-student data sets = an independent count", () => {
  it("the case of issue 11: a field of a second data set counts (k = 1, not 0)", async () => {
    const source = `contract "Joined" {
  parties { district "D"  provider "P" }
  data a keyed by student_id {
    grade: integer
  }
  data b keyed by student_id {
    sessions: count
  }
  served students when sessions >= 2
  base "Base" pays $10 per served student
  cohort "K" {
    let k = count of served students where (sessions >= 2)
    pays $100 * k
  }
}
`;
    const c = compileSource(source);
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const files = [
      { label: "a.csv", text: "student_id,grade\nX1,5\nX2,6\n", dataSet: "a" },
      { label: "b.csv", text: "student_id,sessions\nX1,3\nX2,1\n", dataSet: "b" },
    ];
    for (const engine of ["reference", "fast"] as const) {
      const out = await runContract(c.ir!, source, files, { engine });
      expect(out.result!.cohorts.map((k) => [k.values, k.paid]), engine).toEqual([[{ k: "1" }, "100.00"]]);
    }
    expect(runBulk(c.ir!, source, files).cohorts.map((k) => k.paid)).toEqual(["100.00"]);
    const par = await runBulkParallel(c.ir!, source, files, { workers: 2, chunksPerWorker: 1 });
    expect(par.cohorts.map((k) => k.paid)).toEqual(["100.00"]);
  }, 30_000);

  it("random contracts and data: count, share and sum equal plain code over the CSV rows (both engines, bulk)", async () => {
    let cases = 0;
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const source = contractOf(c);
        const compiled = compileSource(source);
        expect(compiled.diagnostics.filter((d) => d.severity === "error"), source).toEqual([]);
        const files = filesOf(c);
        const want = expectedCohorts(c, expected(c, files));
        const ref = await runContract(compiled.ir!, source, files, { engine: "reference" });
        const fast = await runContract(compiled.ir!, source, files, { engine: "fast" });
        expect(fromRun(ref), source).toEqual(want);
        expect(fromRun(fast), source).toEqual(want);
        expect(fromBulk(runBulk(compiled.ir!, source, files)), source).toEqual(want);
        // the count also as the run shows it
        expect(ref.result!.cohorts[0]!.values["n"]).toBe(want[0][2].replace(/\.00$/, ""));
        cases++;
        if (want[0][2] !== "0.00") nonEmpty++;
      }),
      { seed: 20261203, numRuns: 150 },
    );
    expect(cases).toBe(150);
    expect(nonEmpty, "too few cases count anyone").toBeGreaterThan(50);
  }, 120_000);

  it("worker threads: the same aggregates as plain code (a few random cases)", async () => {
    const samples = fc.sample(caseArb.filter((c) => c.sets.length === 2 && c.students.length >= 8), { seed: 7, numRuns: 3 });
    for (const c of samples) {
      const source = contractOf(c);
      const files = filesOf(c);
      const par = await runBulkParallel(compileSource(source).ir!, source, files, { workers: 2, chunksPerWorker: 2 });
      expect(fromBulk(par), source).toEqual(expectedCohorts(c, expected(c, files)));
    }
  }, 60_000);

  it("simulation: aggregates read the fields of every per-student data set", () => {
    const source = `contract "Simulated" {
  parties { district "D"  provider "P" }
  data students keyed by student_id {
    grade: integer
  }
  data visits keyed by student_id {
    sessions: count
  }
  base "Base" pays $10 per student
  cohort "Everyone" {
    let k = count of students where (sessions >= 0)
    pays $1 * k
  }
}
`;
    const r = simulate(compileSource(source).ir!, source, { cohort: 40, runs: 5, seed: 3 });
    // every simulated student has a count of sessions ≥ 0: $10 each, and $1 each from the cohort clause
    expect(r.total).toEqual({ mean: "440.00", p5: "440.00", p50: "440.00", p95: "440.00", min: "440.00", max: "440.00" });
  });
});
