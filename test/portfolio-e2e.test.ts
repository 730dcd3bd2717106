/**
 * The whole synthetic portfolio, end to end: 5 districts × 5 providers, 5,000 students, monthly
 * drops over the 2026-27 school year (seed 1). Each month the districts attest their drops and
 * the desk settles them into one ledger; the October drop of one contract is corrected (the
 * ledger refuses the reversals until a reason is given); at the end the ledger holds exactly
 * what the final drops owe, the statements per payer add up to the ledger to the cent, the
 * forecasts made in April contain each contract's final figure in their 90% range, and the
 * funder view publishes no cell about fewer than the minimum of students.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPortfolio, type Portfolio } from "../node/portfolio/format.ts";
import { forecastContract } from "../node/portfolio/forecast.ts";
import { DROP_DATES, generatePortfolio, writePortfolio } from "../node/portfolio/generate.ts";
import { ledgerLines, ledgerTotals } from "../node/portfolio/ledger.ts";
import { latestValues, runPortfolio } from "../node/portfolio/run.ts";
import { attestPortfolio, settlePortfolio } from "../node/portfolio/settle.ts";
import { buildStatement, payersOf } from "../node/portfolio/statement.ts";
import { roleView } from "../node/portfolio/views.ts";
import { openLedger, owedByRun, type Ledger } from "../node/ledger/index.ts";
import { smallCells } from "./portfolio-helpers.ts";

const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe("the synthetic portfolio through a school year", () => {
  let dir: string;
  let p: Portfolio;
  let ledger: Ledger;
  let g: ReturnType<typeof generatePortfolio>;

  beforeAll(async () => {
    g = generatePortfolio({ seed: 1 });
    dir = mkdtempSync(join(tmpdir(), "obc-portfolio-e2e-"));
    writePortfolio(dir, g);
    const loaded = loadPortfolio(join(dir, "portfolio.json"));
    expect(loaded.problems).toEqual([]);
    p = loaded.portfolio!;
    ledger = await openLedger(join(dir, "ledger.sqlite"), { create: true });
  }, 120_000);
  afterAll(async () => {
    await ledger?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("attests and settles every month, the correction with its reason, into one ledger", async () => {
    expect(p.contracts).toHaveLength(25);
    const correction = p.contracts.find((c) => c.id === g.correction!.contract)!;
    const fixDay = correction.drops.find((d) => d.id === g.correction!.corrected)!.received.slice(0, 10);
    const dates = [...DROP_DATES.map((d) => addDays(d, 10)), fixDay].sort();
    let recorded = 0;
    for (const date of dates) {
      const now = `${date}T12:00:00Z`;
      for (const d of p.districts) {
        await attestPortfolio(p, ledger, { date, by: `${d.name} data office`, role: "district", at: now, only: new Set(p.contracts.filter((c) => c.district.id === d.id).map((c) => c.id)) });
      }
      const out = await settlePortfolio(p, ledger, { date, now });
      const refused = out.filter((s) => s.status === "refused" || s.status === "unattested");
      if (date === fixDay) {
        // the correction takes back onboarding payments: more than a tenth of the paid lines
        expect(refused.map((s) => [s.contract, s.drop])).toEqual([[correction.id, g.correction!.corrected]]);
        expect(refused[0]!.reason).toMatch(/would reverse \d+ of the \d+ paid lines/);
        const ok = await settlePortfolio(p, ledger, { date, now, only: new Set([correction.id]), accept: new Map([[correction.id, "the district corrected the first-session dates"]]) });
        expect(ok[0]!.status).toBe("recorded");
        expect(ok[0]!.adjustments < 0n).toBe(true);
        recorded++;
      } else expect(refused, date).toEqual([]);
      recorded += out.filter((s) => s.status === "recorded").length;
    }
    expect(recorded).toBeGreaterThan(150);
    expect((await ledger.verify()).ok).toBe(true);
  }, 600_000);

  it("ends with the ledger holding what the final drops owe, and statements per payer that add up to it to the cent", async () => {
    const runs = await runPortfolio(p, "2027-07-31");
    const totals = await ledgerTotals(ledger, p.contracts.map((c) => c.identity));
    for (const r of runs) {
      const owed = [...owedByRun(r.result!).values()].reduce((a, o) => a + o.cents, 0n);
      expect(totals.filter((t) => t.contract === r.contract.identity).reduce((a, t) => a + t.total, 0n), r.contract.id).toBe(owed);
    }
    const ledgerTotal = totals.reduce((a, t) => a + t.total, 0n);
    const lines = await ledgerLines(ledger);
    const payers = payersOf(p);
    expect(payers).toHaveLength(7);
    const year = payers.map((payer) => buildStatement(p, lines, totals, runs, { payer, from: "2026-09-01", to: "2027-07-31" }));
    for (const s of year) {
      expect(s.ledger.reconciles, s.payer).toBe(true);
      expect(s.opening).toBe(0n);
      expect(s.closing).toBe(s.net);
    }
    expect(year.reduce((a, s) => a + s.closing, 0n)).toBe(ledgerTotal);
    // month by month: each month's statements hold exactly that month's ledger lines
    for (const month of ["2026-11", "2027-03", "2027-06"]) {
      const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
      const to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      const st = payers.map((payer) => buildStatement(p, lines, totals, runs, { payer, from: `${month}-01`, to }));
      expect(st.every((s) => s.ledger.reconciles)).toBe(true);
      expect(st.reduce((a, s) => a + s.net, 0n), month).toBe(lines.filter((l) => l.createdAt.slice(0, 7) === month).reduce((a, l) => a + l.amount, 0n));
    }
  }, 300_000);

  it("forecasts in April: every contract's 90% range contains its final figure", async () => {
    const runs = await runPortfolio(p, "2027-07-31");
    const finals = new Map(runs.map((r) => [r.contract.id, [...owedByRun(r.result!).values()].reduce((a, o) => a + o.cents, 0n)]));
    const outside: string[] = [];
    for (const c of p.contracts) {
      const f = await forecastContract(c, "2027-04-15", { runs: 300 });
      expect(f.dataAsOf).toBe("2027-03-31");
      const fin = finals.get(c.id)!;
      expect(f.certain <= fin, c.id).toBe(true);
      if (fin < f.p5 || fin > f.p95) outside.push(`${c.id}: ${f.p5}–${f.p95}, final ${fin}`);
    }
    expect(outside).toEqual([]);
  }, 600_000);

  it("shows funders aggregates with no cell about fewer than the minimum of students", async () => {
    const date = "2027-07-31";
    const runs = await runPortfolio(p, date);
    const values = await latestValues(runs);
    const lines = await ledgerLines(ledger);
    const ids = runs.flatMap((r) => r.result!.students.map((s) => s.id));
    for (const who of ["Regional Tutoring Fund", "State Literacy Grant", undefined]) {
      const v = roleView(p, runs, lines, values, { role: "funder", ...(who ? { for: who } : {}), date });
      expect(v.students).toBeUndefined();
      const all = [...v.aggregates!.map((a) => a.aggregate), v.equity!.portfolio, ...v.equity!.contracts.map((c) => c.aggregate)];
      expect(all.flatMap((a) => smallCells(a, p.minCell)), who).toEqual([]);
      const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x));
      expect(ids.filter((id) => text.includes(id))).toEqual([]);
    }
  }, 300_000);
});

