/**
 * The editor's language service (the code behind its web worker), in Node: the answers to an
 * edit, a run and a format request, without a browser.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../language/driver.ts";
import { format } from "../../language/format/index.ts";
import { generateContract } from "../../editor/bench/generate.ts";
import { createLanguageService } from "../../editor/src/service/handler.ts";
import type { AnalysisMessage, BoundsMessage, DiagnosticsMessage, RunMessage, WorkerRequest, WorkerResponse } from "../../editor/src/service/protocol.ts";

const dir = "examples/03-algebra-pilot";
const pilot = readFileSync(`${dir}/contract.obc`, "utf8");
const data = ["students.csv", "checkpoints.csv"].map((f) => ({ label: f, text: readFileSync(`${dir}/${f}`, "utf8") }));

async function answers(request: WorkerRequest): Promise<WorkerResponse[]> {
  const out: WorkerResponse[] = [];
  await createLanguageService({ format }).handle(request, (m) => out.push(m));
  return out;
}

async function analyze(text: string) {
  const [d, a, b] = await answers({ type: "analyze", version: 7, text });
  return { diagnostics: d as DiagnosticsMessage, analysis: a as AnalysisMessage, bounds: b as BoundsMessage };
}

describe("editor language service", () => {
  it("answers an edit with diagnostics, then the analysis, then the bounds", async () => {
    const out = await answers({ type: "analyze", version: 3, text: pilot });
    expect(out.map((m) => m.type)).toEqual(["diagnostics", "analysis", "bounds"]);
    expect(out.every((m) => "version" in m && m.version === 3)).toBe(true);
  });

  it("outlines, names and summarises the algebra pilot", async () => {
    const { diagnostics, analysis, bounds } = await analyze(pilot);
    expect(diagnostics.ok).toBe(true);
    expect(diagnostics.diagnostics).toEqual([]);
    expect(analysis.title).toBe("Algebra readiness pilot");
    expect(analysis.outline.map((o) => `${o.kind}:${o.id}`)).toEqual([
      "milestone:onboarded", "milestone:dosage", "outcome:algebra_ready", "partial:growth", "escalation:attendance",
    ]);
    expect(pilot.slice(analysis.outline[2]!.nameSpan.start, analysis.outline[2]!.nameSpan.end)).toBe('"Algebra ready"');
    const eoy = analysis.symbols.fields.find((f) => f.name === "eoy_score")!;
    expect(eoy).toMatchObject({ type: "score", optional: true, dataSet: "students" });
    expect(analysis.symbols.metrics.find((m) => m.name === "growth")?.definition).toBe("eoy_score - boy_score");
    expect(analysis.symbols.parties.map((p) => p.id)).toEqual(["district", "provider", "intermediary", "philanthropy"]);
    expect(analysis.summary.find((s) => s.id === "dosage")?.text).toBe(
      "Milestone “Dosage” (due 2027-02-28) pays $300 for each identified student when sessions_by_feb28 >= 30.",
    );
    expect(bounds.bounds).toMatchObject({ maxPerStudent: "1580.00", uncappedMax: "1580.00", studentCap: "1600.00", contractCap: "500000.00" });
    expect(bounds.bounds?.clauses.find((c) => c.id === "algebra_ready")?.max).toBe("1080.00");
  });

  it("gives the compiler's messages, ranges and quick fixes", async () => {
    const text = pilot.replace("when sessions_by_feb28 >= 30", "when sesions_by_feb28 >= 30");
    const { diagnostics } = await analyze(text);
    const expected = compileSource(text).diagnostics;
    expect(diagnostics.ok).toBe(false);
    expect(diagnostics.diagnostics.map((d) => [d.code, d.message])).toEqual(expected.map((d) => [d.code, d.message]));
    const d = diagnostics.diagnostics[0]!;
    const line = text.split("\n")[d.startLineNumber - 1]!;
    expect(line.slice(d.startColumn - 1, d.endColumn - 1)).toBe("sesions_by_feb28");
    expect(d.suggestions).toEqual([{ message: "Replace with 'sessions_by_feb28'", replacement: "sessions_by_feb28", range: { startLineNumber: d.startLineNumber, startColumn: d.startColumn, endLineNumber: d.endLineNumber, endColumn: d.endColumn } }]);
    expect(diagnostics.cliText).toContain("error[OBC2001]: I can't find a field, metric or condition named 'sesions_by_feb28'.");
  });

  it("never fails on text that is not (yet) a contract", async () => {
    for (const text of ["", "contract", 'contract "x" {', pilot.slice(0, 900), pilot.slice(0, 1500) + "when when"]) {
      const { diagnostics, analysis } = await analyze(text);
      expect(diagnostics.ok).toBe(false);
      expect(Array.isArray(analysis.summary)).toBe(true);
    }
  });

  it("runs the pilot on its example data", async () => {
    const [run] = (await answers({ type: "run", id: 1, text: pilot, files: data })) as RunMessage[];
    expect(run!.ok).toBe(true);
    expect(run!.result?.totals.paid).toBe("5560.00");
  });

  it("refuses to run a contract with errors, in plain words", async () => {
    const [run] = (await answers({ type: "run", id: 2, text: pilot.replace("eoy_score >= 70", "eoy_scor >= 70"), files: data })) as RunMessage[];
    expect(run).toMatchObject({ ok: false, error: "The contract has 1 error: fix it before running it on data." });
  });

  it("formats with the formatter", async () => {
    const messy = pilot.replace("cap $1,600 per student", "   cap   $1600   per student");
    const [answer] = await answers({ type: "format", id: 3, text: messy });
    expect(answer).toEqual({ type: "format", id: 3, value: format(messy).value });
  });

  it("expands templates: the library and the contract's own folder", async () => {
    const dir07 = "examples/07-algebra-pilot-templates";
    const text = readFileSync(`${dir07}/contract.obc`, "utf8");
    const project = { "clauses/attendance_escalation.obc": readFileSync(`${dir07}/clauses/attendance_escalation.obc`, "utf8") };
    const library = Object.fromEntries(
      readdirSync("stdlib/templates").filter((f) => f.endsWith(".obc")).map((f) => [f.slice(0, -4), readFileSync(`stdlib/templates/${f}`, "utf8")]),
    );
    const out: WorkerResponse[] = [];
    await createLanguageService({ library }).handle({ type: "analyze", version: 1, text, project }, (m) => out.push(m));
    const [d, a] = out as [DiagnosticsMessage, AnalysisMessage];
    expect(d.diagnostics).toEqual([]);
    expect(a.outline.map((o) => o.name)).toEqual(["Onboarded", "Dosage", "Algebra ready", "Growth", "Attendance"]);
    expect(a.summary.find((x) => x.id === "dosage")?.text).toContain("pays $300 for each identified student when sessions_by_feb28 >= 30");
  });

  it("the benchmark's generated contract is valid", async () => {
    const text = generateContract(500);
    expect(text.split("\n").length - 1).toBe(500);
    expect(compileSource(text).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
