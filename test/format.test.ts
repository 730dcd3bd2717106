/**
 * The formatter (language/format): canonical layout, idempotence, round trip of the AST,
 * comments kept, syntax errors left alone.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../language/ast.ts";
import { format, printExpr, printSourceFile } from "../language/format/index.ts";
import { parse } from "../language/syntax/parse.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function obcFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...obcFilesUnder(path));
    else if (name.endsWith(".obc")) found.push(path);
  }
  return found;
}

const EXAMPLES = obcFilesUnder(join(ROOT, "examples")).map((path) => ({
  name: relative(ROOT, path),
  text: readFileSync(path, "utf8"),
}));

const SPAN_KEYS = new Set(["span", "opSpan", "kindSpan", "typeSpan", "whichSpan", "populationSpan", "allocationSpan", "ofSpan", "opSpans", "nameSpan"]);

/** A copy of an AST without source positions (and without keys whose value is undefined). */
function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SPAN_KEYS.has(k) || v === undefined) continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return value;
}

/** The AST of a text without spans; comments compared by their text only. */
function shape(text: string): unknown {
  const { value } = parse(text);
  return stripSpans({ ...value, comments: value.comments.map((c) => c.text.trimEnd()) });
}

function errorsOf(text: string) {
  return parse(text).diagnostics.filter((d) => d.severity === "error");
}

describe("format: the examples", () => {
  it("finds the example contracts", () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(7);
    expect(EXAMPLES.map((e) => e.name)).toContain(join("examples", "01-duval-2022", "contract.obc"));
  });

  for (const { name, text } of EXAMPLES) {
    describe(name, () => {
      it("parses without errors (a precondition)", () => {
        expect(errorsOf(text)).toEqual([]);
      });

      it("is idempotent: format(format(x)) === format(x)", () => {
        const once = format(text);
        expect(once.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(format(once.value).value).toBe(once.value);
      });

      it("round-trips: parse(format(x)) has the AST of parse(x), spans aside", () => {
        const printed = format(text).value;
        expect(errorsOf(printed)).toEqual([]);
        expect(shape(printed)).toEqual(shape(text));
      });

      it("keeps every comment", () => {
        const before = parse(text).value.comments.map((c) => c.text.trimEnd());
        const after = parse(format(text).value).value.comments.map((c) => c.text.trimEnd());
        expect(after.length).toBe(before.length);
        expect(after).toEqual(before);
      });

      it("is already in canonical form", () => {
        expect(format(text).value).toBe(text);
      });
    });
  }

  it("printSourceFile prints a parsed example the same way as format", () => {
    const { text } = EXAMPLES.find((e) => e.name.includes("03-algebra-pilot"))!;
    expect(printSourceFile(parse(text).value, text)).toBe(format(text).value);
  });

  it("formats the template library the same way (idempotent, same AST)", () => {
    for (const path of obcFilesUnder(join(ROOT, "stdlib", "templates"))) {
      const text = readFileSync(path, "utf8");
      const once = format(text).value;
      expect(format(once).value).toBe(once);
      expect(shape(once)).toEqual(shape(text));
    }
  });
});

describe("format: layout", () => {
  it("lays out a messy contract in the canonical form", () => {
    const messy = [
      "// header comment   ",
      'contract "Messy"   version "1" { parties { district "D" provider "P" as prov } // parties',
      "term 2026-09-01 to 2027-06-30 currency USD",
      "",
      "",
      "",
      "      data students keyed by student_id{grade:integer",
      "  score_a : optional score   // the spring score",
      " sessions: count}",
      "metric growth=(score_a-(10))*2",
      "metric net = growth-(sessions-1)",
      "condition ok = (grade=8 or grade=9) and not (score_a is missing)",
      "  // a group",
      "identified students when grade in [8,9] and (((sessions>=10)))",
      'outcome "A" pays $1600.5 per identified student when ok and growth>=(5+2) if missing: not met',
      'outcome "T" pays per student in tiers { when growth>=10: $1000 // top',
      "otherwise: $0",
      "// after the tiers",
      "} if missing: excluded",
      "cap $1200000 per contract",
      "   // last words",
      "}",
      "// footer",
    ].join("\n");
    const expected = [
      "// header comment",
      'contract "Messy" version "1" {',
      "  parties {",
      '    district "D"',
      '    provider "P" as prov',
      "  }  // parties",
      "  term 2026-09-01 to 2027-06-30",
      "  currency USD",
      "",
      "  data students keyed by student_id {",
      "    grade: integer",
      "    score_a: optional score  // the spring score",
      "    sessions: count",
      "  }",
      "  metric growth = (score_a - 10) * 2",
      "  metric net = growth - (sessions - 1)",
      "  condition ok = (grade = 8 or grade = 9) and not score_a is missing",
      "  // a group",
      "  identified students when grade in [8, 9] and sessions >= 10",
      '  outcome "A" pays $1,600.5 per identified student',
      "    when ok and growth >= 5 + 2",
      "    if missing: not met",
      '  outcome "T" pays per student in tiers {',
      "    when growth >= 10: $1,000  // top",
      "    otherwise: $0",
      "    // after the tiers",
      "  }",
      "    if missing: excluded",
      "  cap $1,200,000 per contract",
      "  // last words",
      "}",
      "// footer",
      "",
    ].join("\n");
    const out = format(messy);
    expect(out.diagnostics).toEqual([]);
    expect(out.value).toBe(expected);
    expect(format(expected).value).toBe(expected);
    expect(shape(out.value)).toEqual(shape(messy));
  });

  it("prints every kind of statement in its canonical form", () => {
    const good = `contract "All"{
import benchmark_attainment from stdlib version "1"
import dosage from "./templates/dosage.obc"
use benchmark_attainment(name:"Ready",score:eoy_score,cut:70,amount:$900,group:served)
parties{payor "State of \\"Utah\\"" as state
funder "Fund \\\\ One" as philanthropy}
term 2026-09-01 to 2027-06-30 currency USD rounding down to the dollar
settlement on 2027-01-15,2027-07-31
data children keyed by child_id each school_year{tracked:boolean}
data checkpoints each month{sessions_scheduled:count sessions_attended:count}
served students when tracked
weight 1.5 for tracked or not tracked on "Ready","Savings"
cohort "Savings" due 2027-06-30 over children{let n=count where(tracked) let s = share of served students where (tracked)
let t = sum of (1) over students
pays 95%of n*$2600 when s>=50%}
penalty "Late" pays -$100 per student when tracked
cap $50000 on "Savings" cap $1600 per student, allocated in order cap $9000 per contract
floor $0 per student
funding{philanthropy pays 40% of every line,rounded half even to the cent district pays the rest}
escalation "Attendance" over checkpoints{measure rate=sessions_attended/sessions_scheduled
level 1 when rate<75%{provider "writes a plan" within 10 business days district,provider and state "meet"}
level 2 when rate<60% for 2 consecutive checkpoints{withhold 10% of all payments until rate>=75% district may terminate with 30 days notice after 2 more checkpoints withhold 5% of outcome payments}}
routines{provider shares "attendance" weekly district shares "results" within 15 days of "each window" district and provider meet "a check-in" monthly}
governance{committee "Steering" of district,provider and state meets quarterly to "review" amendments "in writing" signed by district and provider}
track "Retention" track "Belonging" "from the survey"
amendment "1.1" effective 2027-01-01{cap $1700 per student}
}`;
    const expected = `contract "All" {
  import benchmark_attainment from stdlib version "1"
  import dosage from "./templates/dosage.obc"
  use benchmark_attainment(name: "Ready", score: eoy_score, cut: 70, amount: $900, group: served)
  parties {
    payor "State of \\"Utah\\"" as state
    funder "Fund \\\\ One" as philanthropy
  }
  term 2026-09-01 to 2027-06-30
  currency USD
  rounding down to the dollar
  settlement on 2027-01-15, 2027-07-31
  data children keyed by child_id each school_year {
    tracked: boolean
  }
  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }
  served students when tracked
  weight 1.5 for tracked or not tracked on "Ready", "Savings"
  cohort "Savings" due 2027-06-30 over children {
    let n = count where (tracked)
    let s = share of served students where (tracked)
    let t = sum of (1) over students
    pays 95% of n * $2,600 when s >= 50%
  }
  penalty "Late" pays -$100 per student
    when tracked
  cap $50,000 on "Savings"
  cap $1,600 per student, allocated in order
  cap $9,000 per contract
  floor $0 per student
  funding {
    philanthropy pays 40% of every line, rounded half even to the cent
    district pays the rest
  }
  escalation "Attendance" over checkpoints {
    measure rate = sessions_attended / sessions_scheduled
    level 1 when rate < 75% {
      provider "writes a plan" within 10 business days
      district, provider and state "meet"
    }
    level 2 when rate < 60% for 2 consecutive checkpoints {
      withhold 10% of all payments until rate >= 75%
      district may terminate with 30 days notice after 2 more checkpoints
      withhold 5% of outcome payments
    }
  }
  routines {
    provider shares "attendance" weekly
    district shares "results" within 15 days of "each window"
    district and provider meet "a check-in" monthly
  }
  governance {
    committee "Steering" of district, provider and state meets quarterly to "review"
    amendments "in writing" signed by district and provider
  }
  track "Retention"
  track "Belonging" "from the survey"
  amendment "1.1" effective 2027-01-01 {
    cap $1,700 per student
  }
}
`;
    expect(errorsOf(good)).toEqual([]);
    expect(format(good).value).toBe(expected);
    expect(format(expected).value).toBe(expected);
    expect(shape(expected)).toEqual(shape(good));
  });

  it("prints a template file", () => {
    const source = `// a template
template dosage version "1.0" { param name: text = "Dosage" "the clause's name"
param minimum: count = 30
param group: population = identified "which students"
milestone name due deadline pays amount per group student when sessions >= minimum
cap cap_amount on name }`;
    expect(format(source).value).toBe(`// a template
template dosage version "1.0" {
  param name: text = "Dosage" "the clause's name"
  param minimum: count = 30
  param group: population = identified "which students"
  milestone name due deadline pays amount per group student
    when sessions >= minimum
  cap cap_amount on name
}
`);
  });

  it("keeps single blank lines between items, collapses runs, and drops them at block edges", () => {
    const source = `contract "B" {

  currency USD


  term 2026-09-01 to 2027-06-30
  // about the data

  data students {

    a: score

    b: score

  }

}
`;
    expect(format(source).value).toBe(`contract "B" {
  currency USD

  term 2026-09-01 to 2027-06-30
  // about the data

  data students {
    a: score

    b: score
  }
}
`);
  });

  it("prints empty blocks with the brace on its own line", () => {
    expect(format('contract "E" { parties { } funding {} }').value).toBe(
      'contract "E" {\n  parties {\n  }\n  funding {\n  }\n}\n',
    );
    expect(format('contract "E" {}').value).toBe('contract "E" {\n}\n');
  });
});

describe("format: comments", () => {
  it("keeps own-line, trailing and misplaced comments", () => {
    const source = `// top 1
// top 2
contract "C" { // after the brace
  metric m = a + // inside an expression
    b
  outcome "O" pays $1 per student // after the header
    // before when
    when m > 1 // after when
  parties // between keyword and brace
  {
    district "D"
    // last in the block
  }
  cap $5 per student // end
  // before the closing brace
} // after the contract
// footer`;
    const out = format(source).value;
    expect(out).toBe(`// top 1
// top 2
contract "C" {  // after the brace
  // inside an expression
  metric m = a + b
  outcome "O" pays $1 per student  // after the header
    // before when
    when m > 1  // after when
  // between keyword and brace
  parties {
    district "D"
    // last in the block
  }
  cap $5 per student  // end
  // before the closing brace
}  // after the contract
// footer
`);
    expect(parse(out).value.comments.length).toBe(parse(source).value.comments.length);
    expect(format(out).value).toBe(out);
    expect(shape(out)).toEqual(shape(source));
  });

  it("keeps comments inside tier lists and cohort clauses", () => {
    const source = `contract "C" {
  outcome "T" pays per student in tiers { // the tiers
    // first
    when g >= 10: $750 // high
    otherwise: $0
  } // end of tiers
    if missing: not met // rule
  cohort "K" { let n = count // count them
    // pay
    pays n * $1 }
}`;
    const out = format(source).value;
    expect(out).toBe(`contract "C" {
  outcome "T" pays per student in tiers {  // the tiers
    // first
    when g >= 10: $750  // high
    otherwise: $0
  }  // end of tiers
    if missing: not met  // rule
  cohort "K" {
    let n = count  // count them
    // pay
    pays n * $1
  }
}
`);
    expect(format(out).value).toBe(out);
  });

  it("never loses a comment, wherever it sits", () => {
    const body = `contract "W" version "2" {
  data students keyed by id { a: optional score b: score }
  condition c = a is present and (b > 1 or b < 0)
  outcome "X" due 2027-01-01 pays $1,000.50 * 2 per served student when c and a >= 3 if missing: excluded
  escalation "E" over checkpoints { measure r = x / y level 1 when r < 50% { provider "acts" } }
}`;
    // put a comment after every token boundary that is followed by a space
    const places = [...body.matchAll(/ /g)].map((m) => m.index!);
    for (const at of places) {
      const text = `${body.slice(0, at)} // c${at}\n${body.slice(at + 1)}`;
      if (errorsOf(text).length > 0) continue;
      const out = format(text).value;
      expect(out).toContain(`// c${at}`);
      expect(parse(out).value.comments.length).toBe(1);
      expect(format(out).value).toBe(out);
      expect(stripSpans(parse(out).value.contract)).toEqual(stripSpans(parse(text).value.contract));
    }
  });
});

describe("format: expressions", () => {
  /** The expression of `metric m = …` as the formatter prints it. */
  function metric(expr: string): string {
    const out = format(`contract "X" {\n  metric m = ${expr}\n}\n`);
    expect(out.diagnostics.filter((d) => d.severity === "error"), expr).toEqual([]);
    const line = out.value.split("\n")[1]!;
    expect(line.startsWith("  metric m = "), line).toBe(true);
    return line.slice("  metric m = ".length);
  }

  it("puts parentheses only where the grammar needs them", () => {
    expect(metric("(a+b)*c")).toBe("(a + b) * c");
    expect(metric("a+(b*c)")).toBe("a + b * c");
    expect(metric("a-(b-c)")).toBe("a - (b - c)");
    expect(metric("(a-b)-c")).toBe("a - b - c");
    expect(metric("a/(b*c)")).toBe("a / (b * c)");
    expect(metric("(a or b) and c")).toBe("(a or b) and c");
    expect(metric("a or (b and c)")).toBe("a or b and c");
    expect(metric("a or (b or c)")).toBe("a or (b or c)");
    expect(metric("not (a and b)")).toBe("not (a and b)");
    expect(metric("not (a >= b)")).toBe("not a >= b");
    expect(metric("(a < b) = c")).toBe("(a < b) = c");
    expect(metric("(not a) = c")).toBe("(not a) = c");
    expect(metric("-(a+b)")).toBe("-(a + b)");
    expect(metric("(a otherwise b) * c")).toBe("a otherwise b * c");
    expect(metric("a otherwise (b otherwise c)")).toBe("a otherwise (b otherwise c)");
    expect(metric("(a + 1) otherwise 0")).toBe("(a + 1) otherwise 0");
    expect(metric("(month starts from a through b) otherwise c")).toBe("(month starts from a through b) otherwise c");
    expect(metric("month starts from a through (b otherwise c)")).toBe("month starts from a through b otherwise c");
    expect(metric("40% of (a * b)")).toBe("40% of (a * b)");
    expect(metric("(40% of a) * b")).toBe("40% of a * b");
    expect(metric("(a + b) in [1, 2+3]")).toBe("a + b in [1, 2 + 3]");
    expect(metric("(a = b) in [true]")).toBe("(a = b) in [true]");
    expect(metric("x not in []")).toBe("x not in []");
    expect(metric("(x+1) is present")).toBe("x + 1 is present");
  });

  it("prints literals, aggregates and lists canonically", () => {
    expect(metric("$1600 + $1234567.89 - $0.50")).toBe("$1,600 + $1,234,567.89 - $0.50");
    expect(metric("-$100")).toBe("-$100");
    expect(metric("- -$100")).toBe("- -$100");
    expect(metric("75%")).toBe("75%");
    expect(metric('"say \\"hi\\" \\\\ bye"')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(metric("count of [a>=1,b,c<2]")).toBe("count of [a >= 1, b, c < 2]");
    expect(metric("count of identified students where(x)")).toBe("count of identified students where (x)");
    expect(metric("share of students")).toBe("share of students");
    expect(metric("sum of(a+b)over served students where(a>0)")).toBe("sum of (a + b) over served students where (a > 0)");
    expect(metric("count where (x and not y)")).toBe("count where (x and not y)");
    expect(metric("count")).toBe("count");
    expect(metric("month starts from 2022-09-01 through exit_date otherwise 2023-06-30")).toBe(
      "month starts from 2022-09-01 through exit_date otherwise 2023-06-30",
    );
  });

  it("round-trips random expressions through printExpr and parse", () => {
    const span = { start: 0, end: 0 };
    const names = fc.constantFrom("a", "b", "score", "x_1");
    const leaf: fc.Arbitrary<A.Expr> = fc.oneof(
      fc.constantFrom("0", "7", "12", "3.5", "1000").map((value): A.Expr => ({ $type: "NumberLit", value, span })),
      fc
        .tuple(fc.constantFrom("0", "5", "1600", "0.50", "1234567.89", "12.5"), fc.boolean())
        .map(([value, negative]): A.Expr => ({ $type: "MoneyLit", value, negative, span })),
      fc.constantFrom("75", "12.5", "100").map((value): A.Expr => ({ $type: "PercentLit", value, span })),
      fc.constantFrom("2026-09-01", "2027-06-30").map((value): A.Expr => ({ $type: "DateLit", value, span })),
      fc.boolean().map((value): A.Expr => ({ $type: "BoolLit", value, span })),
      names.map((name): A.Expr => ({ $type: "NameRef", name, span })),
    );
    const comparisons: A.CompareOp[] = ["<", "<=", ">", ">=", "=", "!="];
    const isAdd = (op: A.ArithOp | undefined) => op === "+" || op === "-";
    const pops = fc.constantFrom<A.PopulationName | undefined>(undefined, "all", "eligible", "identified", "served");
    const { expr } = fc.letrec<{ expr: A.Expr }>((tie) => {
      const sub = tie("expr");
      return {
        expr: fc.oneof(
          { depthSize: "small", withCrossShrink: true },
          leaf,
          fc.tuple(fc.constantFrom(...comparisons), sub, sub).map(([op, left, right]): A.Expr => ({ $type: "Binary", op, left, right, opSpan: span, span })),
          // chains as the parser builds them: a first operand of the same operator is part of the chain
          fc
            .tuple(fc.constantFrom<A.LogicalOp>("and", "or"), fc.array(sub, { minLength: 2, maxLength: 4 }))
            .filter(([op, operands]) => !(operands[0]!.$type === "Logical" && operands[0]!.op === op))
            .map(([op, operands]): A.Expr => ({ $type: "Logical", op, operands, opSpans: operands.slice(1).map(() => span), span })),
          fc
            .tuple(fc.boolean(), fc.array(sub, { minLength: 2, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
            .filter(([add, operands]) => !(operands[0]!.$type === "Arithmetic" && isAdd(operands[0]!.ops[0]) === add))
            .map(([add, operands, first]): A.Expr => ({
              $type: "Arithmetic",
              operands,
              ops: operands.slice(1).map((_, i) => (add ? (first[i] ? "+" : "-") : first[i] ? "*" : "/")),
              opSpans: operands.slice(1).map(() => span),
              span,
            })),
          sub.map((operand): A.Expr => ({ $type: "Unary", op: "not", operand, span })),
          sub
            .filter((operand) => !(operand.$type === "MoneyLit" && !operand.negative))
            .map((operand): A.Expr => ({ $type: "Unary", op: "-", operand, span })),
          fc
            .tuple(sub, fc.array(sub, { maxLength: 3 }), fc.boolean())
            .map(([value, items, negated]): A.Expr => ({ $type: "InList", value, items, negated, span })),
          fc.tuple(sub, fc.boolean()).map(([operand, negated]): A.Expr => ({ $type: "IsMissing", operand, negated, span })),
          fc
            .array(sub, { minLength: 2, maxLength: 3 })
            .filter((values) => values[0]!.$type !== "Otherwise")
            .map((values): A.Expr => ({ $type: "Otherwise", values, span })),
          fc
            .tuple(fc.constantFrom("40", "95"), sub)
            .map(([p, of]): A.Expr => ({ $type: "PercentOf", percent: { $type: "PercentLit", value: p, span }, of, span })),
          fc.tuple(sub, sub).map(([from, through]): A.Expr => ({ $type: "MonthStarts", from, through, span })),
          fc.array(sub, { minLength: 1, maxLength: 3 }).map((items): A.Expr => ({ $type: "CountMet", items, span })),
          fc
            .tuple(fc.constantFrom<"count" | "share">("count", "share"), pops, fc.option(sub, { nil: undefined }))
            .map(([fn, population, where]): A.Expr => ({ $type: "Aggregate", fn, population, where, span })),
          fc
            .tuple(sub, pops, fc.option(sub, { nil: undefined }))
            .map(([value, population, where]): A.Expr => ({ $type: "Aggregate", fn: "sum", value, population, where, span })),
          fc
            .tuple(fc.constantFrom("days_between", "quarter_of", "f"), fc.array(sub, { maxLength: 3 }))
            .map(([name, args]): A.Expr => ({ $type: "Call", name, nameSpan: span, args, span })),
          fc
            .tuple(sub, fc.constantFrom<"+" | "-">("+", "-"), fc.constantFrom("1", "90"), names, fc.boolean(), fc.constantFrom<A.DurationUnit>("days", "weeks", "months"))
            .map(([date, op, n, name, literal, unit]): A.Expr => ({
              $type: "DateShift", date, op, opSpan: span, unit, span,
              amount: literal ? { $type: "NumberLit", value: n, span } : { $type: "NameRef", name, span },
            })),
        ),
      };
    });
    fc.assert(
      fc.property(expr, (e) => {
        const printed = printExpr(e);
        const { value, diagnostics } = parse(`contract "X" {\n  metric m = ${printed}\n}\n`);
        expect(diagnostics.filter((d) => d.severity === "error"), printed).toEqual([]);
        const item = value.contract?.items[0];
        expect(item?.$type).toBe("MetricDecl");
        expect(stripSpans((item as A.MetricDecl).expr), printed).toEqual(stripSpans(e));
      }),
      { numRuns: 400 },
    );
  });
});

describe("format: errors", () => {
  it("returns a text with a syntax error unchanged, with the error diagnostics", () => {
    const broken = 'contract "Broken" {\n  term 2026-09-01 to\n    cap $5 per   student\n}\n';
    const out = format(broken);
    expect(out.value).toBe(broken);
    expect(out.diagnostics.length).toBeGreaterThan(0);
    expect(out.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(out.diagnostics).toEqual(parse(broken).diagnostics);
  });

  it("leaves an unclosed text, an impossible date and a malformed amount alone", () => {
    for (const broken of [
      'contract "X" {\n  track "open\n}\n',
      'contract "X" {\n  term 2026-02-30 to 2027-06-30\n}\n',
      'contract "X" {\n  cap $1,60 per student\n}\n',
      "// nothing but a comment\n",
    ]) {
      const out = format(broken);
      expect(out.value).toBe(broken);
      expect(out.diagnostics.map((d) => d.code)).toEqual(parse(broken).diagnostics.map((d) => d.code));
      expect(out.diagnostics.some((d) => d.severity === "error")).toBe(true);
    }
  });
});
