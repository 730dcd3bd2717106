/**
 * The one settlement (engine/settle.ts), as every path uses it: a full run with either decider
 * and a bulk run settle the same lines the same way, and a run whose amounts cannot be settled
 * exactly in integer cents is refused, never rounded.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { runBulk } from "../engine/fast/bulk.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { compositeIR } from "../engine/amendments.ts";
import { compileContract } from "../engine/compile.ts";
import { loadInputs } from "../engine/inputs.ts";
import { fastDecide } from "../engine/fast/decide.ts";
import { linesOf } from "../engine/result.ts";
import type { Runtime } from "../engine/run.ts";
import { checkSettlement, settle, settlementProblem, type Settlement } from "../engine/settle.ts";

const contract = (body: string) => `contract "Settlement" {
  parties { district "D"  provider "P" }
  term 2026-09-01 to 2027-06-30
  data students keyed by student_id {
    score: score
    award: optional money
  }
${body}
}
`;

async function runAll(source: string, students: string) {
  const c = compileSource(source);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const files = [{ label: "students.csv", text: students, dataSet: "students" }];
  const reference = await runContract(c.ir!, source, files, { engine: "reference" });
  const fast = await runContract(c.ir!, source, files, { engine: "fast" });
  const bulk = runBulk(c.ir!, source, files, { detail: true });
  return { reference, fast, bulk };
}

describe("amounts beyond exact integer cents", () => {
  it("refuses a run whose amounts add up to more than 2^53 − 1 cents, on every path (OBC5090)", async () => {
    // each line is settleable, their sum is not: $60 trillion + $60 trillion
    const { reference, fast, bulk } = await runAll(contract(`  outcome "Award" pays award per student when score >= 50\n    if missing: not met`), "student_id,score,award\nA,60,60000000000000\nB,70,60000000000000\n");
    for (const out of [reference, fast]) {
      expect(out.ok).toBe(false);
      expect(out.result).toBeUndefined();
      expect(out.problems.filter((p) => p.code === "OBC5090").map((p) => p.rule)).toEqual(["amount-too-large"]);
    }
    expect(bulk.ok).toBe(false);
    expect(bulk.totals).toBeUndefined();
    expect(bulk.problems.map((p) => p.code)).toContain("OBC5090");
    // no student value in the message
    for (const p of [...fast.problems, ...bulk.problems]) expect(p.message).not.toMatch(/60000000000000|60,000,000,000,000/);
  });

  it("refuses a single line too large for a safe integer", async () => {
    const { fast, bulk } = await runAll(contract(`  outcome "Award" pays $100,000,000,000,000 per student when score >= 50`), "student_id,score,award\nA,60,\n");
    expect(fast.ok).toBe(false);
    expect(fast.problems.map((p) => p.code)).toContain("OBC5090");
    expect(bulk.ok).toBe(false);
  });

  it("settles amounts just under the bound exactly, and a cap beyond it never binds", async () => {
    const { reference, fast, bulk } = await runAll(
      contract(`  outcome "Award" pays award per student when score >= 50\n    if missing: not met\n  cap $100,000,000,000,000 per contract`),
      "student_id,score,award\nA,60,45035996273704.95\nB,70,45035996273704.96\n",
    );
    expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
    const r = fast.result!;
    expect(r.totals.paid).toBe("90071992547409.91");
    expect(r.totals.contractCap).toEqual({ cap: "100000000000000.00", binds: false, factor: "1" });
    expect(r.students.map((s) => s.total)).toEqual(["45035996273704.95", "45035996273704.96"]);
    expect(bulk.totals).toEqual(r.totals);
  });
});

// ───────────── funding: every cent has a payer ─────────────

describe("funding split", () => {
  it("percentages of 100% in all and no party paying the rest: the last party named pays the rest", async () => {
    const source = `contract "Two payers" {
  parties { district "D"  provider "P"  funder "F" as foundation }
  data students keyed by student_id {
    score: score
  }
  outcome "Small" pays $0.05 per student
  funding {
    district pays 50% of every line
    foundation pays 50% of every line
  }
}
`;
    const files = [{ label: "students.csv", text: "student_id,score\nA,1\nB,2\nC,3\n", dataSet: "students" }];
    const ir = compileSource(source).ir!;
    const ref = await runContract(ir, source, files, { engine: "reference" });
    const fast = await runContract(ir, source, files);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(ref));
    // 50% of $0.05 is $0.025, rounded half up to $0.03 for the district; the foundation pays the $0.02 left
    expect(fast.result!.students.map((s) => s.lines[0]!.funding)).toEqual([0, 1, 2].map(() => ({ district: "0.03", foundation: "0.02" })));
    expect(fast.result!.totals.byPayer).toEqual({ district: "0.09", foundation: "0.06" });
    expect(fast.result!.totals.paid).toBe("0.15");
    expect(fast.result!.internalError).toBeUndefined();
    expect(runBulk(ir, source, files).totals!.byPayer).toEqual({ district: "0.09", foundation: "0.06" });
  });
});

// ───────────── the run-time checks ─────────────

const CHECKED = `contract "Checked" {
  parties { district "D"  provider "P"  funder "F" as foundation }
  term 2026-09-01 to 2027-06-30
  data students keyed by student_id {
    score: score
  }
  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }
  outcome "A" pays $600 per student when score >= 0
  milestone "B" pays $300 per student when score >= 50
  penalty "C" pays -$50 per student when score < 10
  cap $500 on "A"
  cap $800 per student
  floor $100 per student
  cap $1,000 per contract
  funding {
    foundation pays 40% of every line, rounded down to the cent
    district pays the rest
  }
  cohort "Reach" {
    let n = count of students where (score >= 50)
    pays $10 * n
  }
  escalation "Attendance" over checkpoints {
    measure rate = sessions_attended / sessions_scheduled
    level 1 when rate < 75% {
      withhold 10% of milestone payments
    }
  }
}
`;

/** A real settlement of the contract above (every step applies), and a copy to corrupt. */
function checkedSettlement(): { ir: ContractIR; st: Settlement; copy: () => Settlement } {
  const ir = compositeIR(compileSource(CHECKED).ir!, undefined).ir;
  const compiled = compileContract(ir, CHECKED);
  const files = [
    { label: "students.csv", text: "student_id,score\nA,5\nB,60\nC,70\nD,90\n", dataSet: "students" },
    { label: "checkpoints.csv", text: "month,sessions_scheduled,sessions_attended\n2026-10,40,20\n", dataSet: "checkpoints" },
  ];
  const rt: Runtime = { compiled, factText: new Map(), problems: [] };
  const d = fastDecide(ir, loadInputs(ir, files).rows, rt, () => "");
  const st = settle(ir, linesOf(ir, d.students), d.cohorts, d.escalations);
  if (!st.ok) throw new Error("not settled");
  const copy = (): Settlement => ({
    ...st,
    paid: st.paid.slice(),
    withheld: st.withheld.slice(),
    floor: st.floor.slice(),
    studentTotal: st.studentTotal.slice(),
    uncapped: st.uncapped.slice(),
    cohortPaid: [...st.cohortPaid],
    byClause: new Map(st.byClause),
    byPayer: [...st.byPayer],
  });
  return { ir, st, copy };
}

describe("run-time checks of the settlement (OBC9001)", () => {
  it("a real settlement that exercises every step holds every guarantee", () => {
    const { st } = checkedSettlement();
    expect(st.violations).toEqual([]);
    // every step did something here
    expect(st.clauseCapBinds).toEqual([true]);
    expect(st.contractCap?.binds).toBe(true);
    expect([...st.floor].some((f) => f > 0)).toBe(true);
    expect([...st.withheld].some((w) => w > 0)).toBe(true);
    expect(st.cohortPaid.length).toBe(1);
  });

  // each corruption, and what the check says about it
  const faults: [string, (s: Settlement) => void, RegExp][] = [
    ["a line paid a cent more than its amount", (s) => { const i = s.store.amount.indexOf(30000); s.paid[i] = 30001; }, /a cap raised 1 line or made it negative/],
    ["a line cut below zero", (s) => { s.paid[0] = -1; }, /a cap raised 1 line or made it negative/],
    ["a student total a cent off its lines", (s) => { s.studentTotal[1]! += 1; }, /the lines of 1 student do not add up to the student's total/],
    ["a student's lines over the cap per student", (s) => { const a = s.store.lineStart[3]!; s.paid[a]! += 80000; s.store.amount[a]! += 80000; }, /the lines of 1 student exceed the cap per student/],
    [
      "a floor line that raises a total above the floor",
      (s) => {
        const k = [...s.floor].findIndex((f) => f > 0);
        const lines = s.studentTotal[k]! - s.floor[k]!;
        const more = 10001 - lines - s.floor[k]!;
        s.floor[k]! += more;
        s.studentTotal[k]! += more;
        s.uncapped[k]! += more;
      },
      /the floor line of 1 student raises the total above the floor/,
    ],
    ["a clause's lines over its cap", (s) => { const i = s.store.clause.indexOf(0); s.store.amount[i] = 60000; s.paid[i]! += 20000; }, /the lines of clause a exceed its cap/],
    ["the total paid over the cap per contract", (s) => { s.paidTotal += 1; }, /the total paid exceeds the cap per contract/],
    ["the totals out of step with the students and cohort payments", (s) => { s.paidTotal -= 1; }, /the students' totals and the cohort payments do not add up to the total paid/],
    ["a cohort payment raised by the cap", (s) => { s.cohortPaid[0] = s.cohortAmount[0]! + 1; }, /a cap raised a cohort payment or made it negative/],
    ["a withholding over the line", (s) => { const i = s.withheld.findIndex((w) => w > 0); s.withheld[i] = s.paid[i]! + 1; s.withheldTotal += s.paid[i]! + 1 - s.withheld[i]!; }, /1 line withhold more than they pay/],
    ["the total withheld off the lines", (s) => { s.withheldTotal += 1; }, /the amounts withheld do not add up to the total withheld/],
    ["a clause total off its lines", (s) => { s.byClause.set("b", s.byClause.get("b")! + 1); }, /the totals by clause do not match the lines/],
    ["payers' shares that do not add up to a line", (s) => { const f = Object.create(s.funding) as Settlement["funding"]; f.split = (p: number) => Float64Array.of(p, 1); s.funding = f; }, /the payers' shares of \d+ amounts? paid do not add up to the amount/],
    ["totals by payer off the total", (s) => { s.byPayer[0]! += 1; }, /the totals by payer do not add up to the total paid/],
  ];
  for (const [what, fault, says] of faults) {
    it(`fires on ${what}`, () => {
      const { ir, copy } = checkedSettlement();
      const bad = copy();
      fault(bad);
      const found = checkSettlement(ir, bad);
      expect(found.join("\n")).toMatch(says);
      // the problem never names a student
      expect(settlementProblem(found).message).not.toMatch(/\b[ABCD]\b/);
    });
  }
});

describe("amounts before the cap per contract", () => {
  it("each student's amount after the cap per student, and the total before the cap per contract, for both engines", async () => {
    const src = `contract "Caps" {
  parties { district "D" provider "P" }
  data students { eoy: score  sessions: count }
  milestone "Dosage" pays $500 per student when sessions >= 20
  outcome "Ready" pays $900 per student when eoy >= 70
  cap $1,000 per student
  cap $1,500 per contract
  cohort "Reach" {
    let ready = count of students where (eoy >= 70)
    pays $100 when ready >= 2
  }
}`;
    const ir = compileSource(src).ir!;
    const files = [{ label: "students.csv", text: "student_id,eoy,sessions\nA,80,25\nB,75,0\nC,10,0\n", dataSet: "students" }];
    for (const engine of ["reference", "fast"] as const) {
      const r = (await runContract(ir, src, files, { engine })).result!;
      // A: $1,400 cut to $1,000 by the cap per student; B: $900; C: nothing; the cohort payment $100
      expect(r.students.map((s) => [s.id, s.uncapped, s.beforeContractCap])).toEqual([["A", "1400.00", "1000.00"], ["B", "900.00", "900.00"], ["C", "0.00", "0.00"]]);
      expect([r.totals.uncapped, r.totals.beforeContractCap, r.totals.paid]).toEqual(["2400.00", "2000.00", "1500.00"]);
      expect(r.totals.contractCap).toEqual({ cap: "1500.00", binds: true, factor: "0.75" });
      // $2,000 × 3/4: each share exactly three quarters
      expect(r.students.map((s) => s.total)).toEqual(["750.00", "675.00", "0.00"]);
      expect(r.cohorts[0]!.paid).toBe("75.00");
    }
  });
});
