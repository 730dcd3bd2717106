/** A generated contract for benchmarks and tests: valid, with many fields, metrics and clauses. */

/** A valid contract of about `lines` lines: many fields, metrics and clauses. */
export function generateContract(lines: number): string {
  const fields = 40;
  const clauses = 30;
  const out: string[] = [
    "// generated for the keystroke benchmark",
    'contract "Benchmark contract" version "1.0" {',
    "  parties {",
    '    district "Benchmark Unified School District"',
    '    provider "Benchmark Tutoring"',
    '    funder "Benchmark Foundation" as philanthropy',
    "  }",
    "  term 2026-09-01 to 2027-06-30",
    "  currency USD",
    "  rounding half up to the cent",
    "",
    "  data students keyed by student_id {",
    "    grade: integer",
    "    english_learner: boolean",
  ];
  for (let i = 0; i < fields; i++) out.push(`    score_${i}: ${i % 4 === 0 ? "optional score" : "score"}`);
  out.push("  }", "", "  data checkpoints each month {", "    sessions_scheduled: count", "    sessions_attended: count", "  }", "");
  out.push("  identified students when grade in [6, 7, 8, 9] and score_1 < 60", "");
  for (let i = 0; i < clauses; i++) {
    const f = 1 + (i % (fields - 1));
    const optional = f % 4 === 0;
    out.push(
      `  ${i % 3 === 0 ? "milestone" : i % 3 === 1 ? "outcome" : "partial"} "Clause ${i}" pays $${100 + i} per identified student`,
      `    when score_${f} >= ${50 + (i % 30)} and grade >= 6`,
    );
    if (optional) out.push("    if missing: not met");
    out.push("");
  }
  out.push('  weight 1.2 for english_learner on "Clause 1", "Clause 2"', "  cap $5,000 per student", "  cap $2,000,000 per contract, allocated pro rata", "");
  out.push("  funding {", "    philanthropy pays 40% of every line, rounded half up to the cent", "    district pays the rest", "  }", "");
  out.push(
    '  escalation "Attendance" over checkpoints {',
    "    measure attendance_rate = sessions_attended / sessions_scheduled",
    "    level 1 when attendance_rate < 75% {",
    '      provider "submits an improvement plan" within 15 days',
    "    }",
    "  }",
    "",
  );
  // fill up to the requested length with metrics (the closing brace is the last line)
  let m = 0;
  while (out.length < lines - 1) {
    out.push(`  metric growth_${m} = score_${(m % (fields - 1)) + 1} - score_${((m + 1) % (fields - 1)) + 1}`);
    m++;
  }
  out.push("}");
  return out.join("\n") + "\n";
}
