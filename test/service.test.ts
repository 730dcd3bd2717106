/**
 * The HTTP service, started on 127.0.0.1 with a random port: valid requests, every kind of bad
 * request, the size and time limits, the OpenAPI document, and `obc serve`.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "../node/service/server.ts";
import { serveCommand } from "../cli/serve.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const PILOT = join(ROOT, "examples/03-algebra-pilot");
const source = readFileSync(join(PILOT, "contract.obc"), "utf8");
const files = [
  { label: "students.csv", text: readFileSync(join(PILOT, "students.csv"), "utf8") },
  { label: "checkpoints.csv", text: readFileSync(join(PILOT, "checkpoints.csv"), "utf8") },
];

const STACK = /\n\s+at |Error:|node:internal|\.ts:\d+/;

async function post(svc: RunningService, path: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  const r = await fetch(svc.url + path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await r.text();
  expect(text).not.toMatch(STACK);
  return { status: r.status, headers: r.headers, json: JSON.parse(text) as Record<string, any> };
}

describe("the service", () => {
  let svc: RunningService;
  const log: string[] = [];
  beforeAll(async () => {
    svc = await startService({ port: 0, log: (l) => log.push(l) });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it("listens on 127.0.0.1, with requests in worker threads", () => {
    expect(svc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(svc.port).toBeGreaterThan(0);
    expect(svc.mode).toBe("worker");
  });

  it("runs the algebra pilot", async () => {
    const r = await post(svc, "/run", { source, files, asOf: "2027-07-01" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(r.json.ok).toBe(true);
    expect(r.json.result.totals.paid).toBe("5560.00");
    expect(r.json.result.totals.byPayer).toEqual({ philanthropy: "2224.00", district: "3336.00" });
    expect(r.json.result.students.length).toBe(9);
  });

  it("answers malformed JSON with 400 bad-json", async () => {
    const r = await post(svc, "/run", '{"source": "contract', { "content-type": "application/json" });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { code: "bad-json", message: "the request body is not valid JSON" } });
  });

  it("answers an oversized request with 413, before reading it", async () => {
    const big = JSON.stringify({ source, files: [{ label: "big.csv", text: "x".repeat(5 * 1024 * 1024) }] });
    const r = await post(svc, "/run", big);
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe("payload-too-large");
    // the service is still fine afterwards
    expect((await post(svc, "/check", { source })).status).toBe(200);
  });

  it("answers 413 to clients that send the whole body before reading, with a length or chunked, and to those that ask first", async () => {
    const small = await startService({ port: 0, isolation: "inline", maxBodyBytes: 64 * 1024 });
    try {
      const body = Buffer.alloc(3 * 1024 * 1024, "x");
      // a client that writes everything, then reads (as Python's http.client does): no reset
      const sendThenRead = (head: string, chunked: boolean, expectContinue = false) =>
        new Promise<string>((done) => {
          const sock = connect(small.port, "127.0.0.1");
          let got = "";
          sock.on("data", (d) => (got += d));
          sock.on("error", (e) => done(`error ${e.message}`));
          sock.on("close", () => done(got));
          sock.on("connect", async () => {
            sock.write(head);
            if (expectContinue) return; // waits for 100 Continue, which must not come
            for (let i = 0; i < body.length; i += 64 * 1024) {
              const part = body.subarray(i, i + 64 * 1024);
              const ok = sock.write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part);
              if (!ok) await new Promise((r) => sock.once("drain", r));
            }
            if (chunked) sock.write("0\r\n\r\n");
          });
        });
      const head = (extra: string) => `POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;
      const answers = [
        await sendThenRead(head(`Content-Length: ${body.length}\r\n`), false),
        await sendThenRead(head("Transfer-Encoding: chunked\r\n"), true),
        await sendThenRead(head(`Content-Length: ${body.length}\r\nExpect: 100-continue\r\n`), false, true),
      ];
      for (const a of answers) {
        expect(a.split("\r\n")[0]).toBe("HTTP/1.1 413 Payload Too Large");
        expect(a).not.toContain("100 Continue");
        expect(JSON.parse(a.slice(a.indexOf("{")))).toEqual({ error: { code: "payload-too-large", message: "the request body is larger than 65536 bytes" } });
      }
      // and fetch
      const r = await fetch(small.url + "/check", { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(r.status).toBe(413);
      expect((await fetch(small.url + "/check", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source }) })).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("names the path of a field that breaks the schema", async () => {
    expect((await post(svc, "/run", { files })).json).toEqual({ error: { code: "invalid-request", message: "source is required", path: "source" } });
    expect((await post(svc, "/run", { source, files: [{ label: "a.csv", text: 5 }] })).json.error).toMatchObject({ code: "invalid-request", path: "files.0.text" });
    expect((await post(svc, "/run", { source, asOf: "2027-02-30" })).json.error).toMatchObject({ code: "invalid-request", path: "asOf", message: "asOf: not a calendar date" });
    expect((await post(svc, "/run", { source, files: [{ label: "a", text: "", dataset: "x" }] })).json.error).toEqual({
      code: "invalid-request",
      message: "unknown field files.0.dataset",
      path: "files.0.dataset",
    });
    expect((await post(svc, "/check", [1, 2])).status).toBe(400);
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    const a = await fetch(svc.url + "/payments");
    expect(a.status).toBe(404);
    expect(await a.json()).toEqual({ error: { code: "not-found", message: "there is no /payments; see GET /openapi.json" } });
    const b = await fetch(svc.url + "/run");
    expect(b.status).toBe(405);
    expect(b.headers.get("allow")).toBe("POST");
    expect((await b.json()).error.code).toBe("method-not-allowed");
    const c = await fetch(svc.url + "/openapi.json", { method: "DELETE" });
    expect(c.status).toBe(405);
    const d = await post(svc, "/run", "source=x", { "content-type": "multipart/form-data; boundary=x" });
    expect(d.status).toBe(415);
  });

  it("checks, compiles and analyses contracts; invalid contracts get 422 with diagnostics", async () => {
    const bad = 'contract "Bad" {\n  parties { district "D" provider "P" }\n  outcome "O" pays $1 per student when nope >= 1\n}';
    const check = await post(svc, "/check", { source: bad });
    expect(check.status).toBe(200);
    expect(check.json.ok).toBe(false);
    expect(check.json.diagnostics[0]).toMatchObject({ severity: "error", start: { line: 3 } });
    const compile = await post(svc, "/compile", { source: bad });
    expect(compile.status).toBe(422);
    expect(compile.json.error.code).toBe("invalid-contract");
    const good = await post(svc, "/compile", { source });
    expect(good.status).toBe(200);
    expect(Array.isArray(good.json.rules.rules)).toBe(true);
    const analysis = await post(svc, "/analysis", { source });
    expect(analysis.status).toBe(200);
    // "Algebra ready" and "Growth" exclude each other: 200 + 300 + 1,080
    expect(analysis.json.analysis.studentMax).toBe("1580.00");
    expect(analysis.json.analysis.clauses.find((c: { clause: string }) => c.clause === "algebra_ready").max).toBe("1080.00");
    const run = await post(svc, "/run", { source: bad, files });
    expect(run.status).toBe(422);
  });

  it("answers data that stops a run with 422 and the problems, never the values", async () => {
    const r = await post(svc, "/run", { source, files: [{ label: "students.csv", text: "student_id,grade\nZQ-00731,eight\n" }], strict: true });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("data-errors");
    expect(JSON.stringify(r.json)).not.toMatch(/ZQ-00731|eight/);
  });

  it("resolves templates from the standard library, not from files", async () => {
    const withTemplates = readFileSync(join(ROOT, "examples/07-algebra-pilot-templates/contract.obc"), "utf8");
    const r = await post(svc, "/check", { source: withTemplates });
    // a request has no folder: only its import of a project file is unresolved
    expect(r.json.diagnostics.map((d: { code: string; start: { line: number } }) => [d.code, d.start.line])).toEqual([["OBC2011", 46]]);
    const stdlibOnly = withTemplates
      .split("\n")
      .filter((l) => !l.includes("attendance_escalation"))
      .join("\n");
    const run = await post(svc, "/run", { source: stdlibOnly, files, asOf: "2027-07-01" });
    expect(run.status).toBe(200);
    expect(run.json.result.totals.paid).toBe("5560.00");
  });

  it("answers /summary with the plain-language summary and its source map", async () => {
    const r = await post(svc, "/summary", { source });
    expect(r.status).toBe(200);
    expect(r.json.markdown).toContain("| Price per student (maximum) | $1,580.00 |");
    expect(r.json.html).toMatch(/^<!DOCTYPE html>/i);
    const entry = (r.json.sourceMap as { sentence: string; start: number; end: number }[]).find((m) => m.sentence.includes("$900.00"))!;
    expect(source.slice(entry.start, entry.end)).toMatch(/^outcome "Algebra ready"/);
  });

  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const r = await fetch(svc.url + "/openapi.json");
    const doc = (await r.json()) as Record<string, any>;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(["/check", "/compile", "/run", "/analysis", "/summary", "/adapt", "/settle", "/ledger/settlements", "/ledger/balances", "/ledger/contracts", "/ledger/verify", "/openapi.json", "/health"]);
    const req = doc.components.schemas.ContractRequest;
    expect(req.required).toEqual(["source"]);
    expect(Object.keys(req.properties)).toEqual(["source", "templates", "files", "asOf", "strict"]);
    expect(req.additionalProperties).toBe(false);
    expect(doc.components.schemas.RunResponse.properties.result.properties.schema.const).toBe("obc.run/1");
    expect(doc.paths["/run"].post.responses["413"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
    // every operation has an operationId, each its own (generated clients name their methods by them)
    const ops = Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => [`${method} ${path}`, op.operationId] as const),
    );
    expect(ops.filter(([, id]) => typeof id !== "string" || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(new Set(ops.map(([, id]) => id)).size).toBe(ops.length);
    expect(Object.fromEntries(ops)).toMatchObject({ "post /check": "checkContract", "post /run": "runContract", "get /health": "getHealth" });
  });

  it("adapts district files sent as text or bytes into a data set's CSV, the same as obc adapt", async () => {
    const PRIV = join(ROOT, "test/fixtures/privacy");
    const contract = readFileSync(join(PRIV, "contract.obc"), "utf8");
    const students = readFileSync(join(PRIV, "students.csv"));
    const sessions = readFileSync(join(PRIV, "sessions.csv"));
    const r = await post(svc, "/adapt", {
      source: contract,
      dataSet: "students",
      format: "datas",
      files: [
        { label: "students.csv", text: students.toString("utf8") },
        { label: "sessions.csv", base64: sessions.toString("base64") },
      ],
    });
    expect(r.status).toBe(200);
    const cli = { stdout: "", stderr: "" };
    const { adaptCommand } = await import("../cli/adapt.ts");
    await adaptCommand(
      { format: "datas", files: [join(PRIV, "students.csv"), join(PRIV, "sessions.csv")], contract: join(PRIV, "contract.obc"), dataSet: "students" },
      { stdout: (s) => void (cli.stdout += s), stderr: (s) => void (cli.stderr += s) },
    );
    expect(r.json.csv).toBe(cli.stdout);
    expect(r.json.quality.files.map((f: { file: string; rowsRead: number }) => [f.file, f.rowsRead])).toEqual([
      ["students.csv", 4],
      ["sessions.csv", 6],
    ]);
    // a field no file gives: 422 with the names the files do give
    const missing = await post(svc, "/adapt", { source: contract, dataSet: "students", format: "datas", files: [{ label: "students.csv", text: students.toString("utf8") }] });
    expect(missing.status).toBe(422);
    expect(missing.json.error.code).toBe("missing-field");
    expect(missing.json.unmapped).toEqual(["sessions", "attended_minutes"]);
    expect(missing.json.available).toContain("english_learner");
    expect((await post(svc, "/adapt", { source: contract, dataSet: "nope", format: "datas", files: [{ label: "a.csv", text: "" }] })).json.error.code).toBe("unknown-data-set");
    expect((await post(svc, "/adapt", { source: contract, dataSet: "students", format: "datas", files: [{ label: "a.csv", text: "", base64: "" }] })).status).toBe(400);
  });

  it("resolves a contract's local templates from the files sent with it, and nothing outside them", async () => {
    const dir = join(ROOT, "examples/07-algebra-pilot-templates");
    const withTemplates = readFileSync(join(dir, "contract.obc"), "utf8");
    const local = { "clauses/attendance_escalation.obc": readFileSync(join(dir, "clauses/attendance_escalation.obc"), "utf8") };
    const ok = await post(svc, "/check", { source: withTemplates, templates: local });
    expect(ok.json).toMatchObject({ ok: true });
    const data = ["students.csv", "checkpoints.csv"].map((label) => ({ label, text: readFileSync(join(dir, label), "utf8") }));
    const run = await post(svc, "/run", { source: withTemplates, templates: local, files: data, asOf: "2027-07-01" });
    expect(run.json.result.totals.paid).toBe("5560.00");
    // without the bundle: the import is not found
    const missing = await post(svc, "/check", { source: withTemplates });
    expect(missing.json.ok).toBe(false);
    expect(missing.json.diagnostics.map((d: { message: string }) => d.message).join("\n")).toMatch(/attendance_escalation/);
    // a path that leaves the contract's folder is refused before anything runs
    const escape = await post(svc, "/check", { source: withTemplates, templates: { "../secret.obc": "x" } });
    expect(escape.status).toBe(400);
    expect(escape.json.error).toMatchObject({ code: "invalid-request" });
  });

  it("logs one line per request, without bodies", () => {
    expect(log.some((l) => /^POST \/run 200 \d+ms$/.test(l))).toBe(true);
    expect(log.join("\n")).not.toMatch(/ZQ-00731|Algebra/);
  });
});

describe("the service's time limits", () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ port: 0, timeoutMs: 300, bodyTimeoutMs: 300, workers: 1 });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it("stops a request that takes too long: 503, and the next request is served", async () => {
    const rows = ["student_id,grade,english_learner,iep,diagnostic_date,first_session_date,sessions_by_feb28,boy_score,eoy_score,exit_date"];
    for (let i = 0; i < 30000; i++) rows.push(`S${i},8,false,false,2026-09-20,2026-10-01,34,50,72,`);
    const started = Date.now();
    const r = await post(svc, "/run", { source, files: [{ label: "students.csv", text: rows.join("\n") }, files[1]] });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5000);
    const ok = await post(svc, "/check", { source });
    expect(ok.status).toBe(200);
  });

  it("answers a body that does not arrive in time with 408", async () => {
    const port = svc.port;
    const reply = await new Promise<string>((done) => {
      const sock = connect(port, "127.0.0.1", () => {
        sock.write("POST /run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"source\":");
      });
      let data = "";
      sock.on("data", (c) => (data += c.toString()));
      sock.on("close", () => done(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('{"error":{"code":"request-timeout"');
  });

  it("listens on loopback only", async () => {
    await expect(startService({ host: "0.0.0.0", port: 0 })).rejects.toThrow(/loopback/);
  });

  it("also runs inline (no worker threads)", async () => {
    const inline = await startService({ port: 0, isolation: "inline" });
    try {
      expect(inline.mode).toBe("inline");
      const r = await post(inline, "/run", { source, files });
      expect(r.json.result.totals.paid).toBe("5560.00");
    } finally {
      await inline.close();
    }
  });
});

describe("obc serve", () => {
  it("serves until stopped, then exits 0", async () => {
    const ac = new AbortController();
    const err: string[] = [];
    let url = "";
    const done = serveCommand(
      { port: 0, inline: true, signal: ac.signal, onListening: (u) => (url = u) },
      { stdout: () => {}, stderr: (s) => void err.push(s) },
    );
    while (!url) await new Promise((r) => setTimeout(r, 10));
    const h = await fetch(url + "/health");
    expect(await h.json()).toEqual({ ok: true, mode: "inline" });
    ac.abort();
    expect(await done).toBe(0);
    expect(err[0]).toMatch(/^obc serve: listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(err.join("")).toContain("GET /health 200");
    expect(err.at(-1)).toBe("obc serve: stopped\n");
  });
  it("exits 2 for a bad port", async () => {
    const err: string[] = [];
    expect(await serveCommand({ port: 70000 }, { stdout: () => {}, stderr: (s) => void err.push(s) })).toBe(2);
    expect(err.join("")).toBe("obc serve: --port must be at most 65535\n");
  });
});
