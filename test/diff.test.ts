/**
 * Comparison of two versions of a contract, in business terms.
 *
 * Each pair under test/versions/<name>/{old,new}.obc is derived from an example contract and
 * changes one kind of term; the test asserts the exact sentences of the comparison.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ContractIR } from "../language/check/ir.ts";
import { compileSource } from "../language/driver.ts";
import { renderText } from "../language/diagnostics/render.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import { diffContracts, diffDocument, toDocx, toHtml, toMarkdown, type DiffResult } from "../engine/diff/index.ts";
import { diffWords } from "../engine/diff/redline.ts";
import { sourceMap } from "../engine/summary/index.ts";

function compile(path: string): { ir: ContractIR; source: string } {
  const source = readFileSync(path, "utf8");
  const c = compileSource(source, { resolver: nodeResolver(path) });
  if (!c.ok || !c.ir) throw new Error(renderText(c.diagnostics, source, path));
  return { ir: c.ir, source };
}

function diffPair(name: string): DiffResult {
  const o = compile(join("test/versions", name, "old.obc"));
  const n = compile(join("test/versions", name, "new.obc"));
  return diffContracts(o.ir, o.source, n.ir, n.source);
}

const texts = (d: DiffResult) => d.changes.map((c) => c.text);

describe("version pairs", () => {
  it("has at least the eight pairs the tests below name", () => {
    expect(readdirSync("test/versions").sort()).toEqual(expect.arrayContaining([
      "amount-change", "cap-change", "clauses", "deadline-move", "identical", "new-escalation-level", "rename", "terms", "threshold-change",
    ]));
  });

  it("identical: comments and layout are not changes", () => {
    const d = diffPair("identical");
    expect(d.equal).toBe(true);
    expect(d.changes).toEqual([]);
  });

  it("amount change: the payment, the version, the effect on the maximum, and the knock-on effects", () => {
    const d = diffPair("amount-change");
    expect(texts(d)).toEqual([
      "The version changes from '1.0' to '1.1'.",
      "The 'Algebra ready' payment rises from $900.00 to $950.00 per student.",
      // $950 × 1.2 for English learners and students with an IEP
      "With the weight of 1.2 that applies when the student is an English learner (english_learner) or has an IEP (iep), the 'Algebra ready' payment rises from $1,080.00 to $1,140.00.",
      // 40% of $950, rounded half up to the cent, and the rest
      "Of each 'Algebra ready' payment of $950.00, the Funder pays $380.00 and the District $570.00 (before: $360.00 and $540.00 of $900.00).",
      // $200 + $300 + $950 × 1.2 = $1,640, cut to the $1,600 cap
      "The maximum per student rises from $1,580.00 to $1,600.00.",
      "The contingent share rises from 68.35% to 69.51%.",
      "Of the most one student can earn, $1,600.00, the Funder pays $640.00 and the District $960.00 (before: $632.00 and $948.00 of $1,580.00).",
      "The cap per student of $1,600.00 can now bind: the payments one student can earn together now add up to $1,640.00, so a student who earns the most is paid $1,600.00.",
      // $500,000 ÷ $1,600 = 312.5: from 313 students (317 at $1,580)
      "The cap per contract of $500,000.00 now binds from 313 students earning the maximum instead of 317.",
    ]);
    expect(d.changes.map((c) => c.kind)).toEqual(["changed", "changed", "effect", "effect", "changed", "changed", "effect", "effect", "effect"]);
  });

  it("a deadline moved without its condition: the change only delays the payment", () => {
    const d = diffPair("deadline-only");
    expect(texts(d)).toEqual([
      "The deadline for 'Dosage' moves from 28 February 2027 to 31 March 2027.",
      "The condition for 'Dosage' did not move with its deadline: it still reads the number of sessions by 28 February (sessions_by_feb28), so the change only delays the payment: a student has no more time to meet the condition.",
    ]);
    expect(d.changes[1]!.kind).toBe("effect");
    // a date written in the condition is a date the condition measures by, too
    const o = compile("test/versions/deadline-move/old.obc");
    const source = o.source.replace('milestone "Onboarded" due 2026-10-15', 'milestone "Onboarded" due 2026-11-01');
    const n = { source, ir: compileSource(source).ir! };
    expect(texts(diffContracts(o.ir, o.source, n.ir, n.source))[1]).toBe(
      "The condition for 'Onboarded' did not move with its deadline: it still reads the diagnostic date (diagnostic_date) is on or before 15 October 2026 and the first session date (first_session_date) is on or before 15 October 2026, so the change only delays the payment: a student has no more time to meet the condition.",
    );
  });

  it("deadline move: the deadline and the dates of the condition", () => {
    const d = diffPair("deadline-move");
    expect(texts(d)).toEqual([
      "The deadline for 'Onboarded' moves from 15 October 2026 to 1 November 2026.",
      "The threshold for 'Onboarded' on the diagnostic date (diagnostic_date) changes from on or before 15 October 2026 to on or before 1 November 2026.",
      "The threshold for 'Onboarded' on the first session date (first_session_date) changes from on or before 15 October 2026 to on or before 1 November 2026.",
    ]);
    expect(d.changes[0]!.kind).toBe("changed");
    expect(d.changes[0]!.area).toBe("clauses");
  });

  it("new escalation level: stated with its trigger and actions", () => {
    const d = diffPair("new-escalation-level");
    expect(texts(d)).toEqual(["A new escalation level 3 is added."]);
    expect(d.changes[0]!.details).toEqual([
      "Trigger: Attendance Rate is below 60% at 3 consecutive checkpoints.",
      "10% of milestone payments are withheld until Attendance Rate is at least 75%.",
      "The District may terminate the contract with 30 days' notice once this level (or a higher one) has applied at 2 more consecutive checkpoints.",
    ]);
    expect(d.changes[0]!.newSpan).toBeDefined();
  });

  it("rename: reported as a rename, and the weight that follows the new name is not a change", () => {
    const d = diffPair("rename");
    expect(texts(d)).toEqual(["'Growth' is renamed 'Growth payment'."]);
    expect(d.changes[0]!.kind).toBe("renamed");
  });

  it("a weight the cap per student now absorbs can no longer apply", () => {
    const o = compile("test/versions/amount-change/old.obc");
    // $200 + $300 + $1,100 = $1,600: a student who earns the most reaches the cap without the weight
    const source = o.source.replace('outcome "Algebra ready" pays $900', 'outcome "Algebra ready" pays $1,100');
    const n = compileSource(source).ir!;
    expect(texts(diffContracts(o.ir, o.source, n, source))).toContain(
      "The weight of 1.2 on 'Algebra ready' and 'Growth' can no longer raise what a student who earns the most is paid: without it, the payments already reach the cap per student of $1,600.00.",
    );
  });

  it("a new amendment: what it changes, and the figures of the terms finally in force", () => {
    const o = compile("examples/03-algebra-pilot/contract.obc");
    const source = `${o.source.slice(0, o.source.lastIndexOf("}"))}
  amendment "1.1" effective 2027-01-01 {
    outcome "Algebra ready" pays $1,000 per identified student
      when enrolled_for_testing and eoy_score >= 70
      if missing: not met
  }
}
`;
    const n = compileSource(source, { resolver: nodeResolver("examples/03-algebra-pilot/contract.obc") }).ir!;
    const d = diffContracts(o.ir, o.source, n, source);
    const added = d.changes.find((c) => c.area === "amendments")!;
    expect(added.text).toBe("A new amendment, '1.1', is added, taking effect on 1 January 2027.");
    expect(added.details![0]).toBe("The 'Algebra ready' payment rises from $900.00 to $1,000.00 per student.");
    // $200 + $300 + $1,000 × 1.2 = $1,700, cut to the $1,600 cap
    expect(texts(d)).toContain("The cap per student of $1,600.00 can now bind: the payments one student can earn together now add up to $1,700.00, so a student who earns the most is paid $1,600.00.");
  });

  it("threshold change", () => {
    expect(texts(diffPair("threshold-change"))).toEqual([
      "The threshold for 'Algebra ready' changes from at least 70 to at least 72.",
      "'Growth' is paid only to a student who does not qualify for 'Algebra ready', so this change also decides who can be paid 'Growth'.",
    ]);
  });

  it("cap change: amounts and how a binding cap is shared", () => {
    expect(texts(diffPair("cap-change"))).toEqual([
      "The cap per student rises from $1,420.00 to $1,500.00.",
      "A binding cap per student is now shared in clause order instead of pro rata.",
      "The cap per contract falls from $1,200,000.00 to $1,000,000.00.",
      // $1,000,000 ÷ $1,420 = 704.2…
      "The cap per contract of $1,000,000.00 now binds from 705 students earning the maximum instead of 846.",
    ]);
  });

  it("clauses: a tier, a new bonus with its data field, a removed base payment", () => {
    const d = diffPair("clauses");
    expect(texts(d)).toEqual([
      "A new field, map_spring_percentile (score, may be missing), is added to the students data.",
      "In 'Outcome', tier 2 rises from $375.00 to $400.00 per student.",
      "A new bonus, 'High achiever', is added.",
      "The base payment 'Base' is removed.",
      "The maximum per student falls from $1,420.00 to $850.00.",
      "The contingent share rises from 52.82% to 100.00%.",
      // $1,200,000 ÷ $850 = 1,411.7…
      "The cap per contract of $1,200,000.00 now binds from 1412 students earning the maximum instead of 846.",
    ]);
    expect(d.changes.find((c) => c.text.startsWith("A new bonus"))!.details).toEqual([
      "For each Served Student, a bonus of $100.00 is payable when the MAP spring percentile (map_spring_percentile) is at least 75.",
    ]);
    expect(d.changes.find((c) => c.text.startsWith("The base payment"))!.kind).toBe("removed");
  });

  it("terms: party, weight, funding, settlement, escalation deadline, routine, committee, tracked metric", () => {
    expect(texts(diffPair("terms"))).toEqual([
      "The provider changes from 'Bright Path Tutoring' to 'Bright Path Learning'.",
      "The weight on 'Algebra ready' and 'Growth' rises from 1.2 to 1.25.",
      "The Funder's share of every payment line rises from 40% to 50%.",
      "Settlement dates are now stated: 15 January 2027 and 31 July 2027.",
      "At escalation level 2, the deadline for the Provider to submit an improvement plan changes from 15 days to 10 days.",
      "The Provider now shares session attendance every two weeks instead of every week.",
      "The 'Steering committee' now meets every month instead of every quarter.",
      "A new metric is tracked, not paid: 'Family engagement'.",
      "The maximum per student rises from $1,580.00 to $1,600.00.",
      "The contingent share rises from 68.35% to 69.23%.",
      "Of the most one student can earn, $1,600.00, the Funder pays $800.00 and the District $800.00 (before: $632.00 and $948.00 of $1,580.00).",
      // $200 + $300 + $900 × 1.25 = $1,625
      "The cap per student of $1,600.00 can now bind: the payments one student can earn together now add up to $1,625.00, so a student who earns the most is paid $1,600.00.",
      "The cap per contract of $500,000.00 now binds from 313 students earning the maximum instead of 317.",
    ]);
  });

  it("the other direction reads as the reverse", () => {
    const o = compile("test/versions/rename/new.obc");
    const n = compile("test/versions/rename/old.obc");
    expect(texts(diffContracts(o.ir, o.source, n.ir, n.source))).toEqual(["'Growth payment' is renamed 'Growth'."]);
    const a = compile("test/versions/new-escalation-level/new.obc");
    const b = compile("test/versions/new-escalation-level/old.obc");
    expect(texts(diffContracts(a.ir, a.source, b.ir, b.source))).toEqual(["Escalation level 3 is removed."]);
  });

  it("every example is equal to itself", () => {
    for (const d of readdirSync("examples").sort()) {
      for (const f of readdirSync(join("examples", d)).filter((x) => x.endsWith(".obc"))) {
        const c = compile(join("examples", d, f));
        expect(diffContracts(c.ir, c.source, c.ir, c.source).equal, `${d}/${f}`).toBe(true);
      }
    }
  });
});

describe("rendering a comparison", () => {
  it("Markdown, HTML and Word, with the summary's renderers", async () => {
    const d = diffPair("deadline-move");
    const doc = diffDocument(d, { oldName: "old.obc", newName: "new.obc" });
    const md = toMarkdown(doc);
    expect(md).toBe(
      [
        "# Changes to “Algebra readiness pilot”",
        "",
        "*Plain-language comparison of two versions of the contract, generated from their source texts. Each change is stated in the contract's terms.*",
        "",
        "| | |",
        "|---|---|",
        "| **Earlier version** | Algebra readiness pilot, version 1.0 (old.obc) |",
        "| **Later version** | Algebra readiness pilot, version 1.0 (new.obc) |",
        "| **Result** | 3 changes |",
        "",
        "## 1. Payments for each student",
        "",
        "- The deadline for 'Onboarded' moves from 15 October 2026 to 1 November 2026.",
        "- The threshold for 'Onboarded' on the diagnostic date (diagnostic_date) changes from on or before 15 October 2026 to on or before 1 November 2026.",
        "- The threshold for 'Onboarded' on the first session date (first_session_date) changes from on or before 15 October 2026 to on or before 1 November 2026.",
        "",
      ].join("\n"),
    );
    const html = toHtml(doc);
    expect(html).toContain("<h2><span class=\"num\">1.</span> Payments for each student</h2>");
    expect(html).toContain("The deadline for &#39;Onboarded&#39; moves from 15 October 2026 to 1 November 2026.");
    expect(html).not.toMatch(/<script/i);
    const bytes = await toDocx(doc);
    expect(bytes[0]).toBe(0x50); // "PK": a zip file
    expect(bytes[1]).toBe(0x4b);
    // each change points at the clause in the new version
    const n = compile("test/versions/deadline-move/new.obc");
    const clause = n.ir.clauses.find((c) => c.name === "Onboarded")!;
    const due = sourceMap(doc).find((e) => e.sentence.startsWith("The deadline"))!;
    expect(n.source.slice(due.start, due.end)).toBe("2026-11-01");
    expect(due.start).toBeGreaterThanOrEqual(clause.decl.span.start);
  });

  it("a redline strikes a moved date whole, and a phrase changed word by word as one change", () => {
    expect(diffWords("Its deadline, 28 February 2027, measures by the same date (x).", "Its deadline, 31 March 2027, measures by its own dates (x), not by the deadline.")).toEqual([
      { text: "Its deadline, " },
      { text: "28 February 2027", change: "del" },
      { text: "31 March 2027", change: "ins" },
      { text: ", measures by " },
      { text: "the same date", change: "del" },
      { text: "its own dates", change: "ins" },
      { text: " (x)" },
      { text: ", not by the deadline", change: "ins" },
      { text: "." },
    ]);
    expect(diffWords("binds from 317 students", "binds from 313 students")).toEqual([{ text: "binds from " }, { text: "317", change: "del" }, { text: "313", change: "ins" }, { text: " students" }]);
  });

  it("an identical pair says so", () => {
    const md = toMarkdown(diffDocument(diffPair("identical")));
    expect(md).toContain("| **Result** | The two versions say the same thing. |");
    expect(md).toContain("## 1. Result");
  });
});
