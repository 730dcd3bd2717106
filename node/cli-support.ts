/**
 * What the Node-only CLI commands (cli/adapt.ts, cli/settle.ts, cli/ledger.ts, cli/serve.ts)
 * share: their I/O, exit codes, and reading a contract or a data file.
 *
 * Messages are one line, `obc <command>: …`, name paths as the user typed them, and never print
 * a data value, a student id or a secret.
 */
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { ContractIR } from "../language/check/ir.ts";

/** The I/O of a command. Only `stdout` and `stderr` are required. */
export interface CommandIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** true when stderr is a terminal: progress is shown only then */
  stderrIsTTY?: boolean;
  /** the directory relative paths are read from (default: process.cwd()) */
  cwd?: string;
  /** environment (for the pseudonymisation secret); default process.env */
  env?: Record<string, string | undefined>;
  /** what a FILE written `-` reads (default process.stdin) */
  stdin?: NodeJS.ReadableStream;
}

/** Exit codes, as in cli/main.ts. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, data: 3, file: 4, internal: 70 } as const;

/** The error code of each exit code, in JSON errors when a command gives none of its own. */
const EXIT_NAMES: Record<number, string> = { 1: "invalid-contract", 2: "usage", 3: "data", 4: "file", 70: "internal" };

/**
 * An expected failure: printed as `obc <command>: <message>` (or, with --json, as
 * `{ "error": { "command", "code", "exitCode", "message" } }`), ends the command with its code.
 */
export class CommandError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** a stable machine-readable code for JSON errors (default: from the exit code) */
    readonly code: string = EXIT_NAMES[exitCode] ?? "error",
  ) {
    super(message);
  }
}

export function fsReason(e: unknown): string {
  const code = (e as { code?: string } | null)?.code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return code ?? "unreadable";
  }
}

export const resolvePath = (io: CommandIO, p: string) => resolve(io.cwd ?? process.cwd(), p);

/** Reads a file as bytes. */
export async function readBytes(io: CommandIO, path: string): Promise<Buffer> {
  try {
    return await readFile(resolvePath(io, path));
  } catch (e) {
    throw new CommandError(EXIT.file, `cannot read ${path}: ${fsReason(e)}`);
  }
}

/** Reads a text file (UTF-8, BOM removed) and the sha256 of its bytes. */
export async function readTextAndHash(io: CommandIO, path: string): Promise<{ text: string; sha256: string }> {
  const bytes = await readBytes(io, path);
  return { text: bytes.toString("utf8").replace(/^\ufeff/, ""), sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * The compiler, its diagnostics' rendering and the template resolver, loaded when a command
 * first reads a contract: `obc --version`, `--help` and commands that read no contract start
 * without them.
 */
export async function compiler() {
  const [{ compileSource }, { renderText, toJson }, { nodeResolver }] = await Promise.all([
    import("../language/driver.ts"),
    import("../language/diagnostics/render.ts"),
    import("../stdlib/node-resolver.ts"),
  ]);
  return { compileSource, renderText, toJson, nodeResolver };
}

/** Reads and checks a contract; prints its errors and stops with exit 1 when it has any. */
export async function loadContract(io: CommandIO, path: string): Promise<{ text: string; ir: ContractIR }> {
  const { text } = await readTextAndHash(io, path);
  const { compileSource, renderText, nodeResolver } = await compiler();
  // templates are imported relative to the contract, and from the standard library
  const compiled = compileSource(text, { resolver: nodeResolver(resolvePath(io, path)) });
  if (!compiled.ok || !compiled.ir) {
    io.stderr(renderText(compiled.diagnostics, text, path, { color: false }));
    throw new CommandError(EXIT.invalid, `${path} has errors; fix them first (see obc check ${path})`);
  }
  return { text, ir: compiled.ir };
}

/** `students=path.csv` names the data set; `path.csv` leaves it to be matched. */
export function parseDataArg(arg: string): { dataSet?: string; path: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(arg);
  return m ? { dataSet: m[1], path: m[2] } : { path: arg };
}

/** YYYY-MM-DD, a real calendar date. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Runs a command body: turns a {@link CommandError} into its message and exit code, and any
 * other error into exit 70 with a one-line message (never a stack trace).
 */
export async function runCommand(name: string, io: CommandIO, body: () => Promise<number>, opts: { json?: boolean } = {}): Promise<number> {
  const fail = (exitCode: number, code: string, message: string) =>
    io.stderr(opts.json ? JSON.stringify({ error: { command: name, code, exitCode, message } }) + "\n" : `obc ${name}: ${message}\n`);
  try {
    return await body();
  } catch (e) {
    if (e instanceof CommandError) {
      fail(e.exitCode, e.code, e.message);
      return e.exitCode;
    }
    // the message of an unexpected error could quote data: shown only with OBC_DEBUG=1
    const env = io.env ?? process.env;
    const detail = env["OBC_DEBUG"] === "1" && e instanceof Error ? `: ${e.message.split("\n")[0]}` : "";
    const kind = e instanceof Error ? e.name : "error";
    fail(EXIT.internal, "internal", `internal error (${kind})${detail}`);
    if (!opts.json) io.stderr(`obc ${name}: please report this, with the command you ran.\n`);
    return EXIT.internal;
  }
}

/** "$1,234.50" / "-$12.00" from cents (USD, GBP, EUR symbols; else the code). */
export function formatCents(c: bigint, currency = "USD"): string {
  const sym: Record<string, string> = { USD: "$", GBP: "£", EUR: "€" };
  const neg = c < 0n;
  const a = neg ? -c : c;
  const whole = (a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const body = `${whole}.${String(a % 100n).padStart(2, "0")}`;
  const s = sym[currency];
  return `${neg ? "-" : ""}${s ? s + body : `${currency} ${body}`}`;
}
