/**
 * Test helpers that make engine tests read as specifications:
 * `await runObc(contractText, { students: csv })` compiles, checks and runs a contract.
 */
import { compileSource } from "../language/driver.ts";
import { renderText } from "../language/diagnostics/render.ts";
import { runContract, type RunOutput } from "../engine/index.ts";

export async function runObc(source: string, files: Record<string, string>, opts: { asOf?: string; strict?: boolean } = {}): Promise<RunOutput> {
  const compiled = compileSource(source);
  if (!compiled.ok || !compiled.ir) {
    throw new Error("contract has errors:\n" + renderText(compiled.diagnostics, source, "test.obc"));
  }
  return runContract(
    compiled.ir,
    source,
    Object.entries(files).map(([name, text]) => ({ label: `${name}.csv`, text, dataSet: name })),
    opts,
  );
}

/** The paid amount of each student's lines, as "clause=amount" strings, by student id. */
export function paidByStudent(out: RunOutput): Record<string, string> {
  const r: Record<string, string> = {};
  for (const s of out.result?.students ?? []) {
    r[s.id] = s.lines.map((l) => `${l.clause}=${l.paid}`).join(" ");
  }
  return r;
}

/** Codes of the diagnostics of a contract text. */
export function codesOf(source: string): string[] {
  return compileSource(source).diagnostics.map((d) => d.code);
}
