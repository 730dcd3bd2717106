/**
 * What each service route does with a validated request: pure functions from a request to a
 * status and a JSON body. They run in a worker thread (so a run that takes too long can be
 * stopped) or inline. They never throw for a bad contract or bad data: those are answers.
 */
import { join } from "node:path";
import { toJson } from "../../language/diagnostics/render.ts";
import { compileSource } from "../../language/driver.ts";
import type { Resolver } from "../../language/templates/expand.ts";
import { memoryResolver } from "../../stdlib/index.ts";
import { nodeResolver, STDLIB_DIR } from "../../stdlib/node-resolver.ts";
import { compileRules, runContract, studentBounds } from "../../engine/index.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { adaptForDataSet, parseMapping, type AdaptInput, type ColumnMapping } from "../adapters/index.ts";
import type { AdaptRequest, ContractRequest } from "./schemas.ts";

export type Route = "check" | "compile" | "run" | "analysis" | "summary" | "adapt";

export interface Reply {
  status: number;
  body: unknown;
}

const CONTRACT_FILE = "contract.obc";

/** Templates from the standard library only: a request has no folder, so relative imports find nothing. */
const stdlibOnly: Resolver = { ...nodeResolver(join(STDLIB_DIR, "request.obc")), relative: () => undefined };

/** The library from disk, and the request's own template files (its bundle) for relative imports. */
export function resolverFor(req: { templates?: Record<string, string> | undefined }): Resolver {
  if (!req.templates) return stdlibOnly;
  return { ...stdlibOnly, relative: memoryResolver({}, req.templates).relative };
}

/** The 422 answer to a contract with errors, with its diagnostics. */
export function invalidContract(source: string, diagnostics: ReturnType<typeof compileSource>["diagnostics"]): Reply {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    status: 422,
    body: {
      error: { code: "invalid-contract", message: `the contract has ${errors} error${errors === 1 ? "" : "s"}; see diagnostics` },
      diagnostics: toJson(diagnostics, source, CONTRACT_FILE),
    },
  };
}

const refuse = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): Reply => ({ status, body: { error: { code, message }, ...extra } });

/**
 * Adapts district or vendor files sent in the request: they are written to a private temporary
 * folder (adapters stream from files), read, and removed whatever happens.
 */
async function adapt(req: AdaptRequest): Promise<Reply> {
  const compiled = compileSource(req.source, { resolver: resolverFor(req) });
  if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
  const ds = compiled.ir.dataSets.find((d) => d.name === req.dataSet);
  if (!ds) return refuse(400, "unknown-data-set", `the contract has no data set ${req.dataSet} (it has ${compiled.ir.dataSets.map((d) => d.name).join(", ")})`);
  if (ds.kind !== "student") return refuse(400, "not-per-student", `the data set ${ds.name} is not per student; adapt writes per-student data sets`);
  let mapping: ColumnMapping | undefined;
  if (req.mapping !== undefined) {
    const parsed = parseMapping(JSON.stringify(req.mapping));
    if (!parsed.ok) return refuse(400, "bad-mapping", `mapping: ${parsed.message}`);
    mapping = parsed.mapping;
  }
  const dir = await mkdtemp(join(tmpdir(), "obc-service-adapt-"));
  try {
    const inputs: AdaptInput[] = [];
    for (const [i, f] of req.files.entries()) {
      const path = join(dir, String(i));
      await writeFile(path, f.base64 !== undefined ? Buffer.from(f.base64, "base64") : (f.text ?? ""), { mode: 0o600 });
      inputs.push({ path, label: f.label, format: f.format ?? req.format });
    }
    let res;
    try {
      res = await adaptForDataSet(ds, inputs, {
        windowSpecs: req.windows ?? [],
        map: req.map ?? {},
        ...(mapping ? { mapping } : {}),
        ...(req.subject ? { subject: req.subject } : {}),
        ...(req.idField ? { idField: req.idField } : {}),
        ...(req.sessionsThrough ? { sessionsThrough: req.sessionsThrough } : {}),
        ...(req.strict ? { strict: true } : {}),
      });
    } catch (e) {
      if (e instanceof RangeError) return refuse(400, "invalid-request", e.message);
      throw e;
    }
    if (res.csv.unmapped.length > 0) {
      return refuse(422, "missing-field", `no file provides ${res.csv.unmapped.join(", ")} of the data set ${ds.name}; name a source with map`, {
        unmapped: res.csv.unmapped,
        available: res.available.map((k) => res.names.get(k) ?? k),
        quality: res.quality,
      });
    }
    if (req.strict && !res.quality.clean) return refuse(422, "data-errors", "strict: a row was rejected or a cell could not be read; see quality", { quality: res.quality });
    return { status: 200, body: { ok: true, csv: res.csv.text, rows: res.csv.rows, quality: res.quality } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Answers one request. */
export async function handle(route: Route, body: ContractRequest | AdaptRequest): Promise<Reply> {
  if (route === "adapt") return adapt(body as AdaptRequest);
  const req = body as ContractRequest;
  const compiled = compileSource(req.source, { resolver: resolverFor(req) });
  switch (route) {
    case "check":
      return { status: 200, body: { ok: compiled.ok, diagnostics: toJson(compiled.diagnostics, req.source, CONTRACT_FILE) } };
    case "compile": {
      if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
      return {
        status: 200,
        body: { ok: true, rules: compileRules(compiled.ir, req.source), diagnostics: toJson(compiled.diagnostics, req.source, CONTRACT_FILE) },
      };
    }
    case "analysis": {
      if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
      const b = studentBounds(compiled.ir);
      const money = (r: { toDecimalString(p: number): string } | undefined) => (r === undefined ? undefined : r.toDecimalString(2));
      return {
        status: 200,
        body: {
          ok: true,
          analysis: {
            clauses: b.clauses.map((c) => ({ clause: c.clause, name: c.name, ...(c.min ? { min: money(c.min) } : {}), ...(c.max ? { max: money(c.max) } : {}) })),
            ...(b.max ? { studentMax: money(b.max) } : {}),
            ...(b.min ? { studentMin: money(b.min) } : {}),
            maxClauses: b.maxClauses,
          },
        },
      };
    }
    case "summary": {
      if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
      const { summarizeContract, toMarkdown, toHtml, sourceMap } = await import("../../engine/summary/index.ts");
      const doc = await summarizeContract(compiled.ir, req.source, {
        sourceName: CONTRACT_FILE,
        ...(req.asOf !== undefined ? { asOf: req.asOf } : {}),
      });
      return { status: 200, body: { ok: true, markdown: toMarkdown(doc), html: toHtml(doc), sourceMap: sourceMap(doc) } };
    }
    case "run": {
      if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
      const out = await runContract(compiled.ir, req.source, req.files ?? [], {
        ...(req.asOf !== undefined ? { asOf: req.asOf } : {}),
        ...(req.strict ? { strict: true } : {}),
      });
      if (!out.ok || !out.result) {
        const errors = out.problems.filter((p) => p.severity === "error").length;
        return {
          status: 422,
          body: {
            error: { code: "data-errors", message: `the run stopped because of ${errors} data error${errors === 1 ? "" : "s"}; see problems` },
            problems: out.problems,
          },
        };
      }
      return { status: 200, body: { ok: true, result: out.result, problems: out.problems } };
    }
  }
}
