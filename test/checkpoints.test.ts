/**
 * Escalation checkpoints when a month has no data: a month missing between the first and the
 * last of the checkpoint data is a checkpoint at which nothing is measured and no trigger
 * holds, so it breaks a run of consecutive checkpoints; it is not skipped. Both deciders agree.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { checkpointPeriods } from "../engine/run.ts";

const source = `contract "Checkpoints" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  data students { sessions_by_feb28: count }
  data checkpoints each month { scheduled: count  attended: count }
  milestone "Dosage" due 2027-02-28 pays $300 per student when sessions_by_feb28 >= 30
  escalation "Attendance" over checkpoints {
    measure rate = attended / scheduled
    level 1 when rate < 75% for 2 consecutive checkpoints {
      withhold 10% of milestone payments until rate >= 75%
    }
  }
}`;

const students = "student_id,sessions_by_feb28\nA,31\n";

async function run(checkpoints: string, engine: "fast" | "reference") {
  const ir = compileSource(source).ir!;
  const out = await runContract(ir, source, [{ label: "students.csv", text: students, dataSet: "students" }, { label: "checkpoints.csv", text: checkpoints, dataSet: "checkpoints" }], { engine });
  return out.result!;
}

describe("a month with no checkpoint data", () => {
  // below 75% in October and December; November has no row
  const gap = "month,scheduled,attended\n2026-10,100,60\n2026-12,100,60\n";

  for (const engine of ["reference", "fast"] as const) {
    it(`is a checkpoint where no trigger holds, which breaks the run (${engine})`, async () => {
      const r = await run(gap, engine);
      expect(r.escalations[0]!.checkpoints.map((c) => [c.period, c.measures["rate"], c.level])).toEqual([
        ["2026-10", "60.0%", 0],
        ["2026-11", "missing", 0],
        ["2026-12", "60.0%", 0],
      ]);
      // no withholding came into force
      expect(r.totals.withheld).toBe("0.00");
    });
  }

  it("the two deciders give the same output", async () => {
    expect(JSON.stringify(await run(gap, "fast"))).toBe(JSON.stringify(await run(gap, "reference")));
    // with November present, the run holds at December: level 1, and the milestone is withheld
    const full = await run("month,scheduled,attended\n2026-10,100,60\n2026-11,100,60\n2026-12,100,60\n", "fast");
    expect(full.escalations[0]!.checkpoints.map((c) => c.level)).toEqual([0, 1, 1]);
    expect(full.totals.withheld).toBe("30.00");
  });

  it("fills only calendar months, within a hundred years", () => {
    const rows = (periods: string[]) => periods.map((period, row) => ({ period, row, values: {}, source: "x" })) as unknown as Parameters<typeof checkpointPeriods>[0];
    expect(checkpointPeriods(rows(["2026-11", "2027-02"])).map(([p, r]) => `${p}:${r.length}`)).toEqual(["2026-11:1", "2026-12:0", "2027-01:0", "2027-02:1"]);
    expect(checkpointPeriods(rows(["2026-27", "2028-29"])).map(([p]) => p)).toEqual(["2026-27", "2028-29"]);
    expect(checkpointPeriods(rows(["0001-01", "9999-12"])).map(([p]) => p)).toEqual(["0001-01", "9999-12"]);
  });
});
