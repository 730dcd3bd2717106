/**
 * Synthetic inputs for the benchmarks: students for the algebra-pilot contract (as CSV text and
 * as ready slot values), and a large generated contract. Deterministic (a fixed LCG).
 */
import type { FieldSlot } from "../engine/fast/expr.ts";

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

const DATES = ["2026-09-20", "2026-10-10", "2026-10-20", ""];

/** One student of examples/03-algebra-pilot as its CSV cells. */
function algebraCells(i: number, rnd: () => number): string[] {
  const boy = 30 + Math.floor(rnd() * 40);
  return [
    `P${String(i).padStart(7, "0")}`,
    String(rnd() < 0.45 ? 8 : rnd() < 0.5 ? 9 : 7),
    rnd() < 0.3 ? "true" : "false",
    rnd() < 0.15 ? "yes" : "no",
    DATES[Math.floor(rnd() * 4)]!,
    DATES[Math.floor(rnd() * 4)]!,
    String(Math.floor(rnd() * 45)),
    String(boy),
    rnd() < 0.1 ? "" : String(boy + Math.floor(rnd() * 30)),
    rnd() < 0.9 ? "" : "2027-03-01",
  ];
}

export const ALGEBRA_HEADER = "student_id,grade,english_learner,iep,diagnostic_date,first_session_date,sessions_by_feb28,boy_score,eoy_score,exit_date";
export const ALGEBRA_CHECKPOINTS = "month,sessions_scheduled,sessions_attended\n2026-10,400,340\n2026-11,420,310\n2026-12,380,270\n2027-01,410,330\n";

/** n students of the algebra pilot as CSV text (header included). */
export function algebraCsv(n: number, seed = 1): string {
  const rnd = lcg(seed);
  const parts: string[] = [ALGEBRA_HEADER];
  for (let i = 0; i < n; i++) parts.push(algebraCells(i, rnd).join(","));
  return parts.join("\n") + "\n";
}

/** n students of the algebra pilot as slot arrays of the fast engine (the same values as `algebraCsv`). */
export function algebraSlots(n: number, fields: Map<string, FieldSlot>, nSlots: number, seed = 1): unknown[][] {
  const rnd = lcg(seed);
  const names = ALGEBRA_HEADER.split(",");
  const slotOf = names.map((c) => fields.get(c)!.slot);
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const cells = algebraCells(i, rnd);
    const a = new Array<unknown>(nSlots).fill(undefined);
    cells.forEach((c, k) => {
      const name = names[k]!;
      let v: unknown;
      if (c === "") v = undefined;
      else if (name === "student_id" || name.endsWith("_date")) v = c;
      else if (name === "english_learner" || name === "iep") v = c === "true" || c === "yes";
      else v = Number(c);
      a[slotOf[k]!] = v;
    });
    rows.push(a);
  }
  return rows;
}

/** A generated contract of about `lines` lines: many fields, metrics and clauses. */
export function bigContract(lines: number): string {
  const out: string[] = [];
  out.push(`contract "Generated district contract" version "1" {`);
  out.push(`  parties {\n    district "District"\n    provider "Provider"\n    funder "Foundation" as philanthropy\n  }`);
  out.push(`  term 2026-09-01 to 2027-06-30`);
  out.push(`  currency USD`);
  const nFields = 6 * Math.max(4, Math.floor(lines / 240));
  out.push(`  data students keyed by student_id {`);
  for (let i = 0; i < nFields; i++) {
    const t = ["score", "count", "boolean", "optional date", "optional score", "integer"][i % 6];
    out.push(`    f${i}: ${t}`);
  }
  out.push(`  }`);
  out.push(`  identified students when f5 in [8, 9] and f0 < 60`);
  const fieldOf = (t: number, i: number) => `f${(Math.floor(i / 6) * 6 + t) % nFields}`;
  let clause = 0;
  let metric = 0;
  const count = () => out.reduce((n, l) => n + l.split("\n").length, 0);
  let have = count();
  while (have < lines - 20) {
    for (let k = 0; k < 50; k++) {
      if (metric < clause / 2) {
        out.push(`  metric m${metric} = ${fieldOf(4, metric)} - ${fieldOf(0, metric + 1)}`);
        metric++;
        continue;
      }
      const i = clause++;
      const m = metric > 0 ? `m${i % metric}` : fieldOf(0, i);
      out.push(`  outcome "Outcome ${i}" pays $${100 + (i % 9) * 50} per identified student`);
      out.push(`    when (${fieldOf(0, i)} >= ${50 + (i % 30)} and ${fieldOf(1, i)} >= ${i % 40}) or (${fieldOf(2, i)} and ${m} >= ${i % 20})`);
      out.push(`    if missing: not met`);
    }
    have = count();
  }
  out.push(`  weight 1.2 for f2 on "Outcome 0", "Outcome 1"`);
  out.push(`  cap $5,000,000 per contract`);
  out.push(`  funding {\n    philanthropy pays 40% of every line\n    district pays the rest\n  }`);
  out.push(`}`);
  return out.join("\n") + "\n";
}
