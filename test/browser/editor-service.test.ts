/**
 * The editor's services (the code behind its two web workers: check.ts and documents.ts), in
 * Node: the answers to an edit, a run, a format request and a comparison, without a browser.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../language/driver.ts";
import { format } from "../../language/format/index.ts";
import { sourceMap, summarize, summarizeContract } from "../../engine/summary/index.ts";
import { memoryResolver } from "../../stdlib/index.ts";
import { generateContract } from "../../editor/bench/generate.ts";
import { createCheckService } from "../../editor/src/service/check.ts";
import { createDocumentService, type DocumentDeps } from "../../editor/src/service/documents.ts";
import type {
  AnalysisMessage, BoundsMessage, CheckRequest, DiagnosticsMessage, DiffMessage, DocumentRequest, LibraryMessage, RunFile, RunMessage, SimulateMessage, SummaryMessage, WorkerResponse,
} from "../../editor/src/service/protocol.ts";
import { innermostAt, summaryEntries } from "../../editor/src/summary-map.ts";
import { contractFromTemplate } from "../../editor/src/template-contract.ts";
import { DEFAULTS, simulate } from "../../engine/fast/simulate.ts";
import { EDITOR_SIM_DEFAULTS, parseSimulationForm } from "../../editor/src/service/simulation.ts";

const dir = "examples/03-algebra-pilot";
const pilot = readFileSync(`${dir}/contract.obc`, "utf8");
const data = ["students.csv", "checkpoints.csv"].map((f) => ({ label: f, text: readFileSync(`${dir}/${f}`, "utf8") }));
const library = Object.fromEntries(
  readdirSync("stdlib/templates").filter((f) => f.endsWith(".obc")).map((f) => [f.slice(0, -4), readFileSync(`stdlib/templates/${f}`, "utf8")]),
);

/** The answers of the worker that handles `request` (the check worker's or the document worker's). */
async function answers(request: CheckRequest | DocumentRequest, deps: DocumentDeps = {}): Promise<WorkerResponse[]> {
  const out: WorkerResponse[] = [];
  const post = (m: WorkerResponse) => out.push(m);
  if (request.type === "check" || request.type === "format" || request.type === "library") createCheckService({ format, ...deps }).handle(request, post);
  else await createDocumentService(deps).handle(request, post);
  return out;
}

/** An edit as the editor sends it: to the check worker, then to the document worker. */
async function analyze(text: string, cohortSize?: number, deps: DocumentDeps = {}) {
  const edit = { version: 7, text };
  const out = [...(await answers({ type: "check", ...edit }, deps)), ...(await answers({ type: "document", ...edit, ...(cohortSize ? { cohortSize } : {}) }, deps))];
  const summaries = out.filter((m): m is SummaryMessage => m.type === "summary");
  return {
    diagnostics: out.find((m) => m.type === "diagnostics") as DiagnosticsMessage,
    analysis: out.find((m) => m.type === "analysis") as AnalysisMessage,
    bounds: out.find((m) => m.type === "bounds") as BoundsMessage,
    /** the first summary (without worked examples) */
    summary: summaries[0]!,
    /** the summary with worked examples, for a contract without errors */
    full: summaries.find((m) => m.examples),
  };
}

/** The entry of the summary whose sentence contains `text`. */
function sentence(doc: SummaryMessage["doc"], text: string) {
  const entry = summaryEntries(doc).find((e) => e.text.includes(text));
  if (!entry) throw new Error(`no sentence contains ${text}`);
  return entry;
}

describe("editor language service", () => {
  it("answers an edit: diagnostics and the analysis (check worker); the summary, the bounds, then the summary with worked examples (document worker)", async () => {
    const checked = await answers({ type: "check", version: 3, text: pilot });
    expect(checked.map((m) => m.type)).toEqual(["diagnostics", "analysis"]);
    const documents = await answers({ type: "document", version: 3, text: pilot });
    expect(documents.map((m) => m.type)).toEqual(["summary", "bounds", "summary"]);
    expect([...checked, ...documents].every((m) => "version" in m && m.version === 3)).toBe(true);
    expect(documents.filter((m): m is SummaryMessage => m.type === "summary").map((m) => m.examples)).toEqual([false, true]);
  });

  it("stops a document request after the summary when a newer edit has arrived", async () => {
    const out = await answers({ type: "document", version: 4, text: pilot }, { yieldToNewer: async () => false });
    expect(out.map((m) => m.type)).toEqual(["summary"]);
  });

  it("writes the project's summary (engine/summary), sentences linked to the source", async () => {
    const { summary, full } = await analyze(pilot);
    const ir = compileSource(pilot).ir!;
    expect(summary.doc).toEqual(summarize(ir, pilot, { cohortSize: 100 }));
    expect(full?.doc).toEqual(await summarizeContract(ir, pilot, { cohortSize: 100 }));
    expect(full?.doc?.sections.some((s) => s.title === "Worked examples")).toBe(true);
    // the editor's list of linked sentences is sourceMap's, in the same order
    expect(summaryEntries(summary.doc).map((e) => [e.text, e.span.start, e.span.end])).toEqual(sourceMap(summary.doc!).map((e) => [e.sentence, e.start, e.end]));
    const dosage = sentence(summary.doc, "milestone payment of $300.00");
    expect(pilot.slice(dosage.span.start, dosage.span.end)).toMatch(/^milestone "Dosage" due 2027-02-28 pays \$300/);
  });

  it("finds the sentences about the text under the cursor", async () => {
    const { summary } = await analyze(pilot);
    const entries = summaryEntries(summary.doc);
    const inCondition = pilot.indexOf("eoy_score >= 70");
    expect(innermostAt(entries, inCondition).map((e) => e.text)).toEqual([
      "For each Identified Student, an outcome payment of $900.00 is payable when the student is Enrolled for Testing and the end-of-year score (eoy_score) is at least 70.",
    ]);
    const inMissing = pilot.indexOf("if missing", inCondition);
    expect(innermostAt(entries, inMissing).map((e) => e.text)).toEqual(["If the end-of-year score (eoy_score) is missing, the payment is not made: the student counts as not meeting the condition."]);
    expect(innermostAt(entries, 0)).toEqual([]);
  });

  it("uses the cohort size of the editor for the exposure figures", async () => {
    const { summary } = await analyze(pilot, 250);
    expect(summary.cohortSize).toBe(250);
    expect(sentence(summary.doc, "illustrative cohort").text).toContain("cohort of 250 students");
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
    expect(analysis.symbols.metrics.find((m) => m.name === "score_growth")?.definition).toBe("eoy_score - boy_score");
    expect(analysis.symbols.parties.map((p) => p.id)).toEqual(["district", "provider", "intermediary", "philanthropy"]);
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
      const { diagnostics, analysis, summary, full } = await analyze(text);
      expect(diagnostics.ok).toBe(false);
      expect(Array.isArray(analysis.outline)).toBe(true);
      expect(summary.error).toBeUndefined();
      expect(full).toBeUndefined(); // no worked examples for a contract with errors
      if (summary.doc) expect(summary.examplesLeftOut).toBe("errors");
    }
    expect((await analyze("")).summary.doc).toBeUndefined();
    // a contract with an error is summarised as far as it goes
    expect(sentence((await analyze(pilot.replace("eoy_score >= 70", "eoy_scor >= 70"))).summary.doc, "$300.00")).toBeDefined();
  });

  it("runs the pilot on its example data", async () => {
    const [run] = (await answers({ type: "run", id: 1, text: pilot, files: data })) as RunMessage[];
    expect(run!.ok).toBe(true);
    expect(run!.result?.totals.paid).toBe("5560.00");
  });

  it("flags a file whose columns fit several data sets, unless it is named after one or its data set was chosen", async () => {
    // one export with the roster's columns and the monthly checkpoints' columns
    const [students, checkpoints] = data.map((f) => f.text.trimEnd().split("\n"));
    const both = students!.map((line, i) => `${line},${i === 0 ? checkpoints![0] : checkpoints![1]}`).join("\n") + "\n";
    const run = async (files: RunFile[]) =>
      ((await answers({ type: "run", id: 3, text: pilot, files })) as RunMessage[])[0]!;
    const flagged = await run([{ label: "export.csv", text: both }, data[1]!]);
    expect(flagged.fitsSeveral).toEqual([{ file: "export.csv", dataSets: ["students", "checkpoints"] }]);
    expect(flagged.result?.dataQuality.files.find((f) => f.file === "export.csv")?.dataSet).toBe("students");
    expect((await run([{ label: "export.csv", text: both, dataSet: "students" }, data[1]!])).fitsSeveral).toBeUndefined();
    expect((await run([{ label: "students.csv", text: both }, data[1]!])).fitsSeveral).toBeUndefined();
    // the example's own files each fit one data set
    expect((await run(data.map((f, i) => ({ ...f, label: `file${i}.csv` })))).fitsSeveral).toBeUndefined();
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
    const out = [...(await answers({ type: "check", version: 1, text, project }, { library })), ...(await answers({ type: "document", version: 1, text, project }, { library }))];
    const [d, a, s] = out as [DiagnosticsMessage, AnalysisMessage, SummaryMessage];
    expect(d.diagnostics).toEqual([]);
    expect(a.outline.map((o) => o.name)).toEqual(["Onboarded", "Dosage", "Algebra ready", "Growth", "Attendance"]);
    expect(sentence(s.doc, "milestone payment of $300.00").text).toContain("when the number of sessions by 28 February (sessions_by_feb28) is at least 30");
  });

  it("reads the template library: names, parameters with their docs, whole contracts", async () => {
    const [m] = (await answers({ type: "library", id: 5 }, { library })) as LibraryMessage[];
    expect(m!.templates.map((t) => t.name)).toEqual(Object.keys(library).sort());
    expect(m!.templates.filter((t) => t.wholeContract).map((t) => t.name)).toEqual(["early_literacy_contract", "middle_school_math_contract"]);
    const benchmark = m!.templates.find((t) => t.name === "benchmark_attainment")!;
    expect(benchmark.title).toBe("Benchmark attainment");
    expect(benchmark.params.find((p) => p.name === "cut")).toEqual({ name: "cut", type: "score", doc: "the lowest score that counts as reaching the benchmark (inclusive)" });
    expect(benchmark.params.find((p) => p.name === "group")).toMatchObject({ type: "population", default: "identified" });
    expect(benchmark.exampleArgs).toEqual({ name: '"Algebra ready"', score: "eoy_score", cut: "70", amount: "$900" });
  });

  it("starts a contract from each whole-contract template, without errors", async () => {
    const [m] = (await answers({ type: "library", id: 6 }, { library })) as LibraryMessage[];
    const wholes = m!.templates.filter((t) => t.wholeContract);
    expect(wholes.length).toBe(2);
    for (const t of wholes) {
      const text = contractFromTemplate(t);
      const compiled = compileSource(text, { resolver: memoryResolver(library) });
      expect(compiled.diagnostics.filter((d) => d.severity === "error"), `${t.name}:\n${text}`).toEqual([]);
      expect(text).toContain(`import ${t.name} from stdlib`);
      for (const p of t.params) expect(text).toContain(`    ${p.name}: `);
    }
  });

  it("compares two versions in sentences (engine/diff)", async () => {
    const edited = pilot.replace("pays $900", "pays $950");
    const [m] = (await answers({ type: "diff", id: 8, old: { text: pilot }, new: { text: edited } })) as DiffMessage[];
    expect(m).toMatchObject({ type: "diff", id: 8, oldErrors: 0, newErrors: 0 });
    const change = m!.result!.changes.find((c) => c.area === "clauses")!;
    expect(change.text).toBe("The 'Algebra ready' payment rises from $900.00 to $950.00 per student.");
    expect(edited.slice(change.newSpan!.start, change.newSpan!.end)).toBe("$950");
    const [same] = (await answers({ type: "diff", id: 9, old: { text: pilot }, new: { text: pilot.replace("cap $1,600", "cap   $1600") } })) as DiffMessage[];
    expect(same!.result?.equal).toBe(true);
    const [none] = (await answers({ type: "diff", id: 10, old: { text: "" }, new: { text: pilot } })) as DiffMessage[];
    expect(none!.error).toBe("The earlier text does not hold a contract: there is nothing to compare.");
  });

  it("the benchmark's generated contract is valid", async () => {
    const text = generateContract(500);
    expect(text.split("\n").length - 1).toBe(500);
    expect(compileSource(text).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("leaves the worked examples out while editing a large contract", async () => {
    const out = await answers({ type: "document", version: 2, text: generateContract(500) });
    expect(out.map((m) => m.type)).toEqual(["summary", "bounds"]);
    expect(out.find((m): m is SummaryMessage => m.type === "summary")).toMatchObject({ examples: false, examplesLeftOut: "too-large" });
  });
});

describe("simulation in the worker", () => {
  const duval = readFileSync("examples/01-duval-2022/contract.obc", "utf8");
  const options = { cohort: 40, runs: 12, seed: 9 };

  it("answers with simulate()'s result and each cohort's total, which reproduce its statistics", async () => {
    const [m] = (await answers({ type: "simulate", id: 3, text: duval, options })) as SimulateMessage[];
    const expected = simulate(compileSource(duval).ir!, duval, options);
    expect(m!.ok).toBe(true);
    expect(m!.result).toEqual(expected);
    expect(m!.totals).toHaveLength(options.runs);
    const sum = m!.totals!.reduce((a, b) => a + b, 0);
    expect((sum / options.runs).toFixed(2)).toBe(expected.total.mean);
    const sorted = [...m!.totals!].sort((a, b) => a - b);
    expect(sorted[0]!.toFixed(2)).toBe(expected.total.min);
    expect(sorted[sorted.length - 1]!.toFixed(2)).toBe(expected.total.max);
    expect(sorted[Math.ceil(0.5 * options.runs) - 1]!.toFixed(2)).toBe(expected.total.p50);
  });

  it("refuses a contract with errors and bad options, in plain words", async () => {
    const [bad] = (await answers({ type: "simulate", id: 4, text: duval.replace('contract "Duval', 'contrakt "Duval'), options })) as SimulateMessage[];
    expect(bad!.ok).toBe(false);
    expect(bad!.error).toMatch(/error/);
    const [zero] = (await answers({ type: "simulate", id: 5, text: duval, options: { ...options, runs: 0 } })) as SimulateMessage[];
    expect(zero!.error).toMatch(/number of runs/);
    const [big] = (await answers({ type: "simulate", id: 6, text: duval, options: { cohort: 100_000, runs: 10_000 } })) as SimulateMessage[];
    expect(big!.error).toMatch(/at most/);
  });

  it("the form's defaults are the CLI's, with 200 runs", () => {
    expect(parseSimulationForm({ cohort: "500", runs: "200", seed: "1", baseline: "50, 10", growth: "8,6", attendance: "30, 8", missing: "0.05", pTrue: "0.5" })).toEqual({ ...EDITOR_SIM_DEFAULTS });
    expect(EDITOR_SIM_DEFAULTS).toEqual({ ...DEFAULTS, runs: 200 });
    expect(parseSimulationForm({ cohort: "x", runs: "200", seed: "1", baseline: "50, 10", growth: "8,6", attendance: "30, 8", missing: "0.05", pTrue: "0.5" })).toMatch(/cohort size/);
  });
});
