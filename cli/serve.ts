/**
 * `obc serve [--port N] [--max-body BYTES] [--timeout MS] [--workers N]`
 *
 * Starts the HTTP service on 127.0.0.1 (see node/service/server.ts) and runs until SIGINT or
 * SIGTERM (or `opts.signal`). The request log goes to stderr: method, path, status and time,
 * never a body.
 *
 * With `--ledger F|URL` it also settles attested drops (`POST /settle`) and answers queries of
 * the ledger (`GET /ledger/…`; node/service/ledger.ts). With `--portfolio FILE [--ledger F|URL]`
 * it serves instead the intermediary's dashboard at `/` and its API under `/portfolio/api/`
 * (node/portfolio/http.ts), which settles through the portfolio.
 *
 * Exit codes: 0 stopped; 1 the portfolio has errors; 2 bad usage or the port is taken; 4 the
 * ledger cannot be opened.
 */
import { CommandError, EXIT, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { DEFAULT_MAX_BODY, DEFAULT_PORT, startService } from "../node/service/server.ts";

export interface ServeCommandOptions {
  /** --port N (default 8787; 0 picks a free port) */
  port?: number;
  /** --max-body BYTES (default 5 MB) */
  maxBody?: number;
  /** --timeout MS: time to answer one request (default 30000) */
  timeout?: number;
  /** --workers N: worker threads (default 2) */
  workers?: number;
  /** --inline: run requests on the main thread (no worker threads) */
  inline?: boolean;
  /** stops the service (tests); SIGINT and SIGTERM do too */
  signal?: AbortSignal;
  /** called with the URL once listening (tests) */
  onListening?: (url: string) => void;
  /** --portfolio FILE: also serve the portfolio's dashboard and API */
  portfolio?: string;
  /** --ledger F|URL: the ledger of POST /settle and GET /ledger/…; with --portfolio, the portfolio's (default obc-ledger.sqlite) */
  ledger?: string;
  /** --secret-file F: the pseudonymisation secret for the provider and evaluator views (else OBC_PSEUDONYM_SECRET, when set) */
  secretFile?: string;
}

const positive = (n: number | undefined, name: string, allowZero = false) => {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new CommandError(EXIT.usage, `${name} must be a whole number${allowZero ? "" : " above 0"}`);
};

/** Runs `obc serve` until stopped. Never throws; returns the exit code. */
export async function serveCommand(opts: ServeCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("serve", io, async () => {
    positive(opts.port, "--port", true);
    if (opts.port !== undefined && opts.port > 65535) throw new CommandError(EXIT.usage, "--port must be at most 65535");
    positive(opts.maxBody, "--max-body");
    positive(opts.timeout, "--timeout");
    positive(opts.workers, "--workers");
    let extra;
    if (opts.portfolio !== undefined) {
      const { deskServe } = await import("./portfolio.ts");
      extra = await deskServe({ portfolio: opts.portfolio, ...(opts.ledger !== undefined ? { ledger: opts.ledger } : {}), ...(opts.secretFile !== undefined ? { secretFile: opts.secretFile } : {}) }, io);
    }
    let svc;
    try {
      svc = await startService({
        ...(extra ? { extra } : {}),
        ...(opts.ledger !== undefined && opts.portfolio === undefined ? { ledger: /^postgres(ql)?:\/\//i.test(opts.ledger) || opts.ledger === ":memory:" ? opts.ledger : resolvePath(io, opts.ledger) } : {}),
        port: opts.port ?? DEFAULT_PORT,
        maxBodyBytes: opts.maxBody ?? DEFAULT_MAX_BODY,
        ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        isolation: opts.inline ? "inline" : "worker",
        log: (line) => io.stderr(`${line}\n`),
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EADDRINUSE") throw new CommandError(EXIT.usage, `port ${opts.port ?? DEFAULT_PORT} is already in use; choose another with --port`);
      if (code === "EACCES") throw new CommandError(EXIT.usage, `not allowed to listen on port ${opts.port ?? DEFAULT_PORT}`);
      // a ledger that is missing its folder, foreign, damaged or fails verification is not served
      if (e instanceof Error && ["LedgerFileError", "MigrationError", "LedgerRefusal"].includes(e.name)) throw new CommandError(EXIT.file, e.message);
      throw e;
    }
    const ledgerRoutes = opts.ledger !== undefined && opts.portfolio === undefined ? ` /settle; GET /ledger/settlements /ledger/balances /ledger/contracts /ledger/verify` : "";
    io.stderr(`obc serve: listening on ${svc.url} (POST /check /compile /run /analysis /summary /adapt${ledgerRoutes}; GET /openapi.json${extra ? `; the dashboard at ${svc.url}/dashboard/` : ""}); stop with Ctrl-C\n`);
    opts.onListening?.(svc.url);
    let stop: () => void = () => {};
    await new Promise<void>((resolve) => {
      stop = () => resolve();
      if (opts.signal?.aborted) return resolve();
      opts.signal?.addEventListener("abort", stop, { once: true });
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    opts.signal?.removeEventListener("abort", stop);
    await svc.close();
    io.stderr("obc serve: stopped\n");
    return EXIT.ok;
  });
}
