/**
 * A fault injected into the settlement's arithmetic, end to end: the pro rata share of a
 * binding cap (`shareByPosition` of engine/cents.ts) is made to give one cent too many. The
 * run-time checks must catch it on every path: the result carries `internalError` and an
 * OBC9001 problem (never a student's id), `obc run` and `obc run --bulk` write nothing and
 * exit 70, and the ledger records nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("../engine/cents.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../engine/cents.ts")>();
  return {
    ...real,
    // the fault: the first share of every pro rata split gets one cent more
    shareByPosition: (ids: string[], weights: number[], total: number) => {
      const out = real.shareByPosition(ids, weights, total);
      if (out.length) out[0]! += 1;
      return out;
    },
  };
});

const { compileSource } = await import("../language/driver.ts");
const { runContract } = await import("../engine/index.ts");
const { runBulk } = await import("../engine/fast/bulk.ts");
const { main } = await import("../cli/main.ts");

const SOURCE = `contract "Capped" {
  parties { district "D"  provider "P" }
  term 2026-09-01 to 2027-06-30
  data students keyed by student_id {
    score: score
  }
  outcome "Pass" pays $100 per student when score >= 50
  cap $250 per contract
}
`;
const STUDENTS = "student_id,score\nS1,60\nS2,70\nS3,80\n";
const files = [{ label: "students.csv", text: STUDENTS, dataSet: "students" }];

function io() {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => stdout,
    err: () => stderr,
  };
}

describe("a fault in the settlement is caught on every path", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-fault-"));
    await writeFile(join(dir, "contract.obc"), SOURCE);
    await writeFile(join(dir, "students.csv"), STUDENTS);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("full runs with either decider: the result carries internalError and an OBC9001 problem", async () => {
    const ir = compileSource(SOURCE).ir!;
    for (const engine of ["reference", "fast"] as const) {
      const out = await runContract(ir, SOURCE, files, { engine });
      expect(out.ok).toBe(true);
      const r = out.result!;
      // $300 capped to $250, plus the injected cent
      expect(r.totals.paid).toBe("250.01");
      expect(r.internalError?.code).toBe("OBC9001");
      expect(r.internalError?.failures.join(" ")).toMatch(/The settlement check failed: .*the total paid exceeds the cap per contract/);
      expect(out.problems.filter((p) => p.code === "OBC9001").map((p) => p.rule)).toEqual(["settlement-check"]);
      expect(r.dataQuality.problems.map((p) => p.code)).toContain("OBC9001");
      // the first key of the JSON, so that no reader misses it
      expect(Object.keys(r).slice(0, 2)).toEqual(["schema", "internalError"]);
      expect(JSON.stringify(r.internalError)).not.toMatch(/S[123]/);
    }
  });

  it("bulk runs: the result carries internalError", () => {
    const b = runBulk(compileSource(SOURCE).ir!, SOURCE, files);
    expect(b.internalError?.code).toBe("OBC9001");
    expect(b.problems.map((p) => p.code)).toContain("OBC9001");
  });

  it("obc run and obc run --bulk exit 70, write nothing to stdout or --out, and say why", async () => {
    for (const extra of [[], ["--json"], ["--bulk"], ["--bulk", "--json"]]) {
      const t = io();
      const outFile = join(dir, `out-${extra.join("")}.txt`);
      const code = await main(["run", "contract.obc", "--data", "students.csv", "--out", outFile, ...extra], { ...t.io, cwd: dir, env: { NO_COLOR: "1" } });
      expect(code, extra.join(" ")).toBe(70);
      expect(t.out()).toBe("");
      await expect(readFile(outFile, "utf8")).rejects.toThrow();
      expect(t.err()).toMatch(/error\[OBC9001\]: The settlement check failed/);
      expect(t.err()).toMatch(/obc: internal error OBC9001: the result breaks OBC's own guarantees, so nothing was written; it must not be paid or recorded/);
      expect(t.err()).not.toMatch(/S[123]/);
    }
  }, 60_000);

  it("obc settle records nothing", async () => {
    const t = io();
    const ledger = join(dir, "ledger.sqlite");
    const code = await main(
      ["settle", "contract.obc", "--as-of", "2027-07-01", "--data", "students.csv", "--supplied-by", "district", "--attested-by", "A. Clerk", "--ledger", ledger, "--now", "2027-07-02T00:00:00Z"],
      { ...t.io, cwd: dir, env: { NO_COLOR: "1" } },
    );
    // a bug in OBC, as obc run says: exit 70, never the data's exit 3
    expect(code).toBe(70);
    expect(t.err()).toMatch(/settlement-check\s+The settlement check failed/);
    expect(t.err()).toMatch(/OBC9001.*nothing was settled/);
    expect(t.out()).toBe("");
  }, 60_000);

  it("without the fault the same command pays $250.00 and exits 0", async () => {
    vi.resetModules();
    vi.doUnmock("../engine/cents.ts");
    const fresh = await import("../cli/main.ts");
    const t = io();
    const code = await fresh.main(["run", "contract.obc", "--data", "students.csv", "--json"], { ...t.io, cwd: dir, env: { NO_COLOR: "1" } });
    expect(code).toBe(0);
    expect(JSON.parse(t.out()).totals.paid).toBe("250.00");
  }, 60_000);
});
