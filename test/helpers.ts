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

/** What `obc …` printed and the exit code it returned (−1 when it was killed). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** true when the command did not finish within the time limit and was killed */
  timedOut: boolean;
}

/**
 * Runs `node bin/obc.mjs …` as users run it, in a child process. `timeoutMs` bounds the run: a
 * command still going then is killed and reported with `timedOut`, so a hang fails the test
 * with a clear message instead of stalling the suite.
 */
export async function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const { execFile } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const bin = fileURLToPath(new URL("../bin/obc.mjs", import.meta.url));
  const cwd = opts.cwd ?? fileURLToPath(new URL("..", import.meta.url));
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: opts.timeoutMs ?? 30_000, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const killed = !!error && (error as { killed?: boolean }).killed === true;
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr), timedOut: killed });
      },
    );
  });
}
