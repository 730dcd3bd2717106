/**
 * The desk over HTTP, beside the engine's routes (`obc serve --portfolio FILE --ledger F|URL`):
 * the dashboard's static files and a JSON API.
 *
 *   GET  /                                         → the dashboard (redirect to /dashboard/)
 *   GET  /dashboard/…                              the built dashboard (dashboard/dist)
 *   GET  /portfolio/api/status?asOf=               status per contract, provider, district, payer
 *   GET  /portfolio/api/forecast?asOf=&runs=       every contract's forecast
 *   GET  /portfolio/api/contracts/ID?asOf=         one contract: status, drops, paid/earned/contingent
 *                                                  by month, escalation checkpoints, subgroups
 *   GET  /portfolio/api/contracts/ID/students?asOf=&role=&for=   student lines as a role sees them
 *   POST /portfolio/api/contracts/ID/drops         a new drop: { asOf, suppliedBy, files: { set: { name, base64 } or { name, text } }, supersedes?, reason? }
 *   POST /portfolio/api/contracts/ID/drops/DROP/attest   { by, role }
 *   POST /portfolio/api/contracts/ID/settle        { asOf?, accept? }: settles the latest drop in force
 *   GET  /portfolio/api/payers                     the payers, for statements
 *   GET  /portfolio/api/statement?payer=&from=&to=&format=docx|xlsx|csv|json   a download
 *   GET  /portfolio/api/views/ROLE?for=&asOf=      a role's view (funder: aggregates only)
 *
 * The service listens on loopback only; it has no accounts, so a role's view is a view, not an
 * access control. The clock for what is recorded is `now()` (the system clock unless given).
 * Every write to the ledger goes through one queue. Answers are JSON with amounts as decimal
 * strings; errors are `{ error: { code, message } }` and never hold a data value.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { LedgerRefusal, openLedger, type Ledger } from "../ledger/index.ts";
import { BodyError, error, readBody, send, type ExtraRoutes } from "../service/server.ts";
import { hmacKeys, type KeyFunction } from "../privacy.ts";
import { deskJson } from "./json.ts";
import { DropError, unreadableDropFile, writeDrop } from "./drops.ts";
import { dropsInForce, loadPortfolio, renderProblem, type Portfolio, type PortfolioContract } from "./format.ts";
import { forecastContract } from "./forecast.ts";
import { ledgerDropOf, ledgerLines, ledgerTotals, readDropFiles, recordDrop } from "./ledger.ts";
import { latestValues, runDrop, type ContractRun } from "./run.ts";
import { attestPortfolio, settlePortfolio } from "./settle.ts";
import { buildStatement, payersOf } from "./statement.ts";
import { statementCsv, statementDocx, statementXlsx } from "./statement-render.ts";
import { contractStatus, portfolioStatus } from "./status.ts";
import { equityView, roleView, ROLES, type Role } from "./views.ts";

/** The built dashboard: dashboard/dist at the repository's root (from the sources, or from the package's dist/). */
export const DASHBOARD_DIR = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "..", "dashboard", "dist"), join(here, "..", "..", "..", "dashboard", "dist")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
})();

export interface DeskOptions {
  /** the portfolio file */
  portfolio: string;
  /** the ledger: an SQLite file or postgres://… */
  ledger: string;
  /** the built dashboard (default dashboard/dist) */
  dashboardDir?: string;
  /** the clock for what is recorded, ISO 8601 (default the system clock) */
  now?: () => string;
  /** the pseudonymisation secret, for the provider and evaluator views */
  secret?: Buffer;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** The desk's routes, for `startService({ extra })`. Opens the ledger (creating an SQLite file when absent). */
export async function deskRoutes(o: DeskOptions): Promise<ExtraRoutes> {
  const now = o.now ?? (() => new Date().toISOString());
  const dashboard = resolve(o.dashboardDir ?? DASHBOARD_DIR);
  const ledger: Ledger = await openLedger(o.ledger, { create: true, now: now() });
  const keys: KeyFunction | undefined = o.secret ? hmacKeys(o.secret) : undefined;

  // one queue for everything that touches the ledger, so that a write is never interleaved
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = queue.then(f, f);
    queue = next.catch(() => undefined);
    return next;
  };

  // the portfolio, read again when its files or drop folders change
  let loaded: { key: string; portfolio: Portfolio } | undefined;
  const fingerprint = (): string => {
    const parts: string[] = [];
    const stamp = (p: string) => {
      try {
        const st = statSync(p);
        parts.push(`${p}:${st.mtimeMs}:${st.size}`);
      } catch {
        parts.push(`${p}:-`);
      }
    };
    stamp(o.portfolio);
    for (const c of loaded?.portfolio.contracts ?? []) {
      stamp(c.path);
      try {
        parts.push(`${c.dropsDir}:${readdirSync(c.dropsDir).sort().join("|")}`);
      } catch {
        parts.push(`${c.dropsDir}:-`);
      }
    }
    return parts.join("\n");
  };
  const portfolio = (): Portfolio => {
    const key = fingerprint();
    if (loaded && loaded.key === key) return loaded.portfolio;
    const { portfolio: p, problems } = loadPortfolio(o.portfolio);
    if (!p) throw new HttpError(500, "portfolio-invalid", `the portfolio has errors: ${problems.filter((x) => x.severity === "error").slice(0, 3).map(renderProblem).join("; ")}`);
    loaded = { key: "", portfolio: p };
    loaded.key = fingerprint();
    return p;
  };

  // runs, by contract and drop (a drop's files do not change; a corrected drop is another drop)
  const runs = new Map<string, Promise<ContractRun>>();
  const runOf = (c: PortfolioContract, date: string): Promise<ContractRun> => {
    const inForce = dropsInForce(c, date);
    const drop = inForce[inForce.length - 1];
    if (!drop) return Promise.resolve({ contract: c, inputs: [], problems: [], ok: true });
    const k = `${c.id}\n${c.identity}\n${drop.id}\n${drop.files.map((f) => `${f.label}:${statSync(f.path).mtimeMs}`).join("|")}`;
    let r = runs.get(k);
    if (!r) {
      r = runDrop(c, drop);
      runs.set(k, r);
      r.catch(() => runs.delete(k));
    }
    return r.then((x) => ({ ...x, contract: c }));
  };
  const runAll = (p: Portfolio, date: string) => Promise.all(p.contracts.map((c) => runOf(c, date)));

  const defaultDate = (p: Portfolio): string => {
    // the last day a drop arrived (the data's clock), else today
    let last = "";
    for (const c of p.contracts) for (const d of c.drops) if (d.received.slice(0, 10) > last) last = d.received.slice(0, 10);
    const today = now().slice(0, 10);
    return last === "" || today < last ? today : last;
  };
  const dateParam = (q: URLSearchParams, p: Portfolio, name = "asOf"): string => {
    const v = q.get(name);
    if (v === null || v === "") return defaultDate(p);
    if (!isoDay.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new HttpError(400, "bad-date", `${name}: write the date as YYYY-MM-DD`);
    return v;
  };
  const contractOf = (p: Portfolio, id: string): PortfolioContract => {
    const c = p.contracts.find((x) => x.id === id);
    if (!c) throw new HttpError(404, "not-found", `the portfolio has no contract ${id}`);
    return c;
  };
  const jsonBody = async <T>(req: IncomingMessage, schema: z.ZodType<T>, limits: { maxBodyBytes: number; bodyTimeoutMs: number }): Promise<T> => {
    const body = await readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "bad-json", "the request body is not valid JSON");
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new HttpError(400, "invalid-request", `${i.path.map(String).join(".") || "the body"}: ${i.message}`);
    }
    return r.data;
  };
  const reply = (res: ServerResponse, value: unknown, status = 200) => {
    const text = deskJson(value);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.end(res.req.method === "HEAD" ? undefined : text);
  };

  // ── the routes ──

  async function contractPage(p: Portfolio, c: PortfolioContract, date: string) {
    const run = await runOf(c, date);
    const [lines, drops] = await serial(async () => [await ledgerLines(ledger), await ledger.drops({ contract: c.identity })] as const);
    const mine = lines.filter((l) => l.contract === c.identity);
    const status = contractStatus(c, run, mine.filter((l) => l.createdAt.slice(0, 10) <= date), date, drops);
    // month by month: what the ledger had paid, what the drops then earned, what was still contingent
    const series = [];
    const start = c.ir.term?.start ?? date;
    for (let m = start.slice(0, 7); ; ) {
      const [y, mo] = [Number(m.slice(0, 4)), Number(m.slice(5, 7))];
      const end = new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
      const day = end < date ? end : date;
      const r = await runOf(c, day);
      const s = contractStatus(c, r, mine.filter((l) => l.createdAt.slice(0, 10) <= day), day);
      series.push({ date: day, paid: s.paid, earned: s.earned, contingent: s.contingent, withheld: s.withheld });
      if (end >= date || (c.ir.term && end >= c.ir.term.end)) break;
      m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
    }
    const values = await latestValues([run]);
    const equity = equityView(p, [run], values, { minCell: p.minCell });
    const dropRows = c.drops.map((d) => {
      const inForce = dropsInForce(c, date).some((x) => x.id === d.id);
      const received = d.received.slice(0, 10) <= date;
      return { id: d.id, asOf: d.asOf, received: d.received, suppliedBy: d.suppliedBy, ...(d.supersedes ? { supersedes: d.supersedes, reason: d.reason } : {}), inForce, arrived: received, files: d.files.map((f) => f.label) };
    });
    // the ledger's records of the drops (matched by their files)
    const recorded = await Promise.all(
      c.drops.map(async (d) => {
        const r = ledgerDropOf(drops, c, (await readDropFiles(d)).map((f) => f.drop));
        return r ? { id: r.id, attestations: r.attestations, settlements: r.settlements, supersededBy: r.supersededBy } : undefined;
      }),
    );
    return {
      schema: "obc.portfolio-contract/1",
      date,
      currency: p.currency,
      status,
      title: c.title,
      term: c.ir.term,
      clauses: c.ir.clauses.map((x) => ({ id: x.id, name: x.name, kind: x.kind, ...(x.decl.due ? { due: x.decl.due.value } : {}) })),
      dataSets: c.ir.dataSets.map((d) => d.name),
      payers: status.payers,
      series,
      escalations: (run.result?.escalations ?? []).map((e) => ({ name: e.name, checkpoints: e.checkpoints })),
      equity: equity.contracts[0]?.aggregate,
      drops: dropRows.map((d, i) => ({ ...d, ...(recorded[i] ? { ledger: recorded[i] } : {}) })),
      dataQuality: run.result?.dataQuality,
      problems: run.problems.length,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, limits: { maxBodyBytes: number; bodyTimeoutMs: number }): Promise<boolean> {
    const method = req.method ?? "GET";
    if (path === "/" && (method === "GET" || method === "HEAD")) {
      res.writeHead(302, { location: "/dashboard/" });
      res.end();
      return true;
    }
    if (path === "/dashboard" || path.startsWith("/dashboard/")) {
      serveStatic(res, dashboard, path.slice("/dashboard".length) || "/", method);
      return true;
    }
    if (!path.startsWith("/portfolio/api/")) return false;
    const url = new URL(req.url ?? "/", "http://localhost");
    const q = url.searchParams;
    const parts = path.slice("/portfolio/api/".length).split("/").map(decodeURIComponent);
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw new HttpError(405, "method-not-allowed", `${path} accepts ${methods.join(", ")}, not ${method}`);
    };
    try {
      const p = portfolio();
      if (parts[0] === "status" && parts.length === 1) {
        allow("GET");
        const date = dateParam(q, p);
        const rs = await runAll(p, date);
        const [lines, drops] = await serial(async () => [await ledgerLines(ledger), await ledger.drops()] as const);
        reply(res, { schema: "obc.portfolio-status/1", defaultDate: defaultDate(p), intermediary: p.intermediary, ...portfolioStatus(p, rs, lines, date, drops) });
        return true;
      }
      if (parts[0] === "forecast" && parts.length === 1) {
        allow("GET");
        const date = dateParam(q, p);
        const n = Number(q.get("runs") ?? "200");
        if (!Number.isInteger(n) || n < 20 || n > 5000) throw new HttpError(400, "bad-runs", "runs: 20 to 5000");
        const out = [];
        for (const c of p.contracts) out.push(await forecastContract(c, date, { runs: n }));
        reply(res, { schema: "obc.portfolio-forecast/1", date, runs: n, contracts: out });
        return true;
      }
      if (parts[0] === "payers" && parts.length === 1) {
        allow("GET");
        reply(res, { payers: payersOf(p) });
        return true;
      }
      if (parts[0] === "statement" && parts.length === 1) {
        allow("GET");
        const payer = q.get("payer") ?? "";
        if (!payersOf(p).includes(payer)) throw new HttpError(404, "not-found", "no contract of the portfolio names this payer");
        const from = dateParam(q, p, "from");
        const to = dateParam(q, p, "to");
        if (from > to) throw new HttpError(400, "bad-period", "from is after to");
        const format = q.get("format") ?? "docx";
        if (!["docx", "xlsx", "csv", "json"].includes(format)) throw new HttpError(400, "bad-format", "format: docx, xlsx, csv or json");
        const rs = await runAll(p, to);
        const [lines, totals] = await serial(async () => [await ledgerLines(ledger), await ledgerTotals(ledger, p.contracts.map((c) => c.identity))] as const);
        const s = buildStatement(p, lines, totals, rs, { payer, from, to });
        if (!s.ledger.reconciles) throw new HttpError(500, "not-reconciled", "the statement does not reconcile to the ledger");
        const body = format === "docx" ? await statementDocx(s) : format === "xlsx" ? await statementXlsx(s) : format === "csv" ? statementCsv(s) : deskJson(s);
        const type = { docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" }[format]!;
        const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
        res.writeHead(200, { "content-type": type, "content-length": String(bytes.length), "content-disposition": `attachment; filename="statement-${s.number}.${format}"`, "cache-control": "no-store", "x-content-type-options": "nosniff" });
        res.end(bytes);
        return true;
      }
      if (parts[0] === "views" && parts.length === 2) {
        allow("GET");
        const role = parts[1] as Role;
        if (!(ROLES as readonly string[]).includes(role)) throw new HttpError(404, "not-found", `there is no view for ${role}`);
        const date = dateParam(q, p);
        const rs = await runAll(p, date);
        const lines = await serial(() => ledgerLines(ledger));
        const who = q.get("for") ?? undefined;
        try {
          reply(res, roleView(p, rs, lines, await latestValues(rs), { role, ...(who ? { for: who } : {}), date, ...(keys ? { keys } : {}) }));
        } catch (e) {
          if (e instanceof RangeError) throw new HttpError(400, "bad-view", e.message);
          throw e;
        }
        return true;
      }
      if (parts[0] === "contracts" && parts.length >= 2) {
        const c = contractOf(p, parts[1]!);
        if (parts.length === 2) {
          allow("GET");
          reply(res, await contractPage(p, c, dateParam(q, p)));
          return true;
        }
        if (parts[2] === "drops" && parts.length === 3) {
          allow("POST");
          const body = await jsonBody(req, NewDropSchema, limits);
          // a file's bytes as the district sent them (base64), or a text file's text
          const files = Object.fromEntries(Object.entries(body.files).map(([k, f]) => [k, { name: f.name, bytes: "base64" in f ? Buffer.from(f.base64, "base64") : Buffer.from(f.text, "utf8") }]));
          const unreadable = await unreadableDropFile(files);
          if (unreadable) throw new HttpError(400, "unreadable-file", unreadable);
          let id: string;
          try {
            id = writeDrop(c, {
              asOf: body.asOf,
              received: now(),
              suppliedBy: body.suppliedBy,
              files,
              ...(body.drop !== undefined ? { id: body.drop } : {}),
              ...(body.supersedes !== undefined ? { supersedes: body.supersedes } : {}),
              ...(body.reason !== undefined ? { reason: body.reason } : {}),
            });
          } catch (e) {
            if (e instanceof DropError) throw new HttpError(400, "invalid-request", e.message);
            throw e;
          }
          const fresh = portfolio();
          const fc = contractOf(fresh, c.id);
          const drop = fc.drops.find((d) => d.id === id);
          if (!drop) throw new HttpError(500, "drop-not-read", "the drop was written but could not be read back");
          const { record } = await serial(() => recordDrop(ledger, fc, drop, now()));
          reply(res, { drop: id, ledgerDrop: record.id }, 201);
          return true;
        }
        if (parts[2] === "drops" && parts[4] === "attest" && parts.length === 5) {
          allow("POST");
          const body = await jsonBody(req, AttestSchema, limits);
          if (!c.drops.some((d) => d.id === parts[3])) throw new HttpError(404, "not-found", `contract ${c.id} has no drop ${parts[3]}`);
          const out = await serial(() => attestPortfolio(p, ledger, { date: "9999-12-31", by: body.by, role: body.role, at: now(), only: new Set([c.id]), drop: parts[3]!, ...(body.note ? { note: body.note } : {}) }));
          reply(res, out[0]);
          return true;
        }
        if (parts[2] === "settle" && parts.length === 3) {
          allow("POST");
          const body = await jsonBody(req, SettleSchema, limits);
          const date = body.asOf ?? defaultDate(p);
          const stamp = now();
          const out = await serial(() => settlePortfolio(p, ledger, { date, now: stamp, only: new Set([c.id]), ...(body.accept ? { accept: new Map([[c.id, body.accept]]) } : {}) }));
          reply(res, out[0]);
          return true;
        }
        if (parts[2] === "forecast" && parts.length === 3) {
          allow("GET");
          const n = Number(q.get("runs") ?? "500");
          if (!Number.isInteger(n) || n < 20 || n > 5000) throw new HttpError(400, "bad-runs", "runs: 20 to 5000");
          reply(res, await forecastContract(c, dateParam(q, p), { runs: n }));
          return true;
        }
      }
      throw new HttpError(404, "not-found", `there is no ${path}`);
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, error(e.code, e.message));
      else if (e instanceof BodyError) send(res, e.status, error(e.code, e.message));
      else if (e instanceof LedgerRefusal) send(res, e.kind === "internal" ? 500 : 409, error(`refused-${e.kind}`, e.message));
      else send(res, 500, error("internal", "internal error"));
      return true;
    }
  }

  return {
    handle,
    close: async () => {
      await queue;
      await ledger.close();
    },
  };
}

// ───────────────────────────── requests ─────────────────────────────

const NewDropSchema = z
  .object({
    drop: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/).optional(),
    asOf: z.string().regex(isoDay),
    suppliedBy: z.string().trim().min(1).max(200),
    files: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      z.union([
        z.object({ name: z.string().min(1).max(200), text: z.string().max(20_000_000) }).strict(),
        z.object({ name: z.string().min(1).max(200), base64: z.string().max(28_000_000).regex(/^[A-Za-z0-9+/]*={0,2}$/) }).strict(),
      ]),
    ),
    supersedes: z.string().optional(),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
const AttestSchema = z.object({ by: z.string().trim().min(1).max(200), role: z.enum(["district", "evaluator"]), note: z.string().max(500).optional() }).strict();
const SettleSchema = z.object({ asOf: z.string().regex(isoDay).optional(), accept: z.string().trim().min(1).max(500).optional() }).strict();


// ───────────────────────────── static files ─────────────────────────────

function serveStatic(res: ServerResponse, root: string, rel: string, method: string): void {
  if (method !== "GET" && method !== "HEAD") {
    send(res, 405, error("method-not-allowed", `the dashboard accepts GET, not ${method}`), { allow: "GET, HEAD" });
    return;
  }
  if (!existsSync(join(root, "index.html"))) {
    send(res, 404, error("no-dashboard", "the dashboard is not built: run npm run build:dashboard"));
    return;
  }
  const file = normalize(join(root, rel.endsWith("/") ? `${rel}index.html` : rel));
  if (file !== root && !file.startsWith(root + sep)) {
    send(res, 404, error("not-found", "there is no such file"));
    return;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    send(res, 404, error("not-found", "there is no such file"));
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(bytes.length),
    // the assets' names carry their hash; the page itself is always fetched again
    "cache-control": rel.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  res.end(method === "HEAD" ? undefined : bytes);
}
