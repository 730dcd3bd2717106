/**
 * Regression tests for defects found with hostile input (the reproducers of issue 10 about the
 * checker and bounded work), each on the files of its reproducer, copied to
 * `test/fixtures/repro/`:
 *
 * - F01: a party named twice in the funding section was billed for one share only, and two
 *   payers without a funding section left the first to pay everything.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../language/driver.ts";
import { codesOf, runCli, runObc } from "./helpers.ts";

const REPRO = "test/fixtures/repro";

describe("F01: every line has one payer per share", () => {
  const dir = `${REPRO}/F01-duplicate-funding-party`;

  it("obc check refuses a party named twice in the funding section, at the second line", async () => {
    const r = await runCli(["check", `${dir}/contract.obc`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[OBC4023]: The funding section names 'district' twice");
    expect(r.stdout).toContain(`${dir}/contract.obc:13:5`);
  });

  it("obc run pays nothing and says why: the contract has errors", async () => {
    const r = await runCli(["run", `${dir}/contract.obc`, "--data", `${dir}/students.csv`, "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("OBC4023");
  });

  it("refuses the other shapes of a repeated payer: 100% and the rest, a role and its alias", async () => {
    const text = await readFile(join(dir, "contract.obc"), "utf8");
    const hundredAndRest = text.replace("district pays 40% of every line", "district pays 100% of every line").replace("district pays 60% of every line", "district pays the rest");
    expect(codesOf(hundredAndRest)).toEqual(["OBC4023"]);
    const aliased = `contract "A" {
  parties { district "Lakeview Unified"  funder "Lakeview Foundation" as philanthropy }
  funding {
    funder pays 40% of every line
    philanthropy pays 10% of every line
    district pays the rest
  }
}`;
    const d = compileSource(aliased).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["OBC4023"]);
    expect(d[0]!.message).toBe("The funding section names 'philanthropy' twice (as 'funder' and as 'philanthropy'); each party pays one share of every line.");
  });

  it("refuses several payers without a funding section, and a contract whose parties include no payer", () => {
    const parties = (list: string) => `contract "A" {\n  parties { ${list} }\n}`;
    expect(codesOf(parties(`district "Lakeview Unified"  payor "State of Utah"`))).toEqual(["OBC4022"]);
    expect(codesOf(parties(`district "Lakeview Unified" as lakeview  district "Riverside Unified" as riverside`))).toEqual(["OBC4022"]);
    expect(codesOf(parties(`provider "Bright Path"  evaluator "State Evaluation Office"`))).toEqual(["OBC4024"]);
    // one payer among other parties, an investor beside a payor, or a funding section: each line has its payer
    expect(codesOf(parties(`provider "Bright Path"  district "Lakeview Unified"`))).toEqual([]);
    expect(codesOf(parties(`investor "Goldman Sachs"  payor "State of Utah"  provider "United Way"`))).toEqual([]);
    expect(codesOf(`contract "A" {\n  parties { district "L"  funder "F" }\n  funding { funder pays 10% of every line  district pays the rest }\n}`)).toEqual([]);
  });

  it("bills the one paying party when there is no funding section, even when it is listed after the provider", async () => {
    const out = await runObc(
      `contract "Funder pays" {
  parties {
    provider "Bright Path Tutoring"
    funder "Lakeview Education Foundation" as philanthropy
  }
  data students keyed by student_id { sessions: count }
  base "Base" pays $100 per student when sessions >= 1
}`,
      { students: "student_id,sessions\nS1,3\nS2,0\nS3,5\n" },
    );
    expect(out.result?.totals.paid).toBe("200.00");
    expect(out.result?.totals.byPayer).toEqual({ philanthropy: "200.00" });
  });
});
