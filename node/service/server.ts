/**
 * The engine as an HTTP service (node:http, no framework).
 *
 *   POST /check · /compile · /run · /analysis   JSON `{ source, files?, asOf?, strict? }`
 *   POST /summary                               the plain-language summary: Markdown, HTML and a source map
 *   POST /adapt                                 district or vendor files → the CSV of one of a contract's data sets
 *   POST /settle                                an attested drop settled in the ledger (with `ledger`)
 *   GET  /ledger/settlements · /ledger/balances · /ledger/contracts · /ledger/verify   the ledger (with `ledger`)
 *   GET  /openapi.json · /health
 *
 * Limits: a request body over `maxBodyBytes` (default 5 MB) gets 413 without being parsed (the
 * rest of it is read and dropped, so that clients that send the whole body before reading see
 * the 413 rather than a reset; a client sending `Expect: 100-continue` is refused before it sends);
 * a contract source over `maxSourceBytes` (default 512 KB, apart from the data) gets 413 too; a body
 * that does not arrive within `bodyTimeoutMs` gets 408; a request that takes longer than
 * `timeoutMs` to answer gets 503 (its worker thread is stopped). Every error is JSON
 * `{ error: { code, message } }`; no response ever holds a stack trace or a data value.
 *
 * Only the machine itself may use it. It listens on 127.0.0.1 only; it answers only requests
 * addressed to a loopback name (the Host header), so a web page whose domain is made to resolve
 * to 127.0.0.1 (DNS rebinding) gets 403; and it accepts only `Content-Type: application/json`,
 * which a web page can send only after a CORS preflight that the service never grants, so no page
 * the operator visits can make it compute (415 for anything else, a form or text included). The
 * request log (one line per request: method, path, status, milliseconds) holds no bodies. The
 * ledger's routes are described in ./ledger.ts; without a `ledger` they answer 404 (no-ledger).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { packageVersion } from "../package-info.ts";
import type { Route } from "./handlers.ts";
import { openApiDocument } from "./openapi.ts";
import { BusyError, InlineRunner, TimeoutError, WorkerPool, type Runner } from "./pool.ts";
import type { z } from "zod";
import { AdaptRequestSchema, ContractRequestSchema, SettleRequestSchema, type AdaptRequest, type ContractRequest, type SettleRequest } from "./schemas.ts";
import type { LedgerApi } from "./ledger.ts";

export interface ServiceOptions {
  /** default 127.0.0.1; only loopback addresses are accepted */
  host?: string;
  /** default 8787; 0 picks a free port */
  port?: number;
  /** default 5 MB */
  maxBodyBytes?: number;
  /** the largest contract source, in bytes of UTF-8, default 512 KB (data files count only toward maxBodyBytes) */
  maxSourceBytes?: number;
  /** time to receive a request body, default 10 s (→ 408) */
  bodyTimeoutMs?: number;
  /** time to answer a request, default 30 s (→ 503) */
  timeoutMs?: number;
  /** "worker" (default): requests run in worker threads that can be stopped; "inline": on the main thread */
  isolation?: "worker" | "inline";
  /** worker threads (default 2) */
  workers?: number;
  /** request log, one line per request; nothing is logged when absent */
  log?: (line: string) => void;
  /** further routes served beside these (the portfolio desk of `obc serve --portfolio`) */
  extra?: ExtraRoutes;
  /** a settlement ledger (an SQLite file, created when missing, or postgres://…): serves POST /settle and GET /ledger/… */
  ledger?: string;
  /** the clock for what the ledger records, ISO 8601 (default the system clock) */
  now?: () => string;
}

/** Routes served beside the engine's: `handle` answers a request and returns true when it serves the path. */
export interface ExtraRoutes {
  handle(req: IncomingMessage, res: ServerResponse, path: string, limits: { maxBodyBytes: number; bodyTimeoutMs: number }): Promise<boolean>;
  close(): Promise<void>;
}

export interface RunningService {
  server: Server;
  url: string;
  port: number;
  mode: "worker" | "inline";
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_MAX_BODY = 5 * 1024 * 1024;
export const DEFAULT_MAX_SOURCE = 512 * 1024;

const LEDGER_GET = { methods: ["GET", "HEAD"], ledger: true };
const ROUTES: Record<string, { methods: string[]; route?: Route; schema?: z.ZodType<ContractRequest | AdaptRequest | SettleRequest>; ledger?: boolean }> = {
  "/check": { methods: ["POST"], route: "check" },
  "/compile": { methods: ["POST"], route: "compile" },
  "/run": { methods: ["POST"], route: "run" },
  "/analysis": { methods: ["POST"], route: "analysis" },
  "/summary": { methods: ["POST"], route: "summary" },
  "/adapt": { methods: ["POST"], route: "adapt", schema: AdaptRequestSchema },
  "/settle": { methods: ["POST"], schema: SettleRequestSchema, ledger: true },
  "/ledger/settlements": LEDGER_GET,
  "/ledger/balances": LEDGER_GET,
  "/ledger/contracts": LEDGER_GET,
  "/ledger/verify": LEDGER_GET,
  "/openapi.json": { methods: ["GET", "HEAD"] },
  "/health": { methods: ["GET", "HEAD"] },
};

/** Answers with JSON. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

/** The body of every error answer. */
export const error = (code: string, message: string, extra: Record<string, string> = {}) => ({ error: { code, message, ...extra } });

/** A request body that is too large, too slow or unreadable (its status and code). */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body up to `max` bytes within `timeoutMs`. */
export function readBody(req: IncomingMessage, max: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) {
      reject(new BodyError(413, "payload-too-large", `the request body is larger than ${max} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (e?: Error, b?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeAllListeners("data");
      if (e) reject(e);
      else resolve(b!);
    };
    const timer = setTimeout(() => finish(new BodyError(408, "request-timeout", `the request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        finish(new BodyError(413, "payload-too-large", `the request body is larger than ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => finish(undefined, Buffer.concat(chunks)));
    req.on("error", () => finish(new BodyError(400, "bad-request", "the request body could not be read")));
  });
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Whether a Host header names this machine: a loopback name or address, with or without a port. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  if (!header) return false;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return false;
  const name = (m[1] ?? m[2] ?? "").toLowerCase();
  return isLoopback(name) || name === "localhost." || name.endsWith(".localhost");
}

/** `Content-Type: application/json`, with or without parameters such as `charset=utf-8`. */
function isJson(type: string | undefined): boolean {
  return !!type && /^application\/json\s*(;|$)/i.test(type.trim());
}

const TYPE_WORDS: Record<string, string> = {
  string: "text", array: "a list", object: "an object", boolean: "true or false", number: "a number",
};

/** The value at a path of the parsed body, to tell a missing field from one of the wrong kind. */
function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * What is wrong with a request body, in plain words: every problem (up to five), each naming
 * its field ("source is required; files must be a list"). Values are never quoted.
 */
export function describeIssues(raw: unknown, issues: { code: string; path: PropertyKey[]; message: string; expected?: string; keys?: string[] }[]): { message: string; path: string } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { message: 'the request body must be a JSON object, such as {"source": "contract …"}', path: "" };
  }
  // one problem per field (a date that is malformed is not also reported as no calendar date)
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = i.path.map(String).join(".");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const parts = unique.slice(0, 5).map((issue) => {
    const at = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") return { path: `${at ? at + "." : ""}${issue.keys?.[0] ?? ""}`, text: `unknown field ${at ? at + "." : ""}${issue.keys?.[0] ?? ""}` };
    const field = at || "the body";
    if (issue.code === "invalid_type") {
      if (valueAt(raw, issue.path) === undefined) return { path: at, text: `${field} is required` };
      return { path: at, text: `${field} must be ${TYPE_WORDS[issue.expected ?? ""] ?? issue.expected ?? "of another kind"}` };
    }
    return { path: at, text: `${field}: ${issue.message}` };
  });
  const more = unique.length > parts.length ? `; and ${unique.length - parts.length} more` : "";
  return { message: parts.map((p) => p.text).join("; ") + more, path: parts[0]?.path ?? "" };
}

/** Starts the service. Resolves once it listens. */
export async function startService(opts: ServiceOptions = {}): Promise<RunningService> {
  const host = opts.host ?? "127.0.0.1";
  if (!isLoopback(host)) throw new RangeError(`the service listens on loopback addresses only (127.0.0.1, ::1), not ${host}`);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  // the most of a refused body read (and dropped) so that its sender sees the answer
  const maxDrain = Math.max(64 * 1024 * 1024, 4 * maxBody);
  const maxSource = opts.maxSourceBytes ?? DEFAULT_MAX_SOURCE;
  const bodyTimeout = opts.bodyTimeoutMs ?? 10_000;
  const timeout = opts.timeoutMs ?? 30_000;
  const log = opts.log;
  let runner: Runner;
  if ((opts.isolation ?? "worker") === "worker") {
    const pool = new WorkerPool(Math.max(1, opts.workers ?? 2));
    try {
      await pool.ready();
      runner = pool;
    } catch {
      await pool.close();
      log?.("obc serve: worker threads could not start; running requests on the main thread");
      runner = new InlineRunner();
    }
  } else runner = new InlineRunner();
  const openapi = openApiDocument(packageVersion());
  let ledger: LedgerApi | undefined;
  if (opts.ledger !== undefined) {
    // loaded only when asked for: SQLite and the ledger's code stay out of a service without one
    const { openLedgerApi } = await import("./ledger.ts");
    try {
      ledger = await openLedgerApi(opts.ledger, opts.now ?? (() => new Date().toISOString()));
    } catch (e) {
      await runner.close();
      throw e;
    }
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on("finish", () => log?.(`${req.method} ${(req.url ?? "").split("?")[0]} ${res.statusCode} ${Date.now() - started}ms`));
    void answer(req, res).catch(() => send(res, 500, error("internal", "internal error")));
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackHostHeader(req.headers.host)) {
      req.resume();
      return send(res, 403, error("forbidden-host", "this service answers only requests addressed to this machine (Host: localhost or 127.0.0.1)"));
    }
    const path = (req.url ?? "/").split("?")[0];
    if (opts.extra && (await opts.extra.handle(req, res, path, { maxBodyBytes: maxBody, bodyTimeoutMs: bodyTimeout }))) return;
    const entry = ROUTES[path];
    if (!entry) {
      req.resume();
      return send(res, 404, error("not-found", `there is no ${path}; see GET /openapi.json`));
    }
    const method = req.method ?? "GET";
    if (!entry.methods.includes(method)) {
      req.resume();
      return send(res, 405, error("method-not-allowed", `${path} accepts ${entry.methods.filter((m) => m !== "HEAD").join(", ")}, not ${method}`), {
        allow: entry.methods.join(", "),
      });
    }
    if (path === "/openapi.json") return send(res, 200, openapi);
    if (path === "/health") return send(res, 200, { ok: true, mode: runner.mode });
    if (entry.ledger && !ledger) {
      req.resume();
      return send(res, 404, error("no-ledger", `${path} needs a ledger: start the service with one (obc serve --ledger FILE)`));
    }
    if (entry.ledger && method !== "POST") {
      const reply = await ledger!.query(path, new URL(req.url ?? "/", "http://localhost").searchParams);
      return send(res, reply.status, reply.body);
    }

    // JSON only: a web page can send other types (a form, text) without asking first
    if (!isJson(req.headers["content-type"])) {
      req.resume();
      return send(res, 415, error("unsupported-media-type", "send the request as JSON, with the header Content-Type: application/json"));
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBody, bodyTimeout);
    } catch (e) {
      if (e instanceof BodyError) return refuseBody(req, res, e);
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString("utf8"));
    } catch {
      return send(res, 400, error("bad-json", "the request body is not valid JSON"));
    }
    const source = raw && typeof raw === "object" ? (raw as { source?: unknown }).source : undefined;
    if (typeof source === "string" && Buffer.byteLength(source, "utf8") > maxSource) {
      return send(res, 413, error("source-too-large", `the contract source is larger than ${Math.round(maxSource / 1024)} KB; the largest real contracts are a few dozen`));
    }
    const parsed = (entry.schema ?? ContractRequestSchema).safeParse(raw);
    if (!parsed.success) {
      const { message, path } = describeIssues(raw, parsed.error.issues as Parameters<typeof describeIssues>[1]);
      return send(res, 400, error("invalid-request", message, { path }));
    }
    if (entry.ledger) {
      const reply = await ledger!.settle(parsed.data as SettleRequest);
      return send(res, reply.status, reply.body);
    }
    try {
      const reply = await runner.run(entry.route!, parsed.data as ContractRequest | AdaptRequest, timeout);
      return send(res, reply.status, reply.body);
    } catch (e) {
      if (e instanceof TimeoutError) return send(res, 503, error("timeout", `the request took longer than ${timeout} ms and was stopped`));
      if (e instanceof BusyError) return send(res, 503, error("busy", "the service is busy; try again shortly"), { "retry-after": "1" });
      return send(res, 500, error("internal", "internal error"));
    }
  }

  /**
   * Answers a body that cannot be taken (too large, too slow, unreadable) so that every client
   * reads the answer: the response is written whole (its length is known), and the connection
   * is closed only once the client has finished sending, so no client still writing its body
   * gets a reset instead of the 413. The rest of the body is read and dropped, at most
   * `maxDrain` bytes within `bodyTimeout`; beyond that the connection is cut.
   */
  function refuseBody(req: IncomingMessage, res: ServerResponse, e: BodyError): void {
    const text = JSON.stringify(error(e.code, e.message));
    res.writeHead(e.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      connection: "close",
    });
    res.write(text);
    if (req.complete || e.code === "request-timeout") {
      res.end();
      return;
    }
    let dropped = 0;
    const cut = () => {
      clearTimeout(timer);
      req.removeAllListeners("data");
      req.socket.destroy();
    };
    const timer = setTimeout(cut, bodyTimeout);
    req.on("data", (c: Buffer) => {
      dropped += c.length;
      if (dropped > maxDrain) cut();
    });
    req.once("end", () => {
      clearTimeout(timer);
      res.end();
    });
    req.once("error", cut);
    req.resume();
  }

  // a client that asks before sending its body (Expect: 100-continue) is refused before it sends it
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBody) {
      send(res, 413, error("payload-too-large", `the request body is larger than ${maxBody} bytes`), { connection: "close" });
      return;
    }
    res.writeContinue();
    server.emit("request", req, res);
  });

  server.headersTimeout = bodyTimeout + 1_000;
  server.requestTimeout = 0; // bodies are timed by readBody, answers by the runner
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    server,
    url,
    port,
    mode: runner.mode,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runner.close();
      await opts.extra?.close();
      await ledger?.close();
    },
  };
}
