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
import type { ContractRequest } from "./schemas.ts";

export type Route = "check" | "compile" | "run" | "analysis" | "summary";

export interface Reply {
  status: number;
  body: unknown;
}

const CONTRACT_FILE = "contract.obc";

/** Templates from the standard library only: a request has no folder, so relative imports find nothing. */
const stdlibOnly: Resolver = { ...nodeResolver(join(STDLIB_DIR, "request.obc")), relative: () => undefined };

/** The library from disk, and the request's own template files (its bundle) for relative imports. */
function resolverFor(req: ContractRequest): Resolver {
  if (!req.templates) return stdlibOnly;
  return { ...stdlibOnly, relative: memoryResolver({}, req.templates).relative };
}

function invalid(source: string, diagnostics: ReturnType<typeof compileSource>["diagnostics"]): Reply {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    status: 422,
    body: {
      error: { code: "invalid-contract", message: `the contract has ${errors} error${errors === 1 ? "" : "s"}; see diagnostics` },
      diagnostics: toJson(diagnostics, source, CONTRACT_FILE),
    },
  };
}

/** Answers one request. */
export async function handle(route: Route, req: ContractRequest): Promise<Reply> {
  const compiled = compileSource(req.source, { resolver: resolverFor(req) });
  switch (route) {
    case "check":
      return { status: 200, body: { ok: compiled.ok, diagnostics: toJson(compiled.diagnostics, req.source, CONTRACT_FILE) } };
    case "compile": {
      if (!compiled.ok || !compiled.ir) return invalid(req.source, compiled.diagnostics);
      return {
        status: 200,
        body: { ok: true, rules: compileRules(compiled.ir, req.source), diagnostics: toJson(compiled.diagnostics, req.source, CONTRACT_FILE) },
      };
    }
    case "analysis": {
      if (!compiled.ok || !compiled.ir) return invalid(req.source, compiled.diagnostics);
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
      if (!compiled.ok || !compiled.ir) return invalid(req.source, compiled.diagnostics);
      const { summarizeContract, toMarkdown, toHtml, sourceMap } = await import("../../engine/summary/index.ts");
      const doc = await summarizeContract(compiled.ir, req.source, {
        sourceName: CONTRACT_FILE,
        ...(req.asOf !== undefined ? { asOf: req.asOf } : {}),
      });
      return { status: 200, body: { ok: true, markdown: toMarkdown(doc), html: toHtml(doc), sourceMap: sourceMap(doc) } };
    }
    case "run": {
      if (!compiled.ok || !compiled.ir) return invalid(req.source, compiled.diagnostics);
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
