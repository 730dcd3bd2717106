/**
 * The intermediary's desk: the portfolio file (located JSON, zod schema, cross-checks), the
 * synthetic portfolio generator, settling a portfolio into one ledger through a year (with the
 * corrected drop), and the status per contract, provider, district and payer.
 *
 * A small portfolio (2 districts × 2 providers, 240 students) keeps this quick; the full one
 * runs in test/portfolio-e2e.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPortfolio, renderProblem, latestDrop, dropsInForce, type Portfolio } from "../node/portfolio/format.ts";
import { generatePortfolio, writePortfolio } from "../node/portfolio/generate.ts";
import { ledgerLines, ledgerTotals } from "../node/portfolio/ledger.ts";
import { openLedger, type Ledger } from "../node/ledger/index.ts";
import { parseLocated, MAX_DEPTH } from "../node/portfolio/located-json.ts";
import { runPortfolio } from "../node/portfolio/run.ts";
import { attestPortfolio, settlePortfolio } from "../node/portfolio/settle.ts";
import { portfolioStatus } from "../node/portfolio/status.ts";
import { forecastContract } from "../node/portfolio/forecast.ts";
import { buildStatement, payersOf, statementNumber } from "../node/portfolio/statement.ts";
import { statementCsv, statementDocx, statementXlsx } from "../node/portfolio/statement-render.ts";
import { roleView, equityView, pseudonymSystem } from "../node/portfolio/views.ts";
import { latestValues } from "../node/portfolio/run.ts";
import { hmacKeys } from "../node/privacy.ts";
import { smallCells } from "./portfolio-helpers.ts";
import ExcelJS from "exceljs";
import { owedByRun } from "../node/ledger/index.ts";

describe("located JSON", () => {
  it("parses like JSON.parse and knows where each value starts", () => {
    const text = '{\n  "a": [1, {"b": "x"}],\n  "c": null\n}\n';
    const r = parseLocated(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual(JSON.parse(text));
    expect(r.at(["a"])).toEqual({ line: 2, column: 8 });
    expect(r.at(["a", 1, "b"])).toEqual({ line: 2, column: 18 });
    expect(r.at(["c"])).toEqual({ line: 3, column: 8 });
    // a path that does not exist points at its nearest parent
    expect(r.at(["a", 1, "zz"])).toEqual({ line: 2, column: 12 });
  });

  it("reports syntax errors with their line and column", () => {
    const cases: [string, number, number, RegExp][] = [
      ['{\n  "a": 1,\n}', 2, 9, /comma before '}'/],
      ['{"a": 1 "b": 2}', 1, 9, /expected ',' or '}'/],
      ['{"a": 1, "a": 2}', 1, 10, /appears twice/],
      ['{"a": "x\ny"}', 1, 9, /line break/],
      ["// note\n{}", 1, 1, /comments are not allowed/],
      ['{"a": tru}', 1, 7, /expected a value/],
      ["{}\n{}", 2, 1, /end of the file/],
      ['{"a": "open', 1, 7, /not closed/],
    ];
    for (const [text, line, column, message] of cases) {
      const r = parseLocated(text);
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect([r.line, r.column], text).toEqual([line, column]);
      expect(r.message, text).toMatch(message);
    }
  });

  it("bounds nesting and keeps __proto__ an ordinary key", () => {
    const deep = "[".repeat(MAX_DEPTH + 5) + "]".repeat(MAX_DEPTH + 5);
    const r = parseLocated(deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/nests deeper/);
    const p = parseLocated('{"__proto__": {"polluted": true}}');
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(Object.keys(p.value as object)).toEqual(["__proto__"]);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    }
  });
});

/** A scratch folder removed after the tests. */
const scratch: string[] = [];
const tempDir = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `obc-${name}-`));
  scratch.push(d);
  return d;
};
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONTRACT = (district: string, provider: string, title = "Small pilot") => `contract "${title}" {
  parties {
    district "${district}"
    provider "${provider}"
  }
  term 2026-09-01 to 2027-06-30
  currency USD
  data students keyed by student_id {
    eoy_score: optional score
  }
  outcome "Ready" pays $900 per student when eoy_score >= 70
    if missing: not met
}
`;

describe("the portfolio file", () => {
  it("reports every mistake with its file, line and column", () => {
    const dir = tempDir("pf-bad");
    mkdirSync(join(dir, "contracts"));
    writeFileSync(join(dir, "contracts/a.obc"), CONTRACT("Lakeview Unified School District", "Bright Path Tutoring"));
    writeFileSync(join(dir, "contracts/b.obc"), CONTRACT("Lakeview USD", "Bright Path Tutoring"));
    writeFileSync(join(dir, "contracts/c.obc"), CONTRACT("Lakeview Unified School District", "Bright Path Tutoring").replace("eoy_score >= 70", "eoy_scor >= 70"));
    writeFileSync(join(dir, "contracts/d.obc"), CONTRACT("Lakeview Unified School District", "Bright Path Tutoring"));
    const pf = {
      format: "obc.portfolio/1",
      name: "Bad",
      districts: [{ id: "lakeview", name: "Lakeview Unified School District" }],
      providers: [{ id: "brightpath", name: "Bright Path Tutoring" }],
      contracts: [
        { id: "a", district: "lakeveiw", provider: "brightpath", contract: "contracts/a.obc" },
        { id: "b", district: "lakeview", provider: "brightpath", contract: "contracts/b.obc" },
        { id: "c", district: "lakeview", provider: "brightpath", contract: "contracts/c.obc" },
        { id: "d", district: "lakeview", provider: "brightpath", contract: "contracts/d.obc" },
        { id: "e", district: "lakeview", provider: "brightpath", contract: "contracts/missing.obc" },
      ],
    };
    writeFileSync(join(dir, "portfolio.json"), JSON.stringify(pf, null, 2));
    const { portfolio, problems } = loadPortfolio(join(dir, "portfolio.json"), { cwd: dir, label: "portfolio.json" });
    expect(portfolio).toBeUndefined();
    const lines = problems.map(renderProblem);
    expect(lines).toContain('portfolio.json:19:19: error: contracts[0].district: there is no district "lakeveiw" in districts (did you mean "lakeview"?)');
    expect(lines).toContain('portfolio.json:25:19: error: contracts[1].district: the contract\'s district is "Lakeview USD", but district "lakeview" is "Lakeview Unified School District"; use the same name in both');
    expect(lines).toContain("portfolio.json:33:19: error: contracts[2].contract: contracts/c.obc has 1 error (see obc check contracts/c.obc)");
    expect(lines.some((l) => /^portfolio\.json:39:19: error: contracts\[3\]\.contract: contracts\/d\.obc has the identity "small-pilot-[0-9a-f]{12}" of contracts\/a\.obc; the ledger keeps each contract's payments under its identity, so give each contract its own id "…"$/.test(l))).toBe(true);
    expect(lines).toHaveLength(5);
    expect(lines).toContain("portfolio.json:45:19: error: contracts[4].contract: cannot read contracts/missing.obc: no such file");
    // the contract's own diagnostics come along, rendered as obc check renders them
    expect(problems.find((p) => p.detail)?.detail).toMatch(/OBC2001[\s\S]*eoy_scor/);
  });

  it("checks the schema: unknown and missing fields, ids, dates", () => {
    const dir = tempDir("pf-schema");
    writeFileSync(
      join(dir, "portfolio.json"),
      '{\n  "format": "obc.portfolio/1",\n  "name": "X",\n  "district": [],\n  "providers": [{ "id": "Bright Path", "name": "B" }],\n  "contracts": []\n}\n',
    );
    const lines = loadPortfolio(join(dir, "portfolio.json"), { cwd: dir, label: "portfolio.json" }).problems.map(renderProblem);
    expect(lines).toEqual([
      "portfolio.json:1:1: error: districts is required",
      'portfolio.json:4:15: error: unknown field "district"',
      "portfolio.json:5:25: error: providers[0].id: an id is lower-case letters, digits and hyphens, e.g. lakeview-brightpath",
      "portfolio.json:6:16: error: contracts: Too small: expected array to have >=1 items",
    ]);
    writeFileSync(join(dir, "portfolio.json"), '{ "format": "obc.portfolio/1", "name": "X", }');
    expect(loadPortfolio(join(dir, "portfolio.json"), { cwd: dir, label: "portfolio.json" }).problems.map(renderProblem)).toEqual([
      "portfolio.json:1:43: error: not valid JSON: a comma before '}' is not allowed in JSON",
    ]);
  });

  it("checks each drop's manifest and the corrections", () => {
    const dir = tempDir("pf-drops");
    mkdirSync(join(dir, "contracts"));
    writeFileSync(join(dir, "contracts/a.obc"), CONTRACT("L", "B"));
    writeFileSync(
      join(dir, "portfolio.json"),
      JSON.stringify({ format: "obc.portfolio/1", name: "D", districts: [{ id: "l", name: "L" }], providers: [{ id: "b", name: "B" }], contracts: [{ id: "a", district: "l", provider: "b", contract: "contracts/a.obc" }] }),
    );
    const drop = (id: string, m: object, files: string[] = ["students.csv"]) => {
      mkdirSync(join(dir, "drops/a", id), { recursive: true });
      writeFileSync(join(dir, "drops/a", id, "drop.json"), JSON.stringify(m, null, 2));
      for (const f of files) writeFileSync(join(dir, "drops/a", id, f), "student_id,eoy_score\nS1,72\n");
    };
    drop("2026-10", { asOf: "2026-10-31", received: "2026-11-03T09:00:00Z", suppliedBy: "L", files: { students: "students.csv" } });
    drop("2026-10-fix", { asOf: "2026-10-31", received: "2026-11-09", suppliedBy: "L", files: { students: "students.csv" }, supersedes: "2026-10" });
    drop("2026-11", { asOf: "2026-11-31", received: "soon", suppliedBy: "L", files: { studnets: "students.csv", students: "other.csv" } });
    drop("2026-12", { asOf: "2026-12-31", received: "2027-01-04", suppliedBy: "L", files: { students: "students.csv" }, supersedes: "2026-13", reason: "r" });
    const lines = loadPortfolio(join(dir, "portfolio.json"), { cwd: dir }).problems.map(renderProblem);
    expect(lines).toEqual([
      "drops/a/2026-10-fix/drop.json:8:17: error: supersedes: a drop that supersedes another must give its reason (add \"reason\")",
      "drops/a/2026-11/drop.json:2:11: error: asOf: write the date as YYYY-MM-DD, e.g. 2026-10-31",
      "drops/a/2026-11/drop.json:3:15: error: received: write a date (2026-11-03) or a date and time with its zone (2026-11-03T15:00:00Z)",
      'drops/a/2026-12/drop.json: error: supersedes: there is no drop "2026-13" for this contract (did you mean "2026-10"?)',
    ]);
  });

  it("reads the drops in force on a date: received by then, corrections replacing what they supersede", () => {
    const g = generatePortfolio({ seed: 3, districts: 2, providers: 1, students: 60 });
    const dir = tempDir("pf-force");
    writePortfolio(dir, g);
    const p = loadPortfolio(join(dir, "portfolio.json")).portfolio!;
    const c = p.contracts.find((x) => x.id === g.correction!.contract)!;
    const oct = c.drops.find((d) => d.id === "2026-10")!;
    const fix = c.drops.find((d) => d.id === "2026-10-corrected")!;
    expect(fix.supersedes).toBe("2026-10");
    expect(latestDrop(c, "2026-10-31")?.id).toBe("2026-09");
    expect(latestDrop(c, oct.received.slice(0, 10))?.id).toBe("2026-10");
    expect(latestDrop(c, fix.received.slice(0, 10))?.id).toBe("2026-10-corrected");
    expect(dropsInForce(c, "2027-07-01").map((d) => d.id)).not.toContain("2026-10");
    expect(latestDrop(c, "2026-09-01")).toBeUndefined();
  });
});

describe("the synthetic portfolio", () => {
  it("has the initiative's size and is the same for the same seed", () => {
    const small = (seed: number) => [...generatePortfolio({ seed, districts: 2, providers: 3, students: 120 }).files.entries()];
    expect(small(7)).toEqual(small(7));
    expect(small(8)).not.toEqual(small(7));
    const a = generatePortfolio({ seed: 7 });
    expect(a.contracts).toHaveLength(25);
    const pf = JSON.parse(a.files.get("portfolio.json")!) as { districts: unknown[]; providers: unknown[] };
    expect(pf.districts).toHaveLength(5);
    expect(pf.providers).toHaveLength(5);
    // every student is on a roster by the last drop: 5,000 rows in all
    const rows = a.contracts.reduce((n, id) => n + a.files.get(`drops/${id}/2027-06/students.csv`)!.trim().split("\n").length - 1, 0);
    expect(rows).toBe(5000);
    // ten monthly drops a contract, and one correction
    expect([...a.files.keys()].filter((k) => k.endsWith("drop.json"))).toHaveLength(251);
    // contracts use the library's templates
    expect(a.files.get("contracts/lakeview-brightpath.obc")).toMatch(/use benchmark_attainment\(/);
    expect(a.files.get("contracts/lakeview-openbook.obc")).toMatch(/use prorated_base\(/);
  });
});

describe("settling a portfolio through the year", () => {
  let dir: string;
  let p: Portfolio;
  let ledger: Ledger;
  let g: ReturnType<typeof generatePortfolio>;
  beforeAll(async () => {
    g = generatePortfolio({ seed: 2, districts: 2, providers: 2, students: 240 });
    dir = tempDir("pf-year");
    writePortfolio(dir, g);
    const loaded = loadPortfolio(join(dir, "portfolio.json"));
    expect(loaded.problems).toEqual([]);
    p = loaded.portfolio!;
    ledger = await openLedger(":memory:", { create: true });
  });
  afterAll(() => ledger.close());

  it("settles nothing that is not attested", async () => {
    const out = await settlePortfolio(p, ledger, { date: "2026-10-10", now: "2026-10-10T12:00:00Z" });
    expect(out.map((s) => s.status)).toEqual(p.contracts.map(() => "unattested"));
    expect(out[0]!.reason).toMatch(/has not been attested/);
    expect(await ledger.count("settlements")).toBe(0);
    // the drops were recorded, with their files' hashes and who supplied them
    const drops = await ledger.drops();
    expect(drops).toHaveLength(p.contracts.length);
    expect(drops[0]!.files.map((f) => f.label)).toEqual([`drops/${p.contracts[0]!.id}/2026-09/checkpoints.csv`, `drops/${p.contracts[0]!.id}/2026-09/students.csv`]);
    expect(drops[0]!.suppliedBy).toBe(p.contracts[0]!.district.name);
  });

  it("settles each month's attested drops, the correction with adjustments and its reason, and nothing twice", async () => {
    const corrected = p.contracts.find((c) => c.id === g.correction!.contract)!;
    const fix = corrected.drops.find((d) => d.id === g.correction!.corrected)!;
    const dates = [...g.dropDates.map((d) => addDays(d, 10)), fix.received.slice(0, 10)].sort();
    for (const date of dates) {
      const now = `${date}T12:00:00Z`;
      for (const d of p.districts) await attestPortfolio(p, ledger, { date, by: `${d.name} data office`, role: "district", at: now, only: new Set(p.contracts.filter((c) => c.district.id === d.id).map((c) => c.id)) });
      let out = await settlePortfolio(p, ledger, { date, now });
      if (date === fix.received.slice(0, 10)) {
        // the correction reverses more than a tenth of the contract's paid lines: refused without a reason
        const s = out.find((x) => x.contract === corrected.id)!;
        expect(s.drop).toBe(g.correction!.corrected);
        expect(s.status).toBe("refused");
        expect(s.reason).toMatch(/reverse \d+ of the \d+ paid lines/);
        out = await settlePortfolio(p, ledger, { date, now, only: new Set([corrected.id]), accept: new Map([[corrected.id, "district corrected first-session dates"]]) });
        const r = out[0]!;
        expect(r.status).toBe("recorded");
        expect(r.accepted).toBe("district corrected first-session dates");
        expect(r.adjustments < 0n).toBe(true);
        const adj = (await ledgerLines(ledger)).filter((l) => l.settlement === r.settlementId);
        expect(adj.length).toBeGreaterThan(0);
        expect(adj.every((l) => l.kind === "adjustment" && l.clause === "onboarded" && l.reason === "correction: first_session_date data changed")).toBe(true);
        // the ledger keeps the correction with its reason, superseding the first drop
        const drops = await ledger.drops({ contract: corrected.identity });
        const replaced = drops.find((d) => d.supersededBy !== undefined)!;
        expect(drops.find((d) => d.id === replaced.supersededBy)!.reason).toBe(fix.reason);
        continue;
      }
      expect(out.filter((s) => s.status === "refused" || s.status === "unattested"), date).toEqual([]);
    }
    // settling the same day again records nothing
    const last = dates[dates.length - 1]!;
    const again = await settlePortfolio(p, ledger, { date: last, now: `${last}T13:00:00Z` });
    expect(again.map((s) => s.status)).toEqual(p.contracts.map(() => "duplicate"));
  });

  it("ends with the ledger holding exactly what the final drops owe, to the cent", async () => {
    const runs = await runPortfolio(p, "2027-07-31");
    const totals = await ledgerTotals(ledger, p.contracts.map((c) => c.identity));
    for (const r of runs) {
      const owed = [...owedByRun(r.result!).values()].reduce((a, o) => a + o.cents, 0n);
      const paid = totals.filter((t) => t.contract === r.contract.identity).reduce((a, t) => a + t.total, 0n);
      expect(paid, r.contract.id).toBe(owed);
    }
  });

  it("reports per contract, provider, district and payer, adding up", async () => {
    const date = "2027-01-20";
    const runs = await runPortfolio(p, date);
    const lines = await ledgerLines(ledger);
    const s = portfolioStatus(p, runs, lines, date, await ledger.drops());
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    // the ledger as of the date
    const paidThen = sum(lines.filter((l) => l.createdAt.slice(0, 10) <= date).map((l) => l.amount));
    expect(s.total.paid).toBe(paidThen);
    expect(sum(s.byProvider.map((r) => r.paid))).toBe(paidThen);
    expect(sum(s.byDistrict.map((r) => r.earned))).toBe(s.total.earned);
    expect(sum(s.byPayer.map((r) => r.paid))).toBe(paidThen);
    expect(sum(s.byPayer.map((r) => r.contingent ?? 0n))).toBe(s.total.contingent);
    for (const c of s.contracts) {
      // the December drops were settled on January 10: nothing is owed
      expect(c.owed, c.id).toBe(0n);
      expect(c.drop?.id).toBe("2026-12");
      expect(c.drop?.ledger?.attestations).toEqual([{ by: `${c.district.name} data office`, role: "district", at: "2027-01-10T12:00:00Z" }]);
      expect(c.contingent === null || c.contingent > 0n).toBe(true);
      expect(c.deadlines[0]!.date > date).toBe(true);
      expect(c.escalations.map((e) => e.period)).toEqual(["2026-12"]);
    }
    // the math contracts' dosage milestone is next, due February 28
    const math = s.contracts.find((c) => c.provider.id === "brightpath")!;
    expect(math.deadlines.map((d) => `${d.date} ${d.what}`)).toContain("2027-02-28 Dosage due");
    // after the term, nothing is contingent
    const end = portfolioStatus(p, await runPortfolio(p, "2027-07-31"), lines, "2027-07-31");
    expect(end.total.contingent).toBe(0n);
    expect(end.total.owed).toBe(0n);
  });

  it("forecasts each contract's final payout: a range around the expected value, the certain part below it, the same for the same seed", async () => {
    const c = p.contracts.find((x) => x.provider.id === "brightpath")!;
    const f = await forecastContract(c, "2027-03-15", { runs: 200, seed: 3 });
    expect(f.drop).toBe("2027-02");
    expect(f.students).toBeGreaterThan(0);
    expect(f.p5 <= f.p50 && f.p50 <= f.p95).toBe(true);
    expect(f.p5 <= f.expected && f.expected <= f.p95).toBe(true);
    expect(f.p5 < f.p95).toBe(true);
    // onboarding and dosage are decided by March 15: paid in every simulated outcome
    expect(f.certain > 0n && f.certain <= f.p5).toBe(true);
    const decided = f.tracks.filter((t) => t.decided).map((t) => t.clause);
    expect(decided).toEqual(["onboarded", "dosage"]);
    for (const t of f.tracks) expect(t.met + t.onTrack + t.atRisk + t.notMet).toBe(f.students);
    expect(await forecastContract(c, "2027-03-15", { runs: 200, seed: 3 })).toEqual(f);
    // once the final drop is in, nothing is left to chance: the range is the final figure
    const runs = await runPortfolio(p, "2027-07-31");
    const final = [...owedByRun(runs.find((r) => r.contract.id === c.id)!.result!).values()].reduce((a, o) => a + o.cents, 0n);
    const done = await forecastContract(c, "2027-07-31", { runs: 50 });
    expect([done.p5, done.expected, done.p95]).toEqual([final, final, final]);
    // before any drop there is nothing to forecast from
    expect((await forecastContract(c, "2026-09-15", { runs: 50 })).students).toBe(0);
  });

  it("issues statements per payer and month that add up to the ledger to the cent, in Word, Excel and CSV", async () => {
    const lines = await ledgerLines(ledger);
    const totals = await ledgerTotals(ledger, p.contracts.map((c) => c.identity));
    const payers = payersOf(p);
    expect(payers).toEqual(["Lakeview Unified School District", "Regional Tutoring Fund", "Riverside County Schools"]);
    const months = ["2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07"];
    let closing = 0n;
    for (const month of months) {
      const from = `${month}-01`;
      const to = addDays(`${months[months.indexOf(month) + 1] ?? "2027-08"}-01`, -1);
      const runs = await runPortfolio(p, to);
      const st = payers.map((payer) => buildStatement(p, lines, totals, runs, { payer, from, to }));
      for (const s of st) {
        expect(s.ledger.reconciles, `${s.payer} ${month}`).toBe(true);
        expect(s.opening + s.net).toBe(s.closing);
        expect(s.rows.reduce((a, r) => a + r.amount, 0n)).toBe(s.net);
        expect(s.number).toBe(statementNumber(s.payer, from, to));
      }
      // the month's statements hold exactly the month's ledger lines
      const month$ = lines.filter((l) => l.createdAt.slice(0, 7) === month).reduce((a, l) => a + l.amount, 0n);
      expect(st.reduce((a, s) => a + s.net, 0n), month).toBe(month$);
      closing = st.reduce((a, s) => a + s.closing, 0n);
    }
    expect(closing).toBe(totals.reduce((a, t) => a + t.total, 0n));

    const runs = await runPortfolio(p, "2026-11-30");
    const fund = buildStatement(p, lines, totals, runs, { payer: "Regional Tutoring Fund", from: "2026-11-01", to: "2026-11-30" });
    const district = buildStatement(p, lines, totals, runs, { payer: "Riverside County Schools", from: "2026-11-01", to: "2026-11-30" });
    expect(fund.number).toBe("RTF-2026-11");
    // the correction is an adjustment with its reason
    const corr = district.rows.find((r) => r.kind === "adjustment" && r.reason === "correction: first_session_date data changed")!;
    expect(corr.amount < 0n).toBe(true);
    // funders see counts, districts their students' keys
    expect(fund.detail.every((d) => d.student === "")).toBe(true);
    expect(district.detail.some((d) => /^RC-\d{6}$/.test(d.student))).toBe(true);

    // CSV: the figures of the statement
    const csv = statementCsv(district);
    const rows = csv.trim().split("\n").map((l) => l.split(","));
    const total = rows.find((r) => r[4] === "all contracts" && r[5] === "net this period")!;
    expect(total[11]).toBe(fromCentsText(district.net));
    // Excel: the same figures, read back
    const bytes = await statementXlsx(district);
    expect(Buffer.from(await statementXlsx(district)).equals(Buffer.from(bytes))).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("Statement")!;
    let found = false;
    sheet.eachRow((row) => {
      if (row.getCell(1).value === "Total") {
        found = true;
        expect(Math.round(Number(row.getCell(7).value) * 100)).toBe(Number(district.net));
        expect(Math.round(Number(row.getCell(8).value) * 100)).toBe(Number(district.closing));
      }
    });
    expect(found).toBe(true);
    expect(wb.getWorksheet("Detail")!.rowCount).toBe(district.detail.length + 1);
    // Word: deterministic bytes
    const doc = await statementDocx(district);
    expect(Buffer.from(await statementDocx(district)).equals(Buffer.from(doc))).toBe(true);
    expect(doc.length).toBeGreaterThan(5000);
  });

  it("shows each role its own: districts their contracts, providers pseudonyms where the contract says so, funders suppressed aggregates", async () => {
    const date = "2027-07-31";
    const runs = await runPortfolio(p, date);
    const values = await latestValues(runs);
    const lines = await ledgerLines(ledger);
    const keys = hmacKeys(Buffer.from("a test secret of more than sixteen bytes"));
    const rosterIds = runs.flatMap((r) => r.result!.students.map((s) => s.id));

    const district = roleView(p, runs, lines, values, { role: "district", for: "lakeview", date });
    expect(district.contracts.map((c) => c.id)).toEqual(["lakeview-brightpath", "lakeview-openbook"]);
    expect(district.students!.every((l) => /^LV-\d{6}$/.test(l.student))).toBe(true);
    expect(district.settlements!.length).toBeGreaterThan(0);

    // where the portfolio's contract says so, the provider sees pseudonyms (here: Riverside's)
    const q = { ...p, contracts: p.contracts.map((c) => (c.district.id === "riverside" ? { ...c, providerSees: "pseudonyms" as const } : c)) };
    expect(() => roleView(q, runs, lines, values, { role: "provider", for: "brightpath", date })).toThrow(/pseudonymisation secret/);
    const provider = roleView(q, runs, lines, values, { role: "provider", for: "brightpath", date, keys });
    expect(provider.contracts.map((c) => c.id)).toEqual(["lakeview-brightpath", "riverside-brightpath"]);
    expect(provider.studentIds).toBe("mixed");
    const byContract = (id: string) => provider.students!.filter((l) => l.contract === id);
    expect(byContract("lakeview-brightpath").every((l) => /^LV-\d{6}$/.test(l.student))).toBe(true);
    expect(byContract("riverside-brightpath").every((l) => /^[0-9a-f]{64}$/.test(l.student))).toBe(true);
    expect(provider.students!.some((l) => l.contract.includes("openbook"))).toBe(false);
    expect(() => roleView(p, runs, lines, values, { role: "evaluator", date })).toThrow(/pseudonymisation secret/);
    const evaluator = roleView(p, runs, lines, values, { role: "evaluator", date, keys });
    expect(evaluator.students!.every((l) => /^[0-9a-f]{64}$/.test(l.student))).toBe(true);
    const json = JSON.stringify(evaluator.students, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(rosterIds.filter((id) => json.includes(`"${id}"`))).toEqual([]);
    const first = runs[0]!;
    expect(evaluator.students!.some((l) => l.student === keys(first.result!.students[0]!.id, pseudonymSystem(first.contract)))).toBe(true);
    for (const d of evaluator.decisions!) expect(d.met + d.notMet + d.missing + d.excluded + d.notInGroup).toBe(runs.find((r) => r.contract.id === d.contract)!.result!.students.length);

    // the funder: no student row, and no published cell about fewer than the minimum
    const funder = roleView(p, runs, lines, values, { role: "funder", for: "Regional Tutoring Fund", date });
    expect(funder.students).toBeUndefined();
    const text = JSON.stringify(funder, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(rosterIds.filter((id) => text.includes(id))).toEqual([]);
    const aggregates = [...funder.aggregates!.map((a) => a.aggregate), funder.equity!.portfolio, ...funder.equity!.contracts.map((c) => c.aggregate)];
    expect(funder.equity!.dimensions).toEqual(["English learners", "Students with disabilities", "Economically disadvantaged", "Grade"]);
    const small = aggregates.flatMap((a) => smallCells(a, p.minCell));
    expect(small).toEqual([]);
    // and suppression did happen (the subgroups are small in a 240-student portfolio)
    expect(aggregates.some((a) => a.suppressed.primary > 0)).toBe(true);
    expect(equityView(p, runs, values, { minCell: 1 }).portfolio.suppressed.primary).toBe(0);
  });
});


const fromCentsText = (c: bigint) => `${c < 0n ? "-" : ""}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, "0")}`;

describe("the portfolio on PostgreSQL", () => {
  const url = process.env["OBC_TEST_POSTGRES"] ?? "postgres://obc:obc@127.0.0.1:5432/obc_test";
  const schema = `obc_portfolio_test_${process.pid}`;
  let reachable = false;
  beforeAll(async () => {
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      reachable = true;
    } catch (e) {
      console.warn(`the portfolio's PostgreSQL test is skipped: no server answered at ${url.replace(/:[^:@/]*@/, ":…@")} (${(e as Error).message.split("\n")[0]}); set OBC_TEST_POSTGRES`);
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  afterAll(async () => {
    if (!reachable) return;
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it("settles the same year into PostgreSQL as into SQLite, to the cent", async (ctx) => {
    if (!reachable) ctx.skip();
    const g = generatePortfolio({ seed: 6, districts: 1, providers: 2, students: 80 });
    const dir = tempDir("pf-pg");
    writePortfolio(dir, g);
    const p = loadPortfolio(join(dir, "portfolio.json")).portfolio!;
    const totalsOf = async (target: string) => {
      const ledger = await openLedger(target, { create: true });
      try {
        for (const date of ["2026-10-10", "2026-11-20", "2027-03-10", "2027-07-10"]) {
          const now = `${date}T12:00:00Z`;
          await attestPortfolio(p, ledger, { date, by: "data office", role: "district", at: now });
          const out = await settlePortfolio(p, ledger, { date, now, accept: new Map(p.contracts.map((c) => [c.id, "the district corrected the dates"])) });
          expect(out.filter((x) => x.status === "refused" || x.status === "unattested")).toEqual([]);
        }
        expect((await ledger.verify()).ok).toBe(true);
        return { totals: await ledgerTotals(ledger, p.contracts.map((c) => c.identity)), lines: (await ledgerLines(ledger)).length };
      } finally {
        await ledger.close();
      }
    };
    const onPg = await totalsOf(`${url}${url.includes("?") ? "&" : "?"}schema=${schema}`);
    const onSqlite = await totalsOf(join(dir, "ledger.sqlite"));
    expect(onPg.totals.length).toBeGreaterThan(0);
    expect(onPg).toEqual(onSqlite);
  }, 300_000);
});

function addDays(d: string, n: number): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

describe("obc portfolio (command line)", () => {
  it("generates, checks, settles and reports", async () => {
    const { main } = await import("../cli/main.ts");
    const dir = tempDir("pf-cli");
    const run = async (args: string[]) => {
      let stdout = "";
      let stderr = "";
      const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: dir, env: { NO_COLOR: "1" } });
      return { code, stdout, stderr };
    };
    let r = await run(["portfolio", "generate", "demo", "--seed", "4", "--districts", "1", "--providers", "2", "--students", "60"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("wrote demo/portfolio.json: 2 contracts, 21 drops (66 files)\n");
    r = await run(["portfolio", "check", "demo/portfolio.json"]);
    expect(r.stdout).toBe("✓ demo/portfolio.json: 2 contracts, 1 district, 2 providers, 21 drops: no problems found\n");
    r = await run(["portfolio", "settle", "demo/portfolio.json", "--as-of", "2026-11-15", "--ledger", "l.sqlite", "--now", "2026-11-15T10:00:00Z"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/lakeview-brightpath\s+2026-10-corrected\s+NOT ATTESTED/);
    expect(r.stderr).toBe("obc portfolio settle: 2 contracts were not settled (see above)\n");
    r = await run(["portfolio", "attest", "demo/portfolio.json", "--as-of", "2026-11-15", "--ledger", "l.sqlite", "--now", "2026-11-15T10:00:00Z", "--by", "J. Rivera"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--district: a district attests its own contracts' drops/);
    r = await run(["portfolio", "attest", "demo/portfolio.json", "--as-of", "2026-11-15", "--ledger", "l.sqlite", "--now", "2026-11-15T10:00:00Z", "--by", "J. Rivera", "--district", "lakeview"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lakeview-openbook\s+2026-10\s+\d+\s+attested by J\. Rivera \(district\)/);
    r = await run(["portfolio", "settle", "demo/portfolio.json", "--as-of", "2026-11-15", "--ledger", "l.sqlite", "--now", "2026-11-15T10:00:00Z"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lakeview-brightpath\s+2026-10-corrected\s+recorded \(settlement 1\)/);
    r = await run(["portfolio", "status", "demo/portfolio.json", "--as-of", "2026-11-15", "--ledger", "l.sqlite", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { schema: string; total: { paid: string; owed: string } };
    expect(s.schema).toBe("obc.portfolio-status/1");
    expect(s.total.owed).toBe("0.00");
    expect(Number(s.total.paid)).toBeGreaterThan(0);
    r = await run(["portfolio", "monitor", "demo/portfolio.json", "--as-of", "2026-11-15", "--runs", "50"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lakeview-brightpath\s+2026-10-31\s+\d+\s+\$[\d,]+\.\d\d\s+\$[\d,]+\.\d\d\s+\$[\d,]+\.\d\d – \$[\d,]+\.\d\d/);
    expect(r.stdout).toMatch(/2026-11-30\s+lakeview-brightpath\s+Attendance checkpoint 2026-11/);
    r = await run(["portfolio", "statement", "demo/portfolio.json", "--payer", "Lakeview Unified School District", "--month", "2026-11", "--format", "csv", "--ledger", "l.sqlite"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("statement,payer,period_from,period_to,contract,section,clause,kind,reason,lines,students,amount");
    expect(r.stdout).toContain("LUSD-2026-11,Lakeview Unified School District,2026-11-01,2026-11-30,all contracts,net this period");
    r = await run(["portfolio", "statement", "demo/portfolio.json", "--all", "--month", "2026-11", "--format", "xlsx", "--out-dir", "st", "--ledger", "l.sqlite"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote st\/statement-LUSD-2026-11\.xlsx: statement LUSD-2026-11/);
    r = await run(["portfolio", "statement", "demo/portfolio.json", "--payer", "Nobody", "--month", "2026-11", "--format", "csv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no contract of the portfolio names "Nobody" as a payer/);
    r = await run(["portfolio", "view", "demo/portfolio.json", "--role", "funder", "--for", "Regional Tutoring Fund", "--as-of", "2026-11-15", "--csv", "--ledger", "l.sqlite"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("contract,dimension,group,measure,students,amount,suppressed");
    expect(r.stdout).not.toMatch(/LV-\d{6}/);
    r = await run(["portfolio", "view", "demo/portfolio.json", "--role", "evaluator", "--as-of", "2026-11-15", "--csv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no pseudonymisation secret/);
    // a new drop from the command line: copied into the portfolio and recorded in the ledger
    writeFileSync(join(dir, "students.csv"), readFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-11/students.csv")));
    r = await run(["portfolio", "drop", "demo/portfolio.json", "lakeview-brightpath", "--data", "students=students.csv", "--data", "checkpoints=demo/drops/lakeview-brightpath/2026-11/checkpoints.csv", "--as-of", "2026-11-30", "--supplied-by", "Lakeview Unified School District", "--id", "2026-11-resent", "--ledger", "l.sqlite", "--now", "2026-12-02T08:00:00Z"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^drop 2026-11-resent of lakeview-brightpath written to demo\/drops\/lakeview-brightpath\/2026-11-resent and recorded in the ledger as drop \d+ \(2 files\)/);
    expect(JSON.parse(readFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-11-resent/drop.json"), "utf8"))).toEqual({
      asOf: "2026-11-30",
      received: "2026-12-02T08:00:00Z",
      suppliedBy: "Lakeview Unified School District",
      files: { students: "students.csv", checkpoints: "checkpoints.csv" },
    });
    r = await run(["portfolio", "drop", "demo/portfolio.json", "lakeview-brightpath", "--data", "pupils=students.csv", "--as-of", "2026-11-30", "--supplied-by", "L"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the contract has no data set pupils \(it has students, checkpoints\)/);
    // obc serve --portfolio: the dashboard and its API beside the engine's routes
    const { serveCommand } = await import("../cli/serve.ts");
    const stop = new AbortController();
    let url = "";
    let served = "";
    const serving = serveCommand(
      { port: 0, inline: true, portfolio: "demo/portfolio.json", ledger: "l.sqlite", signal: stop.signal, onListening: (u) => (url = u) },
      { stdout: () => {}, stderr: (t) => (served += t), cwd: dir, env: {} },
    );
    while (!url && !served.includes("obc serve:")) await new Promise((res) => setTimeout(res, 50));
    const status = (await (await fetch(`${url}/portfolio/api/status?asOf=2026-11-15`)).json()) as { total: { owed: string }; contracts: unknown[] };
    expect(status.contracts).toHaveLength(2);
    expect((await fetch(`${url}/portfolio/api/statement?payer=Nobody&from=2026-11-01&to=2026-11-30`)).status).toBe(404);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    stop.abort();
    expect(await serving).toBe(0);
    expect(served).toContain("the dashboard at ");
    // a broken manifest: exit 1, the problem located
    writeFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-09/drop.json"), readFileSync(join(dir, "demo/drops/lakeview-brightpath/2026-09/drop.json"), "utf8").replace('"asOf"', '"asof"'));
    r = await run(["portfolio", "check", "demo/portfolio.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('demo/drops/lakeview-brightpath/2026-09/drop.json:2:11: error: unknown field "asof"');
    expect(r.stderr).toContain("obc portfolio check: demo/portfolio.json has 2 errors; fix them first");
    r = await run(["portfolio", "settle", "demo/portfolio.json", "--as-of", "2026-13-01"]);
    expect(r.code).toBe(2);
  });
});
