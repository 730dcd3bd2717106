/**
 * The fuzz campaign on data files, bounded for every test run (issue 10 §6): 2,000 sets of data
 * files generated for the valid contracts and broken the ways exports break
 * (test/fuzz/data.ts), each run in full and in bulk with every property of test/fuzz/check.ts.
 * `npm run fuzz -- --data-cases 10000` runs longer campaigns. Below the campaign: the checks
 * themselves catch what they are meant to, and the defects campaigns found stay fixed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runContract } from "../engine/index.ts";
import { compileSource } from "../language/driver.ts";
import { dataFileFromBytes } from "../node/data-file.ts";
import { runCases } from "./fuzz/campaign.ts";
import { checkRun } from "./fuzz/check.ts";
import { DEFAULT_SEED } from "./fuzz/seed.ts";
import { runCli } from "./helpers.ts";

const CASES = 2_000;
const tmp = mkdtempSync(join(tmpdir(), "obc-fuzz-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("fuzz: data files", () => {
  it(`${CASES} sets of malformed data files: no throw, every row accounted for or the run stopped, no student value in a message, the money adds up, full and bulk runs agree`, async () => {
    const f = await runCases("data", 0, CASES, { seed: DEFAULT_SEED, boundMs: 30_000 });
    expect(f.failures.map((x) => `${x.id} ${x.kind}: ${x.detail} (${x.input})`)).toEqual([]);
    expect(f.cases).toBe(CASES);
    // the damage is real: many runs stop on their data, many go on
    expect(f.refused).toBeGreaterThan(CASES / 5);
    expect(f.refused).toBeLessThan((CASES * 4) / 5);
  }, 900_000);
});

const contract = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
const ir = compileSource(contract).ir!;
const students = readFileSync("examples/03-algebra-pilot/students.csv", "utf8");
const checkpoints = readFileSync("examples/03-algebra-pilot/checkpoints.csv", "utf8");
const enc = new TextEncoder();
const files = (s: string) => Promise.all([dataFileFromBytes(enc.encode(s), "students.csv"), dataFileFromBytes(enc.encode(checkpoints), "checkpoints.csv")]);
const expected = [{ label: "students.csv", records: 9, roster: true }, { label: "checkpoints.csv", records: 8, roster: false }];

describe("the campaign's checks find what they look for", () => {
  it("a clean run passes; a lost row, an echoed id, shares that do not add up and a disagreement with the bulk run are each caught", async () => {
    const out = await runContract(ir, contract, await files(students), { asOf: "2027-07-01" });
    const none = { values: new Set(["P1", "P9"]) };
    expect(checkRun(out, undefined, expected, none)).toEqual([]);
    const kinds = (o: typeof out, secrets = none, bulk?: Parameters<typeof checkRun>[1]) => checkRun(o, bulk, expected, secrets).map((b) => b.kind);

    const lost = structuredClone(out);
    lost.result!.dataQuality.files[0]!.rowsRead = 2;
    lost.result!.dataQuality.files[0]!.rowsAccepted = 2;
    expect(kinds(lost)).toEqual(["rows"]);

    const echoed = structuredClone(out);
    echoed.problems.push({ code: "OBC5003", severity: "error", file: "students.csv", rule: "not-a-number", message: "row 3 (P9) is not a number" });
    expect(kinds(echoed)).toEqual(["echo"]);

    const shares = structuredClone(out);
    shares.result!.totals.byPayer["district"] = "0.00";
    expect(kinds(shares)).toEqual(["sums"]);

    const line = structuredClone(out);
    const paid = line.result!.students[0]!.lines.find((l) => l.paid !== "0.00")!;
    paid.funding["district"] = "1.00";
    expect(kinds(line)).toContain("sums");

    expect(kinds(out, none, { ok: false } as Parameters<typeof checkRun>[1])).toEqual(["disagree"]);
  });
});

describe("defects the campaigns found", () => {
  it("a roster whose id column is renamed: every row rejected, so the run stops (OBC5020, exit 3) instead of paying $0.00 with exit 0", async () => {
    const renamed = students.replace(/^student_id/, "notes");
    writeFileSync(join(tmp, "students.csv"), renamed);
    writeFileSync(join(tmp, "checkpoints.csv"), checkpoints);
    writeFileSync(join(tmp, "contract.obc"), contract);
    for (const extra of [[], ["--bulk"], ["--strict"]]) {
      const r = await runCli(["run", "contract.obc", "--data", "students.csv", "--data", "checkpoints.csv", "--as-of", "2027-07-01", ...extra], { cwd: tmp });
      expect(r.code, extra.join(" ")).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Every row of students.csv was rejected (9 rows), and it holds the roster, so no student could be paid.");
      expect(r.stderr).not.toMatch(/\bP[1-9]\b/);
    }
    const out = await runContract(ir, contract, await files(renamed), { asOf: "2027-07-01" });
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => p.code)).toEqual(["OBC5006", "OBC5001", "OBC5020"]);
    // one usable student is enough to run: the others are reported, as before
    const one = students.split("\n").map((l, i) => (i === 0 || i === 1 ? l : l.replace(/^P\d,/, ","))).join("\n");
    const partly = await runContract(ir, contract, await files(one), { asOf: "2027-07-01" });
    expect(partly.ok).toBe(true);
    expect(partly.result!.dataQuality.files[0]).toMatchObject({ rowsRead: 9, rowsAccepted: 1, rowsRejected: 8 });
  });
});
